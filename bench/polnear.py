"""PolNeAR (../shared/data/polnear): political news articles with their attributions annotated
(brat standoff: Source, Cue and Content spans linked by Attribution events), and what the
attribution benchmark and the cue-lexicon build read from them.

Truth for quotes: a quotation of 4 or more words is *attributed* when most of its characters lie
in annotated Contents that have a Source; an article annotated by several annotators counts a
quotation as attributed when at least half of them do.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import regex

from bench.common import SHARED, require

POLNEAR = SHARED / "data" / "polnear"

_SPAN = regex.compile(r"^(T\d+)\t(\w+) ([\d ;]+)\t", regex.MULTILINE)
_EVENT = regex.compile(r"^E\d+\t(.*)$", regex.MULTILINE)


@dataclass(frozen=True)
class Annotation:
    """One annotator's attributions of one article."""

    spans: dict[str, tuple[str, list[tuple[int, int]]]]  # id -> (label, pieces)
    events: list[dict[str, str]]  # role -> span id

    def pieces(self, role: str, with_source: bool | None = None) -> list[tuple[int, int]]:
        """The pieces of every span in ``role`` (Source, Cue, Content); with_source: only
        those of events that have (True) or lack (False) a Source."""
        found = []
        for event in self.events:
            if with_source is not None and ("Source" in event) != with_source:
                continue
            for name, span_id in event.items():
                if name.rstrip("0123456789") == role and span_id in self.spans:
                    found.extend(self.spans[span_id][1])
        return found


def parse_ann(text: str) -> Annotation:
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    for match in _SPAN.finditer(text):
        pieces = []
        for piece in match.group(3).split(";"):
            start, end = piece.split()
            pieces.append((int(start), int(end)))
        spans[match.group(1)] = (match.group(2), pieces)
    events = []
    for match in _EVENT.finditer(text):
        roles = dict(part.split(":", 1) for part in match.group(1).split())
        events.append({name: span_id for name, span_id in roles.items() if name != "Attribution"})
    return Annotation(spans, events)


@dataclass(frozen=True)
class Article:
    name: str
    split: str
    publisher: str
    wire: str | None  # as metadata.tsv spells it: AP, UPI, AFP, reuters …
    text: str
    annotations: list[Annotation]

    def attributed(self, start: int, end: int) -> bool:
        """The truth for the quotation at ``text[start:end]`` (see the module docstring)."""
        votes = 0
        for annotation in self.annotations:
            covered: set[int] = set()
            for a, b in annotation.pieces("Content", with_source=True):
                covered.update(range(max(a, start), min(b, end)))
            votes += 2 * len(covered) > end - start
        return 2 * votes >= len(self.annotations)

    def in_source(self, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` overlaps a span some annotator labelled Source."""
        return any(
            a < end and start < b
            for annotation in self.annotations
            for a, b in annotation.pieces("Source")
        )


def articles(split: str) -> Iterator[Article]:
    """The articles of ``split`` (train or dev; the test split is held out and never read)."""
    if split not in {"train", "dev"}:
        raise ValueError(f"PolNeAR split {split!r} is not for development")
    folder = require(POLNEAR / split)
    with (POLNEAR / "metadata.tsv").open(encoding="utf-8", newline="") as f:
        rows = [row for row in csv.DictReader(f, delimiter="\t") if row["compartment"] == split]
    for row in sorted(rows, key=lambda r: r["filename"]):
        name = row["filename"]
        text = (folder / "text" / f"{name}.txt").read_text(encoding="utf-8")
        annotations = [
            parse_ann(path.read_text(encoding="utf-8"))
            for path in sorted((folder / "attributions").glob(f"{name}_*.ann"))
        ]
        wire = row["wire"].strip()
        yield Article(
            name,
            split,
            row["publisher"],
            None if wire in {"None", "NA", ""} else wire,
            text,
            annotations,
        )


_MARK = regex.compile(r"[“”\"\n]")


def quotations(text: str, min_words: int = 4) -> list[tuple[int, int]]:
    """The benchmark's own reading of where quotations stand, marks included: in each
    paragraph an opening mark (“ or ") pairs with the next closing one (” or "); a quotation
    still open at the paragraph's end runs to it (a quote going on in the next paragraph)."""
    found = []
    opened: int | None = None
    for match in _MARK.finditer(text + "\n"):
        mark, at = match.group(), match.start()
        if mark == "\n":
            if opened is not None:
                found.append((opened, at))
            opened = None
        elif opened is not None and mark in '”"':
            found.append((opened, at + 1))
            opened = None
        elif mark != "”":  # an opening mark inside an open quotation starts it again
            opened = at
    return [(a, b) for a, b in found if len(text[a:b].strip('"“” ').split()) >= min_words]


AUDIT = Path(__file__).parent / "labels" / "polnear-train-audit.json"
READINGS = ("no speaker", "speaker named", "title or name")


@dataclass(frozen=True)
class AuditedQuotation:
    """A train quotation as a reader sees it (``READINGS``), beside the issue's mapping."""

    article: str
    start: int
    end: int
    reading: str


def audit() -> dict[str, list[AuditedQuotation]]:
    """bench/labels/polnear-train-audit.json: ``unattributed`` (every train quotation the
    issue's mapping calls unattributed) and ``flags`` (the rule's train flags when the audit was
    made), each quotation with a reader's reading."""
    data = json.loads(AUDIT.read_text(encoding="utf-8"))
    found = {}
    for part in ("unattributed", "flags"):
        found[part] = [
            AuditedQuotation(q["article"], q["start"], q["end"], q["reading"])
            for q in data[part]["quotations"]
        ]
        unknown = {q.reading for q in found[part]} - set(READINGS)
        if unknown:
            raise ValueError(f"{AUDIT}: unknown readings {sorted(unknown)}")
    return found
