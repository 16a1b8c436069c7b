"""``copydesk tail`` reads what landed on a topic, through the real local broker."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

from click.testing import CliRunner
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic

from copydesk.streams.broker import LocalBroker
from copydesk.streams.cli import main

BASE_MS = 1_700_000_000_000


def topic_with(broker: LocalBroker, records: list[tuple[bytes, bytes, int]]) -> str:
    """A new two-partition topic holding (key, value, timestamp offset) records, with a header."""
    name = f"tail-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    admin.create_topics([NewTopic(name, 2, 1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap)
    for key, value, at in records:
        producer.send(
            name, value=value, key=key, timestamp_ms=BASE_MS + at, headers=[("reason", b"r")]
        )
    producer.flush()
    producer.close()
    return name


def tail(broker: LocalBroker, *args: str) -> list[dict[str, object] | object]:
    result = CliRunner().invoke(main, ["tail", *args, "--broker", broker.bootstrap])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_the_latest_records_across_partitions_in_time_order(broker: LocalBroker) -> None:
    records = [(f"k{i}".encode(), json.dumps({"id": i}).encode(), i) for i in range(20)]
    records.append((b"bad", b"{not json \xff", 20))
    name = topic_with(broker, records)
    assert tail(broker, name, "-n", "3") == [{"id": 18}, {"id": 19}, "{not json \ufffd"]
    envelopes = tail(broker, name, "-n", "2", "--keys", "--headers")
    assert [(e["key"], e["headers"], e["timestamp"]) for e in envelopes] == [  # type: ignore[index]
        ("k19", {"reason": "r"}, BASE_MS + 19),
        ("bad", {"reason": "r"}, BASE_MS + 20),
    ]
    assert len(tail(broker, name, "-n", "100")) == 21


def test_an_unknown_topic_is_one_line_and_exit_1(broker: LocalBroker) -> None:
    result = CliRunner().invoke(main, ["tail", "no-such-topic", "--broker", broker.bootstrap])
    assert result.exit_code == 1
    assert "no topic 'no-such-topic'" in result.stderr


def test_follow_prints_records_as_they_arrive(broker: LocalBroker) -> None:
    name = topic_with(broker, [(b"old", b'{"id": "old"}', 0)])
    command = [sys.executable, "-m", "copydesk.streams", "tail", name, "-n", "1", "--follow"]
    with subprocess.Popen(
        [*command, "--broker", broker.bootstrap], stdout=subprocess.PIPE, text=True
    ) as follower:
        try:
            assert follower.stdout is not None
            assert json.loads(follower.stdout.readline()) == {"id": "old"}
            producer = KafkaProducer(bootstrap_servers=broker.bootstrap)
            producer.send(name, value=b'{"id": "new"}', key=b"new")
            producer.flush()
            producer.close()
            assert json.loads(follower.stdout.readline()) == {"id": "new"}
        finally:
            follower.terminate()
