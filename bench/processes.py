"""``copydesk filter --processes``: wall time of one process against several on the same files,
run as a user runs it (the command line, start-up included), and whether the outputs are the
same bytes.

    .venv/bin/python -m bench.processes [--articles 2000] [--pages 3] [--processes 2] [--passes 2]

Text: ``bench.corpus`` articles (real bodies, then word-swapped rounds: all distinct). HTML:
AEB dev's 111 pages, each ``--pages`` times under another address. Wall time, not CPU time:
what several processes buy is time. Each rate is the best of ``--passes``, the two sides taking
their passes in turn (the machine's load swings between runs).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from bench.common import aeb_pages, best_rates
from bench.corpus import stream


def write_inputs(folder: Path, articles: int, copies: int) -> dict[str, tuple[Path, int]]:
    pages = list(aeb_pages())
    text = folder / "text.jsonl"
    text.write_bytes(
        b"".join(a.record() + b"\n" for a in stream([p.article_body for p in pages], articles))
    )
    html = folder / "html.jsonl"
    with html.open("w", encoding="utf-8") as f:
        for n in range(copies):
            for page in pages:
                record = {"id": f"{page.id}-{n}", "url": f"{page.url}#{n}", "html": page.html()}
                f.write(json.dumps(record) + "\n")
    return {"text": (text, articles), "HTML": (html, copies * len(pages))}


def runs_per_second(source: Path, out: Path, processes: int) -> float:
    """Runs per wall second of ``copydesk filter`` over ``source`` (one over its seconds)."""
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "copydesk.streams",
            "filter",
            str(source),
            "-o",
            str(out),
            "--processes",
            str(processes),
        ],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    return 1 / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000, help="text articles")
    parser.add_argument("--pages", type=int, default=3, help="copies of each AEB dev page")
    parser.add_argument("--processes", type=int, default=2, help="the side with several")
    parser.add_argument("--passes", type=int, default=2, help="passes per side; the best counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        inputs = write_inputs(folder, args.articles, args.pages)
        print(
            f"| copydesk filter, wall time | articles | 1 process, s | {args.processes}"
            " processes, s | ratio | same output |"
        )
        print("|---|---|---|---|---|---|")
        for mode, (source, count) in inputs.items():
            rates = (
                partial(runs_per_second, source, folder / f"out-{side}.jsonl", side)
                for side in (1, args.processes)
            )
            one, several = (1 / rate for rate in best_rates(max(args.passes, 1), *rates))
            same = (folder / "out-1.jsonl").read_bytes() == (
                folder / f"out-{args.processes}.jsonl"
            ).read_bytes()
            print(
                f"| {mode} | {count:,} | {one:.1f} | {several:.1f} | {one / several:.2f}x |"
                f" {'yes' if same else 'NO'} |"
            )


if __name__ == "__main__":
    main()
