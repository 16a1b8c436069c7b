"""``wire-style``: text in a wire service's house style (its credit-line form, its contact
lines) published by someone else with no credit to that wire left — stripped wire copy. An
article whose dateline, byline or credit line names any source is signed, and not judged by
style."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import regex
from pydantic import BaseModel, ConfigDict, Field

from copydesk.rules.kinds.base import (
    Context,
    Document,
    Hit,
    RegexPattern,
    Rule,
    RuleSpec,
    Stage,
    any_of,
)
from copydesk.rules.kinds.duplicates import AUTHOR_CREDITS
from copydesk.rules.line_search import AtLineStarts, anchored_at_start, sees_past_its_line


class HouseStyle(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1, description="The wire whose style this is.")
    patterns: list[RegexPattern] = Field(min_length=1, description="Searched line by line.")


class WireStyleSpec(RuleSpec):
    kind: Literal["wire-style"]
    styles: list[HouseStyle] = Field(min_length=1)

    def build(self) -> WireStyleRule:
        return WireStyleRule(self)


class _StyleSearch:
    """Finds the first place a house style's patterns match a text (``regex.MULTILINE``).
    Patterns that all start with ``^`` (the default packs' do) are tried at line starts only,
    in a quarter of the time."""

    def __init__(self, patterns: list[str]) -> None:
        self._anywhere = any_of(patterns, regex.MULTILINE)
        fast = all(anchored_at_start(p) and not sees_past_its_line(p) for p in patterns)
        self._at_line_starts = (
            AtLineStarts(self._anywhere.pattern, self._anywhere.flags) if fast else None
        )

    def first(self, text: str, timeout: float) -> str | None:
        if self._at_line_starts is not None:
            span = next(self._at_line_starts.spans(text, 0, len(text), timeout), None)
            return None if span is None else text[span[0] : span[1]]
        match = self._anywhere.search(text, timeout=timeout)
        return None if match is None else match.group(0)


class WireStyleRule(Rule):
    stage = Stage.ATTRIBUTION
    needs = ("credits",)
    spec: WireStyleSpec

    def __init__(self, spec: WireStyleSpec) -> None:
        super().__init__(spec)
        self._styles = [(style.source, _StyleSearch(style.patterns)) for style in spec.styles]

    def apply(self, doc: Document, ctx: Context) -> Iterator[Hit]:
        if any(c.where in AUTHOR_CREDITS for c in doc.credits):
            return  # signed by some source: its house style proves nothing about another
        publisher = " ".join((doc.article.source or "").split()).casefold()
        credited = {
            " ".join(c.source.split()).casefold() for c in doc.credits if c.where != "interview"
        }
        for source, search in self._styles:
            name = " ".join(source.split()).casefold()
            if name == publisher or name in credited:
                continue
            found = search.first(doc.text, ctx.regex_budget())
            if found is not None:
                yield Hit(
                    {"uncredited_source": source, "style": found[:200]},
                    kind="missing-attribution",
                    message=f"Written in {source}'s house style, with no credit to {source}",
                )
