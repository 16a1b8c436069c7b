"""``line-model``: a second opinion on every line of a text body, learned from pages with gold
article text, given what the strip rules before it decided. It cuts lines the rules kept and
keeps back lines they cut, where the trees (rules/line_model.py) disagree with them: the rules
were written against one set of sites, the trees learned from two, and what they learned
includes how far to trust each rule's decision on a page of a given shape.

Guards keep one wrong reading from costing a whole article: where the model's reading of
the page shares less than ``min_agreement`` of its words with the rules' reading (F1 of the
words of the lines each keeps), the rules' reading stands; and the cuts of the rules named in
``final`` stand whatever the model says (captions: they are kept in ``metadata`` and must not
also stay in the text). Lines holding what the rules captured under the ``keep_captured`` names
(a dateline, a credit line: kept in the text on purpose, and read by the attribution rules)
are never cut. On a text of fewer than ``cuts_from_lines`` non-blank lines the model only keeps
back, and not what the rules named in ``final_on_short_texts`` cut: the pages it learned from
are longer (14 of the 575 with text are under 20 lines), its cuts there gained nothing out of
fold, and on short invented stories they took a paragraph or a brief at a probability that
moved with the fit's random seed. What it keeps back there is mostly what the rules that judge
where the article lies cut (headlines, short paragraphs above or below the region), which
depends on the page; the rules that judge a line by its own words (a share prompt, a
newsletter pitch, an advertisement label) are as right on a short text as on a long one, and
the model, which saw few short pages, kept back their cuts by chance (5 of the 522 lines it
kept back in SemEval-8 train's texts, every one chrome).

In HTML mode the page text is one of the readings the engine votes among (docs/boilerplate.md);
the model does not judge it unless ``html_page_text`` says so: measured out of fold, it traded
AEB dev (0.9719 -> 0.9655) for L3S-GN1 dev (0.9186 -> 0.9268) and cost a seventh of HTML
mode's speed (22.4 against 26.2 AEB pages per CPU second); with the eleventh session's block
model (trained on both sets) the same trade (0.9748 -> 0.9698, 0.9265 -> 0.9317)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import numpy as np
from pydantic import Field

from copydesk.rules.kinds.base import Context, Cut, Document, KeepBack, Rule, RuleSpec, Stage
from copydesk.rules.line_model import builtin_model, judged_lines
from copydesk.rules.lines import Line
from copydesk.rules.trees import Vector


class LineModelSpec(RuleSpec):
    kind: Literal["line-model"]
    min_agreement: float = Field(
        default=0.7,
        ge=0,
        le=1,
        description="Least F1, in words of the lines each keeps, between the model's reading"
        " and the rules' for the model's to be taken.",
    )
    cuts_from_lines: int = Field(
        default=20,
        ge=0,
        description="Least non-blank lines a text needs for the model to cut lines the rules"
        " kept; on a shorter text it only keeps back lines they cut.",
    )
    neighbour_weight: float = Field(
        default=0.2,
        ge=0,
        le=0.5,
        description="Share of the probability of each neighbouring line the rules judged alike"
        " in a line's own: a line the trees are unsure of goes with the lines around it.",
    )
    final: list[str] = Field(
        default_factory=list, description="Rules whose cuts the model never keeps back."
    )
    final_on_short_texts: list[str] = Field(
        default_factory=list,
        description="Rules whose cuts the model does not keep back on a text shorter than"
        " `cuts_from_lines`: those that judge a line by its own words.",
    )
    keep_captured: list[str] = Field(
        default_factory=list,
        description="Names of the `metadata` fields whose lines the model never cuts: what"
        " rules mark as part of the article without removing it (a dateline, a credit line).",
    )
    html_page_text: bool = Field(
        default=False,
        description="Also judge the page text of an HTML article (one of the readings HTML"
        " mode votes among).",
    )

    def build(self) -> LineModelRule:
        return LineModelRule(self)


class LineModelRule(Rule):
    # Last of the strip rules (it reads their decisions): the engine runs a stage's rules in
    # pack order, and this rule ends the built-in pack.
    stage = Stage.STRIP
    spec: LineModelSpec

    def apply(self, doc: Document, ctx: Context) -> Iterator[Cut | KeepBack]:
        if doc.article.text is None and not self.spec.html_page_text:
            return
        view = doc.body
        lines, kept, cut_by = judged_lines(view.original_lines, view.removed)
        if not lines:
            return
        short = len(lines) < self.spec.cuts_from_lines
        if short and not self._may_keep_back(kept, cut_by):
            return  # a short text's kept lines stay, and no cut is the model's to undo
        model = builtin_model()
        probabilities = _with_neighbours(
            model.probabilities(lines, kept, cut_by), kept, self.spec.neighbour_weight
        )
        wanted = (probabilities >= model.keep_above).tolist()
        wanted = [w and by not in self.spec.final for w, by in zip(wanted, cut_by, strict=True)]
        if short:
            wanted = [
                k or (w and by not in self.spec.final_on_short_texts)
                for w, k, by in zip(wanted, kept, cut_by, strict=True)
            ]
        captured = [text for name in self.spec.keep_captured for text in doc.metadata.get(name, [])]
        if captured:
            wanted = [
                w or (k and any(text in line.text for text in captured))
                for line, w, k in zip(lines, wanted, kept, strict=True)
            ]
        if wanted == kept:
            return
        if any(kept) and _agreement(lines, wanted, kept) < self.spec.min_agreement:
            return
        text_end = len(view.original)
        later = [False] * len(lines)  # whether a line after each stays
        for n in range(len(lines) - 2, -1, -1):
            later[n] = later[n + 1] or wanted[n + 1]
        earlier = False  # whether a line before this one stays
        for n, (line, w, k) in enumerate(zip(lines, wanted, kept, strict=True)):
            if w and not k:
                # With the line breaks and blank lines that part it from the lines around it
                # that stay: a rule's cut took them with the line.
                start = lines[n - 1].end if earlier else line.start
                yield KeepBack(start, lines[n + 1].start if later[n] else line.end)
            elif k and not w:
                # Up to the next non-blank line, so the blank lines of a cut paragraph go too.
                end = lines[n + 1].start if n + 1 < len(lines) else text_end
                yield from (Cut(a, b) for a, b in view.current_spans(line.start, end))
            earlier = earlier or w

    def _may_keep_back(self, kept: list[bool], cut_by: list[str]) -> bool:
        """Whether a short text has a line the model may keep back: one that a rule outside
        ``final`` and ``final_on_short_texts`` cut. A third of clean article bodies (AEB dev's,
        as ``bench.speed`` streams them) have none, and there the trees need not be read."""
        fixed = {*self.spec.final, *self.spec.final_on_short_texts}
        return any(not k and by not in fixed for k, by in zip(kept, cut_by, strict=True))


def _with_neighbours(probabilities: Vector, kept: list[bool], weight: float) -> Vector:
    """Each line's probability blended with those of the lines just above and below it that
    the rules judged as they judged it, each weighing ``weight`` (a first or last line stands
    in for its missing neighbour). The trees read a line's neighbours' shape, not their
    verdicts; this adds the verdicts within a stretch the rules treat alike, not across the
    rules' cuts (a heading cut between two kept paragraphs is not of their kind)."""
    n = len(probabilities)
    if n < 2 or weight == 0:
        return probabilities
    rules = np.asarray(kept, dtype=bool)
    index = np.arange(n)
    blended = probabilities.copy()
    for neighbour in (np.maximum(index - 1, 0), np.minimum(index + 1, n - 1)):
        alike = weight * (rules[neighbour] == rules)
        blended += alike * (probabilities[neighbour] - probabilities)
    return blended


def _agreement(lines: list[Line], ours: list[bool], theirs: list[bool]) -> float:
    """F1 of two readings of the same lines, counted in words: the words of the lines both
    keep against the words each keeps."""
    both = sum(line.words for line, a, b in zip(lines, ours, theirs, strict=True) if a and b)
    total = sum(line.words for line, a in zip(lines, ours, strict=True) if a) + sum(
        line.words for line, b in zip(lines, theirs, strict=True) if b
    )
    return 2 * both / total if total else 1.0
