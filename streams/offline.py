"""``copydesk filter``: the engine over files, in input order, with rejects kept beside the output.

Inputs are JSONL (one article per line), ``.txt`` (id = file name; first non-empty line is the
title unless ``title_line`` is off) or ``.html`` / ``.htm`` files; ``-`` reads JSONL from stdin.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from copydesk.rules.engine import Engine
from copydesk.rules.parse import RecordError, decode, parse_article
from copydesk.rules.records import ArticleIn, ArticleOut
from copydesk.rules.state import StateStore
from copydesk.streams.processing import count_rule_seconds, record_outcome

WriteFn = Callable[[str], None]


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


def run_filter(
    engine: Engine,
    state: StateStore,
    items: Iterator[Item],
    write: WriteFn,
    reject: WriteFn,
    findings_only: bool,
) -> Summary:
    summary = Summary()
    for item in items:
        summary.read += 1
        if item.article is None:
            summary.rejected += 1
            reject(reject_line(item, item.error))
            continue
        try:
            out: ArticleOut = engine.process(item.article, state)
        except Exception as exc:  # a rule bug: keep the input, report it, go on
            summary.rejected += 1
            reject(
                reject_line(item, RecordError("processing-error", f"{type(exc).__name__}: {exc}"))
            )
            continue
        finally:
            count_rule_seconds(engine)
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
