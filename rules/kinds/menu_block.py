"""``menu-block``: runs of short, title-like lines that do not end like sentences — navigation,
section lists, tag clouds, share bars — recognised by their shape, not their words."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from copydesk.rules.kinds.base import Context, Cut, Document, Rule, RuleSpec, Stage
from copydesk.rules.lines import Line, block_cut
from copydesk.rules.periodic import periodic_runs
from copydesk.rules.prose import is_headline_like


class MenuBlockSpec(RuleSpec):
    kind: Literal["menu-block"]
    max_words: int = Field(default=6, ge=1, description="A menu line has at most this many words.")
    min_lines: int = Field(default=3, ge=2, description="Shortest run that counts as a menu.")

    def build(self) -> MenuBlockRule:
        return MenuBlockRule(self)


class MenuBlockRule(Rule):
    stage = Stage.STRIP
    spec: MenuBlockSpec

    def apply(self, doc: Document, ctx: Context) -> Iterator[Cut]:
        content = doc.content_lines
        if not any(self._runs(content, set())):
            return  # most texts: no menu, and no table to look for
        # A table or a list read a cell per line (rules/periodic.py) is made of short lines too.
        tabled = {
            content[n].index
            for first, last in periodic_runs(tuple(line.text for line in content))
            for n in range(first, last + 1)
        }
        for run in self._runs(content, tabled):
            yield Cut(*block_cut(doc.lines, run[0], run[-1]))

    def _runs(self, content: list[Line], tabled: set[int]) -> Iterator[list[int]]:
        """The indices of each run of at least ``min_lines`` menu lines (blank lines between)
        among ``content``, the lines in ``tabled`` ending a run."""
        run: list[int] = []
        for line in [*content, None]:
            if (
                line is not None
                and line.index not in tabled
                and is_headline_like(line.text, self.spec.max_words)
            ):
                run.append(line.index)
                continue
            if len(run) >= self.spec.min_lines:
                yield run
            run = []
