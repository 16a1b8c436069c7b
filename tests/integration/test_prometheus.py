"""A real Prometheus (the Debian package's binary, on loopback, temp data dir) scraping a live
worker every second while the sample feed flows through it: every PromQL expression of every
dashboard panel and alert rule parses, the alert rules evaluate without error, and every panel
expression returns data once articles have flowed.

`make test` installs the `prometheus` package when it is missing and it runs as root; elsewhere
this test skips and says so."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from copydesk.streams.broker import free_port
from copydesk.streams.feed import produce_lines, sample_feed_path
from tests.integration.conftest import Deployment, running_worker
from tests.test_deploy import PROMETHEUS, alert_expressions, dashboard_expressions

pytestmark = pytest.mark.integration

PROMETHEUS_BIN = shutil.which("prometheus")
PROMTOOL_BIN = shutil.which("promtool")
DATA_DEADLINE_SECONDS = 45


def api(port: int, path: str, **params: str) -> tuple[int, dict[str, Any]]:
    url = f"http://127.0.0.1:{port}/api/v1/{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:  # 400 bad_data: a query that does not parse
        return error.code, json.loads(error.read())


@pytest.fixture
def prometheus_binary() -> str:
    if PROMETHEUS_BIN is None:
        pytest.skip(
            "SKIPPED LOUDLY: the `prometheus` binary is not installed, so the dashboards' and "
            "alerts' PromQL was NOT checked against a live Prometheus. Run `make test` as root "
            "(it apt-get installs the Debian package `prometheus`) or install it yourself."
        )
    return PROMETHEUS_BIN


def start_prometheus(
    binary: str, tmp: Path, worker_port: int
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(PROMETHEUS / "alerts.yml")],
        "scrape_configs": [
            {
                "job_name": "copydesk",
                "static_configs": [{"targets": [f"127.0.0.1:{worker_port}"]}],
            }
        ],
    }
    config_path = tmp / "prometheus.yml"
    config_path.write_text(yaml.safe_dump(config))
    log = (tmp / "prometheus.log").open("ab")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config_path}",
            f"--storage.tsdb.path={tmp / 'prometheus-data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=log,
    )
    log.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, (tmp / "prometheus.log").read_text()[-3000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1) as r:
                if r.status == 200:
                    return process, port
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError("Prometheus did not become ready in 20 s")


@pytest.fixture
def prometheus_and_worker(
    prometheus_binary: str, deployment: Deployment
) -> Iterator[tuple[int, int]]:
    with running_worker(deployment) as worker_port:
        process, port = start_prometheus(prometheus_binary, deployment.tmp, worker_port)
        try:
            yield port, worker_port
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.timeout(150)
def test_dashboards_and_alerts_query_a_live_worker(
    deployment: Deployment, prometheus_and_worker: tuple[int, int]
) -> None:
    port, worker_port = prometheus_and_worker

    # Every expression parses (a parse error is HTTP 400 with errorType bad_data).
    expressions = dashboard_expressions() + alert_expressions()
    for where, expr in expressions:
        status, body = api(port, "query", query=expr)
        assert (status, body["status"]) == (200, "success"), f"{where}: {expr}\n{body}"

    # The sample feed (with its copies and four malformed lines) plus one more bad record,
    # keyed so that it keeps its order.
    feed = sample_feed_path().read_bytes() + b'\n{"id": "broken", "text": \n'
    sent = produce_lines(
        deployment.broker.bootstrap, deployment.topic("raw"), feed, key=b"sample-feed"
    )
    assert sent > 30

    # Every panel expression returns data once articles have flowed (rate() needs two scrapes).
    missing: list[str] = []
    deadline = time.monotonic() + DATA_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        missing = []
        for where, expr in dashboard_expressions():
            status, body = api(port, "query", query=expr)
            assert status == 200, (where, body)
            if not body["data"]["result"]:
                missing.append(f"{where}: {expr}")
        if not missing:
            break
        time.sleep(1)
    assert not missing, "no data for:\n" + "\n".join(missing)

    # What flowed is what the counters say, as Prometheus scraped them.
    def value(expr: str) -> float:
        return float(api(port, "query", query=expr)[1]["data"]["result"][0]["value"][1])

    assert value("sum(copydesk_articles_in_total)") == sent
    dead = value("sum(copydesk_dlq_total)")
    assert dead == 5  # the feed's four malformed lines and ours
    assert value("sum(copydesk_end_to_end_lag_seconds_count)") == sent - dead
    assert value('sum(copydesk_state_entries{stage="flag"})') > 0
    assert value('sum(copydesk_state_bytes{stage="flag"})') > 0
    status, body = api(port, "query", query='up{job="copydesk"}')
    assert [r["value"][1] for r in body["data"]["result"]] == ["1"]

    # The alert rules are loaded and evaluate without errors.
    status, body = api(port, "rules")
    rules = [rule for group in body["data"]["groups"] for rule in group["rules"]]
    assert {r["name"] for r in rules} == {w.split(": ")[1] for w, _ in alert_expressions()}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(
        r.get("lastEvaluation", "").startswith("0001") for r in rules
    ):
        time.sleep(1)
        rules = [r for g in api(port, "rules")[1]["data"]["groups"] for r in g["rules"]]
    for rule in rules:
        assert rule["health"] == "ok", rule

    # The worker's health page.
    with urllib.request.urlopen(f"http://127.0.0.1:{worker_port}/health", timeout=5) as r:
        health = json.loads(r.read())
    assert health["status"] == "ok"
    assert health["assigned_partitions"]


def test_promtool_accepts_the_alert_rules(prometheus_binary: str) -> None:
    if PROMTOOL_BIN is None:
        pytest.skip("SKIPPED LOUDLY: `promtool` is missing although `prometheus` is installed")
    for check, path in (("rules", "alerts.yml"), ("config", "prometheus.yml")):
        result = subprocess.run(
            [PROMTOOL_BIN, "check", check, str(PROMETHEUS / path)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
