"""What the quote-attribution model sees of a quotation: the signals that tie it to a speaker
(a cue word near it, punctuation, a transcript label, the speaker of an earlier quotation) and
what the quotation itself looks like (length, capitals, pronouns, markup around it), as named
features. The model (rules/quote_model.py) weighs them; its weights are learned from PolNeAR
train by ``python -m bench.quote_model``, which computes the features with this same module.

A feature is a name and a value; absent names are 0. (The words just before and after the
marks, tried as features, made the model worse on held-out folds of train: too few examples.)"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

import regex

from copydesk.rules.quotations import Quotation
from copydesk.rules.quote_lexicon import QuoteLexicon, cue_terms
from copydesk.rules.sentences import sentence_spans

# A dash and a name or handle right after a quotation, or opening the next paragraph.
_DASH_AFTER = regex.compile(r"[\s,.]{0,6}[―—–-]+\s*[@\p{Lu}]")
# A bracketed source right after a quotation, as digests credit it ("“…” [WaPo.]").
_SOURCE_AFTER = regex.compile(r"\s{0,3}\[\p{Lu}[^\]\n]{0,40}\]")
# A transcript's speaker label opening the quotation ("PENCE: Well, …").
_SPEAKER_LABEL = regex.compile(r"[“”\"«]\s*\p{Lu}[\p{Lu}.'’ -]{1,40}:")
# A speaker's name, perhaps with a dash and an organisation, opening the quotation's paragraph
# as a broadcast transcript labels its speakers ("George Diller - NASA “We've been …").
_NAME_LABEL = regex.compile(
    r"\s*\p{Lu}[\p{L}.'’]*(?:\s+\p{Lu}[\p{L}.'’]*){1,3}"
    r"(?:\s*[―—–-]\s*[\p{Lu}&][\p{L}.&'’]*(?:\s+[\p{Lu}&][\p{L}.&'’]*){0,4})?\s*"
)
# A quotation closed by a comma (or ? !) inside its marks: the sentence goes on to its speaker.
_COMMA_CLOSES = regex.compile(r"[,?!]\s*[”\"»]$")
_SENTENCE_CLOSES = regex.compile(r"[.?!…]\s*[”\"»]?$")
_FIRST_PERSON = frozenset({"i", "i'm", "i’m", "me", "my", "we", "we're", "we’re", "us", "our"})
_SECOND_PERSON = frozenset({"you", "your", "you're", "you’re"})
# Signals that say where the quotation stands, not who speaks it.
_PLACE_ONLY = frozenset({"opens paragraph", "goes on"})
_SIGNALS = frozenset(
    {
        "cue in sentence before",
        "cue in sentence after",
        "cue in sentence before it",
        "cue in sentence after it",
        "strong cue in sentence",
        "strong cue in sentence either side",
        "colon before",
        "comma before",
        "dash after",
        "source after",
        "speaker label",
        "name label before",
        "comma closes",
        "earlier quotation attributed",
        "goes on",
        "opens paragraph",
        "paragraph before ends with colon",
        "last quotation of paragraph before attributed",
        "goes on from attributed quotation",
        "cue at end of paragraph before",
    }
)
_MARKUP = regex.compile(r"</?\w+[^>\n]*>|pic\.twitter|https?://")

Features = dict[str, float]


@dataclass(frozen=True)
class QuoteText:
    """A text with its sentences and paragraphs found once, for every quotation in it."""

    text: str
    sentences: list[tuple[int, int]]
    ends: list[int]
    # Cue terms of text[lo:hi]: the quotations of a paragraph look at the same sentences around
    # them.
    _terms: dict[tuple[int, int], frozenset[str]] = field(
        default_factory=dict, init=False, compare=False
    )

    def terms(self, lo: int, hi: int) -> frozenset[str]:
        found = self._terms.get((lo, hi))
        if found is None:
            found = self._terms[lo, hi] = cue_terms(self.text[lo:hi])
        return found

    def sentence_at(self, at: int) -> int:
        return min(bisect_right(self.ends, at), len(self.sentences) - 1)

    def paragraph(self, start: int, end: int) -> tuple[int, int]:
        paragraph_end = self.text.find("\n", end)
        return self.text.rfind("\n", 0, start) + 1, (
            len(self.text) if paragraph_end < 0 else paragraph_end
        )


def speaker_signals(
    doc: QuoteText,
    quote: Quotation,
    lexicon: QuoteLexicon,
    quote_ends: list[int],
    attributed_ends: list[int],
    window: int,
    extra_cue: Callable[[str], bool] | None = None,
) -> Features:
    """The signals that tie ``quote`` to a speaker, each 1 when present. ``quote_ends``: where
    the quotations before it end; ``attributed_ends``: where those that have a signal end;
    ``extra_cue``: what counts as a cue besides the lexicon's words."""

    def terms_and_cue(lo: int, hi: int) -> tuple[frozenset[str], bool]:
        terms = doc.terms(lo, hi)
        found = not lexicon.cues.isdisjoint(terms) or bool(extra_cue and extra_cue(text[lo:hi]))
        return terms, found

    text = doc.text
    paragraph_start, paragraph_end = doc.paragraph(quote.start, quote.end)
    first, last = doc.sentence_at(quote.start), doc.sentence_at(quote.end - 1)
    own_lo = max(doc.sentences[first][0], paragraph_start)
    own_hi = min(doc.sentences[last][1], paragraph_end)
    lo = max(doc.sentences[max(first - window, 0)][0], paragraph_start)
    hi = min(doc.sentences[min(last + window, len(doc.sentences) - 1)][1], paragraph_end)
    before, after = text[own_lo : quote.start], text[quote.end : max(own_hi, quote.end)]
    before_terms, cue_before = terms_and_cue(own_lo, quote.start)
    after_terms, cue_after = terms_and_cue(quote.end, max(own_hi, quote.end))
    prior_terms, cue_prior = terms_and_cue(lo, own_lo)
    next_terms, cue_next = terms_and_cue(max(own_hi, quote.end), max(hi, quote.end))
    strong = lexicon.strong_cues
    signals = {
        "cue in sentence before": cue_before,
        "cue in sentence after": cue_after,
        "cue in sentence before it": cue_prior,
        "cue in sentence after it": cue_next,
        "strong cue in sentence": not strong.isdisjoint(before_terms | after_terms),
        "strong cue in sentence either side": not strong.isdisjoint(prior_terms | next_terms),
        "colon before": before.rstrip().endswith(":"),
        "comma before": before.rstrip().endswith(","),
        "dash after": _DASH_AFTER.match(text, quote.end) is not None,
        "source after": _SOURCE_AFTER.match(text, quote.end) is not None,
        "speaker label": _SPEAKER_LABEL.match(text, quote.start, quote.end) is not None,
        "name label before": quote.start > paragraph_start
        and _NAME_LABEL.fullmatch(text, paragraph_start, quote.start) is not None,
        "comma closes": bool(after.strip())
        and _COMMA_CLOSES.search(text[quote.start : quote.end]) is not None,
        "earlier quotation attributed": bool(attributed_ends)
        and attributed_ends[-1] > paragraph_start,
        "goes on": quote.goes_on,
    }
    opens = not text[paragraph_start : quote.start].strip() and paragraph_start > 0
    signals["opens paragraph"] = opens
    if opens:
        previous = text[:paragraph_start].rstrip()
        at = doc.sentence_at(len(previous) - 1)
        signals["paragraph before ends with colon"] = previous.endswith(":")
        # A quotation going on in a paragraph of its own after one with a speaker, whether
        # the paragraph before ends with the quotation or with its speaker ('…," she added.').
        earlier = bisect_right(quote_ends, paragraph_start)
        last_before = quote_ends[earlier - 1] if earlier else -1
        signals["last quotation of paragraph before attributed"] = (
            last_before > doc.paragraph(len(previous) - 1, len(previous))[0]
            and last_before in attributed_ends
        )
        signals["cue at end of paragraph before"] = terms_and_cue(
            doc.sentences[at][0], len(previous)
        )[1]
    return {name: 1.0 for name, present in signals.items() if present}


def has_speaker_signal(features: Features) -> bool:
    """Whether any signal in ``features`` ties the quotation to a speaker."""
    return not (_SIGNALS - _PLACE_ONLY).isdisjoint(features)


def continues_a_speaker(features: Features) -> bool:
    """A quotation opening its paragraph after a paragraph whose last quotation has a speaker,
    or going on from one left open: news prose goes on quoting that speaker so, with no new
    attribution. Attributed by that
    convention, whatever the model would say: PolNeAR's annotators often left such quotations
    without a source (a speaker already the Source of one attribution is not marked again),
    and a model learned from them takes the convention for its opposite."""
    return (
        "last quotation of paragraph before attributed" in features
        or "goes on from attributed quotation" in features
    )


def stands_alone(features: Features) -> bool:
    """A quotation that opens with a capital and has no signal of a speaker: unattributed
    whatever else it looks like. (A partial quotation with none is left to the model: its
    speaker is mostly the subject of the writer's sentence, which no signal sees.)"""
    return not has_speaker_signal(features) and "opens small" not in features


def quotation_features(doc: QuoteText, quote: Quotation, signals: Features) -> Features:
    """``signals`` with what the quotation looks like and what stands around it."""
    text = doc.text
    quoted = quote.inner(text)
    words = quoted.split()
    lowered = [w.lower().strip(".,;:!?…—–-()") for w in words]
    capitalised = sum(1 for w in words if w[:1].isupper()) / len(words)
    paragraph_start, paragraph_end = doc.paragraph(quote.start, quote.end)
    paragraph = text[paragraph_start:paragraph_end]
    sentence_start = max(doc.sentences[doc.sentence_at(quote.start)][0], paragraph_start)
    before = text[sentence_start : quote.start]
    features = dict(signals)
    features |= {
        "log words": math.log(len(words)),
        "capitalised share": capitalised,
        "opens small": float(words[0][:1].islower()),
        "closes a sentence": float(_SENTENCE_CLOSES.search(quoted) is not None),
        "question": float("?" in quoted),
        "first person": float(any(w in _FIRST_PERSON for w in lowered)),
        "second person": float(any(w in _SECOND_PERSON for w in lowered)),
        "whole paragraph": float(len(quoted) >= 0.8 * len(paragraph.strip())),
        "nothing before in sentence": float(not before.strip()),
        "markup or link in paragraph": float(_MARKUP.search(paragraph) is not None),
    }
    return {name: value for name, value in features.items() if value}


def features_of_quotations(
    text: str,
    found: list[Quotation],
    judged: list[bool],
    lexicon: QuoteLexicon,
    window: int,
    extra_cue: Callable[[str], bool] | None = None,
) -> list[tuple[Quotation, Features]]:
    """The features of each quotation ``found`` in ``text`` that is ``judged``, in order. Every
    quotation with a signal, judged or not, lets the next ones of its paragraph (and the one
    opening the next paragraph) go on with its speaker; one that goes on from a quotation left
    open keeps that one's standing."""
    sentences = sentence_spans(text, lexicon.abbreviations)
    doc = QuoteText(text, sentences, [end for _, end in sentences])
    quote_ends: list[int] = []
    attributed_ends: list[int] = []
    tied = False
    out = []
    for quote, is_judged in zip(found, judged, strict=True):
        signals = speaker_signals(
            doc, quote, lexicon, quote_ends, attributed_ends, window, extra_cue
        )
        if not quote.goes_on:
            tied = has_speaker_signal(signals)
        elif tied:
            signals["goes on from attributed quotation"] = 1.0
        quote_ends.append(quote.end)
        if tied:
            attributed_ends.append(quote.end)
        if is_judged:
            out.append((quote, quotation_features(doc, quote, signals)))
    return out
