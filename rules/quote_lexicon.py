"""The quote-attribution rule's knowledge of English news prose, learned from annotated news
(rules/models/quote-lexicon.json, built by ``python -m bench.quote_lexicon``): the stems of
the words that attribute a quotation to someone (and which of them mostly do), and the
abbreviations after which a full stop does not end a sentence."""

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


def stem_words(text: str) -> list[str]:
    """The lower-cased stems of the words of ``text``."""
    if text.isascii():  # where lower-casing the text lower-cases each word, and only those
        found = _ASCII_WORD.findall(text.lower())
    else:
        found = [w.lower() for w in _WORD.findall(text)]
    stems: list[str] = _STEMMER.stemWords(found)
    return stems


@dataclass(frozen=True)
class QuoteLexicon:
    cues: frozenset[str]
    strong_cues: frozenset[str]  # cues in most of their occurrences near quotations
    abbreviations: frozenset[str]


@cache
def builtin_lexicon() -> QuoteLexicon:
    path = resources.files("copydesk.rules") / "models" / "quote-lexicon.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return QuoteLexicon(
        frozenset(data["cues"]), frozenset(data["strong_cues"]), frozenset(data["abbreviations"])
    )
