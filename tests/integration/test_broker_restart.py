"""The local broker restarts under a running worker. Tansu keeps everything in memory, so the new
broker on the same port is empty: topics, committed offsets and the table changelogs are gone
(the same as a lost or re-created Kafka cluster). The worker re-creates every topic it needs,
changelogs included, every COPYDESK_TOPICS_CHECK_SECONDS and at start, so the running worker
processes new articles again, a fresh worker starts on the new broker, and a worker still stops
on SIGTERM when a topic has vanished.

Measured before the worker re-created topics: with the four data topics and articles.stripped
re-created by hand, a fresh worker produced nothing in 5 of 6 runs (stuck in table recovery on
the missing changelog topics); without articles.stripped, every offset commit on it failed
(UnknownTopicOrPartitionError) and the worker had to be killed after 30 s.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaProducer

from copydesk.streams.app import EXIT_STOP_TIMEOUT
from copydesk.streams.broker import LocalBroker, free_port, port_in_use, start_broker
from copydesk.streams.feed import ensure_topics
from copydesk.streams.settings import Settings
from copydesk.streams.topics import required_topics
from tests.integration.conftest import (
    Deployment,
    collecting,
    make_deployment,
    spawn_worker,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(400)]

STOP_WITHIN_SECONDS = 30


def produce(deployment: Deployment, prefix: str, count: int) -> set[str]:
    producer = KafkaProducer(bootstrap_servers=deployment.broker.bootstrap)
    try:
        for i in range(count):
            article = {"id": f"{prefix}{i}", "text": f"Story {prefix} number {i}."}
            producer.send(deployment.topic("raw"), json.dumps(article).encode(), partition=i % 2)
        producer.flush()
    finally:
        producer.close()
    return {f"{prefix}{i}" for i in range(count)}


def topics_of(broker: LocalBroker) -> set[str]:
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        return set(admin.list_topics())
    finally:
        admin.close()


def needed(deployment: Deployment) -> set[str]:
    env = deployment.env.items()
    settings = Settings.model_validate({k.removeprefix("COPYDESK_").lower(): v for k, v in env})
    return {spec.name for spec in required_topics(settings)}


def restart_empty(deployment: Deployment, tmp_path: Path, port: int, run: int) -> float:
    """Stop the deployment's broker and start an empty one on the same port; its start time."""
    deployment.broker.stop()
    wait_for(lambda: not port_in_use("127.0.0.1", port), 10, "the old broker to go")
    time.sleep(2)  # the worker notices: failed fetches and heartbeats, coordinator dead
    deployment.broker = start_broker(port, log=tmp_path / f"broker-{run}.log")
    return time.monotonic()


def test_workers_recover_from_a_broker_that_comes_back_empty(tmp_path: Path) -> None:
    port = free_port()
    deployment = make_deployment(start_broker(port, log=tmp_path / "broker-1.log"), tmp_path)
    worker = spawn_worker(deployment, COPYDESK_TOPICS_CHECK_SECONDS="1")
    fresh = None
    try:
        wait_for(
            lambda: len(worker.partitions()) == deployment.consumed_partitions(),
            60,
            "the worker to hold its partitions",
        )
        assert needed(deployment) <= topics_of(deployment.broker)  # created at start
        before = produce(deployment, "before", 20)
        with collecting(deployment, "clean") as clean:
            wait_for(lambda: before <= clean.ids(), 60, "the articles sent before the restart")

        restarted = restart_empty(deployment, tmp_path, port, 2)
        assert worker.process.poll() is None  # it waited for the broker; it did not exit
        # Nobody creates a topic by hand: the running worker does, changelogs included.
        recreated = wait_for(
            lambda: needed(deployment) <= topics_of(deployment.broker), 30, "the topics"
        )
        after = produce(deployment, "after", 20)
        with collecting(deployment, "clean") as clean:
            wait_for(lambda: after <= clean.ids(), 90, "the articles sent after the restart")
            back = time.monotonic() - restarted
            assert clean.ids() == after  # the old records went with the old broker
        assert worker.health()["status"] == "ok"
        worker.stop()
        assert worker.process.returncode == 0, worker.log()[-3000:]

        # A fresh worker (fresh state folder) on a broker that lost everything again.
        restart_empty(deployment, tmp_path, port, 3)
        started = time.monotonic()
        fresh = spawn_worker(deployment)
        later = produce(deployment, "later", 20)
        with collecting(deployment, "clean") as clean:
            wait_for(lambda: later <= clean.ids(), 120, "the fresh worker's articles")
        fresh_took = time.monotonic() - started
    finally:
        worker.stop()
        if fresh is not None:
            fresh.stop()
        deployment.broker.stop()
    assert fresh.process.returncode == 0, fresh.log()[-3000:]
    print(
        f"\ntopics re-created {recreated:.1f} s after the broker came back; new articles cleaned"
        f" {back:.1f} s after it started; a fresh worker cleaned its first articles"
        f" {fresh_took:.1f} s after it started"
    )


def test_a_worker_stops_on_sigterm_when_a_topic_has_vanished(tmp_path: Path) -> None:
    port = free_port()
    deployment = make_deployment(start_broker(port, log=tmp_path / "broker-1.log"), tmp_path)
    worker = spawn_worker(deployment, COPYDESK_TOPICS_CHECK_SECONDS="0")  # never re-created
    try:
        wait_for(
            lambda: len(worker.partitions()) == deployment.consumed_partitions(),
            60,
            "the worker to hold its partitions",
        )
        before = produce(deployment, "before", 20)
        with collecting(deployment, "clean") as clean:
            wait_for(lambda: before <= clean.ids(), 60, "the articles sent before the restart")
        restart_empty(deployment, tmp_path, port, 2)
        # The data topics come back (as an operator would create them), articles.stripped not.
        ensure_topics(
            deployment.broker.bootstrap,
            [deployment.topic(t) for t in ("raw", "clean", "findings", "dlq")],
            2,
        )
        produce(deployment, "after", 20)
        time.sleep(5)
        stopping = time.monotonic()
        worker.stop()
        took = time.monotonic() - stopping
    finally:
        worker.stop()
        deployment.broker.stop()
    assert took < STOP_WITHIN_SECONDS, worker.log()[-3000:]
    assert worker.process.returncode in (0, EXIT_STOP_TIMEOUT), worker.log()[-3000:]
    print(
        f"\nstopped in {took:.1f} s with articles.stripped missing"
        f" (exit code {worker.process.returncode})"
    )
