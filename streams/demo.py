"""``copydesk run`` (what ``make run`` starts): the local broker, one worker, the sample feed
and a live summary read from the worker's own ``/metrics``, until Ctrl-C."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from prometheus_client.parser import text_string_to_metric_families

from copydesk.streams.broker import BrokerUnavailableError, port_in_use, start_broker
from copydesk.streams.feed import ensure_topics, produce_lines, sample_feed_path
from copydesk.streams.settings import Settings

REFRESH_SECONDS = 1.0


class WorkerExitedError(Exception):
    pass


def read_metrics(url: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    with urllib.request.urlopen(url, timeout=2) as response:
        text = response.read().decode()
    return {
        family.name: [
            (sample.labels, sample.value)
            for sample in family.samples
            if not sample.name.endswith("_created")
        ]
        for family in text_string_to_metric_families(text)
    }


def summary_lines(
    metrics: dict[str, list[tuple[dict[str, str], float]]], settings: Settings
) -> list[str]:
    def total(name: str) -> int:
        return int(sum(value for _, value in metrics.get(name, [])))

    def sent_to(topic: str) -> int:
        return int(
            sum(
                v
                for labels, v in metrics.get("copydesk_articles_out", [])
                if labels["topic"] == topic
            )
        )

    lines = [
        f"articles in {total('copydesk_articles_in')}   cleaned {sent_to(settings.topic_clean)}"
        f"   flagged {sent_to(settings.topic_findings)}   dead-lettered {total('copydesk_dlq')}",
    ]
    for labels, value in sorted(
        metrics.get("copydesk_articles_out", []), key=lambda s: s[0]["topic"]
    ):
        lines.append(f"  -> {labels['topic']:<24} {int(value):6d}")
    for labels, value in sorted(metrics.get("copydesk_dlq", []), key=lambda s: s[0]["reason"]):
        lines.append(f"  dlq {labels['reason']:<23} {int(value):6d}")
    findings = sorted(metrics.get("copydesk_findings", []), key=lambda s: (-s[1], s[0]["rule"]))
    lines.append("findings by rule:" if findings else "findings by rule: none yet")
    for labels, value in findings:
        name = f"{labels['rule']} ({labels['kind']})"
        lines.append(f"  {name:<40} {int(value):6d}")
    removed = sorted(metrics.get("copydesk_removed_characters", []), key=lambda s: -s[1])
    if removed:
        lines.append("characters removed by rule:")
        lines.extend(f"  {labels['rule']:<27} {int(value):6d}" for labels, value in removed)
    return lines


def start_worker(
    env: dict[str, str], log: IO[bytes], command: Sequence[str] = ("copydesk.streams", "worker")
) -> subprocess.Popen[bytes]:
    """``python -m <command>`` (a copydesk worker unless told otherwise) with ``env`` added."""
    return subprocess.Popen(
        [sys.executable, "-m", *command],
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until_serving(worker: subprocess.Popen[bytes], web_port: int) -> None:
    while not port_in_use("127.0.0.1", web_port):
        if worker.poll() is not None:
            raise WorkerExitedError
        time.sleep(0.1)


def show_live_summary(
    worker: subprocess.Popen[bytes], metrics_url: str, settings: Settings
) -> None:
    """Redraw the summary whenever the worker's counters change, until the worker exits."""
    shown: list[str] = []
    while worker.poll() is None:
        try:
            lines = summary_lines(read_metrics(metrics_url), settings)
        except OSError:
            lines = shown
        if lines != shown:
            if sys.stdout.isatty() and shown:
                sys.stdout.write(f"\x1b[{len(shown)}F\x1b[J")  # redraw in place
            print("\n".join(lines), flush=True)
            shown = lines
        time.sleep(REFRESH_SECONDS)
    raise WorkerExitedError


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def run_demo(settings: Settings, port: int, web_port: int, feed: Path | None) -> int:
    for taken in (port, web_port):
        if port_in_use("127.0.0.1", taken):
            print(f"port {taken} is taken; pick another with --port/--web-port", file=sys.stderr)
            return 1
    workdir = Path(tempfile.mkdtemp(prefix="copydesk-run-"))
    try:
        broker = start_broker(port, log=workdir / "broker.log")
    except BrokerUnavailableError as exc:
        print(f"cannot start the local broker: {exc}", file=sys.stderr)
        return 1
    topics = [settings.topic_raw, settings.topic_clean, settings.topic_findings, settings.topic_dlq]
    metrics_url = f"http://127.0.0.1:{web_port}/metrics"
    worker_log = workdir / "worker.log"
    with broker, open(worker_log, "ab") as log:
        ensure_topics(broker.bootstrap, topics, settings.topic_partitions)
        # State on disk would outlive the in-memory broker: a fresh folder per run.
        env = {
            **broker.worker_env(),
            "COPYDESK_DATA_DIR": str(workdir / "state"),
            "COPYDESK_WEB_PORT": str(web_port),
        }
        worker = start_worker(env, log)
        print(
            f"local broker  {broker.url} (in memory)\n"
            f"worker        pid {worker.pid}, log {worker_log}\n"
            f"metrics       {metrics_url}"
        )
        try:
            wait_until_serving(worker, web_port)
            # One key keeps the feed in order, so each copy arrives after its original.
            sent = produce_lines(
                broker.bootstrap,
                settings.topic_raw,
                (feed or sample_feed_path()).read_bytes(),
                key=b"sample-feed",
            )
            print(f"feed          {sent} records sent to {settings.topic_raw}")
            print("Ctrl-C stops everything.\n", flush=True)
            show_live_summary(worker, metrics_url, settings)
        except WorkerExitedError:
            print(f"worker exited with code {worker.returncode}; see {worker_log}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\nstopping ...", flush=True)
        finally:
            stop_worker(worker)
            shutil.rmtree(workdir / "state", ignore_errors=True)
    return 0
