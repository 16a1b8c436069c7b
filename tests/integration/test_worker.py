"""Through the real broker: every good article arrives cleaned, every bad one on the DLQ with
its reason, and nothing else."""

from __future__ import annotations

import json
import re

import pytest
from kafka import KafkaProducer

from tests.integration.conftest import Deployment, spawn_worker, wait_for

pytestmark = pytest.mark.integration

GOOD = 1_000
BAD_EVERY = 125  # a round of every bad record before each 125th good one: 8 rounds, 56 records

BAD = {
    b'{"id": "x", "text": ': b"invalid-json",
    b'["not", "an", "object"]': b"not-an-object",
    b'{"title": "no id, no body"}': b"invalid-record",
    b'{"id": 12345, "text": ["wrong", "types"]}': b"invalid-record",
    b"": b"empty",
    b'{"id": "latin", "text": "caf\xe9"}': b"not-utf8",
    bytes(range(256)): b"not-utf8",
}


def test_good_articles_are_cleaned_and_bad_ones_dead_lettered(
    deployment: Deployment, worker: int
) -> None:
    good = [
        {
            "id": f"a{i}",
            "url": f"https://example.com/{i}",
            "source": "Harbor Daily",
            "text": f"Share this article\nStory number {i}." if i % 3 else "",
        }
        for i in range(GOOD)
    ]
    producer = KafkaProducer(bootstrap_servers=deployment.broker.bootstrap)
    for i, article in enumerate(good):
        producer.send(deployment.topic("raw"), json.dumps(article).encode(), key=f"k{i}".encode())
        if i % BAD_EVERY == 0:
            for raw in BAD:
                producer.send(deployment.topic("raw"), raw, key=b"bad")
    producer.flush()
    rounds = len(range(0, GOOD, BAD_EVERY))
    n_bad = len(BAD) * rounds
    empty = [a["id"] for a in good if not a["text"]]

    clean = deployment.consume("clean", lambda r: len(r) >= len(good))
    dlq = deployment.consume("dlq", lambda r: len(r) >= n_bad)
    findings = deployment.consume("findings", lambda r: len(r) >= len(empty))

    records = [json.loads(m.value) for m in clean]  # type: ignore[attr-defined]
    assert sorted(r["id"] for r in records) == sorted(a["id"] for a in good)
    by_id = {r["id"]: r for r in records}
    assert by_id["a1"]["text"] == "Story number 1."
    assert by_id["a1"]["removed"][0]["rule"] == "share-follow-prompts"
    assert all(m.key == json.loads(m.value)["key"].encode() for m in clean)  # type: ignore[attr-defined]

    assert sorted(json.loads(m.value)["id"] for m in findings) == sorted(empty)  # type: ignore[attr-defined]

    assert len(dlq) == n_bad
    for message in dlq:
        headers = dict(message.headers)  # type: ignore[attr-defined]
        assert headers["copydesk.error.reason"] == BAD[message.value]  # type: ignore[attr-defined]
        assert headers["copydesk.source.topic"] == deployment.topic("raw").encode()
        assert headers["copydesk.error.message"]

    metrics = deployment.metrics(worker)
    total_in = len(good) + n_bad
    assert (
        f'copydesk_articles_in_total{{topic="{deployment.topic("raw")}"}} {float(total_in)}'
        in metrics
    )
    assert f'copydesk_dlq_total{{reason="not-utf8"}} {float(2 * rounds)}' in metrics
    counted = re.findall(r"^copydesk_dlq_total\{[^}]*\} (\S+)$", metrics, re.MULTILINE)
    assert sum(float(v) for v in counted) == len(dlq)


def test_learned_chrome_state_lives_in_the_worker_table(
    deployment: Deployment, worker: int
) -> None:
    footer = "Harbor Daily has served the coast since 1921 and is owned by its readers."
    producer = KafkaProducer(bootstrap_servers=deployment.broker.bootstrap)
    for n in range(12):
        article = {
            "id": f"h{n}",
            "source": "Harbor Daily",
            "published_at": "2026-11-20T10:00:00Z",
            "text": f"Story {n} is about item {n * 7} on the council's agenda.\n{footer}",
        }
        # One key, so one partition: learning is per partition (see README).
        producer.send(deployment.topic("raw"), json.dumps(article).encode(), key=b"harbor")
        producer.flush()
    clean = deployment.consume("clean", lambda r: len(r) >= 12)
    texts = {json.loads(m.value)["id"]: json.loads(m.value)["text"] for m in clean}  # type: ignore[attr-defined]
    assert all(footer in texts[f"h{n}"] for n in range(5))
    assert all(footer not in texts[f"h{n}"] for n in range(5, 12))
    assert all(f"Story {n} " in texts[f"h{n}"] for n in range(12))


def test_json_logs_are_one_object_per_line(deployment: Deployment) -> None:
    worker = spawn_worker(deployment, "--log-format", "json")
    wait_for(lambda: bool(worker.partitions()), 60, "partitions assigned")
    worker.stop()
    lines = [line for line in worker.log().splitlines() if line.strip()]
    assert lines, "the worker logged nothing"
    entries = [json.loads(line) for line in lines]  # fails on any line that is not JSON
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    assert any(entry["level"] == "INFO" for entry in entries)
