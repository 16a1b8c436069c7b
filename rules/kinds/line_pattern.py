"""``line-pattern``: remove whole lines that match a regex, an exact text or a prefix,
optionally only near the start or end of the body, or only short lines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import regex
from pydantic import Field, model_validator

from copydesk.rules.kinds.base import (
    SNAKE_CASE,
    Capture,
    Claim,
    Context,
    Cut,
    Document,
    RegexPattern,
    Rule,
    RuleSpec,
    Stage,
)
from copydesk.rules.line_search import LineSearch
from copydesk.rules.lines import Line, block_cut, runs
from copydesk.rules.records import Span


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
    max_words: int | None = Field(
        default=None,
        ge=1,
        description="Only lines this short; in scripts written without spaces (Chinese,"
        " Japanese, Thai) each character counts as a word.",
    )
    keep_as: str | None = Field(
        default=None,
        pattern=SNAKE_CASE,
        description="Also keep what is matched in the output's `metadata` under this name.",
    )
    remove: bool = Field(
        default=True,
        description="false: leave the text alone and only keep the regex match (needs keep_as).",
    )
    claim_removed: bool = Field(
        default=False,
        description="Also read the lines earlier rules removed whole, and put their removal"
        " down to this rule where one matches (keeping nothing in `metadata`: a caption in a"
        " sidebar is not the article's), so that later rules trusting this rule's cuts see it.",
    )

    @model_validator(mode="after")
    def _options_agree(self) -> LinePatternSpec:
        if not self.remove and (self.keep_as is None or self.match != "regex"):
            raise ValueError("remove: false needs `keep_as` and `match: regex`")
        if self.claim_removed and (not self.remove or self.where != "anywhere"):
            raise ValueError("claim_removed needs `remove: true` and `where: anywhere`")
        return self

    def build(self) -> LinePatternRule:
        return LinePatternRule(self)


class LinePatternRule(Rule):
    stage = Stage.STRIP
    spec: LinePatternSpec

    def __init__(self, spec: LinePatternSpec) -> None:
        super().__init__(spec)
        flags = regex.IGNORECASE if spec.ignore_case else 0
        self._regex = LineSearch(spec.patterns, flags) if spec.match == "regex" else None
        self._texts = tuple(normalise_line(p, spec.ignore_case) for p in spec.patterns)

    def _matches(self, text: str, candidates: list[Line], ctx: Context) -> dict[int, str]:
        """Line index -> matched text, for the candidate lines that match."""
        if self._regex is not None:
            return self._regex.matching_lines(text, candidates, ctx.regex_budget)
        found = {}
        for line in candidates:
            norm = normalise_line(line.text, self.spec.ignore_case)
            if norm in self._texts if self.spec.match == "exact" else norm.startswith(self._texts):
                found[line.index] = line.text
        return found

    def _hits(self, text: str, candidates: list[Line], ctx: Context) -> list[tuple[Line, str]]:
        """The candidate lines of ``text`` that match, each with its matched text."""
        spec = self.spec
        if spec.max_words is not None:
            # Whitespace words here: a line short by them may still be long in characters of
            # a script written without spaces, a look that costs a regex, so it is asked of
            # the few lines that match, not of every short line (93 looks an article before).
            candidates = [c for c in candidates if c.words <= spec.max_words]
        matches = self._matches(text, candidates, ctx)
        return [
            (line, matches[line.index])
            for line in candidates
            if line.index in matches
            and (spec.max_words is None or line.length_in_words <= spec.max_words)
        ]

    def apply(self, doc: Document, ctx: Context) -> Iterator[Cut | Capture | Claim]:
        spec = self.spec
        lines = doc.lines
        candidates = doc.content_lines
        if spec.where == "head":
            candidates = candidates[: spec.within]
        elif spec.where == "tail":
            candidates = candidates[-spec.within :]
        hits = self._hits(doc.text, candidates, ctx)
        if spec.claim_removed and doc.body.removed:
            view = doc.body
            removed = _removed_whole(view.original_lines, view.removed)
            for line, _ in self._hits(view.original, removed, ctx):
                yield Claim(line.start, line.end)
        if not spec.remove:
            assert spec.keep_as is not None  # checked when the pack loads
            for _, found in hits:
                yield Capture(spec.keep_as, found.strip())
            return
        if spec.keep_as is not None:
            # One metadata entry per line: a caption and its credit are two entries.
            for line, _ in hits:
                yield Cut(*block_cut(lines, line.index, line.index), keep_as=spec.keep_as)
            return
        for first, last in runs(line.index for line, _ in hits):
            yield Cut(*block_cut(lines, first, last))


def _removed_whole(lines: list[Line], removed: list[Span]) -> list[Line]:
    """The non-blank ``lines`` (of the original body) that lie inside one ``removed`` span
    (sorted by start, disjoint)."""
    found: list[Line] = []
    first = 0  # lines and spans both run in body order: one pass over each
    for line in lines:
        while first < len(removed) and removed[first].end < line.end:
            first += 1
        if first == len(removed):
            break
        if not line.blank and removed[first].start <= line.start:
            found.append(line)
    return found
