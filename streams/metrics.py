"""Prometheus metrics. Labels come from small fixed sets only (topic, rule id, finding kind,
severity, error reason): never an article id, URL or source name."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter, Gauge, Histogram, Info

from copydesk.rules.state import StateStore

ARTICLES_IN = Counter("copydesk_articles_in_total", "Records consumed.", ["topic"])
ARTICLES_OUT = Counter("copydesk_articles_out_total", "Records produced.", ["topic"])
DLQ = Counter("copydesk_dlq_total", "Records sent to the dead-letter topic, by reason.", ["reason"])
FINDINGS = Counter(
    "copydesk_findings_total", "Findings raised, by rule.", ["rule", "kind", "severity"]
)
CHARS_REMOVED = Counter(
    "copydesk_removed_characters_total", "Characters removed from bodies, by rule.", ["rule"]
)
RULE_SECONDS = Counter(
    "copydesk_rule_seconds_total",
    "Wall-clock seconds spent in each rule's own code, every stage, by rule.",
    ["rule"],
)
CHARS_IN = Counter("copydesk_body_characters_total", "Characters of body text processed.")
PROCESSING = Histogram(
    "copydesk_processing_seconds",
    "Engine time per article, by stage (strip, flag, align).",
    ["stage"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
COMMIT = Histogram(
    "copydesk_commit_seconds",
    "Offset commits, from start to end (the producer's flush, the offsets, the tables'"
    " changelog offsets); the agents wait while one runs.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
REPLAYS_SKIPPED = Counter(
    "copydesk_replays_skipped_total",
    "Records skipped because this worker handled the same raw record before (re-read after"
    " another worker's crash), by stage (flag, align).",
    ["stage"],
)
RULES = Info("copydesk_rules", "Loaded rule set.")
RULE_COUNT = Gauge("copydesk_rules_loaded", "Rules loaded.")
RULE_RELOADS = Counter(
    "copydesk_rules_reloads_total",
    "Rule pack reloads after a change, by result (loaded, refused).",
    ["result"],
)
END_TO_END_LAG = Histogram(
    "copydesk_end_to_end_lag_seconds",
    "Time from an article's published_at (else the produce time of its raw record) to the end "
    "of the align stage.",
    buckets=(
        0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 21600.0,
        86400.0, 604800.0,
    ),
)  # fmt: skip
STATE_ENTRIES = Gauge(
    "copydesk_state_entries",
    "Entries in a stage's rule state held by this worker (flag: the duplicate index).",
    ["stage"],
)
STATE_BYTES = Gauge(
    "copydesk_state_bytes",
    "Bytes of values in a stage's rule state held by this worker (keys not counted).",
    ["stage"],
)
CONSUMER_LAG = Gauge(
    "copydesk_consumer_lag",
    "Records on a consumed partition not read yet by this worker (log end offset minus "
    "position). Wrong on the local Tansu broker, whose log end offsets are wrong.",
    ["topic", "partition"],
)
STALLED_PARTITIONS = Gauge(
    "copydesk_stalled_partitions",
    "Consumed partitions with input waiting and no progress for longer than"
    " COPYDESK_STALL_SECONDS (/health answers 503 while there is one).",
)
WORKER_UP = Gauge("copydesk_worker_up", "1 while the worker serves this page.")
ASSIGNED_PARTITIONS = Gauge(
    "copydesk_assigned_partitions", "Partitions of the agents' topics assigned to this worker."
)


def observe_end_to_end_lag(published_at: datetime | None, produced_at: float | None) -> None:
    """Now minus ``published_at`` (naive = UTC), else minus the raw record's produce time (epoch
    seconds); nothing when neither is known. Clock skew never makes it negative."""
    if published_at is not None:
        if published_at.tzinfo is None:
            published_at = published_at.replace(tzinfo=UTC)
        started = published_at.timestamp()
    elif produced_at is not None:
        started = produced_at
    else:
        return
    END_TO_END_LAG.observe(max(0.0, time.time() - started))


class CountingStore:
    """A ``StateStore`` that keeps ``copydesk_state_entries`` / ``copydesk_state_bytes`` for one
    stage. It seeds itself from ``scan`` (the values this worker holds, e.g. the table after
    recovery) on first use, then counts every put and delete; ``invalidate`` (on a rebalance)
    zeroes the gauges until the next write re-seeds them from whoever owns the state now."""

    def __init__(
        self, inner: StateStore, stage: str, scan: Callable[[], Iterable[bytes]] | None = None
    ) -> None:
        self._inner = inner
        self._scan = scan
        self._entries = STATE_ENTRIES.labels(stage=stage)
        self._bytes = STATE_BYTES.labels(stage=stage)
        self._seeded = False

    def _seed(self) -> None:
        if self._seeded:
            return
        values = list(self._scan()) if self._scan is not None else []
        self._entries.set(len(values))
        self._bytes.set(sum(len(v) for v in values))
        self._seeded = True

    @property
    def generation(self) -> int:
        return self._inner.generation

    def invalidate(self) -> None:
        self._seeded = False
        self._entries.set(0)
        self._bytes.set(0)

    def get(self, namespace: str, key: str) -> bytes | None:
        return self._inner.get(namespace, key)

    def put(self, namespace: str, key: str, value: bytes) -> None:
        self._seed()
        old = self._inner.get(namespace, key)
        self._inner.put(namespace, key, value)
        if old is None:
            self._entries.inc()
        self._bytes.inc(len(value) - len(old or b""))

    def delete(self, namespace: str, key: str) -> None:
        self._seed()
        old = self._inner.get(namespace, key)
        self._inner.delete(namespace, key)
        if old is not None:
            self._entries.dec()
            self._bytes.dec(len(old))

    def keys(self, namespace: str) -> Iterator[str]:
        return self._inner.keys(namespace)


def update_consumer_lag(consumer: Any, topics: set[str]) -> None:
    """Set ``copydesk_consumer_lag`` for the partitions of ``topics`` assigned to this worker,
    from the consumer's last fetched high watermark and its read (else committed) offset.
    Partitions no longer assigned disappear. Best effort: a consumer not started yet gives none."""
    CONSUMER_LAG.clear()
    try:
        assigned = [tp for tp in consumer.assignment() if tp.topic in topics]
    except Exception:  # not started or shutting down
        assigned = []
    ASSIGNED_PARTITIONS.set(len(assigned))
    for tp in assigned:
        try:
            highwater = consumer.highwater(tp)
        except Exception:
            continue
        read = getattr(consumer, "_read_offset", {}).get(tp)
        position = read + 1 if read is not None else consumer._committed_offset.get(tp)
        if highwater is None or position is None:
            continue
        CONSUMER_LAG.labels(topic=tp.topic, partition=str(tp.partition)).set(
            max(0, highwater - position)
        )
