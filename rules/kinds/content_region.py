"""``content-region``: keep the stretch of the page where the prose is, drop the rest.

Each non-blank line scores its length in characters: positive for a prose line (long enough
and ending like a sentence), negative for anything else (at least ``min_penalty``). The kept
region is the run of lines with the highest total (a maximum-sum subarray), so the article
body survives the short lines inside it (subheadings, captions) while navigation above it and
link lists, footers and forms below it go. Lines matching ``keep`` (credit lines, say) are
never removed. On text that is already clean this keeps everything from the first prose line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import regex
from pydantic import Field

from rules.kinds.base import Context, Cut, Document, RegexPattern, Rule, RuleSpec, Stage
from rules.lines import Line, block_cut, runs, split_lines
from rules.prose import is_prose


class ContentRegionSpec(RuleSpec):
    kind: Literal["content-region"]
    prose_min_chars: int = Field(default=40, ge=1, description="What counts as a prose line.")
    penalty: float = Field(default=1.0, gt=0, description="Weight of non-prose characters.")
    min_penalty: int = Field(default=30, ge=0, description="Least cost of a non-prose line.")
    keep: list[RegexPattern] = Field(
        default_factory=list, description="Lines matching these are kept wherever they are."
    )

    def build(self) -> ContentRegionRule:
        return ContentRegionRule(self)


class ContentRegionRule(Rule):
    stage = Stage.STRIP
    spec: ContentRegionSpec

    def __init__(self, spec: ContentRegionSpec) -> None:
        super().__init__(spec)
        self._keep = (
            regex.compile("|".join(f"(?:{p})" for p in spec.keep), regex.IGNORECASE | regex.V0)
            if spec.keep
            else None
        )

    def _score(self, line: Line) -> float:
        length = len(line.text.strip())
        if is_prose(line.text, self.spec.prose_min_chars):
            return float(length)
        return -self.spec.penalty * max(length, self.spec.min_penalty)

    def apply(self, doc: Document, ctx: Context) -> Iterator[Cut]:
        lines = split_lines(doc.text)
        content = [line for line in lines if not line.blank]
        best, current = 0.0, 0.0
        start = best_start = best_end = -1
        for n, line in enumerate(content):
            value = self._score(line)
            if current <= 0:
                current, start = value, n
            else:
                current += value
            if current > best:
                best, best_start, best_end = current, start, n
        if best_start < 0:
            return  # no prose at all: better to keep the page than to empty it
        for part in (content[:best_start], content[best_end + 1 :]):
            dropped = [n for n, line in enumerate(part) if not self._kept(line, ctx)]
            for first, last in runs(dropped):
                yield Cut(*block_cut(lines, part[first].index, part[last].index))

    def _kept(self, line: Line, ctx: Context) -> bool:
        return self._keep is not None and bool(
            self._keep.search(line.text, timeout=ctx.regex_timeout)
        )
