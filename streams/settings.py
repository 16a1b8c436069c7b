"""Settings from the environment (prefix ``COPYDESK_``), with defaults that work locally."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COPYDESK_", extra="ignore")

    broker: str = Field(
        default="kafka://127.0.0.1:9092",
        description="Kafka bootstrap servers, e.g. kafka://kafka:9092 (comma-separate several).",
    )
    app_id: str = Field(default="copydesk", description="Consumer group and state-topic prefix.")
    topic_raw: str = Field(default="articles.raw", description="Input topic (raw articles).")
    topic_clean: str = Field(
        default="articles.clean", description="Cleaned records, one per good input."
    )
    topic_findings: str = Field(
        default="articles.findings", description="Cleaned records that carry at least one finding."
    )
    topic_stripped: str = Field(
        default="articles.stripped",
        description="Internal: stripped articles on their way to the duplicate index's look-ups"
        " (one partition).",
    )
    topic_candidates: str = Field(
        default="articles.candidates",
        description="Internal: articles with what the duplicate index holds for them, on their"
        " way to the align stage (as many partitions as the raw topic).",
    )
    topic_dlq: str = Field(
        default="articles.dlq", description="Inputs that could not be read or processed, unchanged."
    )
    topic_partitions: int = Field(default=4, ge=1, description="Partitions of created topics.")
    topic_replication: int = Field(default=1, ge=1)
    rules: Annotated[list[Path], NoDecode] = Field(
        default_factory=list,
        description="Extra rule packs (files or folders, comma-separated) loaded after the"
        " built-in ones.",
    )
    builtin_rules: bool = Field(default=True, description="Load the built-in packs.")
    rules_reload_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How often a worker checks COPYDESK_RULES for changes (0: never).",
    )
    data_dir: Path = Field(default=Path(".copydesk"), description="Worker state (RocksDB).")
    table_store: str = Field(default="rocksdb://", description="Faust table store URL.")
    web_host: str = Field(default="127.0.0.1", description="Address the worker web server binds.")
    web_port: int = Field(default=6066, description="Worker web port, serving /metrics.")
    max_record_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1, description="Larger records go to the DLQ (too-large)."
    )
    producer_max_request_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=1024,
        description="Largest record the worker hands its producer, uncompressed (key, value,"
        " headers and record overhead; Kafka's max.request.size). Larger outputs go to the DLQ"
        " (output-too-large).",
    )
    broker_max_message_bytes: int = Field(
        default=1_048_588,
        ge=1024,
        description="Largest record batch the broker accepts, after compression (the output"
        " topics' max.message.bytes; Kafka's default). A larger output goes to the DLQ"
        " (output-too-large) instead of failing at the broker.",
    )
    compression: Literal["zstd", "lz4", "gzip", "none"] = Field(
        default="zstd",
        description="Compression of everything the worker produces (output, internal and"
        " changelog topics).",
    )
    producer_request_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long a produce may wait for the broker before it fails and the input"
        " goes to the DLQ (produce-failed).",
    )
    stall_seconds: float = Field(
        default=120.0,
        gt=0,
        description="A consumed partition with records waiting and no progress for this long"
        " makes /health answer 503 (stalled).",
    )
    topics_check_seconds: float = Field(
        default=30.0,
        ge=0,
        description="How often the worker re-creates topics that vanished from the broker,"
        " changelogs included (0: only at start).",
    )
    stop_timeout_seconds: float = Field(
        default=20.0,
        gt=0,
        description="A worker not stopped this long after SIGTERM exits without a last commit"
        " (exit code 2); what it had not committed is processed again.",
    )
    max_body_chars: int = Field(
        default=1_000_000, ge=1, description="Longer bodies are truncated, with a finding."
    )
    regex_timeout_seconds: float = Field(
        default=0.05, gt=0, description="Regex time budget per rule and article."
    )
    # Group-membership timings: a group join takes half the session timeout on some brokers, and
    # Kafka's own minimum session timeout is 6 s (group.min.session.timeout.ms).
    session_timeout_seconds: float = 6.0
    heartbeat_interval_seconds: float = 1.0
    rebalance_timeout_seconds: float = 6.0
    group_instance_id: str | None = Field(
        default=None, description="Static group membership id (one per replica), optional."
    )
    fetch_wait_ms: int = Field(
        default=1500,
        ge=1,
        le=60_000,
        description="Longest a fetch waits at the broker for new records (Faust's fixed"
        " 1,500 ms by default). Apache Kafka answers as soon as a record arrives, so there it"
        " only spaces out idle polls; the local broker answers at the end of the wait, so"
        " there it is added to every stage's latency.",
    )
    recovery_consistency_check: bool = Field(
        default=True,
        description="Faust's table-recovery offset check; the local broker needs it off.",
    )

    @field_validator("rules", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return [Path(part.strip()) for part in value.split(",") if part.strip()]
        return value

    def broker_url(self) -> str:
        """The broker as a plain host:port list for kafka-python."""
        return ",".join(b.removeprefix("kafka://") for b in self.broker.split(","))
