"""Workers as real processes on the session's real local broker."""

from __future__ import annotations

import contextlib
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from kafka import KafkaConsumer

from streams.broker import LocalBroker, free_port
from streams.demo import start_worker, stop_worker, wait_until_serving
from streams.feed import ensure_topics

pytestmark = pytest.mark.integration


@dataclass
class Deployment:
    """One copydesk deployment: its own topics and consumer group on the shared broker."""

    broker: LocalBroker
    env: dict[str, str]
    tmp: Path

    def topic(self, which: str) -> str:
        return self.env[f"COPYDESK_TOPIC_{which.upper()}"]

    def consume(
        self, which: str, until: Callable[[list[object]], bool], timeout: float = 60
    ) -> list[object]:
        """Read a topic from the start until ``until(records)`` holds or the timeout passes."""
        consumer = KafkaConsumer(
            self.topic(which),
            bootstrap_servers=self.broker.bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            consumer_timeout_ms=500,
        )
        records: list[object] = []
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline and not until(records):
                records.extend(consumer)
        finally:
            consumer.close()
        return records

    def metrics(self, web_port: int) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/metrics", timeout=5) as r:
            return str(r.read().decode())


@pytest.fixture
def deployment(broker: LocalBroker, tmp_path: Path) -> Deployment:
    run = uuid.uuid4().hex[:8]
    env = {
        **broker.worker_env(),
        "COPYDESK_APP_ID": f"copydesk-test-{run}",
        "COPYDESK_TOPIC_RAW": f"raw-{run}",
        "COPYDESK_TOPIC_CLEAN": f"clean-{run}",
        "COPYDESK_TOPIC_FINDINGS": f"findings-{run}",
        "COPYDESK_TOPIC_DLQ": f"dlq-{run}",
        "COPYDESK_TOPIC_STRIPPED": f"stripped-{run}",
        "COPYDESK_TOPIC_PARTITIONS": "2",
    }
    # The worker declares its one-partition stripped topic itself.
    topics = [env[f"COPYDESK_TOPIC_{name}"] for name in ("RAW", "CLEAN", "FINDINGS", "DLQ")]
    ensure_topics(broker.bootstrap, topics, 2)
    return Deployment(broker, env, tmp_path)


@contextlib.contextmanager
def running_worker(deployment: Deployment) -> Iterator[int]:
    """A worker process of the deployment; yields its web port. It must exit cleanly."""
    port = free_port()
    env = {
        **deployment.env,
        "COPYDESK_WEB_PORT": str(port),
        "COPYDESK_DATA_DIR": str(deployment.tmp / f"state-{port}"),
    }
    log_path = deployment.tmp / f"worker-{port}.log"
    with open(log_path, "ab") as log:
        process = start_worker(env, log)
        try:
            wait_until_serving(process, port)
            yield port
        finally:
            stop_worker(process)
    assert process.returncode == 0, log_path.read_text()[-3000:]


@pytest.fixture
def worker(deployment: Deployment) -> Iterator[int]:
    with running_worker(deployment) as port:
        yield port
