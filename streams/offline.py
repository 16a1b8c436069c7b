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
# Articles sent to the pool's processes ahead of the one waited for, per process and stage:
# enough to keep them busy while this process flags, few enough to hold in memory.
AHEAD_PER_PROCESS = 32


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
    engine: Engine, state: StateStore, items: Iterator[Item], pool: StagePool | None
) -> Iterator[tuple[Item, Output | None]]:
    """Each item with its output (None: unreadable), in input order: made here when asked for,
    or stripped and aligned in ``pool`` ahead of the flag stage, which stays here."""
    if pool is None:
        for item in items:
            article = item.article
            yield item, None if article is None else partial(engine.process, article, state)
        return
    ahead = AHEAD_PER_PROCESS * len(pool)
    stripped = _ahead(
        ((item, None if item.article is None else pool.strip(item.article)) for item in items),
        ahead,
    )
    flagged = (
        (item, None if done is None else _flag_then_align(engine, state, pool, done))
        for item, done in stripped
    )
    yield from _ahead(flagged, ahead)


def _ahead(items: Iterator[T], ahead: int) -> Iterator[T]:
    """``items``, each taken ``ahead`` items before it is handed on: the work begun on the next
    ones goes on while the first is waited for."""
    pending: deque[T] = deque()
    for item in items:
        pending.append(item)
        if len(pending) > ahead:
            yield pending.popleft()
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
) -> Summary:
    """The engine over ``items``, every stage here, or the strip and align stages in
    ``pool``'s processes (``streams.stage_pool``): the same outputs, in input order."""
    summary = Summary()
    for item, output in _processed(engine, state, items, pool):
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
