"""kill -9 mid-stream: two raw partitions, two workers; the worker that owns the one-partition
flag stage (and so the duplicate index) is killed once a third of the outputs are out, and a
replacement starts. Nothing is lost, re-deliveries carry the key and source headers of the first
delivery, and the duplicate index comes back from its changelog."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from collections import defaultdict
from typing import Any

import pytest
from kafka import KafkaProducer

from tests.integration.conftest import (
    Deployment,
    WorkerProcess,
    collecting,
    spawn_worker,
    wait_for,
)

# 10,000 by default (issue 20's operator test), with a third of the stream before the kill and
# the rest, with the copies, through the takeover and the replacement's rebalance.
# COPYDESK_CRASH_ARTICLES=20000 runs the larger stream measured in docs/delivery.md.
ARTICLES = int(os.environ.get("COPYDESK_CRASH_ARTICLES", "10000"))
pytestmark = [pytest.mark.integration, pytest.mark.timeout(300 + ARTICLES // 25)]
COPIES = 200  # exact copies, sent after the kill, of articles cleaned before it
PARTITIONS = 2
COMMIT_INTERVAL_SECONDS = 2.8  # Faust's broker_commit_interval, which copydesk keeps

_rng = random.Random(20261120)
VOCABULARY = [
    "".join(_rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(_rng.randint(3, 9)))
    for _ in range(5000)
]


def body(i: int) -> str:
    """Four sentences of random words: no two articles are near copies of each other."""
    rng = random.Random(i)
    sentences = []
    for _ in range(4):
        words = [rng.choice(VOCABULARY) for _ in range(10)]
        sentences.append(f"{words[0].capitalize()} {' '.join(words[1:])}.")
    return " ".join(sentences)


def article(i: int) -> dict[str, str]:
    return {
        "id": f"a{i}",
        "url": f"https://news.example/{i}",
        "source": "Wire",
        "text": body(i),
        "published_at": "2026-11-20T08:00:00Z",
    }


def copy_of(original: dict[str, str]) -> dict[str, str]:
    return {
        **original,
        "id": f"copy-of-{original['id']}",
        "url": f"https://mirror.example/{original['id']}",
        "published_at": "2026-11-20T09:00:00Z",
    }


def owner_of(partition: str, workers: list[WorkerProcess]) -> WorkerProcess | None:
    owners = [w for w in workers if w.process.poll() is None and partition in w.partitions()]
    return owners[0] if len(owners) == 1 else None


def with_copies(tail: list[dict[str, str]], copies: list[dict[str, str]]) -> list[dict[str, str]]:
    """``tail`` with the copies spread evenly through it."""
    out = list(tail)
    step = len(tail) // len(copies)
    for n, copy in enumerate(copies):
        out.insert(n * (step + 1) + step // 2, copy)
    return out


def test_kill_9_of_the_flag_owner_mid_stream_loses_nothing(deployment: Deployment) -> None:
    started = time.monotonic()
    raw = deployment.topic("raw")
    stripped = f"{deployment.topic('stripped')}:0"
    workers = [spawn_worker(deployment), spawn_worker(deployment)]
    originals = [article(i) for i in range(ARTICLES)]
    producer = KafkaProducer(bootstrap_servers=deployment.broker.bootstrap, linger_ms=20)

    def send(records: list[dict[str, str]], first: int) -> None:
        for n, record in enumerate(records, first):
            producer.send(raw, json.dumps(record).encode(), partition=n % PARTITIONS)
        producer.flush()

    def settled() -> bool:
        raw_held = [[p for p in w.partitions() if p.startswith(f"{raw}:")] for w in workers]
        return all(len(r) == 1 for r in raw_held) and owner_of(stripped, workers) is not None

    try:
        wait_for(settled, 60, "two workers with one raw partition each and one flag owner")
        with collecting(deployment, "clean") as clean:
            # Mid-stream: 60% is on the topic when the kill comes, the rest follows it.
            head = ARTICLES * 6 // 10
            send(originals[:head], 0)
            clean.wait(
                lambda r: len(r) >= ARTICLES // 3, 120 + ARTICLES / 50, "a third of the outputs"
            )
            cleaned_before_kill = sorted(clean.ids())
            owner = owner_of(stripped, workers)
            assert owner is not None
            owner.process.send_signal(signal.SIGKILL)
            owner.process.wait(10)
            killed_at, killed_wall = time.monotonic(), time.time()
            out_at_kill = len(clean.snapshot())
            survivor = next(w for w in workers if w is not owner)

            # The rest of the stream, with exact copies of articles cleaned before the kill.
            chosen = random.Random(9).sample(cleaned_before_kill, COPIES)
            copies = [copy_of(originals[int(i.removeprefix("a"))]) for i in chosen]
            send(with_copies(originals[head:], copies), head)

            # The survivor takes the flag partition over once the group drops the dead member
            # (session timeout 6 s), rebuilding the duplicate index from the changelog.
            wait_for(lambda: stripped in survivor.partitions(), 60, "the survivor to take over")
            takeover = time.monotonic() - killed_at
            wait_for(lambda: len(clean.snapshot()) > out_at_kill, 60, "outputs after the kill")
            resumed = time.monotonic() - killed_at
            # The replacement joins: one more rebalance while the stream is still flowing.
            workers.append(spawn_worker(deployment))
            expected = {a["id"] for a in originals} | {c["id"] for c in copies}
            wait_for(
                lambda: expected <= clean.ids(),
                150 + ARTICLES / 50,
                "every article on the clean topic",
            )
            finished = time.monotonic() - killed_at
            records = clean.snapshot()
        assert sorted(w.process.poll() is None for w in workers) == [False, True, True]
    finally:
        producer.close()
        for worker in workers:
            worker.stop()

    # The unit: articles out per second before the kill, the pipeline's throughput. Input
    # read faster than that only piles up between the stages (the strip stage had read all
    # it was sent long before the kill), so the output rate is the input a loaded worker
    # keeps up with, and the stricter of the two.
    rate = rate_before(records, killed_wall)
    redelivered = check_redeliveries(records, expected)
    # What a crash costs: the articles the dead worker had flagged or aligned since its last
    # commit (at most a commit interval plus the commit's own run, short under load: the
    # agents wait while a commit runs, streams/commit_gate.py), each delivered once more. The
    # stages that live on skip a raw record they have handled before (streams/replays.py), so
    # an article is not delivered again once per stage, and what the dead worker stripped
    # ahead of the flag stage is not delivered again at all. Issue 18's bound: two commit
    # intervals of input.
    intervals = redelivered / (COMMIT_INTERVAL_SECONDS * rate)
    print(
        f"\n{ARTICLES} articles + {COPIES} copies; killed the flag owner after {out_at_kill} "
        f"outputs; the survivor held the flag partition {takeover:.1f} s after the kill, "
        f"outputs again after {resumed:.1f} s, all out {finished:.0f} s after it; "
        f"{redelivered} re-deliveries on the clean topic ({len(records)} records): "
        f"{intervals:.2f} commit intervals of the {rate:.0f} articles/s before the kill; "
        f"test ran {time.monotonic() - started:.0f} s"
    )
    assert intervals <= 2
    check_copies_flagged(records, copies)


Trace = tuple[bytes, bytes, bytes]


def trace_of(message: Any) -> Trace:
    """What a re-delivery repeats: the key and the raw record's partition and offset."""
    headers = dict(message.headers)
    return (message.key, headers["copydesk.source.partition"], headers["copydesk.source.offset"])


def rate_before(records: list[Any], moment: float, seconds: float = 10.0) -> float:
    """Articles per second over the ``seconds`` before ``moment`` (wall clock), by the time the
    worker produced their records, first deliveries only. An average from the start of the
    stream would include the workers' warm-up and undercount it."""
    first: dict[Trace, int] = {}
    for message in records:
        first.setdefault(trace_of(message), message.timestamp)
    start_ms, end_ms = (moment - seconds) * 1000, moment * 1000
    return sum(start_ms <= t < end_ms for t in first.values()) / seconds


def check_redeliveries(records: list[Any], expected: set[str]) -> int:
    """Every article came out; a re-delivery repeats the key and source headers of the first
    delivery, and no two articles share them. Returns how many re-deliveries there were."""
    traces: dict[str, set[Trace]] = defaultdict(set)
    deliveries: dict[Trace, int] = defaultdict(int)
    for message in records:
        trace = trace_of(message)
        traces[json.loads(message.value)["id"]].add(trace)
        deliveries[trace] += 1
    assert set(traces) == expected
    assert all(len(t) == 1 for t in traces.values())
    assert len(deliveries) == len(expected)
    return sum(n - 1 for n in deliveries.values())


def check_copies_flagged(records: list[Any], copies: list[dict[str, str]]) -> None:
    """The duplicate index came back from the changelog: each copy, sent after the kill, is
    flagged as an exact copy naming its original (which was processed before the kill); and
    nothing else is flagged (the random bodies share nothing)."""
    flags: dict[str, set[tuple[tuple[str, str], ...]]] = defaultdict(set)
    for message in records:
        record = json.loads(message.value)
        flags[record["id"]].add(
            tuple((f["kind"], f["evidence"]["original_id"]) for f in record["findings"])
        )
    for copy in copies:
        original = copy["id"].removeprefix("copy-of-")
        assert flags.pop(copy["id"]) == {(("exact-duplicate", original),)}
    assert all(found == {()} for found in flags.values())
