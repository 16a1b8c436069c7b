"""``wire-style``: text in a wire service's house style (its credit-line form, its contact
lines) published by someone else with no credit to that wire left — stripped wire copy. An
article whose dateline, byline or credit line names any source is signed, and not judged by
style."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import regex
from pydantic import BaseModel, ConfigDict, Field

from rules.kinds.base import (
    Context,
    Document,
    Hit,
    RegexPattern,
    Rule,
    RuleSpec,
    Stage,
    any_of,
)


class HouseStyle(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1, description="The wire whose style this is.")
    patterns: list[RegexPattern] = Field(min_length=1, description="Searched line by line.")


class WireStyleSpec(RuleSpec):
    kind: Literal["wire-style"]
    styles: list[HouseStyle] = Field(min_length=1)

    def build(self) -> WireStyleRule:
        return WireStyleRule(self)


class WireStyleRule(Rule):
    stage = Stage.ATTRIBUTION
    needs = ("credits",)
    spec: WireStyleSpec

    def __init__(self, spec: WireStyleSpec) -> None:
        super().__init__(spec)
        self._styles = [(style.source, any_of(style.patterns, regex.M)) for style in spec.styles]

    def apply(self, doc: Document, ctx: Context) -> Iterator[Hit]:
        if any(c.where != "text" for c in doc.credits):
            return  # signed by some source: its house style proves nothing about another
        publisher = " ".join((doc.article.source or "").split()).casefold()
        credited = {" ".join(c.source.split()).casefold() for c in doc.credits}
        for source, pattern in self._styles:
            name = " ".join(source.split()).casefold()
            if name == publisher or name in credited:
                continue
            match = pattern.search(doc.text, timeout=ctx.regex_budget())
            if match is not None:
                yield Hit(
                    {"uncredited_source": source, "style": match.group(0)[:200]},
                    kind="missing-attribution",
                    message=f"Written in {source}'s house style, with no credit to {source}",
                )
