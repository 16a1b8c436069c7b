"""``copydesk run`` (what ``make run`` starts) brings everything up, shows the sample feed
flowing through, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from streams.broker import free_port, port_in_use

pytestmark = pytest.mark.integration


def test_run_shows_the_sample_feed_and_stops_on_ctrl_c() -> None:
    port, web_port = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streams", "run", "--port", str(port), "--web-port", str(web_port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    deadline = time.monotonic() + 90
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        if "dlq invalid-record" in line:  # the last malformed kind has been dead-lettered
            break
    process.send_signal(signal.SIGINT)
    # Read through the same buffered reader: communicate() would skip what it already holds.
    text = "".join(output) + process.stdout.read()
    process.wait(timeout=60)
    assert process.returncode == 0, text
    assert "articles in 40   out 40   dead-lettered 4" in text
    assert f"http://127.0.0.1:{web_port}/metrics" in text
    assert "share-follow-prompts" in text
    assert not port_in_use("127.0.0.1", port)
    assert not port_in_use("127.0.0.1", web_port)
