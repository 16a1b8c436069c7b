"""The agents stand aside while an offset commit runs, so that commits land on their interval.

The rules are CPU work on the event loop, and a commit is a chain of awaits on that loop (the
producer's flush, the consumer thread's commit, the tables' changelog offsets). With a backlog,
each step of the chain waits behind one event of each agent: commits under full load took 3.1 to
3.5 s against Faust's 2.8 s interval, and a kill -9 re-delivered everything since the last
commit that landed, up to four intervals of input (docs/delivery.md). While a commit is in
flight the agents wait for it instead, so it runs on an idle loop; the throughput this costs is
the commit's own run, a few per cent of the interval.

Faust's sensors are told when a commit starts and when it ends (``on_commit_initiated``,
``on_commit_completed``). A commit that fails between the two never reports its end, so the
agents wait at most ``max_wait`` seconds for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import faust

from copydesk.streams import metrics


class CommitGate(faust.Sensor):
    def __init__(self, max_wait: float) -> None:
        super().__init__()
        self.max_wait = max_wait
        self._idle = asyncio.Event()
        self._idle.set()

    def on_commit_initiated(self, consumer: Any) -> float:
        self._idle.clear()
        return time.monotonic()

    def on_commit_completed(self, consumer: Any, state: float) -> None:
        self._idle.set()
        metrics.COMMIT.observe(time.monotonic() - state)

    @property
    def committing(self) -> bool:
        return not self._idle.is_set()

    async def pass_through(self) -> None:
        """Give the loop a turn, and while a commit is in flight, wait for it to end. An
        agent with a backlog would otherwise run event after event while Faust's commit timer,
        heartbeats and fetches wait for the loop."""
        if not self.committing:
            await asyncio.sleep(0)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), self.max_wait)
