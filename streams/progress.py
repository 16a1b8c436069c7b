"""Is each consumed partition moving? A partition with input waiting (records read and not yet
acked, or records on the broker past what was acked) that has not moved for ``stall_seconds``
is stalled: ``/health`` answers 503 and ``copydesk_stalled_partitions`` counts it. Idle
partitions are never stalled."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any


class Progress:
    def __init__(self, stall_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.stall_seconds = stall_seconds
        self._clock = clock
        self._read: dict[Any, int] = {}
        self._done: dict[Any, int] = {}
        self._moved: dict[Any, float] = {}  # when the partition last acked a record
        # When each partition was first seen with input waiting, in its current streak: asked
        # rarely, a stall is only reported for input seen waiting for the whole time.
        self._waiting_since: dict[Any, float] = {}

    def read(self, tp: Any, offset: int) -> None:
        self._read[tp] = max(offset, self._read.get(tp, offset))

    def done(self, tp: Any, offset: int) -> None:
        self._done[tp] = max(offset, self._done.get(tp, offset))
        self._moved[tp] = self._clock()

    def position(self, tp: Any) -> int | None:
        """The next offset to ack on ``tp``, once one was acked by this worker."""
        done = self._done.get(tp)
        return None if done is None else done + 1

    def behind(self, consumer: Any, tp: Any) -> int | None:
        """Records of ``tp`` on the broker past the next offset to ack (else the group's commit),
        from the consumer's last fetched high watermark; None while either is unknown."""
        position = self.position(tp)
        if position is None:
            position = consumer._committed_offset.get(tp)
        try:
            highwater = consumer.highwater(tp)
        except Exception:  # not fetched yet
            return None
        if highwater is None or position is None:
            return None
        return max(int(highwater) - int(position), 0)

    def in_flight(self, tp: Any) -> bool:
        """Records of ``tp`` read and not yet acked."""
        return self._read.get(tp, -1) > self._done.get(tp, -1)

    def stalled(self, waiting: Mapping[Any, bool]) -> list[Any]:
        """The partitions of ``waiting`` (assigned partition -> has input waiting) seen waiting
        without moving for longer than ``stall_seconds``."""
        now = self._clock()
        for tp in [tp for tp in self._waiting_since if not waiting.get(tp)]:
            del self._waiting_since[tp]  # idle, or no longer assigned: the streak ends
        stalled = []
        for tp, has_input in waiting.items():
            if has_input:
                since = max(self._waiting_since.setdefault(tp, now), self._moved.get(tp, 0.0))
                if now - since > self.stall_seconds:
                    stalled.append(tp)
        return stalled
