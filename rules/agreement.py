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
# Two readings this close (F1 of their word 4-grams) settle the page without another.
SETTLED_F1 = 0.9


# The engine asks whether the readings settle the page, then which of them the others agree
# with most: each reading's 4-grams are counted once, and each pair's agreement.
@lru_cache(maxsize=8)
def _shingles(text: str) -> Counter[tuple[str, ...]]:
    words = text.casefold().split()
    # Each 4-gram zipped from shifted word lists (no slice built per position); the shorter
    # lists end it at the last whole 4-gram.
    return Counter(zip(*(words[shift:] for shift in range(_SHINGLE)), strict=False))


@lru_cache(maxsize=16)
def _agreement(first: str, second: str) -> float:
    """F1 of the two texts' word 4-grams."""
    a, b = _shingles(first), _shingles(second)
    # Only the 4-grams both hold: no Counter built for the intersection.
    matched = sum(min(a[gram], b[gram]) for gram in a.keys() & b.keys())
    if not matched:
        return 0.0  # two empty extractions do not agree on anything
    return 2 * matched / (a.total() + b.total())


def most_agreed(texts: Sequence[str]) -> int:
    """Index of the text that agrees most with the others (the first on a tie). A text too
    short to hold a 4-gram (an extractor that found nothing) is chosen only if all are."""
    agreement = [0.0] * len(texts)
    for i, j in combinations(range(len(texts)), 2):
        f1 = _agreement(texts[i], texts[j])
        agreement[i] += f1
        agreement[j] += f1
    found = [bool(_shingles(text)) for text in texts]
    return max(range(len(texts)), key=lambda i: (found[i], agreement[i], -i))


def settled(first: str, second: str) -> bool:
    """Whether two readings agree so closely that another could not change the choice much."""
    return _agreement(first, second) >= SETTLED_F1


def undecided(extracted: str, page: str, blocks: str) -> bool:
    """Whether the three cheap readings of a page (trafilatura's, the page text's, the block
    model's) leave it in doubt, so that a costlier one should vote: trafilatura's and the
    page text's differ and the block model's is not close to either."""
    return not any(settled(*pair) for pair in combinations((extracted, page, blocks), 2))
