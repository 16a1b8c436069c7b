"""Sizes known before sending, and acks that never pass an unproduced record (no Kafka needed:
the producer is a fake whose futures the test resolves; tests/integration/test_large_articles.py
goes through the real broker)."""

from __future__ import annotations

import asyncio
import hashlib
import random

import pytest

from copydesk.streams.delivery import (
    ORIGINAL_SHA256_HEADER,
    ORIGINAL_SIZE_HEADER,
    InOrderDelivery,
    SizeLimit,
)
from copydesk.streams.processing import Origin, Outgoing, dlq_record

ORIGIN = Origin("articles.raw", 1, 7)
LIMIT = SizeLimit(producer_max_request_bytes=4_000_000, broker_max_message_bytes=1_000_000)
TEXT = " ".join(
    random.Random(1).choice(["the", "minister", "said", "on", "tuesday"]) for _ in range(400_000)
)
NOISE = random.Random(2).randbytes(1_200_000)  # does not compress


def park_input(value: bytes):  # type: ignore[no-untyped-def]
    def park(reason: str, error: str, message: str) -> Outgoing:
        return dlq_record(b"key", value, ORIGIN, reason, error, message)

    return park


def headers(out: Outgoing) -> dict[str, bytes]:
    return dict(out.headers)


def test_an_ordinary_record_goes_through() -> None:
    out = Outgoing("clean", b"k", b"x" * 5_000)
    assert LIMIT.refusal(out) is None
    assert LIMIT.fit([out], park_input(b"in")) == [out]


def test_a_record_over_the_broker_limit_goes_through_when_it_compresses() -> None:
    out = Outgoing("clean", b"k", TEXT.encode())
    assert LIMIT.request_bytes(out) > LIMIT.broker_max_message_bytes
    assert LIMIT.batch_bytes(out) < LIMIT.broker_max_message_bytes
    assert LIMIT.refusal(out) is None
    uncompressed = SizeLimit(4_000_000, 1_000_000, compression="none")
    assert "maximum message size" in (uncompressed.refusal(out) or "")


def test_an_incompressible_record_over_the_broker_limit_is_refused() -> None:
    out = Outgoing("stripped", b"k", NOISE)
    assert LIMIT.batch_bytes(out) > LIMIT.broker_max_message_bytes
    assert "maximum message size" in (LIMIT.refusal(out) or "")


def test_the_producer_limit_counts_the_uncompressed_record_with_its_headers() -> None:
    limit = SizeLimit(producer_max_request_bytes=10_000, broker_max_message_bytes=10_000)
    value = b"a" * 9_900
    assert limit.refusal(Outgoing("clean", b"k", value)) is None
    with_headers = Outgoing("clean", b"k", value, [("copydesk.x", b"y" * 200)])
    assert "maximum request size" in (limit.refusal(with_headers) or "")


def test_an_output_too_large_sends_its_input_to_the_dlq_whole() -> None:
    source = b'{"id": "a", "text": "..."}'
    [dead] = LIMIT.fit(
        [Outgoing("clean", b"k", NOISE), Outgoing("findings", b"k", NOISE)], park_input(source)
    )
    assert dead.destination == "dlq"
    assert dead.value == source
    assert headers(dead)["copydesk.error.reason"] == b"output-too-large"
    assert b"maximum message size" in headers(dead)["copydesk.error.message"]
    assert ORIGINAL_SIZE_HEADER not in headers(dead)


def test_a_dlq_record_too_large_keeps_a_prefix_with_size_and_sha256() -> None:
    dead = dlq_record(b"k", NOISE, ORIGIN, "too-large", "RecordError", "too large")
    [kept] = LIMIT.fit([dead], park_input(NOISE))
    assert LIMIT.refusal(kept) is None
    assert NOISE.startswith(kept.value) and 0 < len(kept.value) < len(NOISE)
    assert headers(kept)[ORIGINAL_SIZE_HEADER] == str(len(NOISE)).encode()
    assert headers(kept)[ORIGINAL_SHA256_HEADER] == hashlib.sha256(NOISE).hexdigest().encode()
    assert headers(kept)["copydesk.error.reason"] == b"too-large"


class FakeProducer:
    """Sends return futures that the test resolves, in any order."""

    def __init__(self, refuse: bool = False, refuse_dlq: bool = False) -> None:
        self.sent: list[tuple[Outgoing, asyncio.Future[None]]] = []
        self.refuse = refuse
        self.refuse_dlq = refuse_dlq

    async def send(self, out: Outgoing) -> asyncio.Future[None]:
        if self.refuse and out.destination != "dlq":
            raise ValueError("cannot serialise")
        if self.refuse_dlq and out.destination == "dlq":
            raise ValueError("no dead-letter topic")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.sent.append((out, future))
        return future


class Harness:
    def __init__(self, producer: FakeProducer) -> None:
        self.producer = producer
        self.acked: list[int] = []
        self.failures: list[BaseException] = []
        self.delivery = InOrderDelivery(producer.send, LIMIT.shrink, self.failures.append)

    async def deliver(self, offset: int, *destinations: str) -> None:
        records = [Outgoing(d, b"k", b"v%d" % offset) for d in destinations]  # type: ignore[arg-type]
        await self.delivery.deliver(
            records, lambda: self.acked.append(offset), park_input(b"input %d" % offset)
        )


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_inputs_are_acked_in_order_once_the_broker_has_their_records() -> None:
    async def scenario() -> None:
        h = Harness(FakeProducer())
        await h.deliver(0, "clean", "findings")
        await h.deliver(1, "clean")
        [(_, a), (_, b), (_, c)] = h.producer.sent
        c.set_result(None)
        await settle()
        assert h.acked == []  # input 1 is done, input 0 is not: nothing may be committed
        a.set_result(None)
        await settle()
        assert h.acked == []  # input 0's second record is still in flight
        b.set_result(None)
        await settle()
        assert h.acked == [0, 1]

    asyncio.run(scenario())


def test_a_refused_record_parks_its_input_on_the_dlq_before_the_ack() -> None:
    async def scenario() -> None:
        h = Harness(FakeProducer())
        await h.deliver(0, "clean")
        await h.deliver(1, "clean")
        [(_, first), (_, second)] = h.producer.sent
        second.set_result(None)
        first.set_exception(RuntimeError("MessageSizeTooLargeError"))
        await settle()
        assert h.acked == []
        dead, parked = h.producer.sent[2]
        assert dead.destination == "dlq"
        assert dead.value == b"input 0"
        assert headers(dead)["copydesk.error.reason"] == b"produce-failed"
        assert b"MessageSizeTooLargeError" in headers(dead)["copydesk.error.message"]
        parked.set_result(None)
        await settle()
        assert h.acked == [0, 1]

    asyncio.run(scenario())


def test_a_send_refused_at_once_parks_the_input() -> None:
    async def scenario() -> None:
        h = Harness(FakeProducer(refuse=True))
        await h.deliver(0, "clean")
        [(dead, parked)] = h.producer.sent
        assert headers(dead)["copydesk.error.reason"] == b"produce-failed"
        assert headers(dead)["copydesk.error.class"] == b"ValueError"
        parked.set_result(None)
        await settle()
        assert h.acked == [0]

    asyncio.run(scenario())


def test_when_both_sends_are_refused_at_once_nothing_after_the_input_is_acked() -> None:
    async def scenario() -> None:
        h = Harness(FakeProducer(refuse=True, refuse_dlq=True))
        await h.deliver(0, "clean")
        h.producer.refuse = False
        await h.deliver(1, "clean")
        h.producer.sent[0][1].set_result(None)
        await settle()
        assert h.acked == []
        assert [str(e) for e in h.failures] == ["no dead-letter topic"]

    asyncio.run(scenario())


def test_when_the_dlq_refuses_too_the_worker_stops_once_without_acking() -> None:
    async def scenario() -> None:
        h = Harness(FakeProducer())
        await h.deliver(0, "clean")
        await h.deliver(1, "clean")
        h.producer.sent[0][1].set_exception(RuntimeError("broker away"))
        h.producer.sent[1][1].set_result(None)
        await settle()
        h.producer.sent[2][1].set_exception(RuntimeError("broker still away"))
        await settle()
        await h.deliver(2, "clean")
        h.producer.sent[3][1].set_result(None)
        await settle()
        assert h.acked == []  # nothing after the input that could not be parked either
        assert [str(e) for e in h.failures] == ["broker still away"]

    asyncio.run(scenario())


@pytest.mark.parametrize("compression", ["zstd", "lz4", "gzip", "none"])
def test_every_codec_setting_measures_a_batch(compression: str) -> None:
    out = Outgoing("clean", b"k", TEXT.encode()[:100_000])
    size = SizeLimit(1_000_000, 1_000_000, compression).batch_bytes(out)
    if compression == "none":
        assert size >= len(out.value)
    else:
        assert size < len(out.value) / 2
