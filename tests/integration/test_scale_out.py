"""Two partitions, two workers: an article still meets the earlier articles that the other
worker stripped (the duplicate stage reads one partition)."""

from __future__ import annotations

import json

import pytest
from kafka import KafkaProducer

from tests.integration.conftest import Deployment, running_worker

pytestmark = pytest.mark.integration

ORIGINAL = (
    "The port of Rotterdam handled 4.2 million containers in the third quarter, down 3 percent "
    "from a year earlier, the port authority said on Thursday. Chief executive Anna de Vries "
    'blamed weaker trade with Asia for the decline. "We expect volumes to recover in 2027," she '
    "said. The port employs 180,000 people directly and indirectly."
)
REWRITE = (
    "Rotterdam's port moved 4.2 million containers between July and September, 3 percent fewer "
    "than a year before, according to its authority. Anna de Vries, the chief executive, "
    'pointed to softer Asian trade as the reason for the fall. "We expect volumes to recover in '
    '2027," de Vries said. Some 180,000 people work for the port directly and indirectly.'
)


def test_duplicates_are_found_across_partitions_and_workers(deployment: Deployment) -> None:
    with running_worker(deployment) as first, running_worker(deployment) as second:
        producer = KafkaProducer(bootstrap_servers=deployment.broker.bootstrap)
        topic = deployment.topic("raw")

        def send(partition: int, article_id: str, text: str, hour: int) -> None:
            article = {
                "id": article_id,
                "source": "Wire",
                "text": text,
                "url": f"https://news.example/{article_id}",
                "published_at": f"2026-11-20T{hour:02d}:00:00Z",
            }
            producer.send(topic, json.dumps(article).encode(), partition=partition)
            producer.flush()

        # The group settles (each worker owns one raw partition) before the story is sent.
        send(0, "warm-up-0", "Warm up.", 1)
        send(1, "warm-up-1", "Warm up.", 1)
        deployment.consume("clean", lambda r: len(r) >= 2)
        send(0, "original", ORIGINAL, 8)
        deployment.consume("clean", lambda r: len(r) >= 3)
        send(1, "exact-copy", ORIGINAL, 9)
        send(1, "rewrite", REWRITE, 10)
        records = deployment.consume("findings", lambda r: len(r) >= 2)
        consumed = [_articles_in(deployment.metrics(port), topic) for port in (first, second)]

    flags = {}
    for message in records:
        record = json.loads(message.value)  # type: ignore[attr-defined]
        flags[record["id"]] = [
            (f["kind"], f["evidence"]["original_id"]) for f in record["findings"]
        ]
    assert flags == {
        "exact-copy": [("exact-duplicate", "original")],
        "rewrite": [("paraphrase", "original")],
    }
    assert sorted(consumed) == [2, 3]  # each worker read its own raw partition


def _articles_in(metrics: str, topic: str) -> int:
    prefix = f'copydesk_articles_in_total{{topic="{topic}"}} '
    lines = [line for line in metrics.splitlines() if line.startswith(prefix)]
    return int(float(lines[0].removeprefix(prefix))) if lines else 0


def test_a_restarted_worker_recovers_the_duplicate_index(deployment: Deployment) -> None:
    """The index lives in a changelog-backed table: a worker that starts with an empty state
    folder rebuilds it from the changelog and still flags a copy of an article it never saw."""
    producer = KafkaProducer(bootstrap_servers=deployment.broker.bootstrap)
    article = {
        "id": "original",
        "source": "Wire",
        "text": ORIGINAL,
        "url": "https://news.example/original",
        "published_at": "2026-11-20T08:00:00Z",
    }
    with running_worker(deployment):
        producer.send(deployment.topic("raw"), json.dumps(article).encode(), key=b"k")
        producer.flush()
        deployment.consume("clean", lambda r: len(r) >= 1)
    # A new worker process, with a state folder of its own (running_worker picks a fresh one).
    with running_worker(deployment):
        copy = {
            **article,
            "id": "copy",
            "url": "https://mirror.example/copy",
            "published_at": "2026-11-20T09:00:00Z",
        }
        producer.send(deployment.topic("raw"), json.dumps(copy).encode(), key=b"k")
        producer.flush()
        records = deployment.consume("findings", lambda r: len(r) >= 1)
    # At-least-once: a re-delivery repeats the record with the same source offset; a consumer
    # de-duplicates on (key, source partition, source offset), and so does this test.
    unique = {
        (m.key, dict(m.headers)["copydesk.source.offset"]): json.loads(m.value)  # type: ignore[attr-defined]
        for m in records
    }
    [record] = unique.values()
    assert record["id"] == "copy"
    assert [(f["kind"], f["evidence"]["original_id"]) for f in record["findings"]] == [
        ("exact-duplicate", "original")
    ]
