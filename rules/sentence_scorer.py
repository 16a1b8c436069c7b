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
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources
from itertools import chain
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from copydesk.rules.fingerprint import FUNCTION_WORD_BITS, SentenceSketch

Matrix = npt.NDArray[np.float64]
Bitmaps = npt.NDArray[np.uint64]

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
# The summary features a pair's bound (``SentenceModel._logit_bounds``) does not compute, with
# their highest value (the lowest is 0): each counts at the end its weight favours.
BOUNDED_FEATURES = {"bigram_dice": 1.0, "function_jaccard": 1.0}
# A logit's bound and the logit add the same terms in other orders: rounding apart.
BOUND_SLACK = 1e-9
# Float64 rounds the probability of a logit over about 36.7 to 1.
SURE_LOGIT = 36.0
FEATURES = (
    *SUMMARY_FEATURES,
    *(f"only_one:{word}" for word in FUNCTION_WORD_BITS),
    *(f"both:{word}" for word in FUNCTION_WORD_BITS),
)


def _byte_tables(weights: Matrix) -> Matrix:
    """For 32 per-bit weights: per byte of a 32-bit value (4) and byte value (256), the sum of
    the weights of its set bits, so that a value's weighted bits are four look-ups."""
    bits = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little")
    tables: Matrix = np.stack([bits @ weights[8 * k : 8 * k + 8] for k in range(4)])
    return tables


def _weighted_bits(values: npt.NDArray[np.uint32], tables: Matrix) -> Matrix:
    # The values' bytes, lowest first, read in place: a third faster than shifting and
    # masking, and ``take`` faster than indexing. Summed in the same order either way.
    by_byte = np.ascontiguousarray(values, "<u4").view(np.uint8).reshape(*values.shape, 4)
    total: Matrix = tables[0].take(by_byte[..., 0])
    for k in range(1, 4):
        total += tables[k].take(by_byte[..., k])
    return total


@dataclass(frozen=True)
class SentenceModel:
    weights: Matrix  # in the order of FEATURES
    bias: float
    threshold: float  # the probability that best tells paraphrases on MSRP train (cross-validated)

    def probabilities(self, features: Matrix) -> Matrix:
        return _sigmoid(features @ self.weights + self.bias)

    def pair_probabilities(self, a: SketchBitmaps, b: SketchBitmaps) -> Matrix:
        """The probability for every pair of ``a``'s and ``b``'s sentences (rows ``a``'s)."""
        return self._paired_probabilities(_rows(a), _columns(b))

    def probabilities_at(
        self,
        a: SketchBitmaps,
        b: SketchBitmaps,
        rows: npt.NDArray[np.intp],
        columns: npt.NDArray[np.intp],
    ) -> Matrix:
        """``pair_probabilities(a, b)[rows, columns]``, computed for those pairs alone."""
        return self._paired_probabilities(_at(a, rows), _at(b, columns))

    def _paired_probabilities(self, a: SketchBitmaps, b: SketchBitmaps) -> Matrix:
        """``probabilities(features)`` of each pair of sentences ``a`` and ``b`` pair
        elementwise (``_rows`` and ``_columns``, or ``_at``), without spelling out the 64
        function-word features: the weights of the bits two sentences' function words differ
        or agree in, looked up."""
        fa, fb = a.function_words, b.function_words
        z = _weighted_bits(fa ^ fb, self._tables[0]) + _weighted_bits(fa & fb, self._tables[1])
        summary = self.weights[: len(SUMMARY_FEATURES)]
        for weight, feature in zip(summary, _summary(a, b), strict=True):
            z += weight * feature
        return _sigmoid(z + self.bias)

    def pair_probabilities_above(
        self, a: SketchBitmaps, b: SketchBitmaps, threshold: float
    ) -> Matrix:
        """``pair_probabilities(a, b)`` where it is ``threshold`` or more, 0 elsewhere. Each
        pair's logit is first bounded from above (``_logit_bounds``) and only the pairs whose
        bound reaches the threshold are scored: about 1 in 70 of the pairs the duplicate rule
        meets on ``bench.corpus``."""
        bounds = self._logit_bounds(a, b)
        rows, columns = np.nonzero(bounds >= _lowest_logit(threshold) - BOUND_SLACK)
        found: Matrix = np.zeros(bounds.shape)
        if len(rows):
            scored = self._paired_probabilities(_at(a, rows), _at(b, columns))
            counted = scored >= threshold
            found[rows[counted], columns[counted]] = scored[counted]
        return found

    def _logit_bounds(self, a: SketchBitmaps, b: SketchBitmaps) -> Matrix:
        """An upper bound of the logit of every pair of ``a``'s and ``b``'s sentences (rows
        ``a``'s): the content-word overlaps exactly (the shared words, the pair's sizes giving
        each shared word's weight); the function words and whether each states figures
        (``_traits``) exactly, as weights of a trait in one sentence and of a trait in both
        (a matrix product); ``BOUNDED_FEATURES`` and the figures' overlap at their most
        favourable values."""
        alone, together, constant = self._trait_weights
        traits_a, traits_b = _traits(a), _traits(b)
        z: Matrix = (traits_a * together) @ traits_b.T
        z += (traits_a @ alone + constant)[:, None]
        z += (traits_b @ alone)[None, :]
        shared = _overlap(a.terms[:, None], b.terms[None, :])
        weight = self._weight
        size_a, size_b = a.term_counts[:, None], b.term_counts[None, :]
        z += shared * (  # the three content-word overlaps, as ``_summary`` has them
            2 * weight["dice"] / np.maximum(size_a + size_b, 1)
            + weight["min_containment"] / np.maximum(np.maximum(size_a, size_b), 1)
            + weight["max_containment"] / np.maximum(np.minimum(size_a, size_b), 1)
        )
        return z

    @cached_property
    def _weight(self) -> dict[str, float]:
        return dict(zip(FEATURES, self.weights.tolist(), strict=True))

    @cached_property
    def _trait_weights(self) -> tuple[Matrix, Matrix, float]:
        """For ``_logit_bounds``, per trait of ``_traits``: its weight in a sentence whose pair
        lacks it, and what its being in both adds to twice that; and the bias with the bounded
        features' most favourable weights."""
        weight = self._weight
        differ = weight["function_words_differ"]  # one per function word in one sentence only
        alone = [weight[f"only_one:{word}"] + differ for word in FUNCTION_WORD_BITS]
        both = [weight[f"both:{word}"] for word in FUNCTION_WORD_BITS]
        alone.append(weight["figures_in_one"])
        # The figures' Jaccard overlap is 0 unless both state figures, then at most 1.
        both.append(weight["figures_in_both"] + max(weight["figure_jaccard"], 0.0))
        one, two = np.array(alone), np.array(both)
        constant = self.bias + sum(
            max(weight[name] * high, 0.0) for name, high in BOUNDED_FEATURES.items()
        )
        return one, two - 2 * one, constant

    @cached_property
    def _tables(self) -> tuple[Matrix, Matrix]:
        summary, words = len(SUMMARY_FEATURES), len(FUNCTION_WORD_BITS)
        return (
            _byte_tables(self.weights[summary : summary + words]),
            _byte_tables(self.weights[summary + words :]),
        )


def _lowest_logit(probability: float) -> float:
    """The logit below which ``_sigmoid`` gives less than ``probability``."""
    if probability <= 0:
        return -math.inf
    if probability >= 1:
        return SURE_LOGIT
    return min(math.log(probability / (1 - probability)), SURE_LOGIT)


def _traits(sketches: SketchBitmaps) -> Matrix:
    """A row per sentence: a 1 for each of ``FUNCTION_WORD_BITS`` it has, then a 1 if it
    states figures."""
    bits = np.unpackbits(sketches.function_words[:, None].view(np.uint8), axis=1, bitorder="little")
    traits: Matrix = np.hstack([bits, sketches.has_numbers[:, None]], dtype=np.float64)
    return traits


def _sigmoid(z: Matrix) -> Matrix:
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


def _bitmaps(rows: npt.NDArray[np.intp], values: npt.NDArray[np.intp], count: int) -> Bitmaps:
    """8-bit ``values``, each of the set in its row, as rows of four 64-bit words: set
    operations become bit counts."""
    marks = np.zeros((count, 256), np.bool_)
    marks[rows, values] = True
    packed: Bitmaps = np.packbits(marks, axis=1).view(np.uint64)
    return packed


def _flat(sets: Sequence[Collection[int]]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The row of each value of ``sets``, and the values."""
    sizes = [len(values) for values in sets]
    rows = np.repeat(np.arange(len(sets)), sizes)
    return rows, np.fromiter(chain.from_iterable(sets), np.intp, sum(sizes))


def _bigrams(
    rows: npt.NDArray[np.intp], terms: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """8-bit codes (a multiplicative hash) of each sentence's neighbouring content-word pairs,
    given the sentences' terms in order, flattened: their rows and codes."""
    within = rows[1:] == rows[:-1]
    pairs = (terms[:-1] << 8 | terms[1:])[within].astype(np.uint64)
    codes = (pairs * np.uint64(0x9E3779B1) >> np.uint64(16)) & np.uint64(0xFF)
    return rows[:-1][within], codes.astype(np.intp)


class SketchBitmaps(NamedTuple):
    """Sentence sketches as bitmaps and counts, a row per sentence: the rows of several
    articles' sentences stack (``_side_by_side``)."""

    terms: Bitmaps
    term_counts: Matrix
    bigrams: Bitmaps
    bigram_counts: Matrix
    numbers: Bitmaps
    number_counts: Matrix
    has_numbers: npt.NDArray[np.bool_]
    function_words: npt.NDArray[np.uint32]
    function_counts: Matrix


def _made_bitmaps(sketches: tuple[SentenceSketch, ...]) -> SketchBitmaps:
    """One article's sentences (cached by the two functions below)."""
    count = len(sketches)
    term_rows, terms = _flat([s.terms for s in sketches])
    bigrams = _bitmaps(*_bigrams(term_rows, terms), count)
    function_words = np.array([s.function_words for s in sketches], np.uint32)
    return SketchBitmaps(
        _bitmaps(term_rows, terms, count),
        np.array([len(s.terms) for s in sketches], np.float64),
        bigrams,
        np.bitwise_count(bigrams).sum(axis=1).astype(np.float64),
        _bitmaps(*_flat([s.numbers for s in sketches]), count),
        np.array([len(s.numbers) for s in sketches], np.float64),
        np.array([bool(s.numbers) for s in sketches]),
        function_words,
        np.bitwise_count(function_words).astype(np.float64),
    )


# An article's sentences are compared with several candidates in a row.
_sketch_bitmaps = lru_cache(maxsize=16)(_made_bitmaps)
# A remembered article is a candidate for several that follow it: its bitmaps (about 5 KB)
# are kept as long as its decoded fingerprint usually is (``rules.duplicate_index``), whose
# sentences are their key. Apart from the new article's, which would push them out.
_candidate_bitmaps = lru_cache(maxsize=1024)(_made_bitmaps)


def _rows(sketches: SketchBitmaps) -> SketchBitmaps:
    """The sentences as the rows of a table of pairs (``_columns`` its columns)."""
    return SketchBitmaps._make(values[:, None] for values in sketches)


def _columns(sketches: SketchBitmaps) -> SketchBitmaps:
    return SketchBitmaps._make(values[None, :] for values in sketches)


def _at(sketches: SketchBitmaps, index: npt.NDArray[np.intp]) -> SketchBitmaps:
    """The sentences ``index`` names, in its order (a pair's side)."""
    return SketchBitmaps._make(values[index] for values in sketches)


def _overlap(a: Bitmaps, b: Bitmaps) -> Matrix:
    """The size of the intersection of the sets of each pair of ``a``'s and ``b``'s rows
    (paired as ``_summary`` pairs them): the bits they share, counted word by word (numpy
    sums a short last axis slowly)."""
    counts = np.bitwise_count(a[..., 0] & b[..., 0])
    for word in range(1, a.shape[-1]):
        counts += np.bitwise_count(a[..., word] & b[..., word])
    shared: Matrix = counts.astype(np.float64)
    return shared


def _ratio(top: Matrix, bottom: Matrix) -> Matrix:
    """``top / bottom``, 0 where ``bottom`` is (``top`` is a part of ``bottom``, so it is too)."""
    ratio: Matrix = top / np.maximum(bottom, 1.0)
    return ratio


def _bits(words: npt.NDArray[np.uint32]) -> Matrix:
    """The 32 bits of each value, lowest first, on a new last axis."""
    unpacked = np.unpackbits(words[..., None].view(np.uint8), axis=-1, bitorder="little")
    bits: Matrix = unpacked.astype(np.float64)
    return bits


def _summary(a: SketchBitmaps, b: SketchBitmaps) -> list[Matrix]:
    """``SUMMARY_FEATURES`` of each pair of sentences, one matrix each: ``a`` and ``b`` pair
    elementwise, every sentence with every other (``_rows`` and ``_columns``) or some pairs
    (``_at``)."""
    size_a, size_b = a.term_counts, b.term_counts
    shared = _overlap(a.terms, b.terms)
    shared_bigrams = _overlap(a.bigrams, b.bigrams)
    figures = _overlap(a.numbers, b.numbers)
    has_a, has_b = a.has_numbers, b.has_numbers
    both_count = np.bitwise_count(a.function_words & b.function_words).astype(np.float64)
    one_count = a.function_counts + b.function_counts - 2 * both_count
    return [
        _ratio(2 * shared, size_a + size_b),
        _ratio(shared, np.maximum(size_a, size_b)),
        _ratio(shared, np.minimum(size_a, size_b)),
        _ratio(2 * shared_bigrams, a.bigram_counts + b.bigram_counts),
        (has_a & has_b).astype(np.float64),
        (has_a ^ has_b).astype(np.float64),
        _ratio(figures, a.number_counts + b.number_counts - figures),
        _ratio(both_count, both_count + one_count),
        one_count,
    ]


def features(ours: Sequence[SentenceSketch], theirs: Sequence[SentenceSketch]) -> Matrix:
    """``FEATURES`` of every pair of sentences: shape (len(ours), len(theirs), features)."""
    a = _rows(_sketch_bitmaps(tuple(ours)))
    b = _columns(_sketch_bitmaps(tuple(theirs)))
    fa, fb = a.function_words, b.function_words
    summary = np.stack(_summary(a, b), axis=2)
    return np.concatenate([summary, _bits(fa ^ fb), _bits(fa & fb)], axis=2)


@lru_cache(maxsize=4)
def _side_by_side(articles: tuple[tuple[SentenceSketch, ...], ...]) -> SketchBitmaps:
    """The sentences of several articles as one article's: each article's bitmaps stacked
    (every row is made from its own sentence alone, so the stack is what the sentences
    flattened into one article give). Cached: ``joined_similarity_matrix`` reads the stack
    ``similarity_matrix`` just made."""
    parts = [_candidate_bitmaps(sentences) for sentences in articles]
    if len(parts) == 1:
        return parts[0]
    return SketchBitmaps(*(np.concatenate(rows) for rows in zip(*parts, strict=True)))


def similarity_matrix(ours: Sequence[SentenceSketch], *theirs: Sequence[SentenceSketch]) -> Matrix:
    """The probability that each pair of sentences says the same thing: rows are ours,
    columns the sentences of each of ``theirs`` (articles) in turn."""
    return builtin_model().pair_probabilities(
        _sketch_bitmaps(tuple(ours)), _side_by_side(tuple(map(tuple, theirs)))
    )


def similarity_matrix_above(
    ours: Sequence[SentenceSketch], *theirs: Sequence[SentenceSketch], threshold: float
) -> Matrix:
    """``similarity_matrix`` where it is ``threshold`` or more, 0 elsewhere: what the duplicate
    rule reads of it, made without scoring the pairs that cannot reach the threshold
    (``SentenceModel.pair_probabilities_above``)."""
    return builtin_model().pair_probabilities_above(
        _sketch_bitmaps(tuple(ours)), _side_by_side(tuple(map(tuple, theirs))), threshold
    )


def joined_similarity_matrix(
    ours: Sequence[SentenceSketch],
    theirs: Sequence[Sequence[SentenceSketch]],
    firsts: Sequence[int],
    min_share: float,
) -> Matrix:
    """``similarity_matrix`` against their sentences (of the articles ``theirs``, in turn)
    joined two by two (column n: sentences ``firsts[n]`` and the next as one): their sets
    united, bit by bit, from the bitmaps ``similarity_matrix`` made of the same sentences.
    A pair scores 0 unless our sentence holds ``min_share`` or more of the content words of
    each of the two: a sentence that merges two keeps both, while a long sentence on the
    same topic meets two short ones joined on a few words of one of them."""
    a = _sketch_bitmaps(tuple(ours))
    b = _side_by_side(tuple(map(tuple, theirs)))
    first = np.asarray(firsts, np.intp)
    second = first + 1
    held = _ratio(_overlap(a.terms[:, None], b.terms[None, :]), b.term_counts[None, :])
    merged = np.minimum(held[:, first], held[:, second])
    # Only those pairs are scored: few sentences hold that much of two others.
    rows, columns = np.nonzero(merged >= min_share)
    probabilities: Matrix = np.zeros(merged.shape)
    if len(rows):
        # Joined only where scored: one pair in about 2,000 on bench.corpus.
        scored, at = np.unique(columns, return_inverse=True)
        joined = _joined(b, first[scored], second[scored])
        probabilities[rows, columns] = builtin_model().probabilities_at(a, joined, rows, at)
    return probabilities


def _joined(
    sketches: SketchBitmaps, first: npt.NDArray[np.intp], second: npt.NDArray[np.intp]
) -> SketchBitmaps:
    """Sentences ``first`` each joined to its ``second`` as one: their sets united."""
    terms, bigrams, numbers = (
        bits[first] | bits[second] for bits in (sketches.terms, sketches.bigrams, sketches.numbers)
    )
    function_words = sketches.function_words[first] | sketches.function_words[second]
    return SketchBitmaps(
        terms,
        _bit_counts(terms),
        bigrams,
        _bit_counts(bigrams),
        numbers,
        _bit_counts(numbers),
        sketches.has_numbers[first] | sketches.has_numbers[second],
        function_words,
        np.bitwise_count(function_words).astype(np.float64),
    )


def _bit_counts(bitmaps: Bitmaps) -> Matrix:
    counts: Matrix = np.bitwise_count(bitmaps).sum(axis=1).astype(np.float64)
    return counts


def shared_wording(a: SentenceSketch, b: SentenceSketch) -> float:
    """How much of their wording two sentences share: the Dice overlap of their content words
    (a copy near 1, a rewording well below, whatever its meaning; figures say nothing of the
    wording, a rewrite keeps them)."""
    shared = len(set(a.terms) & set(b.terms))
    return 2 * shared / max(len(a.terms) + len(b.terms), 1)


def sentence_similarity(a: SentenceSketch, b: SentenceSketch) -> float:
    return float(similarity_matrix([a], [b])[0, 0])
