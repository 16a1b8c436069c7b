"""The topics copydesk reads and writes. Values are raw bytes: copydesk encodes JSON itself so
that a record it cannot parse still reaches the dead-letter topic byte for byte."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from copydesk.streams.settings import Settings


@dataclass(frozen=True)
class Topics:
    raw: Any
    stripped: Any
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
        clean=topic(settings.topic_clean),
        findings=topic(settings.topic_findings),
        dlq=topic(settings.topic_dlq),
    )
