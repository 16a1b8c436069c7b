"""The topics copydesk reads and writes. Values are raw bytes: copydesk encodes JSON itself so
that a record it cannot parse still reaches the dead-letter topic byte for byte."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from copydesk.streams.settings import Settings


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    compacted: bool = False  # a table changelog: the latest value per key is kept


STRIP_TABLE = "state"  # the strip stage's state, as many partitions as the raw topic
FLAG_TABLE = "flag-state"  # the duplicate index, one partition like the stripped topic


def changelog_topic(settings: Settings, table: str) -> str:
    """The name Faust gives a table's changelog topic."""
    return f"{settings.app_id}-{table}-changelog"


def required_topics(settings: Settings) -> list[TopicSpec]:
    """Every topic a worker needs, with its partition count: a broker that lost them (or a new
    cluster) gets them back from ``copydesk topics create`` or from the worker itself."""
    partitions = settings.topic_partitions
    return [
        *(
            TopicSpec(name, partitions)
            for name in (
                settings.topic_raw,
                settings.topic_clean,
                settings.topic_findings,
                settings.topic_dlq,
            )
        ),
        TopicSpec(settings.topic_stripped, 1),
        TopicSpec(settings.topic_candidates, partitions),
        TopicSpec(changelog_topic(settings, STRIP_TABLE), partitions, compacted=True),
        TopicSpec(changelog_topic(settings, FLAG_TABLE), 1, compacted=True),
        # Faust's partition assignor: leader election between the workers of the group.
        TopicSpec(f"{settings.app_id}-__assignor-__leader", 1),
    ]


@dataclass(frozen=True)
class Topics:
    raw: Any
    stripped: Any
    candidates: Any
    clean: Any
    findings: Any
    dlq: Any


def declare_topics(app: Any, settings: Settings) -> Topics:
    def topic(name: str, partitions: int = settings.topic_partitions, **options: Any) -> Any:
        return app.topic(
            name,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            partitions=partitions,
            replicas=settings.topic_replication,
            **options,
        )

    return Topics(
        raw=topic(settings.topic_raw),
        # One partition: every article meets every earlier one in the duplicate index.
        # Internal: the worker creates it at start-up, so it never gets a broker default.
        stripped=topic(settings.topic_stripped, partitions=1, internal=True),
        # N partitions, keyed by article: the judging spreads over the workers again.
        candidates=topic(settings.topic_candidates, internal=True),
        clean=topic(settings.topic_clean),
        findings=topic(settings.topic_findings),
        dlq=topic(settings.topic_dlq),
    )
