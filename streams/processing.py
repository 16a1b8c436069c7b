"""One consumed record in, the records to produce out, for each of the worker's three stages.
No Kafka here, so it is tested directly; the agents only send what this returns."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from prometheus_client import Counter

from copydesk.rules.engine import Engine
from copydesk.rules.parse import RecordError, parse_article
from copydesk.rules.records import ArticleOut
from copydesk.rules.state import StateStore
from copydesk.streams import metrics

Destination = Literal["stripped", "candidates", "clean", "findings", "dlq"]
# Milliseconds, on articles.stripped and articles.candidates only.
RAW_TIMESTAMP_HEADER = "copydesk.raw.timestamp"
LATE_HEADER = "copydesk.late"  # on a findings record that is a LateFinding, not an ArticleOut
# On articles.stripped only: the flag stage's per-article work, done by the strip stage (JSON).
PREPARED_HEADER = "copydesk.prepared"
# On articles.candidates only, always: what the flag stage's look-ups found (JSON).
CANDIDATES_HEADER = "copydesk.candidates"
# On every stage's output: the raw record an article came from, which a re-delivery repeats.
SOURCE_PARTITION_HEADER = "copydesk.source.partition"
SOURCE_OFFSET_HEADER = "copydesk.source.offset"


@dataclass(frozen=True)
class Origin:
    """Where a consumed record came from, for DLQ headers and re-delivery tracing."""

    topic: str
    partition: int
    offset: int
    timestamp: float | None = None  # produce time of the record, epoch seconds (for lag metrics)


@dataclass(frozen=True)
class Outgoing:
    destination: Destination
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def dlq_record(
    key: bytes | None, value: bytes, origin: Origin, reason: str, error: str, message: str
) -> Outgoing:
    """The consumed bytes, unchanged, with why and where from in the headers (the agents count
    it in ``copydesk_dlq_total`` once the broker has it)."""
    return Outgoing(
        "dlq",
        key,
        value,
        [
            ("copydesk.error.reason", reason.encode()),
            ("copydesk.error.class", error.encode()),
            ("copydesk.error.message", message.encode()[:4096]),
            ("copydesk.source.topic", origin.topic.encode()),
            (SOURCE_PARTITION_HEADER, str(origin.partition).encode()),
            (SOURCE_OFFSET_HEADER, str(origin.offset).encode()),
        ],
    )


def strip_message(
    engine: Engine,
    state: StateStore,
    key: bytes | None,
    value: bytes | None,
    origin: Origin,
    max_record_bytes: int,
) -> list[Outgoing]:
    """Stage 1, on the raw topic: parse, extract, strip; on to the stripped topic."""
    metrics.ARTICLES_IN.labels(topic=origin.topic).inc()
    raw = value or b""
    try:
        article = parse_article(raw, max_record_bytes)
    except RecordError as exc:
        return [dlq_record(key, raw, origin, exc.reason, type(exc).__name__, exc.message)]
    started = time.perf_counter()
    try:
        out = engine.strip(article, state)
    except Exception as exc:  # a rule bug must not kill the partition: park the record
        return [dlq_record(key, raw, origin, "processing-error", type(exc).__name__, str(exc))]
    finally:
        count_rule_seconds(engine.take_rule_seconds())
    metrics.PROCESSING.labels(stage="strip").observe(time.perf_counter() - started)
    # Headers let a consumer spot a re-delivery after a crash: same key, same source offset.
    headers = [
        (SOURCE_PARTITION_HEADER, str(origin.partition).encode()),
        (SOURCE_OFFSET_HEADER, str(origin.offset).encode()),
    ]
    if origin.timestamp is not None:
        # For the end-to-end lag of articles without published_at; not forwarded further.
        headers.append((RAW_TIMESTAMP_HEADER, str(round(origin.timestamp * 1000)).encode()))
    if out.prepared:
        headers.append((PREPARED_HEADER, _compact_json(out.prepared)))
    return [Outgoing("stripped", out.key.encode(), out.model_dump_json().encode(), headers)]


def flag_message(
    engine: Engine,
    state: StateStore,
    key: bytes | None,
    value: bytes | None,
    headers: list[tuple[str, bytes]],
    origin: Origin,
) -> list[Outgoing]:
    """Stage 2, on the stripped topic: the look-ups in the duplicate index (which remember the
    article); the article goes on unchanged to the candidates topic with what they found."""
    raw = value or b""
    started = time.perf_counter()
    try:
        stripped = ArticleOut.model_validate_json(raw)
        stripped.prepared = prepared(headers)
        out = engine.flag(stripped, state)
    except Exception as exc:  # never lose it: park it with the reason
        return [dlq_record(key, raw, origin, "processing-error", type(exc).__name__, str(exc))]
    finally:
        count_rule_seconds(engine.take_rule_seconds())
    metrics.PROCESSING.labels(stage="flag").observe(time.perf_counter() - started)
    forwarded = [(k, v) for k, v in headers if k != PREPARED_HEADER]
    # Always sent, empty or not: the align stage, which has no index, knows a record without it
    # is broken rather than one to judge with nothing found.
    forwarded.append((CANDIDATES_HEADER, _compact_json(out.looked_up)))
    # Keyed by the article: one key's articles stay in order on the N-partition topic.
    return [Outgoing("candidates", out.key.encode(), raw, forwarded)]


def align_message(
    engine: Engine,
    key: bytes | None,
    value: bytes | None,
    headers: list[tuple[str, bytes]],
    origin: Origin,
) -> list[Outgoing]:
    """Stage 3, on the candidates topic: duplicates and attribution judged from what the flag
    stage found; out to clean/findings."""
    raw = value or b""
    started = time.perf_counter()
    try:
        looked_up = candidates(headers)
        flagged = ArticleOut.model_validate_json(raw)
        flagged.looked_up = looked_up
        out = engine.align(flagged)
    except Exception as exc:  # never lose it: park it with the reason
        return [dlq_record(key, raw, origin, "processing-error", type(exc).__name__, str(exc))]
    finally:
        count_rule_seconds(engine.take_rule_seconds())
    metrics.PROCESSING.labels(stage="align").observe(time.perf_counter() - started)
    record_outcome(out)
    metrics.observe_end_to_end_lag(out.published_at, raw_timestamp(headers))
    forwarded = [(k, v) for k, v in headers if k.startswith("copydesk.source.")]
    forwarded.append(("copydesk.rules.version", out.rules_version.encode()))
    payload = out.model_dump_json().encode()
    records = [Outgoing("clean", out.key.encode(), payload, forwarded)]
    if out.findings:
        records.append(Outgoing("findings", out.key.encode(), payload, forwarded))
    # Findings on articles seen before this one, keyed by those articles.
    records += (
        Outgoing(
            "findings",
            late.key.encode(),
            late.model_dump_json().encode(),
            [*forwarded, (LATE_HEADER, b"1")],
        )
        for late in out.late
    )
    return records


def _compact_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def _header(headers: list[tuple[str, bytes]], wanted: str) -> bytes | None:
    """The value of the first header named ``wanted``, if any."""
    return next((value for name, value in headers if name == wanted), None)


def candidates(headers: list[tuple[str, bytes]]) -> dict[str, Any]:
    """What the flag stage's look-ups found. The flag stage always sends it, so a record
    without it, or with one that does not parse, is refused (ValueError): judged without it,
    its copies would pass unflagged."""
    value = _header(headers, CANDIDATES_HEADER)
    if value is None:
        raise ValueError(f"no {CANDIDATES_HEADER} header: not a record of the flag stage")
    found = json.loads(value)
    if not isinstance(found, dict):
        raise ValueError(f"the {CANDIDATES_HEADER} header is not a JSON object")
    return found


def prepared(headers: list[tuple[str, bytes]]) -> dict[str, Any]:
    """What the strip stage prepared for the flag stage's rules. Without it (a record from an
    older worker, or a header that does not parse) the rules do that work themselves."""
    value = _header(headers, PREPARED_HEADER)
    try:
        found = json.loads(value) if value is not None else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def raw_timestamp(headers: list[tuple[str, bytes]]) -> float | None:
    """The raw record's produce time (epoch seconds) carried by the strip stage, if any."""
    value = _header(headers, RAW_TIMESTAMP_HEADER)
    try:
        return None if value is None else int(value) / 1000
    except ValueError:
        return None


def count_rule_seconds(spent: Mapping[str, float]) -> None:
    """Add the seconds spent in each rule (``Engine.take_rule_seconds``) to the metric (shared
    with the offline filter, whose processes hand theirs back)."""
    for rule, seconds in spent.items():
        _by_rule(metrics.RULE_SECONDS, rule).inc(seconds)


# A metric's child looked up by its labels costs more than counting into it, and every article
# counts into some twenty: each is looked up once.
@cache
def _by_rule(metric: Counter, rule: str) -> Counter:
    return metric.labels(rule=rule)


def record_outcome(out: ArticleOut) -> None:
    """Count what the engine did to one article (shared with the offline filter)."""
    metrics.CHARS_IN.inc(len(out.text) + sum(len(span.text) for span in out.removed))
    for span in out.removed:
        _by_rule(metrics.CHARS_REMOVED, span.rule).inc(len(span.text))
    for finding in [*out.findings, *(late.finding for late in out.late)]:
        metrics.FINDINGS.labels(
            rule=finding.rule, kind=finding.kind, severity=finding.severity
        ).inc()
