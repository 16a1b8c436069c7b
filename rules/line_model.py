"""The line model: gradient-boosted trees over the features of rules/line_features.py giving the
probability that a non-blank line of a text body belongs to the article, given what the strip
rules made of the page. Trees, threshold and the words' odds are learned from both dev sets,
AEB and L3S-GN1 (rules/models/line-model.json, built by ``python -m bench.line_model``; its
``--folds`` mode reports it out of fold); evaluated by rules/trees.py."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from copydesk.rules.line_features import FEATURES, line_features
from copydesk.rules.lines import Line
from copydesk.rules.records import Span
from copydesk.rules.trees import TreeModel, Vector, model_json

MODEL_VARIABLE = "COPYDESK_LINE_MODEL"


@dataclass(frozen=True)
class LineModel(TreeModel):
    features = FEATURES
    name = "line model"

    def probabilities(self, lines: list[Line], kept: list[bool], cut_by: list[str]) -> Vector:
        """The probability that each of ``lines`` (non-blank, as ``judged_lines`` gives them)
        is article text."""
        return self.trees.probabilities(line_features(lines, kept, cut_by, self.word_odds))


def judged_lines(
    text_lines: list[Line], removed: list[Span]
) -> tuple[list[Line], list[bool], list[str]]:
    """The non-blank lines of a text (``text_lines``: its lines, as ``split_lines`` gives
    them), whether the rules that cut ``removed`` (spans in the text's offsets) kept each (a
    line counts as kept when less than half of it was cut), and the rule that cut most of
    each ("" where none did)."""
    lines = [line for line in text_lines if not line.blank]
    spans = sorted(removed, key=lambda span: span.start)
    kept: list[bool] = []
    cut_by: list[str] = []
    first = 0  # lines and spans both run in text order: one pass over each
    for line in lines:
        while first < len(spans) and spans[first].end <= line.start:
            first += 1
        cut, most, by = 0, 0, ""
        for span in spans[first:]:
            if span.start >= line.end:
                break
            overlap = min(span.end, line.end) - max(span.start, line.start)
            cut += overlap
            if overlap > most:
                most, by = overlap, span.rule
        kept.append(2 * cut < line.end - line.start)
        cut_by.append(by)
    return lines, kept, cut_by


@cache
def builtin_model() -> LineModel:
    """The shipped model, or the one ``COPYDESK_LINE_MODEL`` names (a model built by
    ``bench.line_model`` on other pages)."""
    return LineModel.from_json(model_json(MODEL_VARIABLE, "line-model.json"))
