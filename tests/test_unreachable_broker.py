"""With no broker at the address given, a command says so in one line and exits, quickly."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from copydesk.streams.broker import free_port


@pytest.mark.parametrize("command", [["produce"], ["tail", "articles.clean"], ["worker"]])
def test_an_unreachable_broker_is_one_line_and_exit_1_within_10_s(command: list[str]) -> None:
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "copydesk.streams", *command, "--broker", f"kafka://{address}"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 10
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: cannot reach the Kafka broker at {address}")
