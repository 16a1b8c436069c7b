"""``copydesk filter``: the engine over files, in input order, with rejects kept beside the output.

Inputs are JSONL (one article per line), ``.txt`` (id = file name; first non-empty line is the
title unless ``title_line`` is off) or ``.html`` / ``.htm`` files; ``-`` reads JSONL from stdin.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from copydesk.rules.engine import Engine
from copydesk.rules.parse import RecordError, decode, parse_article
from copydesk.rules.records import ArticleIn, ArticleOut
from copydesk.rules.state import StateStore
from copydesk.streams.processing import count_rule_seconds, record_outcome

if TYPE_CHECKING:  # the pool's own imports only where one is asked for (``--processes``)
    from copydesk.streams.stage_pool import Done, StagePool

WriteFn = Callable[[str], None]
# Articles sent to the pool's processes ahead of the one the output waits for, per process and
# stage, and the bytes of their input at most. A process given the next sites' longer articles
# holds up the others unless they can work further ahead. On 2 processes (bench/processes.py's
# inputs, three runs in turn), against 32 articles ahead and no byte bound: 2,000 text articles
# 9.19 -> 8.38 s, AEB dev's pages three times 6.29 -> 5.76 s (16 MiB is about 90 of them).
AHEAD_PER_PROCESS = 1024
AHEAD_BYTES_PER_PROCESS = 16 << 20
# From standard input, which may be a live feed: the output lags the input by the articles ahead.
LIVE_AHEAD_PER_PROCESS = 32


@dataclass(frozen=True)
class Item:
    """One input: where it came from and either an article or the reason it is unreadable."""

    where: str  # "file:line" or "file"
    raw: bytes
    article: ArticleIn | None = None
    error: RecordError | None = None


@dataclass
class Summary:
    read: int = 0
    written: int = 0
    rejected: int = 0
    flagged: int = 0
    late: int = 0  # findings on articles already written, raised when their original came
    findings: dict[str, int] = field(default_factory=dict)


def read_jsonl(stream: BinaryIO, name: str, max_bytes: int) -> Iterator[Item]:
    for number, line in enumerate(stream, start=1):
        raw = line.rstrip(b"\r\n")
        if not raw.strip():
            continue
        where = f"{name}:{number}"
        try:
            yield Item(where, raw, article=parse_article(raw, max_bytes))
        except RecordError as exc:
            yield Item(where, raw, error=exc)


def read_document(path: Path, title_line: bool, max_bytes: int) -> Item:
    raw = path.read_bytes()
    where = str(path)
    try:
        if len(raw) > max_bytes:
            raise RecordError("too-large", f"file is {len(raw)} bytes; the limit is {max_bytes}")
        text = decode(raw)
        if path.suffix.lower() in (".html", ".htm"):
            return Item(where, raw, article=ArticleIn(id=path.name, html=text))
        title = None
        if title_line:
            head, _, rest = text.lstrip().partition("\n")
            title, text = head.strip() or None, rest.lstrip("\n")
        return Item(where, raw, article=ArticleIn(id=path.name, title=title, text=text))
    except RecordError as exc:
        return Item(where, raw, error=exc)


def read_inputs(
    inputs: list[str], stdin: BinaryIO, title_line: bool, max_bytes: int
) -> Iterator[Item]:
    for name in inputs:
        if name == "-":
            yield from read_jsonl(stdin, "<stdin>", max_bytes)
            continue
        path = Path(name)
        if path.suffix.lower() in (".txt", ".html", ".htm"):
            yield read_document(path, title_line, max_bytes)
        else:
            with path.open("rb") as stream:
                yield from read_jsonl(stream, name, max_bytes)


def reject_line(item: Item, error: RecordError | None) -> str:
    assert error is not None
    return json.dumps(
        {
            "where": item.where,
            "reason": error.reason,
            "message": error.message,
            "raw": item.raw.decode("utf-8", errors="replace"),
        },
        ensure_ascii=False,
    )


Output = Callable[[], ArticleOut]  # returns an article's output, or raises what stopped it
T = TypeVar("T")


def _processed(
    engine: Engine,
    state: StateStore,
    items: Iterator[Item],
    pool: StagePool | None,
    ahead_per_process: int,
) -> Iterator[tuple[Item, Output | None]]:
    """Each item with its output (None: unreadable), in input order: made here when asked for,
    or stripped and aligned in ``pool`` ahead of the flag stage, which stays here."""
    if pool is None:
        for item in items:
            article = item.article
            yield item, None if article is None else partial(engine.process, article, state)
        return
    ahead = ahead_per_process * len(pool), AHEAD_BYTES_PER_PROCESS * len(pool)
    stripped = _ahead(
        ((item, None if item.article is None else pool.strip(item.article)) for item in items),
        *ahead,
    )
    flagged = (
        (item, None if done is None else _flag_then_align(engine, state, pool, done))
        for item, done in stripped
    )
    yield from _ahead(flagged, *ahead)


def _ahead(items: Iterator[tuple[Item, T]], most: int, budget: int) -> Iterator[tuple[Item, T]]:
    """``items``, each handed on once ``most`` items or ``budget`` bytes of input stand after
    it: the work begun on those goes on while it is waited for."""
    pending: deque[tuple[Item, T]] = deque()
    held = 0
    for item in items:
        pending.append(item)
        held += len(item[0].raw)
        while len(pending) > most or (held > budget and len(pending) > 1):
            first = pending.popleft()
            held -= len(first[0].raw)
            yield first
    yield from pending


def _flag_then_align(
    engine: Engine, state: StateStore, pool: StagePool, stripped: Callable[[], Done]
) -> Output:
    try:
        flagged = engine.flag(_counted(stripped), state)
    except Exception as exc:  # raised again when the output is asked for: rejected then
        return partial(_raise, exc)
    return partial(_counted, pool.align(flagged))


def _raise(exc: Exception) -> ArticleOut:
    raise exc


def _counted(done: Callable[[], Done]) -> ArticleOut:
    """The article a pool process made, its rules' time added to the metrics here."""
    out, spent = done()
    count_rule_seconds(spent)
    return out


def run_filter(
    engine: Engine,
    state: StateStore,
    items: Iterator[Item],
    write: WriteFn,
    reject: WriteFn,
    findings_only: bool,
    pool: StagePool | None = None,
    ahead_per_process: int = AHEAD_PER_PROCESS,
) -> Summary:
    """The engine over ``items``, every stage here, or the strip and align stages in
    ``pool``'s processes (``streams.stage_pool``), ``ahead_per_process`` articles at most
    ahead of the output: the same outputs, in input order."""
    summary = Summary()
    for item, output in _processed(engine, state, items, pool, ahead_per_process):
        summary.read += 1
        if output is None:
            summary.rejected += 1
            reject(reject_line(item, item.error))
            continue
        try:
            out: ArticleOut = output()
        except Exception as exc:  # a rule bug: keep the input, report it, go on
            summary.rejected += 1
            reject(
                reject_line(item, RecordError("processing-error", f"{type(exc).__name__}: {exc}"))
            )
            continue
        finally:
            count_rule_seconds(engine.take_rule_seconds())
        record_outcome(out)
        for finding in out.findings:
            summary.findings[finding.rule] = summary.findings.get(finding.rule, 0) + 1
        if out.findings:
            summary.flagged += 1
        if out.findings or not findings_only:
            write(out.model_dump_json())
            summary.written += 1
        for late in out.late:  # findings on articles written before: lines of their own
            summary.findings[late.finding.rule] = summary.findings.get(late.finding.rule, 0) + 1
            summary.late += 1
            write(late.model_dump_json())
    return summary
