"""Every consumed record ends somewhere, and no offset is committed past a record whose outputs
the broker does not have.

- ``SizeLimit`` knows before sending whether a record goes through: the producer refuses a record
  larger than its maximum request size (counted uncompressed), the broker a batch larger than its
  maximum message size (counted compressed). An output that does not fit is replaced by the input
  on the dead-letter topic (reason ``output-too-large``); a dead-letter record that does not fit
  keeps a bounded prefix of the input with its size and sha256.
- ``InOrderDelivery`` acks the consumed events in the order they were read, each once the broker
  has acknowledged every record it produced. A record the producer or the broker refuses parks
  its input on the dead-letter topic (reason ``produce-failed``) before the event is acked; if
  even that fails, the worker stops without committing past it and the input is read again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from aiokafka.record.default_records import DefaultRecordBatchBuilder

from copydesk.streams.processing import Outgoing
from copydesk.streams.settings import Settings

log = logging.getLogger(__name__)

# The record-batch compression codes of the Kafka protocol (attributes bits 0-2).
CODECS = {"none": 0, "gzip": 1, "lz4": 3, "zstd": 4}
DLQ_PREFIX_BYTES = 64 * 1024  # of an input too large to park whole: enough to recognise it
ORIGINAL_SIZE_HEADER = "copydesk.original.size"
ORIGINAL_SHA256_HEADER = "copydesk.original.sha256"

# A consumed input's dead-letter record: (reason, error class, message) -> record.
Park = Callable[[str, str, str], Outgoing]
Send = Callable[[Outgoing], Awaitable["asyncio.Future[Any]"]]


@dataclass(frozen=True)
class SizeLimit:
    producer_max_request_bytes: int
    broker_max_message_bytes: int
    compression: str = "zstd"

    @classmethod
    def from_settings(cls, settings: Settings) -> SizeLimit:
        return cls(
            settings.producer_max_request_bytes,
            settings.broker_max_message_bytes,
            settings.compression,
        )

    def request_bytes(self, out: Outgoing) -> int:
        """What the producer compares with its maximum request size (aiokafka's own estimate)."""
        return int(
            DefaultRecordBatchBuilder.estimate_size_in_bytes(out.key, out.value, out.headers)
        )

    def batch_bytes(self, out: Outgoing) -> int:
        """The record's batch as the producer sends it: alone in its batch (it is larger than a
        batch) and compressed with the same codec and level, so the broker sees this size."""
        builder = DefaultRecordBatchBuilder(
            2,
            CODECS[self.compression],
            is_transactional=0,
            producer_id=-1,
            producer_epoch=-1,
            base_sequence=0,
            batch_size=2**31 - 1,
        )
        builder.append(0, timestamp=None, key=out.key, value=out.value, headers=out.headers)
        return len(builder.build())

    def refusal(self, out: Outgoing) -> str | None:
        """Why the producer or the broker would refuse ``out``; None when it goes through."""
        request = self.request_bytes(out)
        if request > self.producer_max_request_bytes:
            return (
                f"{out.destination} record of {request} bytes is over the producer's maximum"
                f" request size ({self.producer_max_request_bytes})"
            )
        if request <= self.broker_max_message_bytes:
            return None  # compression never makes a batch larger: the producer sends it plain
        batch = self.batch_bytes(out)
        if batch > self.broker_max_message_bytes:
            return (
                f"{out.destination} record of {request} bytes is {batch} bytes with"
                f" {self.compression} compression, over the broker's maximum message size"
                f" ({self.broker_max_message_bytes})"
            )
        return None

    def shrink(self, dead: Outgoing) -> Outgoing:
        """A dead-letter record that fits: unchanged if it does, else the first bytes of the
        input with its size and sha256 in headers."""
        if self.refusal(dead) is None:
            return dead
        prefix = min(DLQ_PREFIX_BYTES, self.broker_max_message_bytes // 2)
        return replace(
            dead,
            value=dead.value[:prefix],
            headers=[
                *dead.headers,
                (ORIGINAL_SIZE_HEADER, str(len(dead.value)).encode()),
                (ORIGINAL_SHA256_HEADER, hashlib.sha256(dead.value).hexdigest().encode()),
            ],
        )

    def fit(self, records: list[Outgoing], park: Park) -> list[Outgoing]:
        """``records`` if each goes through; else the input on the DLQ (output-too-large)."""
        for out in records:
            if out.destination == "dlq":
                continue
            refusal = self.refusal(out)
            if refusal is not None:
                return [self.shrink(park("output-too-large", "OutputTooLarge", refusal))]
        return [self.shrink(out) if out.destination == "dlq" else out for out in records]


@dataclass
class _Pending:
    ack: Callable[[], object]
    park: Park
    sent: list[asyncio.Future[Any]] = field(default_factory=list)
    parked: bool = False
    # Not to be acked now: its records are being queued or parked, or it failed for good.
    held: bool = True


@dataclass
class InOrderDelivery:
    """Sends each consumed input's records and acks the inputs in the order they were read.

    One per agent: an input is acked only once every record sent for it, and for every input
    read before it, is on the broker, so Faust (which commits up to the first unacked offset)
    never commits past a record that was not produced. Sends are not awaited one by one: the
    producer batches them while acks follow in order.
    """

    send: Send
    shrink: Callable[[Outgoing], Outgoing]
    # Stops the worker: an input could be neither produced nor parked.
    fail: Callable[[BaseException], None]
    _pending: deque[_Pending] = field(default_factory=deque)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def deliver(self, records: list[Outgoing], ack: Callable[[], object], park: Park) -> None:
        entry = _Pending(ack, park)
        self._pending.append(entry)
        try:
            entry.sent = [await self.send(out) for out in records]
        except Exception as exc:  # refused before sending (serialisation, a closed producer, ...)
            try:
                entry.sent = [await self._park_send(park, exc)]
            except Exception as fatal:
                self.fail(fatal)  # it stays held: neither it nor any later input is acked
                return
            entry.parked = True
        entry.held = False
        for future in entry.sent:
            future.add_done_callback(self._drain)
        self._drain()

    async def _park_send(self, park: Park, error: BaseException) -> asyncio.Future[Any]:
        log.warning("could not produce an output (%r): its input goes to the DLQ", error)
        dead = park("produce-failed", type(error).__name__, str(error) or repr(error))
        return await self.send(self.shrink(dead))

    def _drain(self, *_: object) -> None:
        while self._pending:
            head = self._pending[0]
            if head.held or not all(future.done() for future in head.sent):
                return
            error = next(filter(None, map(_error, head.sent)), None)
            if error is None:
                self._pending.popleft()
                head.ack()
                continue
            head.held = True
            if head.parked:
                self.fail(error)  # not even the DLQ took it
            else:
                task = asyncio.ensure_future(self._park(head, error))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            return

    async def _park(self, entry: _Pending, error: BaseException) -> None:
        try:
            future = await self._park_send(entry.park, error)
        except Exception as fatal:
            self.fail(fatal)
            return
        entry.sent, entry.parked, entry.held = [future], True, False
        future.add_done_callback(self._drain)


def _error(future: asyncio.Future[Any]) -> BaseException | None:
    if future.cancelled():
        return asyncio.CancelledError("the send was cancelled")
    return future.exception()
