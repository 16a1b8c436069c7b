"""A record this process has already handled, met again after a crash elsewhere, is skipped.

When a worker dies, each of its partitions is read again from its last commit, stage by stage.
An article it stripped since its last raw commit is stripped again, so the flag stage meets it
twice: as the stripped record read again and as the new one; and the align stage, on the dead
worker's candidates partition, meets both the candidates record read again and the one the
repeated look-up produced. Each used to go on to the clean topic: up to three re-deliveries of
one article, and one for every article the dead worker had merely stripped ahead of the flag
stage. The flag and align stages remember the raw records they handled, and skip a record they
have handled before. A raw record is known by its partition, offset and produce time (carried
in every stage's headers) and its key: a broker that lost its topics (the local broker after a
restart, a re-created cluster) numbers new records from 0 again, and an offset alone would take
a new article for a replay of an old one.

Skipping cannot lose an article: the first record was read before the replay, and an event is
acked only after every event read before it (``streams.delivery``), so no commit passes the
replay before the first record's outputs are on the broker. If this process dies before that,
both are read again by a process that has seen neither. A replay of a record handled by
another process (the dead one) is not known here and goes through: at-least-once, as before.
"""

from __future__ import annotations

from collections import deque

from copydesk.streams import metrics
from copydesk.streams.processing import (
    RAW_TIMESTAMP_HEADER,
    SOURCE_OFFSET_HEADER,
    SOURCE_PARTITION_HEADER,
)

# A replay comes at most the stage's backlog after the first record (the stripped topic's
# lag when the strip stage ran ahead): 65,536 raw records cover minutes of a loaded worker in
# about 6 MB. A replay that comes later is delivered again, as without this memory.
REMEMBERED = 65_536
# A raw record: its partition, offset, produce time (milliseconds) and key.
Trace = tuple[int, int, int, bytes | None]


class Replays:
    """The raw records one stage of this process has handled, the latest ``size`` of them."""

    def __init__(self, stage: str, size: int = REMEMBERED) -> None:
        self._skipped = metrics.REPLAYS_SKIPPED.labels(stage=stage)
        self._seen: set[Trace] = set()
        self._order: deque[Trace] = deque()
        self._size = size

    def first_time(self, key: bytes | None, headers: list[tuple[str, bytes]]) -> bool:
        """False for a record whose raw record this stage has handled before (counted as a
        skipped replay); True otherwise, and the record is remembered."""
        trace = _trace(key, headers)
        if trace is None:  # not from the strip stage: nothing to know it by
            return True
        if trace in self._seen:
            self._skipped.inc()
            return False
        self._seen.add(trace)
        self._order.append(trace)
        if len(self._order) > self._size:
            self._seen.discard(self._order.popleft())
        return True


def _trace(key: bytes | None, headers: list[tuple[str, bytes]]) -> Trace | None:
    found = dict(headers)
    try:
        return (
            int(found[SOURCE_PARTITION_HEADER]),
            int(found[SOURCE_OFFSET_HEADER]),
            int(found[RAW_TIMESTAMP_HEADER]),
            key,
        )
    except (KeyError, ValueError):
        return None
