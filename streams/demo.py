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
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from streams.broker import BrokerUnavailableError, port_in_use, start_broker
from streams.feed import ensure_topics, produce_lines, sample_feed_path
from streams.settings import Settings

REFRESH_SECONDS = 1.0


class WorkerExitedError(Exception):
    pass


def read_metrics(url: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    with urllib.request.urlopen(url, timeout=2) as response:
        text = response.read().decode()
    return {
        family.name: [(sample.labels, sample.value) for sample in family.samples
                      if not sample.name.endswith("_created")]
        for family in text_string_to_metric_families(text)
    }


def summary_lines(metrics: dict[str, list[tuple[dict[str, str], float]]]) -> list[str]:
    def total(name: str) -> int:
        return int(sum(value for _, value in metrics.get(name, [])))

    lines = [
        f"articles in {total('copydesk_articles_in')}   out {total('copydesk_articles_out')}"
        f"   dead-lettered {total('copydesk_dlq')}",
    ]
    for labels, value in sorted(metrics.get("copydesk_articles_out", []), key=lambda s: s[0]["topic"]):
        lines.append(f"  -> {labels['topic']:<24} {int(value):6d}")
    for labels, value in metrics.get("copydesk_dlq", []):
        lines.append(f"  dlq {labels['reason']:<23} {int(value):6d}")
    findings = sorted(metrics.get("copydesk_findings", []), key=lambda s: -s[1])
    lines.append("findings by rule:" if findings else "findings by rule: none yet")
    lines.extend(f"  {labels['rule']:<27} {int(value):6d}" for labels, value in findings)
    removed = sorted(metrics.get("copydesk_removed_characters", []), key=lambda s: -s[1])
    if removed:
        lines.append("characters removed by rule:")
        lines.extend(f"  {labels['rule']:<27} {int(value):6d}" for labels, value in removed)
    return lines


def run_demo(port: int, web_port: int, feed: Path | None) -> int:
    settings = Settings()
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
    ensure_topics(broker.bootstrap, topics, settings.topic_partitions)
    env = {
        **os.environ,
        **broker.worker_env(),
        # State on disk would outlive the in-memory broker: a fresh folder per run.
        "COPYDESK_DATA_DIR": str(workdir / "state"),
        "COPYDESK_WEB_PORT": str(web_port),
    }
    log = open(workdir / "worker.log", "ab")  # noqa: SIM115 - the worker owns it until it exits
    worker = subprocess.Popen(
        [sys.executable, "-m", "streams", "worker"], env=env, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )
    metrics_url = f"http://127.0.0.1:{web_port}/metrics"
    print(f"local broker  {broker.url} (in memory)\nworker        pid {worker.pid}, "
          f"log {workdir / 'worker.log'}\nmetrics       {metrics_url}")
    try:
        while not port_in_use("127.0.0.1", web_port):
            if worker.poll() is not None:
                raise WorkerExitedError
            time.sleep(0.1)
        sent = produce_lines(broker.bootstrap, settings.topic_raw,
                             (feed or sample_feed_path()).read_bytes())
        print(f"feed          {sent} records sent to {settings.topic_raw}\n"
              "Ctrl-C stops everything.\n")
        shown: list[str] = []
        while worker.poll() is None:
            try:
                lines = summary_lines(read_metrics(metrics_url))
            except OSError:
                lines = shown
            if lines != shown:
                if sys.stdout.isatty() and shown:
                    sys.stdout.write(f"\x1b[{len(shown)}F\x1b[J")  # redraw in place
                print("\n".join(lines), flush=True)
                shown = lines
            time.sleep(REFRESH_SECONDS)
        raise WorkerExitedError
    except WorkerExitedError:
        print(f"worker exited with code {worker.returncode}; see {workdir / 'worker.log'}",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping ...")
        return 0
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
        log.close()
        broker.stop()
        shutil.rmtree(workdir / "state", ignore_errors=True)
