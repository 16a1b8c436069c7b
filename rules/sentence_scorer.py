"""Whether two sentences say the same thing, from their sketches alone: a logistic model over
their overlaps, learned from MSRP's training half (``rules/models/sentence-scorer.json``,
built by ``python -m bench.sentence_model``).

What the model sees of a pair (``FEATURES``): the Dice overlap and the two containments of
their content words, the Dice overlap of their content-word bigrams (the terms keep their
order), whether they state figures and how far those agree, and for each of
``FUNCTION_WORD_BITS`` whether both sentences have it or only one (an added "and" or "but"
clause, a "not"). Everything is a bit count on the sketches' bitmaps, for all the pairs of two
articles' sentences at once. The stored side of a comparison is a sketch; the arriving side is
sketched the same way, so a pair scores the same whichever of the two arrived first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import chain, pairwise

import numpy as np
import numpy.typing as npt

from copydesk.rules.fingerprint import FUNCTION_WORD_BITS, SentenceSketch

Matrix = npt.NDArray[np.float64]

SUMMARY_FEATURES = (
    "dice",
    "min_containment",
    "max_containment",
    "bigram_dice",
    "figures_in_both",
    "figures_in_one",
    "figure_jaccard",
    "function_jaccard",
    "function_words_differ",
)
FEATURES = (
    *SUMMARY_FEATURES,
    *(f"only_one:{word}" for word in FUNCTION_WORD_BITS),
    *(f"both:{word}" for word in FUNCTION_WORD_BITS),
)


@dataclass(frozen=True)
class SentenceModel:
    weights: Matrix  # in the order of FEATURES
    bias: float
    threshold: float  # the probability that best tells paraphrases on MSRP train (cross-validated)

    def probabilities(self, features: Matrix) -> Matrix:
        z = features @ self.weights + self.bias
        p: Matrix = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
        return p


@cache
def builtin_model() -> SentenceModel:
    path = resources.files("copydesk.rules") / "models" / "sentence-scorer.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    weights = data["weights"]
    if set(weights) != set(FEATURES):
        raise ValueError(f"{path}: its features are not the scorer's; rebuild it")
    return SentenceModel(
        np.array([weights[name] for name in FEATURES]), data["bias"], data["threshold"]
    )


def _bitmaps(sets: Sequence[Iterable[int]]) -> npt.NDArray[np.uint64]:
    """Sets of 8-bit values as rows of four 64-bit words: set operations become bit counts."""
    lists = [list(values) for values in sets]
    sizes = [len(values) for values in lists]
    marks = np.zeros((len(lists), 256), np.bool_)
    marks[
        np.repeat(np.arange(len(lists)), sizes),
        np.fromiter(chain.from_iterable(lists), np.intp, sum(sizes)),
    ] = True
    packed: npt.NDArray[np.uint64] = np.packbits(marks, axis=1).view(np.uint64)
    return packed


def _bigrams(terms: tuple[int, ...]) -> set[int]:
    """8-bit codes of a sentence's neighbouring content-word pairs (a multiplicative hash)."""
    return {((a << 8 | b) * 0x9E3779B1 >> 16) & 0xFF for a, b in pairwise(terms)}


@dataclass(frozen=True)
class SketchBitmaps:
    """Sentence sketches as bitmaps and counts."""

    terms: npt.NDArray[np.uint64]
    term_counts: Matrix
    bigrams: npt.NDArray[np.uint64]
    bigram_counts: Matrix
    numbers: npt.NDArray[np.uint64]
    has_numbers: npt.NDArray[np.bool_]
    function_words: npt.NDArray[np.uint32]


@lru_cache(maxsize=16)
def _sketch_bitmaps(sketches: tuple[SentenceSketch, ...]) -> SketchBitmaps:
    """Cached: an article's sentences are compared with several candidates in a row."""
    bigrams = [_bigrams(s.terms) for s in sketches]
    return SketchBitmaps(
        _bitmaps([s.terms for s in sketches]),
        np.array([len(s.terms) for s in sketches], np.float64),
        _bitmaps(bigrams),
        np.array([len(b) for b in bigrams], np.float64),
        _bitmaps([s.numbers for s in sketches]),
        np.array([bool(s.numbers) for s in sketches]),
        np.array([s.function_words for s in sketches], np.uint32),
    )


def _overlap(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64], op: np.ufunc) -> Matrix:
    """Bits set in ``op(row of a, row of b)``, for every pair of rows."""
    counts: Matrix = np.bitwise_count(op(a[:, None, :], b[None, :, :])).sum(axis=2)
    return counts.astype(np.float64)


def _ratio(top: Matrix, bottom: Matrix) -> Matrix:
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio: Matrix = np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1), 0.0)
    return ratio


def _bits(words: npt.NDArray[np.uint32]) -> Matrix:
    """The 32 bits of each value, lowest first, on a new last axis."""
    unpacked = np.unpackbits(words[..., None].view(np.uint8), axis=-1, bitorder="little")
    bits: Matrix = unpacked.astype(np.float64)
    return bits


def features(ours: Sequence[SentenceSketch], theirs: Sequence[SentenceSketch]) -> Matrix:
    """``FEATURES`` of every pair of sentences: shape (len(ours), len(theirs), features)."""
    a, b = _sketch_bitmaps(tuple(ours)), _sketch_bitmaps(tuple(theirs))
    size_a, size_b = a.term_counts[:, None], b.term_counts[None, :]
    shared = _overlap(a.terms, b.terms, np.bitwise_and)
    smaller, larger = np.minimum(size_a, size_b), np.maximum(size_a, size_b)
    shared_bigrams = _overlap(a.bigrams, b.bigrams, np.bitwise_and)
    both = _overlap(a.numbers, b.numbers, np.bitwise_and)
    either = _overlap(a.numbers, b.numbers, np.bitwise_or)
    has_a, has_b = a.has_numbers[:, None], b.has_numbers[None, :]
    fa, fb = a.function_words[:, None], b.function_words[None, :]
    only_one, in_both = _bits(fa ^ fb), _bits(fa & fb)
    one_count, both_count = only_one.sum(axis=2), in_both.sum(axis=2)
    summary = [
        _ratio(2 * shared, size_a + size_b),
        _ratio(shared, larger),
        _ratio(shared, smaller),
        _ratio(2 * shared_bigrams, a.bigram_counts[:, None] + b.bigram_counts[None, :]),
        (has_a & has_b).astype(np.float64),
        (has_a ^ has_b).astype(np.float64),
        _ratio(both, either),
        _ratio(both_count, both_count + one_count),
        one_count,
    ]
    return np.concatenate([np.stack(summary, axis=2), only_one, in_both], axis=2)


def similarity_matrix(ours: Sequence[SentenceSketch], theirs: Sequence[SentenceSketch]) -> Matrix:
    """The probability that each pair of sentences says the same thing: rows are ours,
    columns theirs."""
    return builtin_model().probabilities(features(ours, theirs))


def sentence_similarity(a: SentenceSketch, b: SentenceSketch) -> float:
    return float(similarity_matrix([a], [b])[0, 0])
