"""The topics copydesk reads and writes. Values are raw bytes: copydesk encodes JSON itself so
that a record it cannot parse still reaches the dead-letter topic byte for byte."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from streams.settings import Settings


@dataclass(frozen=True)
class Topics:
    raw: Any
    clean: Any
    findings: Any
    dlq: Any


def declare_topics(app: Any, settings: Settings) -> Topics:
    def topic(name: str) -> Any:
        return app.topic(
            name,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            partitions=settings.topic_partitions,
            replicas=settings.topic_replication,
        )

    return Topics(
        raw=topic(settings.topic_raw),
        clean=topic(settings.topic_clean),
        findings=topic(settings.topic_findings),
        dlq=topic(settings.topic_dlq),
    )
