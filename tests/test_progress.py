"""When a consumed partition counts as stalled (a fake clock: no waiting in unit tests)."""

from __future__ import annotations

from copydesk.streams.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_partition_with_input_waiting_and_no_progress_is_stalled_after_the_limit() -> None:
    clock = Clock()
    progress = Progress(stall_seconds=60, clock=clock)
    assert progress.stalled({"raw:0": True}) == []
    clock.now += 59
    assert progress.stalled({"raw:0": True}) == []
    clock.now += 2
    assert progress.stalled({"raw:0": True}) == ["raw:0"]


def test_progress_and_idleness_restart_the_clock() -> None:
    clock = Clock()
    progress = Progress(stall_seconds=60, clock=clock)
    progress.stalled({"raw:0": True, "raw:1": True})
    clock.now += 50
    progress.done("raw:0", 10)
    assert progress.stalled({"raw:0": True, "raw:1": True}) == []
    clock.now += 30
    assert progress.stalled({"raw:0": True, "raw:1": False}) == []  # raw:1 idle: no stall
    clock.now += 35
    # raw:0 has not moved for 65 s; raw:1 was idle at the last look, 35 s ago.
    assert progress.stalled({"raw:0": True, "raw:1": True}) == ["raw:0"]


def test_input_first_seen_waiting_after_a_long_gap_is_not_stalled_yet() -> None:
    clock = Clock()
    progress = Progress(stall_seconds=60, clock=clock)
    assert progress.stalled({"raw:0": False}) == []
    clock.now += 600  # nobody asked for ten minutes; input arrived meanwhile
    assert progress.stalled({"raw:0": True}) == []
    clock.now += 61
    assert progress.stalled({"raw:0": True}) == ["raw:0"]


def test_a_partition_assigned_again_starts_a_new_streak() -> None:
    clock = Clock()
    progress = Progress(stall_seconds=60, clock=clock)
    progress.stalled({"raw:0": True})
    clock.now += 30
    assert progress.stalled({}) == []  # revoked
    clock.now += 300
    assert progress.stalled({"raw:0": True}) == []  # assigned again, with a backlog


def test_records_read_and_not_acked_are_in_flight() -> None:
    progress = Progress(stall_seconds=60)
    assert not progress.in_flight("raw:0")
    assert progress.position("raw:0") is None
    progress.read("raw:0", 4)
    assert progress.in_flight("raw:0")
    progress.done("raw:0", 4)
    assert not progress.in_flight("raw:0")
    assert progress.position("raw:0") == 5
