"""Choosing among extractions of one page by their agreement: the one that shares most of its
word 4-grams with the others (their medoid). Each extractor fails in its own way (one keeps a
comment thread, one cuts the body at a widget, one returns nothing), and seldom two alike, so
the extraction the others agree with is rarely one that failed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from itertools import combinations

_SHINGLE = 4
# Two readings this close (F1 of their word 4-grams) settle the page without a third.
SETTLED_F1 = 0.9


# The engine asks whether two readings settle the page, then which of three or four the others
# agree with most: each reading's 4-grams are counted once.
@lru_cache(maxsize=8)
def _shingles(text: str) -> Counter[tuple[str, ...]]:
    words = text.casefold().split()
    return Counter(tuple(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1))


def _f1(a: Counter[tuple[str, ...]], b: Counter[tuple[str, ...]]) -> float:
    matched = sum((a & b).values())
    if not matched:
        return 0.0  # two empty extractions do not agree on anything
    return 2 * matched / (sum(a.values()) + sum(b.values()))


def most_agreed(texts: Sequence[str]) -> int:
    """Index of the text that agrees most with the others (the first on a tie). A text too
    short to hold a 4-gram (an extractor that found nothing) is chosen only if all are."""
    bags = [_shingles(text) for text in texts]
    agreement = [0.0] * len(bags)
    for i, j in combinations(range(len(bags)), 2):
        f1 = _f1(bags[i], bags[j])
        agreement[i] += f1
        agreement[j] += f1
    return max(range(len(texts)), key=lambda i: (bool(bags[i]), agreement[i], -i))


def settled(first: str, second: str) -> bool:
    """Whether two readings agree so closely that a third could not change the choice much."""
    return _f1(_shingles(first), _shingles(second)) >= SETTLED_F1
