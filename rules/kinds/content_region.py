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

from copydesk.rules.kinds.base import (
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
from copydesk.rules.periodic import periodic_runs
from copydesk.rules.prose import is_prose, is_truncated, item_number, shown_length


class ContentRegionSpec(RuleSpec):
    kind: Literal["content-region"]
    prose_min_chars: int = Field(default=40, ge=1, description="What counts as a prose line.")
    penalty: float = Field(default=1.0, gt=0, description="Weight of non-prose characters.")
    min_penalty: int = Field(default=30, ge=0, description="Least cost of a non-prose line.")
    keep: list[RegexPattern] = Field(
        default_factory=list, description="Lines matching these are kept wherever they are."
    )
    isolation_window: int = Field(
        default=3, ge=0, description="A prose line with no other prose line this close is lone."
    )
    lone_weight: float = Field(
        default=0.5, ge=0, le=1, description="Weight of a lone prose line (a teaser, a caption)."
    )
    list_gap: int = Field(
        default=3, ge=1, description="Most lines from one numbered item to the next."
    )
    list_min_items: int = Field(
        default=3, ge=2, description="Fewest consecutively numbered items that make a list."
    )
    table_weight: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Weight of a short line of a table or a list read a cell per line.",
    )

    def build(self) -> ContentRegionRule:
        return ContentRegionRule(self)


class ContentRegionRule(Rule):
    stage = Stage.STRIP
    finds_region = True
    spec: ContentRegionSpec

    def __init__(self, spec: ContentRegionSpec) -> None:
        super().__init__(spec)
        # Scanned over the text, not searched line by line: a page's text drops a hundred lines
        # or more, and each timed regex call costs more to set up than to match a line.
        self._keep = LineSearch(spec.keep, regex.IGNORECASE) if spec.keep else None

    def _scores(self, content: list[Line]) -> list[float]:
        """Prose lines score their length, other lines a penalty. A prose line cut short with
        an ellipsis scores nothing, and a lone prose line (no other prose line within
        ``isolation_window`` lines: a teaser's summary, a caption) scores ``lone_weight`` of
        its length. Lines of a numbered list (1, 2, 3, ...) score at least nothing, so a list
        inside the article does not split its prose region."""
        spec = self.spec
        prose = [is_prose(line.text, spec.prose_min_chars) for line in content]
        scores: list[float] = []
        for n, line in enumerate(content):
            length = shown_length(line.text)
            if not prose[n]:
                scores.append(-spec.penalty * max(length, spec.min_penalty))
            elif is_truncated(line.text):
                scores.append(0.0)
            else:
                lo, hi = max(n - spec.isolation_window, 0), n + spec.isolation_window + 1
                lone = not any(prose[lo:n]) and not any(prose[n + 1 : hi])
                scores.append(length * (spec.lone_weight if lone else 1.0))
        for first, last in self._numbered_lists(content):
            for n in range(first, last + 1):
                scores[n] = max(scores[n], 0.0)
        # A table or a list written a cell per line (rules/periodic.py): its short lines cost
        # nothing, so it does not split the article around it, and count for ``table_weight``
        # of their length, so that a table ending the article stays with it.
        for first, last in periodic_runs(tuple(line.text for line in content)):
            for n in range(first, last + 1):
                scores[n] = max(scores[n], spec.table_weight * shown_length(content[n].text))
        return scores

    def _numbered_lists(self, content: list[Line]) -> Iterator[tuple[int, int]]:
        """First and last line of each run of items numbered n, n+1, n+2, ..."""
        numbers = [item_number(line.text) for line in content]
        used: set[int] = set()
        for start, number in enumerate(numbers):
            if number is None or start in used:
                continue
            items, expected = [start], number + 1
            while True:
                after = items[-1] + 1
                window = range(after, min(after + self.spec.list_gap, len(content)))
                nxt = next((j for j in window if numbers[j] == expected), None)
                if nxt is None:
                    break
                items.append(nxt)
                expected += 1
            if len(items) >= self.spec.list_min_items:
                used.update(items)
                yield items[0], items[-1]

    def apply(self, doc: Document, ctx: Context) -> Iterator[Cut]:
        lines = doc.lines
        content = doc.content_lines
        best, current = 0.0, 0.0
        start = best_start = best_end = -1
        for n, value in enumerate(self._scores(content)):
            if current <= 0:
                current, start = value, n
            else:
                current += value
            if current > best:
                best, best_start, best_end = current, start, n
        if best_start < 0:
            return  # no prose at all: better to keep the page than to empty it
        for part in (content[:best_start], content[best_end + 1 :]):
            kept = self._kept(doc.text, part, ctx)
            dropped = [n for n, line in enumerate(part) if line.index not in kept]
            for first, last in runs(dropped):
                yield Cut(*block_cut(lines, part[first].index, part[last].index))

    def _kept(self, text: str, part: list[Line], ctx: Context) -> dict[int, str]:
        """The lines of ``part`` (lines of ``text``) that ``keep`` matches, by index."""
        if self._keep is None or not part:
            return {}
        return self._keep.matching_lines(text, part, ctx.regex_budget)
