"""Build rules/models/quote-lexicon.json, what the quote-attribution rule knows of English news
prose, from PolNeAR's train split only (dev is for reporting, and the held-out test split is
never read):

- ``abbreviations``: capitalised words written with a full stop in at least 90% of their
  occurrences and at least 3 times ("Sen.", "Gov.", "Calif.", "Sept."): a full stop after one
  does not end a sentence.
- ``cues``: stems of the words annotators marked as the Cue of an attribution whose Content
  holds a quotation ("said", "told", "adding", "chanted", "according to" …), kept when a stem is
  such a cue at least ``--min-cues`` times and in at least ``--min-share`` of its occurrences in
  the sentences that hold quotations (so "in", "for", "of", now and then part of a cue, are
  left out); and with them the word forms that are such a cue in at least ``STRONG_SHARE`` of
  their occurrences there and whose stem is not a cue ("stated", "stating": the stem "state"
  is mostly the noun near quotations). Chosen by the quote model's cross-validated log loss on
  train: forms at the stems' looser thresholds ("month", "conference") 0.0707, strong forms
  0.0695, stems alone 0.0697;
- ``strong_cues``: the cues that are a cue in at least half of those occurrences ("said",
  "told", "wrote", "vowed"), which the quote-attribution model weighs apart from the rest;
- ``common_words``: the ``COMMON_WORDS`` most frequent words of the articles ("the", "to",
  "said" …), and ``min_common_share``: half the smallest share of an article's words that are
  among them. Text with a smaller share is not in the language all this was learned from, and
  the rule does not judge its quotations (English news: 0.25 to 0.55; other languages mostly
  under 0.1).

    .venv/bin/python -m bench.quote_lexicon
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import regex

from bench import polnear
from copydesk.rules.quote_lexicon import common_share, stem_words, words
from copydesk.rules.sentences import sentence_spans

OUT = Path(__file__).resolve().parents[1] / "rules" / "models" / "quote-lexicon.json"
# Chosen on PolNeAR train: the most precise setting under 5 false flags per 100 articles.
MIN_CUES, MIN_SHARE = 2, 0.1
# A cue that is one in most of its occurrences near quotations ("said", "told", "wrote", "vowed")
# rather than now and then ("also", "then", "call").
STRONG_SHARE = 0.5
COMMON_WORDS = 100

_WORD_WITH_STOP = regex.compile(r"(?<![\p{L}.])(\p{L}{1,6})(\.?)(?![\p{L}.])")
_MARKS = regex.compile(r"[“”\"«»]")
Read = Callable[[str], list[str]]


def abbreviations(articles: list[polnear.Article]) -> frozenset[str]:
    with_stop: Counter[str] = Counter()
    without: Counter[str] = Counter()
    for article in articles:
        for match in _WORD_WITH_STOP.finditer(article.text):
            (with_stop if match.group(2) else without)[match.group(1)] += 1
    return frozenset(
        word
        for word, n in with_stop.items()
        if n >= 3 and n >= 0.9 * (n + without[word]) and word[0].isupper()
    )


def cue_counts(
    articles: list[polnear.Article], known_abbreviations: frozenset[str], read: Read = stem_words
) -> tuple[Counter[str], Counter[str]]:
    """Per stem (per word with ``read=words``): how often it is in the Cue of a quotation's
    attribution, and how often it occurs outside the marks of sentences holding quotations
    (times the article's annotators, each of whom judged every occurrence)."""
    as_cue: Counter[str] = Counter()
    near_quotes: Counter[str] = Counter()
    for article in articles:
        text = article.text
        terms: list[str] = []
        for start, end in sentence_spans(text, known_abbreviations):
            sentence = text[start:end]
            if _MARKS.search(sentence):
                outside = regex.sub(r"[“\"«][^”\"»\n]*[”\"»]", " ", sentence)
                terms.extend(read(outside))
        for annotation in article.annotations:
            near_quotes.update(terms)
            for event in annotation.events:
                contents = [
                    piece
                    for role, span_id in event.items()
                    if role.startswith("Content") and span_id in annotation.spans
                    for piece in annotation.spans[span_id][1]
                ]
                if not any(_MARKS.search(text[a:b]) for a, b in contents):
                    continue
                cue = annotation.spans.get(event.get("Cue", ""))
                if cue is not None:
                    # Names and days in a cue ("said Tuesday", "Cheyenne told") are not cues.
                    cue_words = " ".join(text[a:b] for a, b in cue[1]).split()
                    as_cue.update(set(read(" ".join(w for w in cue_words if w[:1].islower()))))
    return as_cue, near_quotes


def learned_cues(
    as_cue: Counter[str], near_quotes: Counter[str], min_cues: int, min_share: float
) -> tuple[set[str], set[str]]:
    """The terms that are a cue often enough, and those of them that mostly are."""
    cues = {
        term for term, n in as_cue.items() if n >= min_cues and n >= min_share * near_quotes[term]
    }
    return cues, {term for term in cues if as_cue[term] >= STRONG_SHARE * near_quotes[term]}


def common_words(articles: list[polnear.Article]) -> tuple[list[str], float]:
    """The most frequent words, and half the smallest share of an article's words among them."""
    counts = Counter(word for article in articles for word in words(article.text))
    common = [word for word, _ in counts.most_common(COMMON_WORDS)]
    least = min(common_share(article.text, frozenset(common)) for article in articles)
    return sorted(common), round(least / 2, 3)


def build(min_cues: int, min_share: float) -> dict[str, Any]:
    """The lexicon as the rule reads it, learned from PolNeAR train."""
    train = list(polnear.articles("train"))
    common, min_common_share = common_words(train)
    known_abbreviations = abbreviations(train)
    cues, strong = learned_cues(*cue_counts(train, known_abbreviations), min_cues, min_share)
    _, strong_forms = learned_cues(
        *cue_counts(train, known_abbreviations, words), min_cues, min_share
    )
    # A form whose stem is a cue adds nothing; one whose stem is not ("stated") does.
    new_forms = {form for form in strong_forms if stem_words(form)[0] not in cues}
    cues |= new_forms
    strong |= new_forms
    return {
        "built_by": f"python -m bench.quote_lexicon --min-cues {min_cues} --min-share {min_share}",
        "trained_on": "PolNeAR train (840 articles)",
        "abbreviations": sorted(known_abbreviations),
        "cues": sorted(cues),
        "strong_cues": sorted(strong),
        "common_words": common,
        "min_common_share": min_common_share,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-cues", type=int, default=MIN_CUES)
    parser.add_argument("--min-share", type=float, default=MIN_SHARE)
    args = parser.parse_args()
    lexicon = build(args.min_cues, args.min_share)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(lexicon, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"{len(lexicon['cues'])} cues (stems and word forms),"
        f" {len(lexicon['abbreviations'])} abbreviations, text judged from"
        f" {lexicon['min_common_share']} of its words among the {COMMON_WORDS} most common"
        f" -> {OUT}"
    )


if __name__ == "__main__":
    main()
