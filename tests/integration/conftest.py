"""Workers as real processes on the session's real local broker."""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer

from copydesk.streams.broker import LocalBroker, free_port
from copydesk.streams.demo import start_worker, stop_worker, wait_until_serving

pytestmark = pytest.mark.integration


@dataclass
class Deployment:
    """One copydesk deployment: its own topics and consumer group on the shared broker."""

    broker: LocalBroker
    env: dict[str, str]
    tmp: Path

    def topic(self, which: str) -> str:
        return self.env[f"COPYDESK_TOPIC_{which.upper()}"]

    def consumed_partitions(self) -> int:
        """How many partitions a lone worker holds: the raw and candidates topics' and the
        stripped topic's one."""
        return 2 * int(self.env["COPYDESK_TOPIC_PARTITIONS"]) + 1

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
    return make_deployment(broker, tmp_path)


def make_deployment(broker: LocalBroker, tmp_path: Path) -> Deployment:
    """A deployment with fresh topic names and group on ``broker``; its topics created."""
    env = broker.isolated_env(f"copydesk-test-{uuid.uuid4().hex[:8]}", partitions=2)
    return Deployment(broker, env, tmp_path)


@contextlib.contextmanager
def running_worker(deployment: Deployment) -> Iterator[int]:
    """A worker process of the deployment; yields its web port. It must exit cleanly."""
    worker = spawn_worker(deployment)
    try:
        yield worker.port
    finally:
        worker.stop()
    assert worker.process.returncode == 0, worker.log()[-3000:]


@pytest.fixture
def worker(deployment: Deployment) -> Iterator[int]:
    with running_worker(deployment) as port:
        yield port


@dataclass
class WorkerProcess:
    """A worker process the test controls itself (to kill it, or to check its exit code)."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    def health(self) -> dict[str, Any]:
        """The worker's /health page (its assigned partitions); {} if it does not answer."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as r:
                return dict(json.loads(r.read()))
        except (OSError, ValueError):
            return {}

    def partitions(self) -> list[str]:
        return list(self.health().get("assigned_partitions", []))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        stop_worker(self.process)


def spawn_worker(deployment: Deployment, *options: str, **extra_env: str) -> WorkerProcess:
    """Start a worker (own web port and fresh state folder, ``copydesk worker`` ``options``)
    and wait until it serves."""
    port = free_port()
    env = {
        **deployment.env,
        "COPYDESK_WEB_PORT": str(port),
        "COPYDESK_DATA_DIR": str(deployment.tmp / f"state-{port}"),
        **extra_env,
    }
    log_path = deployment.tmp / f"worker-{port}.log"
    with open(log_path, "ab") as log:
        process = start_worker(env, log, ("copydesk.streams", "worker", *options))
    worker = WorkerProcess(process, port, log_path)
    try:
        wait_until_serving(process, port)
    except Exception:
        worker.stop()
        raise
    return worker


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll until ``condition()`` holds; returns the seconds it took, fails after ``timeout``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.5)
    return time.monotonic() - started


@dataclass
class Collector:
    """Reads a topic from the start in a background thread, keeping every record."""

    bootstrap: str
    topic: str
    records: list[Any] = field(default_factory=list)
    _ids: set[str] = field(default_factory=set)
    _parsed: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _run(self) -> None:
        consumer = KafkaConsumer(
            self.topic,
            bootstrap_servers=self.bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        try:
            while not self._stop.is_set():
                for batch in consumer.poll(timeout_ms=200).values():
                    with self._lock:
                        self.records.extend(batch)
        finally:
            consumer.close()

    def snapshot(self) -> list[Any]:
        with self._lock:
            return list(self.records)

    def ids(self) -> set[str]:
        """The ``id`` of every record so far (values are parsed once, as they arrive)."""
        records = self.snapshot()
        for message in records[self._parsed :]:
            self._ids.add(json.loads(message.value)["id"])
        self._parsed = len(records)
        return set(self._ids)

    def wait(self, until: Callable[[list[Any]], bool], timeout: float, what: str) -> list[Any]:
        wait_for(lambda: until(self.snapshot()), timeout, what)
        return self.snapshot()


@contextlib.contextmanager
def collecting(deployment: Deployment, which: str) -> Iterator[Collector]:
    collector = Collector(deployment.broker.bootstrap, deployment.topic(which))
    thread = threading.Thread(target=collector._run, daemon=True)
    thread.start()
    try:
        yield collector
    finally:
        collector._stop.set()
        thread.join(10)
