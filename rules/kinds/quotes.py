"""``quote-attribution``: direct quotations nobody is said to have said. Each quotation of
``min_words`` words or more that is not a title is judged from what rules/quote_features.py
reads around it:

- the signals that tie it to a speaker: a cue word (``rules/models/quote-lexicon.json``: said,
  told, adding, chanted, according to …, or a match of the rule's own ``attribution``
  patterns) before or after it in its sentence or in the sentence either side in its
  paragraph (``window``); a colon or comma before it; a comma closing it with the sentence
  going on; a dash and a name, or a bracketed source, after it; a transcript's speaker label
  opening it; an earlier quotation of its paragraph with a speaker; and, when it opens its
  paragraph, a paragraph before ending with a colon, a quotation with a speaker, or a cue;
- what it looks like: its length, its share of capitalised words, a small first letter (a
  partial quotation woven into the writer's sentence), a closing full stop, a question, first
  and second-person pronouns, whether it fills its paragraph or opens its sentence, and markup
  or links in its paragraph (embedded tweets, digests of links).

One that opens with a capital and has no signal at all is unattributed; any other is judged by
a logistic model learned from PolNeAR's training articles (rules/quote_model.py,
rules/models/quote-attribution.json). Each unattributed quotation is a finding with its span,
in offsets of the body the engine started from (like removed spans and credits); every finding
carries the article's counts of attributed and unattributed quotations. Titles (most words
capitalised) are names, not speech, and are not judged; nor is text in another language than
the one the lexicon and the model were learned from (``QuoteLexicon.reads``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

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
from copydesk.rules.line_joins import joined_lines
from copydesk.rules.quotations import Quotation, quotations
from copydesk.rules.quote_features import (
    Features,
    continues_a_speaker,
    features_of_quotations,
    stands_alone,
)
from copydesk.rules.quote_lexicon import builtin_lexicon
from copydesk.rules.quote_model import builtin_model


class QuoteAttributionSpec(RuleSpec):
    kind: Literal["quote-attribution"]
    window: int = Field(
        default=1, ge=0, description="Sentences either side, in the paragraph, that may attribute."
    )
    min_words: int = Field(default=4, ge=1, description="Shorter quotes (terms, names) pass.")
    skip_titles: bool = Field(
        default=True, description="Quoted titles (most words capitalised) are not quotations."
    )
    skip_fragments: bool = Field(
        default=False,
        description="Leave alone partial quotations opening with a small letter, woven into the"
        " writer's sentence (by default the model judges them like any other).",
    )
    attribution: list[RegexPattern] = Field(
        default_factory=list,
        description="What else counts as a cue word, besides the learned ones.",
    )

    def build(self) -> QuoteAttributionRule:
        return QuoteAttributionRule(self)


class QuoteAttributionRule(Rule):
    stage = Stage.ATTRIBUTION
    spec: QuoteAttributionSpec

    def __init__(self, spec: QuoteAttributionSpec) -> None:
        super().__init__(spec)
        self._lexicon = builtin_lexicon()
        self._patterns = any_of(spec.attribution) if spec.attribution else None

    def _is_speech(self, quoted: str) -> bool:
        words = quoted.split()
        if len(words) < self.spec.min_words:
            return False
        if self.spec.skip_fragments and words[0][:1].islower():
            return False
        capitalised = sum(1 for w in words if w[:1].isupper())
        return not (self.spec.skip_titles and capitalised >= 0.6 * len(words))

    def judged(self, text: str, ctx: Context | None = None) -> list[tuple[Quotation, Features]]:
        """The quotations of ``text`` the rule judges, with their features (what the model
        is trained on, by bench/quote_model.py)."""
        if not any(mark in text for mark in '“”"«»'):
            return []
        # A speaker cut off from their quotation by a line break a link left behind ("told
        # People\n. \n“The main …"), or by a hard wrap, is still in the quotation's paragraph.
        text = joined_lines(text)
        found = quotations(text)
        speech = [self._is_speech(quote.inner(text)) for quote in found]
        if not any(speech):
            return []  # most quoted words are names, titles and terms: no sentences needed
        patterns = self._patterns

        def extra_cue(span: str) -> bool:
            budget = ctx.regex_budget() if ctx is not None else None
            return bool(patterns and patterns.search(span, timeout=budget))

        return features_of_quotations(
            text, found, speech, self._lexicon, self.spec.window, extra_cue if patterns else None
        )

    def apply(self, doc: Document, ctx: Context) -> Iterator[Hit]:
        text = doc.text
        judged = self.judged(text, ctx)
        if not judged:
            return
        model = builtin_model()
        unattributed = [
            quote
            for quote, features in judged
            if not continues_a_speaker(features)
            and (stands_alone(features) or model.unattributed(features))
        ]
        # The cues and the model know English news: in another language every quotation
        # would look unattributed, so the rule says nothing there. Asked last: reading the
        # language takes every word of the text, and most articles have no quotation to
        # report (70 of 621 with quotations judged, in 1,000 bench.corpus articles).
        if not unattributed or not self._lexicon.reads(text):
            return
        counts = {
            "attributed_quotes": len(judged) - len(unattributed),
            "unattributed_quotes": len(unattributed),
        }
        for quote in unattributed:
            yield Hit(
                {
                    "quote": text[quote.start : quote.end][:300],
                    "start": doc.body.to_original(quote.start),
                    "end": doc.body.to_original(quote.end - 1) + 1,
                    **counts,
                },
                kind="unattributed-quote",
            )
