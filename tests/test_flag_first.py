"""The strip stage waits while this worker's flag stage is behind (streams/flag_first.py)."""

from __future__ import annotations

import asyncio
import time
from typing import NamedTuple

from copydesk.streams.flag_first import FlagFirst
from copydesk.streams.progress import Progress


class TP(NamedTuple):
    topic: str
    partition: int


STRIPPED, RAW, OTHER_RAW = (
    TP("articles.stripped", 0),
    TP("articles.raw", 0),
    TP("articles.raw", 1),
)


class Consumer:
    """A worker's consumer holding the partitions of ``highwaters``, of a raw topic of two."""

    def __init__(self, highwaters: dict[TP, int]) -> None:
        self.highwaters = highwaters
        self._committed_offset: dict[TP, int] = {}  # the group has committed nothing

    def assignment(self) -> set[TP]:
        return set(self.highwaters)

    def highwater(self, tp: TP) -> int:
        return self.highwaters[tp]

    def topic_partitions(self, topic: str) -> int:
        return 2 if topic == RAW.topic else 1


def flag_first(
    consumer: Consumer, progress: Progress, behind: int = 10, max_wait: float = 5
) -> FlagFirst:
    return FlagFirst(lambda: consumer, RAW.topic, STRIPPED.topic, progress, behind, max_wait)


def test_what_waits_is_the_flag_stages_partition_past_what_it_acked() -> None:
    progress = Progress(stall_seconds=60)
    consumer = Consumer({STRIPPED: 500, RAW: 9000})
    first = flag_first(consumer, progress)
    assert first.waiting() == 0  # nothing acked yet: no position to count from
    progress.done(STRIPPED, 99)
    progress.done(RAW, 10)
    assert first.waiting() == 400  # the raw partition's backlog is the strip stage's own
    assert flag_first(Consumer({RAW: 9000}), progress).waiting() == 0  # flag stage elsewhere


def test_a_worker_stripping_every_raw_partition_never_holds_its_strip_stage_back() -> None:
    """No other worker strips meanwhile: waiting would only slow the lone worker down."""
    progress = Progress(stall_seconds=60)
    progress.done(STRIPPED, 99)
    alone = Consumer({STRIPPED: 500, RAW: 9000, OTHER_RAW: 9000})
    assert flag_first(alone, progress).waiting() == 0


def test_the_strip_stage_goes_on_once_the_flag_stage_has_caught_up() -> None:
    progress = Progress(stall_seconds=60)
    progress.done(STRIPPED, 99)
    consumer = Consumer({STRIPPED: 200})
    first = flag_first(consumer, progress)

    async def scenario() -> list[str]:
        steps: list[str] = []

        async def strip() -> None:
            await first.wait()
            steps.append("strip")

        async def flag() -> None:
            for offset in range(100, 200, 10):
                await asyncio.sleep(0.01)
                steps.append(f"flag {offset}")
                progress.done(STRIPPED, offset)

        await asyncio.gather(strip(), flag())
        return steps

    steps = asyncio.run(scenario())
    # 200 on the broker: the strip stage goes on when at most 10 wait, after offset 190.
    assert steps.index("strip") == steps.index("flag 190") + 1


def seconds_waited(highwater: int, max_wait: float) -> float:
    """How long the strip stage waits with the flag stage at offset 99 of ``highwater``."""
    progress = Progress(stall_seconds=60)
    progress.done(STRIPPED, 99)
    first = flag_first(Consumer({STRIPPED: highwater}), progress, max_wait=max_wait)
    started = time.monotonic()
    asyncio.run(first.wait())
    return time.monotonic() - started


def test_a_flag_stage_that_does_not_move_holds_the_strip_stage_at_most_max_wait() -> None:
    assert 0.2 <= seconds_waited(highwater=1000, max_wait=0.2) < 2


def test_not_behind_goes_on_at_once() -> None:
    assert seconds_waited(highwater=105, max_wait=30) < 1
