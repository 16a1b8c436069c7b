"""``quote-attribution``: direct quotations nobody is said to have said. A quotation is
attributed when, outside its marks,

- its sentence, or a sentence within ``window`` of it in its paragraph, holds an attribution
  cue: a word whose stem annotators marked as a cue of quoted speech in PolNeAR's training
  articles (``rules/models/quote-lexicon.json``: said, told, adding, chanted, according to …),
  or a match of the rule's own ``attribution`` patterns;
- a transcript's speaker label opens it ("PENCE: Well, …");
- punctuation ties it to a speaker: a colon or comma before it ("Trump: “…”", "Hillary shot
  back, “…”"), a comma closing it with the sentence going on ("“…,” Oliver barked"), a dash
  and a name after it ("“…” — Ben Jealous", "“…”–@realDonaldTrump", or "- Sanders." as the
  next paragraph), or a bracketed source after it ("“…” [WaPo.]");
- an earlier quotation in its paragraph is attributed (the same speaker goes on);
- it opens a paragraph after one whose last sentence holds a cue, ends with a colon, or ends
  with an attributed quotation (a speaker quoted over several paragraphs), or it goes on from a
  quotation left open there.

Quotations of fewer than ``min_words`` words (scare quotes, terms), titles (most words
capitalised) and partial quotations woven into the writer's sentence (opening with a small
letter: "Trump attacked “the hateful ideology of …”") are not judged. Each unattributed
quotation is a finding with its span, in offsets of the body the engine started from (like
removed spans and credits); every finding carries the article's counts of attributed and
unattributed quotations."""

from __future__ import annotations

from bisect import bisect_right
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
from copydesk.rules.quotations import Quotation, quotations
from copydesk.rules.quote_lexicon import builtin_lexicon
from copydesk.rules.sentences import sentence_spans

# A dash and a name or handle right after a quotation, or opening the next paragraph.
_DASH_AFTER = regex.compile(r"[\s,.]{0,6}[―—–-]+\s*[@\p{Lu}]")
# A bracketed source right after a quotation, as digests credit it ("“…” [WaPo.]").
_SOURCE_AFTER = regex.compile(r"\s{0,3}\[\p{Lu}[^\]\n]{0,40}\]")
# A transcript's speaker label opening the quotation ("PENCE: Well, …").
_SPEAKER_LABEL = regex.compile(r"[“”\"«]\s*\p{Lu}[\p{Lu}.'’ -]{1,40}:")
# A quotation closed by a comma (or ? !) inside its marks: the sentence goes on to its speaker.
_COMMA_CLOSES = regex.compile(r"[,?!]\s*[”\"»]$")


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
        default=True,
        description="Partial quotations opening with a small letter, woven into the writer's"
        " sentence (its subject is the speaker, which the rule cannot parse), are not judged.",
    )
    attribution: list[RegexPattern] = Field(
        default_factory=list,
        description="What else attributes a quote, besides the learned cue words.",
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

    def _attributes(self, text: str, ctx: Context) -> bool:
        if self._lexicon.has_cue(text):
            return True
        return bool(self._patterns and self._patterns.search(text, timeout=ctx.regex_budget()))

    def apply(self, doc: Document, ctx: Context) -> Iterator[Hit]:
        text = doc.text
        if not any(mark in text for mark in '“”"«»'):
            return
        found = quotations(text)
        speech = [self._is_speech(quote.inner(text)) for quote in found]
        if not any(speech):
            return  # most quoted words are names, titles and terms: no sentences needed
        sentences = sentence_spans(text, self._lexicon.abbreviations)
        ends = [end for _, end in sentences]
        judged: list[tuple[Quotation, bool]] = []
        attributed_ends: list[int] = []  # where the attributed quotations so far end
        attributed = False
        for quote, is_speech in zip(found, speech, strict=True):
            if not quote.goes_on:  # one that goes on keeps the verdict of the one it goes on from
                attributed = self._attributed(text, quote, sentences, ends, attributed_ends, ctx)
            if attributed:
                attributed_ends.append(quote.end)
            if is_speech:
                judged.append((quote, attributed))
        unattributed = [quote for quote, attributed in judged if not attributed]
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

    def _attributed(
        self,
        text: str,
        quote: Quotation,
        sentences: list[tuple[int, int]],
        ends: list[int],
        attributed_ends: list[int],
        ctx: Context,
    ) -> bool:
        paragraph_start = text.rfind("\n", 0, quote.start) + 1
        paragraph_end = text.find("\n", quote.end)
        paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
        first = min(bisect_right(ends, quote.start), len(sentences) - 1)
        last = min(bisect_right(ends, quote.end - 1), len(sentences) - 1)
        lo = max(sentences[max(first - self.spec.window, 0)][0], paragraph_start)
        hi = min(sentences[min(last + self.spec.window, len(sentences) - 1)][1], paragraph_end)
        before, after = text[lo : quote.start], text[quote.end : max(hi, quote.end)]
        if self._attributes(before, ctx) or self._attributes(after, ctx):
            return True
        if before.rstrip().endswith((":", ",")) or _DASH_AFTER.match(text, quote.end):
            return True
        if _SOURCE_AFTER.match(text, quote.end):
            return True
        if attributed_ends and attributed_ends[-1] > paragraph_start:
            return True  # the speaker of the paragraph's quotation before goes on
        if _SPEAKER_LABEL.match(text, quote.start, quote.end):
            return True
        if after.strip() and _COMMA_CLOSES.search(text[quote.start : quote.end]):
            return True
        if before.strip() or paragraph_start == 0:
            return False
        # The quotation opens its paragraph: the paragraph before may say who speaks.
        previous = text[:paragraph_start].rstrip()
        if previous.endswith(":") or (attributed_ends and attributed_ends[-1] >= len(previous)):
            return True
        at = min(bisect_right(ends, len(previous) - 1), len(sentences) - 1)
        return self._attributes(text[sentences[at][0] : len(previous)], ctx)
