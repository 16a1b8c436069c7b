"""Start-up time of the command a user types first: ``copydesk --help``, and ``copydesk
filter`` on one record (the whole engine loaded, one article through every pack). Wall time,
median of 5 runs, each a fresh process.

    .venv/bin/python -m bench.startup
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 5
RECORD = '{"id": "a", "text": "The council met on Tuesday.\\nShare this article"}\n'


def median_seconds(args: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    command = [str(Path(sys.executable).parent / "copydesk")]
    with tempfile.TemporaryDirectory() as folder:
        record = Path(folder) / "one.jsonl"
        record.write_text(RECORD, encoding="utf-8")
        print(f"| command | median of {RUNS}, s |")
        print("|---|---|")
        print(f"| `copydesk --help` | {median_seconds([*command, '--help']):.2f} |")
        filtered = median_seconds([*command, "filter", str(record)])
        print(f"| `copydesk filter` one record | {filtered:.2f} |")


if __name__ == "__main__":
    main()
