"""The Faust agents: three stages, so that the strip and align stages scale with the
partitions while the duplicate index sees every article.

    articles.raw (N) --strip--> articles.stripped (1) --flag--> articles.candidates (N)
        --align--> clean/findings

The flag stage only looks each article up in the duplicate index and remembers it; the align
stage judges from what it found, which travels in a header.

Acks are manual (``streams.delivery``): an event is acked once the broker has every record it
produced, or its input on the DLQ, in the order the events were read; Faust commits up to the
first unacked offset. Each stage is thus at-least-once: after a crash, records past the last
commit are processed again and appear again downstream with the same key and the same
``copydesk.source.partition``/``copydesk.source.offset`` headers, once per article at most
where the flag and align stages' owners live on (``streams.replays``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from copydesk.rules.state import StateStore
from copydesk.streams import metrics
from copydesk.streams.commit_gate import CommitGate
from copydesk.streams.delivery import InOrderDelivery, Park, SizeLimit
from copydesk.streams.flag_first import FlagFirst
from copydesk.streams.processing import (
    Origin,
    Outgoing,
    align_message,
    dlq_record,
    flag_message,
    strip_message,
)
from copydesk.streams.progress import Progress
from copydesk.streams.replays import Replays
from copydesk.streams.rulesets import RulesWatcher
from copydesk.streams.settings import Settings
from copydesk.streams.topics import Topics

REASON_HEADER = "copydesk.error.reason"
# What a stage makes of one consumed record: (key, value, headers, origin) -> records to send.
Handle = Callable[[bytes | None, bytes | None, list[tuple[str, bytes]], Origin], list[Outgoing]]


def register_agents(
    app: Any,
    topics: Topics,
    strip_state: StateStore,
    flag_state: StateStore,
    rules: RulesWatcher,
    settings: Settings,
    progress: Progress,
) -> None:
    destinations = {
        "stripped": topics.stripped,
        "candidates": topics.candidates,
        "clean": topics.clean,
        "findings": topics.findings,
        "dlq": topics.dlq,
    }
    limit = SizeLimit.from_settings(settings)
    gate = CommitGate(max_wait=app.conf.broker_commit_interval)
    app.sensors.add(gate)
    # The consumer is looked up when first needed: Faust makes it as the worker starts.
    flag_first = FlagFirst(
        lambda: app.consumer,
        topics.raw.get_topic_name(),
        topics.stripped.get_topic_name(),
        progress,
    )

    async def send(out: Outgoing) -> asyncio.Future[Any]:
        topic = destinations[out.destination]
        future: asyncio.Future[Any] = await topic.send(
            key=out.key, value=out.value, headers=out.headers
        )

        def count(done: asyncio.Future[Any]) -> None:
            if done.cancelled() or done.exception() is not None:
                return
            metrics.ARTICLES_OUT.labels(topic=topic.get_topic_name()).inc()
            if out.destination == "dlq":
                metrics.DLQ.labels(reason=dict(out.headers)[REASON_HEADER].decode()).inc()

        future.add_done_callback(count)
        return future

    crashing: set[asyncio.Future[None]] = set()

    def stop_worker(error: BaseException) -> None:
        # Crashing stops the worker without a commit past the input: it is read again.
        crashing.add(asyncio.ensure_future(app.crash(error)))

    def delivery() -> InOrderDelivery:
        return InOrderDelivery(send, limit.shrink, stop_worker)

    def acker(event: Any) -> Callable[[], None]:
        tp = event.message.tp
        offset = event.message.offset

        def ack() -> None:
            event.ack()
            progress.done(tp, offset)

        return ack

    def parker(key: bytes | None, value: bytes | None, origin: Origin) -> Park:
        def park(reason: str, error: str, message: str) -> Outgoing:
            return dlq_record(key, value or b"", origin, reason, error, message)

        return park

    async def consume(
        stream: Any, handle: Handle, replays: Replays | None = None, yields: bool = False
    ) -> None:
        """One stage's loop: each event's records delivered, and the event acked in order. A
        replay of a raw record this stage has handled is acked in its turn with no records. A
        stage that ``yields`` waits before each event while this worker's flag stage is
        behind."""
        out = delivery()
        async for event in stream.noack().events():
            if yields:
                await flag_first.wait()
            message = event.message
            progress.read(message.tp, message.offset)
            origin = Origin(message.topic, message.partition, message.offset, message.timestamp)
            park = parker(message.key, event.value, origin)
            headers = [(k, bytes(v)) for k, v in (message.headers or [])]
            if replays is None or replays.first_time(message.key, headers):
                records = handle(message.key, event.value, headers, origin)
            else:
                records = []
            await out.deliver(limit.fit(records, park), acker(event), park)
            await gate.pass_through()

    @app.agent(topics.raw, name="copydesk.strip")  # type: ignore[untyped-decorator]
    async def strip(stream: Any) -> None:
        await consume(
            stream,
            lambda key, value, _, origin: strip_message(
                rules.engine, strip_state, key, value, origin, settings.max_record_bytes
            ),
            yields=True,
        )

    @app.agent(topics.stripped, name="copydesk.flag")  # type: ignore[untyped-decorator]
    async def flag(stream: Any) -> None:
        await consume(
            stream,
            lambda key, value, headers, origin: flag_message(
                rules.engine, flag_state, key, value, headers, origin
            ),
            Replays("flag"),
        )

    @app.agent(topics.candidates, name="copydesk.align")  # type: ignore[untyped-decorator]
    async def align(stream: Any) -> None:
        await consume(
            stream,
            lambda key, value, headers, origin: align_message(
                rules.engine, key, value, headers, origin
            ),
            Replays("align"),
        )
