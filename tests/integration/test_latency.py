"""An article goes through both stages in well under a second on an idle worker: the fetch wait
set for the local broker (``COPYDESK_FETCH_WAIT_MS``) reaches Faust's consumer, which otherwise
waits 1.5 s per fetch on this broker, per stage."""

from __future__ import annotations

import json
import statistics
import time

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from tests.integration.conftest import Deployment

pytestmark = pytest.mark.integration

BODY = "The harbour council met on Tuesday and approved the budget for the new bridge."


def test_an_article_is_through_both_stages_in_well_under_a_second(
    deployment: Deployment, worker: int
) -> None:
    assert deployment.env["COPYDESK_FETCH_WAIT_MS"] == "10"
    consumer = KafkaConsumer(
        bootstrap_servers=deployment.broker.bootstrap,
        fetch_max_wait_ms=5,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    consumer.assign([TopicPartition(deployment.topic("clean"), p) for p in range(2)])
    producer = KafkaProducer(bootstrap_servers=deployment.broker.bootstrap, linger_ms=0)

    def send_and_time(n: int) -> float:
        sent = time.monotonic()
        record = {"id": f"a{n}", "source": "Harbor Daily", "text": f"{BODY} Item {n}."}
        producer.send(deployment.topic("raw"), json.dumps(record).encode())
        producer.flush()
        deadline = sent + 30
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=5).values():
                if any(json.loads(r.value)["id"] == f"a{n}" for r in records):
                    return time.monotonic() - sent
        raise AssertionError(f"article a{n} not cleaned within 30 s")

    send_and_time(0)  # the worker has its partitions once the first article is through
    seconds = []
    for n in range(1, 11):
        time.sleep(0.2)  # an idle worker: its fetches are waiting at the broker
        seconds.append(send_and_time(n))
    consumer.close()
    producer.close()
    # Faust's own 1.5 s wait gives about 1.5 s here (two stages, each waiting 0 to 1.5 s).
    assert statistics.median(seconds) < 0.5, seconds
