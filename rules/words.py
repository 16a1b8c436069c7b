"""The words of a page's lines, found in numpy from each character's classes, and what learned
odds say of them: shared by the line model's features (text mode) and the block model's (HTML
mode). A word is a run of four word characters or more, lower-cased (what
``regex.findall(r"\\w{4,}", text.lower())`` finds), so that "the" and "and" do not count."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import count

import numpy as np
import numpy.typing as npt
import regex

Matrix = npt.NDArray[np.float64]
Indices = npt.NDArray[np.int64]

_TERM_CHARS = 4
ODDS_FEATURES = ("word_odds_least", "word_odds_mean", "word_odds_most", "word_odds_known")

# A character's classes, one bit each, per code point: filled in as characters are first met
# (1.1 MB; nearly every text meets the same few hundred). ``TERM``: a word character as the
# regex module's ``\w`` has it (with combining marks, unlike Python's ``isalnum``): what
# words are made of.
WORD, CAPITAL, FIGURE, MARK, TERM = 1, 2, 4, 8, 16
_UNSEEN = 0xFF
_CLASSES = np.full(0x110000, _UNSEEN, np.uint8)
_TERM_CHAR = regex.compile(r"\w")


def _class_bits(chars: Sequence[str]) -> list[int]:
    """Per character: word character, capital, figure, mark (neither word nor space), term
    character."""
    return [
        (WORD if (word := ch.isalnum() or ch == "_") else 0)
        | (CAPITAL if ch.isupper() else 0)
        | (FIGURE if ch.isdecimal() else 0)
        | (MARK if not word and not ch.isspace() else 0)
        | (TERM if _TERM_CHAR.match(ch) else 0)
        for ch in chars
    ]


def char_classes(text: str) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint8]]:
    """Each character's code point and its classes (a character met for the first time is
    classified then)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    classes = _CLASSES.take(codes)
    unseen = classes == _UNSEEN
    if unseen.any():
        new = np.unique(codes[unseen])
        _CLASSES[new] = _class_bits([chr(code) for code in new.tolist()])
        classes = _CLASSES.take(codes)
    return codes, classes


@dataclass(frozen=True)
class LineTerms:
    """The words of a page's lines: each (line, word) pair once, in line order."""

    line: Indices
    term: Indices  # the word's number: ``names[term]``
    names: list[str]
    distinct: Matrix  # per line, how many distinct words it has


def line_terms(text: str, n: int) -> LineTerms:
    """The words of the ``n`` lines of ``text`` (joined by line breaks)."""
    line_of, term_of, names = _terms(text.lower())
    terms = max(len(names), 1)
    pairs = np.unique(line_of * terms + term_of)  # each word once per line
    line, term = pairs // terms, pairs % terms
    return LineTerms(line, term, names, np.bincount(line, minlength=n).astype(np.float64))


def odds_columns(words: LineTerms, word_odds: Mapping[str, float]) -> dict[str, Matrix]:
    """Per line, of its distinct words that ``word_odds`` knows: the lowest, mean and highest
    log-odds, and their share of its words. Chrome speaks a small vocabulary on every site
    ("share", "comments", "subscribe", "copyright"), learned from the dev sets' lines rather
    than written as patterns; a line with no known word reads 0 on each."""
    n, distinct = len(words.distinct), words.distinct
    odds = np.array([word_odds.get(name, np.nan) for name in words.names], dtype=np.float64)
    found = odds[words.term]
    known = ~np.isnan(found)
    line, found = words.line[known], found[known]
    counted = np.bincount(line, minlength=n).astype(np.float64)
    least, most = np.zeros(n), np.zeros(n)
    if len(line):
        # Pairs come sorted by line: each line's known words are one run.
        starts = np.flatnonzero(np.diff(line, prepend=-1))
        least[line[starts]] = np.minimum.reduceat(found, starts)
        most[line[starts]] = np.maximum.reduceat(found, starts)
    return {
        "word_odds_least": least,
        "word_odds_mean": np.bincount(line, weights=found, minlength=n) / np.maximum(counted, 1),
        "word_odds_most": most,
        "word_odds_known": counted / np.maximum(distinct, 1.0),
    }


def _terms(text: str) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64], list[str]]:
    """The line (counted in line breaks) and the number (the same for the same word) of each
    run of ``_TERM_CHARS`` term characters or more in ``text``, in order, and the words by
    number: the words ``regex.findall(r"\\w{4,}", text)`` gives, found from the characters'
    classes in numpy (that regex call alone took longer than all of the rest of the shared-word
    features)."""
    codes, classes = char_classes(text)
    term = (classes & TERM).astype(bool)
    # Where each run of term characters begins and ends: the places where the class changes.
    edges = np.flatnonzero(np.diff(term, prepend=False, append=False))
    begins, ends = edges[0::2], edges[1::2]
    long = ends - begins >= _TERM_CHARS
    begins, ends = begins[long], ends[long]
    line_of = np.searchsorted(np.flatnonzero(codes == ord("\n")), begins)
    words = [text[a:b] for a, b in zip(begins.tolist(), ends.tolist(), strict=True)]
    # Numbered in a dict rather than by sorting them as numpy strings: a tenth faster.
    numbers = dict(zip(dict.fromkeys(words), count(), strict=False))
    term_of = np.fromiter(map(numbers.__getitem__, words), dtype=np.int64, count=len(words))
    return line_of, term_of, list(numbers)
