"""The Faust agent: consume raw articles, run the engine, produce clean/findings/DLQ records.

Sends made while processing an event are attached to its offset and published before that
offset is committed (Faust attachments), so processing is at-least-once: after a crash, records
past the last commit are processed again and appear again downstream with the same key and the
same ``copydesk.source.offset`` header.
"""

from __future__ import annotations

from typing import Any

from rules.engine import Engine
from streams import metrics
from streams.processing import Origin, process_message
from streams.settings import Settings
from streams.tables import TableStore
from streams.topics import Topics


def register_agents(
    app: Any, topics: Topics, table: Any, engine: Engine, settings: Settings
) -> Any:
    state = TableStore(table)
    destinations = {"clean": topics.clean, "findings": topics.findings, "dlq": topics.dlq}

    @app.agent(topics.raw, name="copydesk.clean")  # type: ignore[untyped-decorator]
    async def clean(stream: Any) -> None:
        async for event in stream.events():
            message = event.message
            origin = Origin(message.topic, message.partition, message.offset)
            for out in process_message(
                engine, state, message.key, event.value, origin, settings.max_record_bytes
            ):
                topic = destinations[out.destination]
                await topic.send(key=out.key, value=out.value, headers=out.headers)
                metrics.ARTICLES_OUT.labels(topic=topic.get_topic_name()).inc()

    return clean
