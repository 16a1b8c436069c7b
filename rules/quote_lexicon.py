"""The quote-attribution rule's knowledge of English news prose, learned from annotated news
(rules/models/quote-lexicon.json, built by ``python -m bench.quote_lexicon``): the stems of
the words that attribute a quotation to someone (and which of them mostly do), the word forms
that do where their stem mostly does not ("stated", whose stem "state" is mostly the noun), the
abbreviations after which a full stop does not end a sentence, and the language's most common
words, which tell whether a text is in it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import regex
import Stemmer

_STEMMER = Stemmer.Stemmer("english")
_WORD = regex.compile(r"\p{L}+(?:['’]\p{L}+)?")
# The same words in ASCII text, found by the standard library's engine a sixth faster.
_ASCII_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


def words(text: str) -> list[str]:
    """The lower-cased words of ``text``."""
    if text.isascii():  # where lower-casing the text lower-cases each word, and only those
        found: list[str] = _ASCII_WORD.findall(text.lower())
        return found
    return [w.lower() for w in _WORD.findall(text)]


def stem_words(text: str) -> list[str]:
    """The lower-cased stems of the words of ``text``."""
    stems: list[str] = _STEMMER.stemWords(words(text))
    return stems


def cue_terms(text: str) -> frozenset[str]:
    """The stems of the words of ``text`` and the words themselves: a cue is learned as either
    (``QuoteLexicon.cues``)."""
    found = words(text)
    return frozenset([*found, *_STEMMER.stemWords(found)])


def common_share(text: str, common: frozenset[str]) -> float:
    """The share of the words of ``text`` that are in ``common``; 0 for a text without words."""
    found = words(text)
    return sum(word in common for word in found) / len(found) if found else 0.0


@dataclass(frozen=True)
class QuoteLexicon:
    cues: frozenset[str]  # stems, and word forms whose stem is not a cue (see ``cue_terms``)
    strong_cues: frozenset[str]  # cues in most of their occurrences near quotations
    abbreviations: frozenset[str]
    common_words: frozenset[str]  # the most frequent words of the articles learned from
    min_common_share: float  # below it, a text is not in their language

    def reads(self, text: str) -> bool:
        """Whether ``text`` is in the language the lexicon was learned from: enough of its
        words are that language's most common ones."""
        return common_share(text, self.common_words) >= self.min_common_share


@cache
def builtin_lexicon() -> QuoteLexicon:
    path = resources.files("copydesk.rules") / "models" / "quote-lexicon.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return QuoteLexicon(
        frozenset(data["cues"]),
        frozenset(data["strong_cues"]),
        frozenset(data["abbreviations"]),
        frozenset(data["common_words"]),
        float(data["min_common_share"]),
    )
