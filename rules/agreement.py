"""Choosing among extractions of one page by their agreement: the one that shares most of its
word 4-grams with the others (their medoid). Each extractor fails in its own way (one keeps a
comment thread, one cuts the body at a widget, one returns nothing), and seldom two alike, so
the extraction the others agree with is rarely one that failed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import combinations, islice

import numpy as np
from numpy.typing import NDArray

_SHINGLE = 4
# Two readings this close (F1 of their word 4-grams) settle the page without another.
SETTLED_F1 = 0.9
# trafilatura's and the page text's readings this close: the page is read as trafilatura
# reads it, without the block model's reading (chosen on both dev sets, docs/benchmarks-history.md).
SAME_F1 = 0.98
# Past this many distinct words on a page, four word numbers no longer fit one int64.
_INT64_BASE = 1 << 15

_Grams = tuple[NDArray[np.int64], NDArray[np.int64]]  # distinct 4-grams, sorted; their counts


class Readings:
    """The readings of one page and how far each two agree: the F1 of their bags of word
    4-grams (lower-cased). Words are numbered within the page, so that a 4-gram is one integer
    and two readings' 4-grams meet in a sorted merge instead of a hash of four strings each."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self._numbers: dict[str, int] = {}
        self._words: list[NDArray[np.int64]] = []
        self._grams: dict[tuple[int, int], _Grams] = {}
        self._f1: dict[tuple[int, int], float] = {}
        for text in texts:
            self.add(text)

    def __len__(self) -> int:
        return len(self._words)

    def add(self, text: str) -> None:
        numbers = self._numbers
        words = (numbers.setdefault(word, len(numbers)) for word in text.casefold().split())
        self._words.append(np.fromiter(words, dtype=np.int64))

    def agreement(self, i: int, j: int) -> float:
        """F1 of readings ``i`` and ``j``'s word 4-grams; 0 where they share none."""
        if (i, j) not in self._f1:
            base = len(self._numbers)  # the numbering grows as readings come
            (a, a_counts), (b, b_counts) = self._grams_of(i, base), self._grams_of(j, base)
            _, in_a, in_b = np.intersect1d(a, b, assume_unique=True, return_indices=True)
            matched = int(np.minimum(a_counts[in_a], b_counts[in_b]).sum())
            total = int(a_counts.sum()) + int(b_counts.sum())
            # Two empty extractions do not agree on anything.
            self._f1[(i, j)] = 2 * matched / total if matched else 0.0
        return self._f1[(i, j)]

    def _grams_of(self, i: int, base: int) -> _Grams:
        if (i, base) not in self._grams:
            words = self._words[i]
            if base >= _INT64_BASE:
                words = words.astype(object)  # Python's integers: exact at any size
            count = max(len(words) - _SHINGLE + 1, 0)
            keys = words[:count]
            for shift in range(1, _SHINGLE):
                keys = keys * base + words[shift : shift + count]
            self._grams[(i, base)] = np.unique(keys, return_counts=True)
        return self._grams[(i, base)]

    def settled(self, i: int, j: int) -> bool:
        """Whether two readings agree so closely that another could not change the choice
        much."""
        return self.agreement(i, j) >= SETTLED_F1

    def undecided(self) -> bool:
        """Whether the readings leave the page in doubt, so that a costlier one should vote:
        no two of them settle it."""
        return not any(self.settled(i, j) for i, j in combinations(range(len(self)), 2))

    def most_agreed(self) -> int:
        """Index of the reading that agrees most with the others (the first on a tie). A
        reading too short to hold a 4-gram (an extractor that found nothing) is chosen only if
        all are."""
        agreement = [0.0] * len(self)
        for i, j in combinations(range(len(self)), 2):
            f1 = self.agreement(i, j)
            agreement[i] += f1
            agreement[j] += f1
        found = [len(words) >= _SHINGLE for words in self._words]
        return max(range(len(self)), key=lambda i: (found[i], agreement[i], -i))


def vote(weighed: Iterator[str]) -> int:
    """HTML mode's choice among a page's readings, taken in order as the vote needs them
    (trafilatura's, the page text's, the block model's, readability-lxml's; the last two are
    costly, so ``weighed`` should make each only when it is asked for): trafilatura's where
    it and the page text's are all but the same (``SAME_F1``), else the one the first three
    agree with most, or the four where no two of the three settle the page. Returns the
    chosen reading's place in that order."""
    readings = Readings(islice(weighed, 2))
    if readings.agreement(0, 1) >= SAME_F1:
        return 0
    readings.add(next(weighed))
    if readings.undecided():
        readings.add(next(weighed))
    return readings.most_agreed()
