"""``line-pattern``: remove whole lines that match a regex, an exact text or a prefix,
optionally only near the start or end of the body, or only short lines."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Literal

import regex
from pydantic import Field

from rules.kinds.base import (
    Context,
    Cut,
    Document,
    RegexPattern,
    RegexTimeoutError,
    Rule,
    RuleSpec,
    Stage,
)
from rules.lines import block_cut, runs, split_lines


def normalise_line(text: str, ignore_case: bool) -> str:
    squashed = " ".join(text.split())
    return squashed.casefold() if ignore_case else squashed


class LinePatternSpec(RuleSpec):
    kind: Literal["line-pattern"]
    match: Literal["regex", "exact", "prefix"] = Field(
        default="regex",
        description="regex: the pattern is searched in the line; exact: the whole line equals it; "
        "prefix: the line starts with it. Whitespace runs count as one space.",
    )
    patterns: list[RegexPattern] = Field(min_length=1)
    ignore_case: bool = True
    where: Literal["anywhere", "head", "tail"] = Field(
        default="anywhere", description="Only look at the first/last `within` non-blank lines."
    )
    within: int = Field(default=10, ge=1, description="How many non-blank lines head/tail means.")
    max_words: int | None = Field(default=None, ge=1, description="Only lines this short.")

    def build(self) -> LinePatternRule:
        return LinePatternRule(self)


class LinePatternRule(Rule):
    stage = Stage.STRIP
    spec: LinePatternSpec

    def __init__(self, spec: LinePatternSpec) -> None:
        super().__init__(spec)
        flags = regex.IGNORECASE if spec.ignore_case else 0
        self._regex = (
            regex.compile("|".join(f"(?:{p})" for p in spec.patterns), flags | regex.V0)
            if spec.match == "regex"
            else None
        )
        self._texts = tuple(normalise_line(p, spec.ignore_case) for p in spec.patterns)

    def _matches(self, line: str, deadline: float) -> bool:
        if self._regex is not None:
            budget = deadline - time.monotonic()
            try:
                return self._regex.search(line, timeout=max(budget, 0.0)) is not None
            except TimeoutError:
                raise RegexTimeoutError(self.spec.id) from None
        norm = normalise_line(line, self.spec.ignore_case)
        if self.spec.match == "exact":
            return norm in self._texts
        return norm.startswith(self._texts)

    def apply(self, doc: Document, ctx: Context) -> Iterator[Cut]:
        spec = self.spec
        lines = split_lines(doc.text)
        candidates = [line for line in lines if not line.blank]
        if spec.where == "head":
            candidates = candidates[: spec.within]
        elif spec.where == "tail":
            candidates = candidates[-spec.within :]
        if spec.max_words is not None:
            candidates = [c for c in candidates if len(c.text.split()) <= spec.max_words]
        deadline = time.monotonic() + ctx.regex_timeout
        hits = [line.index for line in candidates if self._matches(line.text, deadline)]
        for first, last in runs(hits):
            yield Cut(*block_cut(lines, first, last))
