"""On the worker that holds the flag stage, the strip stage waits while the flag stage is behind.

The three agents of a worker share one event loop and take turns event by event. Stripping an
article costs several times what looking it up costs, so on the worker that owns the one
stripped partition the strip agent took most of the loop, stripped its raw partition as fast
as the flag stage drained the articles of every worker, and the flag stage, the one place all
articles pass, became the whole group's bottleneck while the other worker waited for its
candidates: two workers measured 1.11x one (docs/benchmarks-history.md). Here the strip agent,
before each event, waits while the flag stage of this worker has more than ``behind`` records
waiting (stripped but not yet looked up), so the loop goes to the flag and align stages first
and the strip stage has what is left. That also bounds how far the strip stage runs ahead of
the flag stage, and with it what a crash makes the group read again.

A flag stage that does not move (a stalled partition, a rebalance) holds the strip stage at
most ``max_wait`` seconds per event.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from copydesk.streams.progress import Progress

BEHIND = 64  # stripped records waiting: a fraction of a second of flag-stage work
POLL_SECONDS = 0.005


class FlagFirst:
    def __init__(
        self,
        consumer: Callable[[], Any],
        raw_topic: str,
        stripped_topic: str,
        progress: Progress,
        behind: int = BEHIND,
        max_wait: float = 1.0,
    ) -> None:
        self._consumer = consumer
        self._raw = raw_topic
        self._topic = stripped_topic
        self._progress = progress
        self.behind = behind
        self.max_wait = max_wait

    def waiting(self) -> int:
        """Records of the stripped partition this worker holds that its flag stage has not
        looked up yet: 0 where it holds none or that is not known yet, and where it holds every
        raw partition, as a lone worker does (no other worker strips while this one waits:
        holding its strip stage back made a lone worker a third slower)."""
        try:
            consumer = self._consumer()
            assigned = consumer.assignment()
            held = [tp for tp in assigned if tp.topic == self._topic]
            raw = sum(tp.topic == self._raw for tp in assigned)
            if not held or raw >= (consumer.topic_partitions(self._raw) or raw):
                return 0
        except Exception:  # not started, or shutting down
            return 0
        return sum(self._progress.behind(consumer, tp) or 0 for tp in held)

    async def wait(self) -> None:
        """Until the flag stage is at most ``behind`` records behind, or ``max_wait`` passed."""
        deadline = time.monotonic() + self.max_wait
        while self.waiting() > self.behind and time.monotonic() < deadline:
            await asyncio.sleep(POLL_SECONDS)
