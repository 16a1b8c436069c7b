"""A stalled worker is seen: the broker freezes (SIGSTOP) while articles are in flight, so the
worker's partitions have input waiting and make no progress; /health answers 503 "stalled" and
names them, copydesk_stalled_partitions counts them, and both clear once the broker resumes and
every article comes out."""

from __future__ import annotations

import json
import os
import re
import signal
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from kafka import KafkaProducer

from tests.integration.conftest import Deployment, collecting, spawn_worker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

ARTICLES = 3_000
STALL_SECONDS = 3


def health(port: int) -> tuple[int, dict[str, Any]]:
    """The status code and body of the worker's /health (503 included)."""
    url = f"http://127.0.0.1:{port}/health"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def stalled_gauge(metrics: str) -> float:
    [value] = re.findall(r"^copydesk_stalled_partitions (\S+)$", metrics, re.MULTILINE)
    return float(value)


def test_a_worker_with_input_waiting_and_no_progress_reports_stalled(
    deployment: Deployment,
) -> None:
    worker = spawn_worker(deployment, COPYDESK_STALL_SECONDS=str(STALL_SECONDS))
    broker = deployment.broker.process
    try:
        wait_for(
            lambda: len(worker.partitions()) == deployment.consumed_partitions(),
            60,
            "the worker to hold its partitions",
        )
        producer = KafkaProducer(bootstrap_servers=deployment.broker.bootstrap, linger_ms=20)
        for i in range(ARTICLES):
            article = {"id": f"s{i}", "text": f"Story number {i}. " * 20}
            producer.send(deployment.topic("raw"), json.dumps(article).encode(), partition=i % 2)
        producer.flush()
        producer.close()
        expected = {f"s{i}" for i in range(ARTICLES)}
        with collecting(deployment, "clean") as clean:
            clean.wait(lambda r: len(r) >= 100, 120, "the first outputs")
            assert worker.health()["status"] == "ok"
            os.kill(broker.pid, signal.SIGSTOP)
            try:
                frozen = time.monotonic()
                wait_for(lambda: health(worker.port)[0] == 503, 30, "/health to say stalled")
                seen = time.monotonic() - frozen
                code, body = health(worker.port)
                assert (code, body["status"]) == (503, "stalled")
                assert set(body["stalled_partitions"]) <= set(body["assigned_partitions"])
                assert body["stalled_partitions"]
                assert stalled_gauge(deployment.metrics(worker.port)) >= 1
            finally:
                os.kill(broker.pid, signal.SIGCONT)
            wait_for(lambda: expected <= clean.ids(), 180, "every article after the broker resumed")
        wait_for(lambda: health(worker.port)[0] == 200, 30, "/health to recover")
        assert stalled_gauge(deployment.metrics(worker.port)) == 0
    finally:
        worker.stop()
    assert worker.process.returncode == 0, worker.log()[-3000:]
    print(f"\nstalled reported {seen:.1f} s after the broker froze (limit {STALL_SECONDS} s)")
