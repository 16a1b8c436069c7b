"""``copydesk tail``: print what landed on a topic as JSON lines.

A value that is a JSON document (every record copydesk writes, and most raw articles) is
printed as that document, so ``copydesk tail articles.clean | jq .text`` works; any other
value (a dead-lettered line that was not JSON) is printed as a JSON string, decoded from UTF-8
with replacement characters. With keys or headers asked for, each line is an envelope:
``{"partition", "offset", "timestamp", "key", "headers", "value"}``.

"The last N" are the N latest records of the topic by record timestamp, across partitions.
They are found without trusting the broker's end offsets alone (the local broker reports
them short for multi-record batches): each partition is read from N records before its
reported end up to where a poll brings nothing more, and the latest N of what was read kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from kafka import KafkaConsumer, TopicPartition

POLL_MS = 500
IDLE_POLLS_AT_END = 2  # empty polls once every partition is at its reported end


class NoSuchTopicError(Exception):
    """The topic does not exist on the broker."""


def decode_value(raw: bytes | None) -> Any:
    if raw is None:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def render(record: Any, keys: bool, headers: bool) -> str:
    value = decode_value(record.value)
    if not (keys or headers):
        return json.dumps(value, ensure_ascii=False)
    envelope: dict[str, Any] = {
        "partition": record.partition,
        "offset": record.offset,
        "timestamp": record.timestamp,
    }
    if keys:
        envelope["key"] = None if record.key is None else record.key.decode("utf-8", "replace")
    if headers:
        envelope["headers"] = {
            name: (raw or b"").decode("utf-8", "replace") for name, raw in record.headers or []
        }
    envelope["value"] = value
    return json.dumps(envelope, ensure_ascii=False)


def _ordered(records: Iterable[Any]) -> list[Any]:
    return sorted(records, key=lambda r: (r.timestamp, r.partition, r.offset))


def tail(
    bootstrap: str,
    topic: str,
    last: int,
    follow: bool,
    write: Callable[[Any], None],
    stop: Callable[[], bool] = lambda: False,
) -> int:
    """Hand the topic's latest ``last`` records to ``write`` in timestamp order, then (with
    ``follow``) each new record as it arrives until ``stop()``; return how many were written."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        group_id=None,
        client_id="copydesk-tail",
        request_timeout_ms=10_000,
    )
    try:
        found = consumer.partitions_for_topic(topic)
        if not found:
            raise NoSuchTopicError(f"no topic {topic!r} on the broker")
        partitions = [TopicPartition(topic, p) for p in sorted(found)]
        consumer.assign(partitions)
        ends = consumer.end_offsets(partitions)
        begins = consumer.beginning_offsets(partitions)
        for tp in partitions:
            consumer.seek(tp, max(begins[tp], ends[tp] - last))
        backlog: list[Any] = []
        idle = 0
        while idle < IDLE_POLLS_AT_END:
            batch = [r for rs in consumer.poll(timeout_ms=POLL_MS).values() for r in rs]
            backlog.extend(batch)
            at_end = all(consumer.position(tp) >= ends[tp] for tp in partitions)
            idle = idle + 1 if at_end and not batch else 0
        latest = _ordered(backlog)[-last:] if last else []
        written = 0
        for record in latest:
            write(record)
            written += 1
        while follow and not stop():
            for record in _ordered(
                r for rs in consumer.poll(timeout_ms=POLL_MS).values() for r in rs
            ):
                write(record)
                written += 1
        return written
    finally:
        consumer.close()
