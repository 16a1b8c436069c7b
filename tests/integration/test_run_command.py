"""``copydesk run`` (what ``make run`` starts) brings everything up, shows the sample feed
flowing through, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import contextlib
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

from copydesk.rules.engine import Engine
from copydesk.rules.loader import load_rules
from copydesk.rules.parse import RecordError, parse_article
from copydesk.rules.state import MemoryStore
from copydesk.streams.broker import free_port, port_in_use
from copydesk.streams.feed import sample_feed_path

pytestmark = pytest.mark.integration


def flagged_offline() -> int:
    engine, store, flagged = Engine(load_rules()), MemoryStore(), 0
    for line in sample_feed_path().read_bytes().splitlines():
        try:
            flagged += bool(engine.process(parse_article(line), store).findings)
        except RecordError:
            continue
    return flagged


def test_run_shows_the_sample_feed_and_stops_on_ctrl_c() -> None:
    port, web_port = free_port(), free_port()
    # A shell that starts a job in the background (``make test &``, a CI runner's script)
    # hands it Ctrl-C ignored, and an ignored signal stays ignored across exec: the run would
    # not hear the Ctrl-C below. Its handler is the default while the run starts, so that the
    # run gets Ctrl-C as a terminal would give it.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "copydesk.streams",
                "run",
                "--port",
                str(port),
                "--web-port",
                str(web_port),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        output, expected = _run_until_fed_then_ctrl_c(process)
    finally:
        if process.poll() is None:
            process.kill()  # a run that did not stop (its output says where it stood)
        process.wait()
    text = "".join(output)
    assert process.returncode == 0, text
    assert expected in text
    assert f"http://127.0.0.1:{web_port}/metrics" in text
    assert "duplicates (paraphrase)" in text
    assert "uncredited-rewrite (missing-attribution)" in text
    assert "main-text-region" in text
    assert "stopping ..." in text
    assert not port_in_use("127.0.0.1", port)
    assert not port_in_use("127.0.0.1", web_port)


def _run_until_fed_then_ctrl_c(process: subprocess.Popen[str]) -> tuple[list[str], str]:
    """The run's output until it has shown the whole feed (or 90 s) and then, after a Ctrl-C,
    until it stops (or 60 s); and the summary line the feed should give."""
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in process.stdout or []:
            lines.put(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    output: list[str] = []
    deadline = time.monotonic() + 90
    # All 40 lines read, and as many articles flagged as the same rules flag offline.
    expected = f"articles in 40   cleaned 36   flagged {flagged_offline()}   dead-lettered 4"
    while time.monotonic() < deadline and not any(expected in line for line in output):
        try:
            output.append(lines.get(timeout=1))
        except queue.Empty:
            continue
    process.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):  # judged by its return code
        process.wait(timeout=60)
    reader.join(timeout=10)
    while not lines.empty():
        output.append(lines.get())
    return output, expected
