"""``copydesk filter --processes``: the strip and align stages in several processes write what
one process writes, keep what they learn in the state file, and lose no article when one of
them dies."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore, OverlayStore, SqliteStore
from copydesk.streams.cli import _engine_or_exit, _settings, main
from copydesk.streams.offline import Item, _ahead, run_filter
from copydesk.streams.stage_pool import StagePool

SAMPLE_FEED = Path(__file__).parent.parent / "streams" / "data" / "sample-feed.jsonl"
FOOTER = "Harbor Daily has served the coast of Maine since 1921."
PAGE = (
    "<html><head><title>Bridge vote</title></head><body><nav><a href='/'>Home</a>"
    "<a href='/local'>Local</a></nav><article><h1>Bridge vote</h1>"
    + "".join(
        f"<p>Paragraph {i}. The council voted on Tuesday to approve a new bridge over the river,"
        " a project delayed for years by arguments over its cost and its route.</p>"
        for i in range(6)
    )
    + "</article><footer>Copyright 2026 Harbor Daily. All rights reserved.</footer></body></html>"
)


def filtered(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["filter", *args])
    return result.exit_code, result.stderr


def story(n: int, source: str = "Harbor Daily") -> dict[str, str]:
    return {
        "id": f"{source}-{n}",
        "source": source,
        "published_at": f"2026-11-{n % 28 + 1:02d}T08:00:00Z",
        "text": f"Story {n}: the council met for the {n}th time this year and voted on item"
        f" {n * 7}.\nResidents said item {n * 7} mattered to {n * 13} households.\n{FOOTER}",
    }


def copied(line: str) -> str:
    """A sample-feed article sent again, a day later, as another site's copy."""
    article = json.loads(line)
    copy = {"id": article["id"] + "-copy", "source": "Copier", "published_at": "2026-11-21T12:00Z"}
    return json.dumps({**article, "url": None, **copy})


def test_several_processes_write_what_one_writes(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    lines = SAMPLE_FEED.read_text(encoding="utf-8").splitlines()
    page = json.dumps(
        {
            "id": "page",
            "url": "https://a.example/b",
            "html": PAGE,
            "published_at": "2026-11-21T09:00Z",
        }
    )
    copies = [copied(line) for line in lines[:5]]
    feed.write_text("\n".join([*lines, page, *copies]) + "\n", encoding="utf-8")
    runs = {}
    for processes in ("1", "2"):
        out = tmp_path / f"out-{processes}.jsonl"
        code, err = filtered(str(feed), "-o", str(out), "--processes", processes)
        rejects = Path(f"{out}.rejects.jsonl").read_text(encoding="utf-8")
        runs[processes] = (code, err.splitlines()[0], out.read_text(encoding="utf-8"), rejects)
    assert runs["2"] == runs["1"]
    code, summary, written, rejects = runs["2"]
    assert code == 3  # the sample feed's malformed lines
    assert summary.startswith("read 46, written 42, flagged 8, late findings 1, rejected 4")
    [page] = [r for r in map(json.loads, written.splitlines()) if r.get("id") == "page"]
    assert "Paragraph 5." in page["text"]
    assert "Local" not in page["text"]
    assert len(rejects.splitlines()) == 4


def test_the_state_file_keeps_what_the_processes_learned(tmp_path: Path) -> None:
    # The learned-chrome rule alone: among the built-in packs the line model has its say too.
    pack = tmp_path / "chrome.yaml"
    pack.write_text(
        "pack: chrome\nrules:\n  - id: site-lines\n    kind: learned-chrome\n    message: m\n"
        "    description: d\n    examples:\n      trigger:\n        - after: "
        + json.dumps([f"Story {n}.\n{FOOTER}" for n in range(5)])
        + "\n          text: "
        + json.dumps(f"Story 5.\n{FOOTER}")
        + "\n          removed: "
        + json.dumps([f"\n{FOOTER}"])
        + "\n      ignore: ['The council met.']\n"
    )
    rules = ["--no-builtin", "--rules", str(pack)]
    state = tmp_path / "state.sqlite"
    first = tmp_path / "first.jsonl"
    first.write_text(
        "".join(json.dumps(story(n, source)) + "\n" for n in range(8) for source in "AB"),
        encoding="utf-8",
    )
    second = tmp_path / "second.jsonl"
    second.write_text(json.dumps(story(8, "A")) + "\n", encoding="utf-8")
    code, _ = filtered(
        str(first), "-o", str(tmp_path / "a.jsonl"), "--state", str(state), "-j2", *rules
    )
    assert code == 0
    for with_state, footer_kept in ((True, False), (False, True)):
        out = tmp_path / "b.jsonl"
        code, _ = filtered(
            str(second),
            "-o",
            str(out),
            "-j2",
            *rules,
            *(["--state", str(state)] if with_state else []),
        )
        record = json.loads(out.read_text(encoding="utf-8"))
        assert (FOOTER in record["text"]) is footer_kept
        assert "Story 8:" in record["text"]


def test_a_process_that_dies_loses_no_article(tmp_path: Path) -> None:
    engine = _engine_or_exit(_settings())
    pool = StagePool(engine, 2, None)
    # Every article from one source: one process strips them all, and it is killed midway.
    articles = [ArticleIn.model_validate_json(json.dumps(story(n))) for n in range(40)]

    def items() -> Iterator[Item]:
        for n, article in enumerate(articles):
            if n == 20:
                for pid in pool.pids:
                    assert pid is not None
                    os.kill(pid, signal.SIGKILL)
            yield Item(f"in:{n}", article.model_dump_json().encode(), article=article)

    written: list[str] = []
    rejected: list[str] = []
    try:
        summary = run_filter(
            engine, MemoryStore(), items(), written.append, rejected.append, False, pool
        )
    finally:
        pool.close()
    assert (summary.read, summary.written, rejected) == (40, 40, [])
    assert [json.loads(line)["id"] for line in written] == [a.id for a in articles]


def test_an_article_that_kills_its_process_twice_is_rejected_and_the_rest_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = _engine_or_exit(_settings())
    strip = engine.strip

    def dies_on_poison(article: ArticleIn, state: Any, now: Any = None) -> Any:
        if article.id == "poison":
            os._exit(1)  # as a crash in a compiled library would end it
        return strip(article, state, now)

    monkeypatch.setattr(engine, "strip", dies_on_poison)
    pool = StagePool(engine, 2, None)  # forked: the processes strip as patched
    stories = [story(n) for n in range(12)]
    stories.insert(5, {**story(99), "id": "poison"})
    articles = [ArticleIn.model_validate_json(json.dumps(s)) for s in stories]
    items = (
        Item(f"in:{n}", a.model_dump_json().encode(), article=a) for n, a in enumerate(articles)
    )
    written: list[str] = []
    rejected: list[str] = []
    try:
        summary = run_filter(
            engine, MemoryStore(), items, written.append, rejected.append, False, pool
        )
    finally:
        pool.close()
    assert (summary.read, summary.written, summary.rejected) == (13, 12, 1)
    assert [json.loads(line)["id"] for line in written] == [
        s["id"] for s in stories if s["id"] != "poison"
    ]
    [reject] = map(json.loads, rejected)
    assert reject["where"] == "in:5"
    assert reject["reason"] == "processing-error"
    assert "died twice" in reject["message"]


def test_killed_processes_neither_lose_nor_repeat_lines_on_stdout() -> None:
    """The processes are killed while the filter writes to a pipe, its output buffered as a
    user's is: each replacement is forked from the filter, and must not write out a second
    time what the filter's buffer held then."""
    command = [sys.executable, "-m", "copydesk.streams", "filter", "-", "-j", "2"]
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    run = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=buffered,
    )
    assert run.stdin is not None and run.stdout is not None
    lines: list[bytes] = []
    reader = threading.Thread(target=lambda: lines.extend(run.stdout or []))
    reader.start()
    stories = [json.dumps(story(n, f"Site {n % 5}")).encode() + b"\n" for n in range(240)]
    run.stdin.writelines(stories[:160])
    run.stdin.flush()
    deadline = time.monotonic() + 60
    while not lines and time.monotonic() < deadline:  # output has begun: the buffer holds some
        time.sleep(0.05)
    children = Path(f"/proc/{run.pid}/task/{run.pid}/children").read_text().split()
    assert len(children) == 2
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)
    run.stdin.writelines(stories[160:])
    run.stdin.close()
    assert run.wait(timeout=120) == 0
    reader.join()
    assert [json.loads(line)["id"] for line in lines] == [f"Site {n % 5}-{n}" for n in range(240)]


def test_the_articles_sent_ahead_are_bounded_by_count_and_by_bytes() -> None:
    pulled = 0

    def items(sizes: list[int]) -> Iterator[tuple[Item, None]]:
        nonlocal pulled
        for n, size in enumerate(sizes):
            pulled += 1
            yield Item(f"in:{n}", b"x" * size), None

    def most_ahead(sizes: list[int], most: int, budget: int) -> int:
        nonlocal pulled
        pulled, ahead = 0, 0
        handed: list[str] = []
        for item, _ in _ahead(items(sizes), most, budget):
            ahead = max(ahead, pulled - len(handed))
            handed.append(item.where)
        assert handed == [f"in:{n}" for n in range(len(sizes))]
        return ahead

    assert most_ahead([10] * 50, 8, 10_000) == 9  # the one handed on and eight after it
    assert most_ahead([30] * 50, 100, 100) == 4  # 120 bytes: one goes before the fifth comes
    assert most_ahead([10, 500, 10, 10], 8, 100) == 2  # a large one alone is not held back


def test_a_process_reads_what_earlier_runs_committed_while_the_run_writes(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    earlier = SqliteStore(path)
    earlier.put("ns", "a", b"1")
    earlier.close()
    run = SqliteStore(path)
    run.put("ns", "b", b"2")  # the run commits when it ends
    overlay = OverlayStore(SqliteStore(path, read_only=True))
    assert (overlay.get("ns", "a"), overlay.get("ns", "b")) == (b"1", None)
    overlay.put("ns", "c", b"3")
    overlay.delete("ns", "a")
    assert overlay.get("ns", "a") is None
    assert list(overlay.keys("ns")) == ["c"]
    assert overlay.written() == [("ns", "c", b"3"), ("ns", "a", None)]
    run.close()


def test_a_broken_pack_stops_the_run_with_its_location_alone(tmp_path: Path) -> None:
    """The processes start loading the rules as the filter does; their failure is not
    printed beside the filter's own message."""
    pack = tmp_path / "broken.yaml"
    pack.write_text("pack: mine\nrules:\n  - id: x\n    kind: nope\n")
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(story(1)) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "copydesk.streams", "filter", str(source), "-j", "2"]
    done = subprocess.run(
        [*command, "--rules", str(pack)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert f"{pack}:3:5: x: unknown rule kind 'nope'" in done.stderr
    assert "Traceback" not in done.stderr
