"""``wire-style``: wire copy published by someone else with its wire named nowhere — the
wire's only credit is its house style (its sign-off, its contact lines: the ``credits`` rule's
``house_styles``), the stripped copy of a wire story. An article whose dateline, byline or
credit line names any source is signed, and not judged by style."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import model_validator

from copydesk.rules.identity import source_name
from copydesk.rules.kinds.base import Context, Document, Hit, Rule, RuleSpec, Stage


class WireStyleSpec(RuleSpec):
    kind: Literal["wire-style"]

    @model_validator(mode="before")
    @classmethod
    def _styles_moved(cls, data: Any) -> Any:
        # Packs written before the styles became credits name them here: say where they went.
        if isinstance(data, dict) and "styles" in data:
            raise ValueError(
                "`styles` moved to the `credits` rule, as `house_styles`: a wire's house style"
                " is a credit of it, and this rule warns when it is the wire's only one"
            )
        return data

    def build(self) -> WireStyleRule:
        return WireStyleRule(self)


class WireStyleRule(Rule):
    stage = Stage.ATTRIBUTION
    needs = ("credits",)
    spec: WireStyleSpec

    def apply(self, doc: Document, ctx: Context) -> Iterator[Hit]:
        if any(c.where in ("dateline", "byline", "credit-line") for c in doc.credits):
            return  # signed by some source: a house style proves nothing about another
        publisher = source_name(doc.article.source or "")
        # A source that only received a statement ("told Reuters") is not credited with the story.
        named = {source_name(c.source) for c in doc.credits if c.where == "text"}
        for credit in doc.credits:
            source = source_name(credit.source)
            if credit.where == "house-style" and source != publisher and source not in named:
                yield Hit(
                    {"uncredited_source": credit.source, "style": credit.text[:200]},
                    kind="missing-attribution",
                    message=f"Written in {credit.source}'s house style, with no credit to"
                    f" {credit.source}",
                )
