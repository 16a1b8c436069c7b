"""The Faust agents: two stages, so that the strip stage scales with the raw topic's
partitions while the duplicate index sees every article.

    articles.raw (N partitions) --strip--> articles.stripped (1 partition) --flag--> clean/findings

Sends go to the producer while an event is processed, the event is acked only after they are
queued, and Faust flushes the producer before each offset commit (``stream_publish_on_commit``
is off, so nothing is attached). Each stage is thus at-least-once: after a crash, records
past the last commit are processed again and appear again downstream with the same key and the
same ``copydesk.source.partition``/``copydesk.source.offset`` headers.
"""

from __future__ import annotations

from typing import Any

from copydesk.rules.state import StateStore
from copydesk.streams import metrics
from copydesk.streams.processing import Origin, Outgoing, flag_message, strip_message
from copydesk.streams.rulesets import RulesWatcher
from copydesk.streams.settings import Settings
from copydesk.streams.topics import Topics


def register_agents(
    app: Any,
    topics: Topics,
    strip_state: StateStore,
    flag_state: StateStore,
    rules: RulesWatcher,
    settings: Settings,
) -> None:
    destinations = {
        "stripped": topics.stripped,
        "clean": topics.clean,
        "findings": topics.findings,
        "dlq": topics.dlq,
    }

    async def send(records: list[Outgoing]) -> None:
        for out in records:
            topic = destinations[out.destination]
            await topic.send(key=out.key, value=out.value, headers=out.headers)
            metrics.ARTICLES_OUT.labels(topic=topic.get_topic_name()).inc()

    @app.agent(topics.raw, name="copydesk.strip")  # type: ignore[untyped-decorator]
    async def strip(stream: Any) -> None:
        async for event in stream.events():
            message = event.message
            origin = Origin(message.topic, message.partition, message.offset, message.timestamp)
            await send(
                strip_message(
                    rules.engine,
                    strip_state,
                    message.key,
                    event.value,
                    origin,
                    settings.max_record_bytes,
                )
            )

    @app.agent(topics.stripped, name="copydesk.flag")  # type: ignore[untyped-decorator]
    async def flag(stream: Any) -> None:
        async for event in stream.events():
            message = event.message
            origin = Origin(message.topic, message.partition, message.offset)
            headers = [(k, bytes(v)) for k, v in (message.headers or [])]
            await send(
                flag_message(rules.engine, flag_state, message.key, event.value, headers, origin)
            )
