"""A stage skips a record whose raw record it has handled before (streams/replays.py)."""

from __future__ import annotations

from prometheus_client import REGISTRY

from copydesk.rules.engine import Engine
from copydesk.rules.state import MemoryStore
from copydesk.streams.processing import Origin, flag_message, strip_message
from copydesk.streams.replays import Replays

RAW = Origin("articles.raw", partition=1, offset=41, timestamp=1_764_000_000.0)


def trace(
    partition: int, offset: int, produced: int = 1_764_000_000_000
) -> list[tuple[str, bytes]]:
    return [
        ("copydesk.source.partition", str(partition).encode()),
        ("copydesk.source.offset", str(offset).encode()),
        ("copydesk.raw.timestamp", str(produced).encode()),
    ]


def skipped(stage: str) -> float:
    return REGISTRY.get_sample_value("copydesk_replays_skipped_total", {"stage": stage}) or 0.0


def test_a_raw_record_met_again_is_skipped_and_counted() -> None:
    replays = Replays("test-again")
    assert replays.first_time(b"a1", trace(1, 41))
    assert replays.first_time(b"a1", trace(0, 41))  # another partition's offset 41
    assert replays.first_time(b"a1", trace(1, 42))
    assert not replays.first_time(b"a1", trace(1, 41))
    assert skipped("test-again") == 1


def test_a_new_record_at_an_old_offset_is_not_a_replay() -> None:
    """A broker that lost its topics numbers new records from 0 again: the same offset with
    another produce time, or another key, is another article (the same one sent again too)."""
    replays = Replays("test-recreated")
    assert replays.first_time(b"a1", trace(0, 0))
    assert replays.first_time(b"a1", trace(0, 0, produced=1_764_000_099_000))
    assert replays.first_time(b"a2", trace(0, 0))
    assert skipped("test-recreated") == 0


def test_what_a_stage_forwards_carries_the_raw_records_trace(builtin_engine: Engine) -> None:
    """The flag stage meets the stripped record read again and the one stripped again: both
    carry the raw record's trace, and so does the candidates record the flag stage makes."""
    engine = builtin_engine
    article = b'{"id": "a1", "text": "Some text."}'
    first = strip_message(engine, MemoryStore(), b"a1", article, RAW, 1 << 20)[0]
    again = strip_message(engine, MemoryStore(), b"a1", article, RAW, 1 << 20)[0]
    flagged = flag_message(
        engine,
        MemoryStore(),
        first.key,
        first.value,
        first.headers,
        Origin("articles.stripped", 0, 7),
    )[0]
    replays, aligning = Replays("test-flag"), Replays("test-align")
    assert replays.first_time(first.key, first.headers)
    assert not replays.first_time(again.key, again.headers)
    assert aligning.first_time(flagged.key, flagged.headers)
    assert not aligning.first_time(flagged.key, flagged.headers)


def test_records_without_a_trace_always_go_through() -> None:
    replays = Replays("test-untraced")
    for headers in (
        [],
        [("copydesk.source.partition", b"1")],
        [("copydesk.source.partition", b"1"), ("copydesk.source.offset", b"not a number")],
        trace(1, 41)[:2],  # no produce time: a new article at an old offset could not be told
    ):
        assert replays.first_time(b"a1", headers)
        assert replays.first_time(b"a1", headers)
    assert skipped("test-untraced") == 0


def test_only_the_latest_records_are_remembered() -> None:
    replays = Replays("test-bounded", size=3)
    for offset in range(4):
        assert replays.first_time(b"a1", trace(0, offset))
    assert replays.first_time(b"a1", trace(0, 0))  # forgotten: goes through again
    assert not replays.first_time(b"a1", trace(0, 3))
