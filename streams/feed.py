"""Put records on the raw topic: the sample-feed replay and ``copydesk produce``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from copydesk.streams.topics import TopicSpec


def sample_feed_path() -> Path:
    return Path(str(resources.files("copydesk.streams") / "data" / "sample-feed.jsonl"))


def ensure_topics(bootstrap: str, names: Iterable[str], partitions: int) -> None:
    """Create the topics that do not exist yet, so that none is auto-created with a partition
    count that the worker's state table would not match."""
    create_missing(bootstrap, [TopicSpec(name, partitions) for name in names])


def create_missing(bootstrap: str, specs: Iterable[TopicSpec], replication: int = 1) -> list[str]:
    """Create the topics of ``specs`` that the broker does not have; returns their names."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="copydesk-admin")
    try:
        existing = set(admin.list_topics())
        missing = [spec for spec in specs if spec.name not in existing]
        if missing:
            # Another process may create one in between: fine.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(
                    [
                        NewTopic(
                            spec.name,
                            spec.partitions,
                            replication,
                            topic_configs={"cleanup.policy": "compact"} if spec.compacted else {},
                        )
                        for spec in missing
                    ]
                )
    finally:
        admin.close()
    return [spec.name for spec in missing]


def produce_lines(bootstrap: str, topic: str, data: bytes, key: bytes | None = None) -> int:
    """Send each non-blank line as one record, unchanged (malformed lines included). With a
    key, all records go to one partition and keep their order."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    count = 0
    try:
        for line in data.splitlines():
            if line.strip():
                producer.send(topic, value=line, key=key)
                count += 1
        producer.flush()
    finally:
        producer.close()
    return count
