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

With the ``semantic`` extra (the duplicates rule's ``semantic: true``) the sketches also carry
each sentence's compacted MiniLM embedding (``rules.semantic``), and the pairs of which both
sides have one are scored by a second model (``rules/models/semantic-scorer.json``, built by
``python -m bench.semantic_model``): the same features and ``meaning_features`` of the two
embeddings. Sketches without them are scored as before.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib import resources
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from copydesk.rules.fingerprint import FUNCTION_WORD_BITS, SentenceSketch
from copydesk.rules.semantic import MeaningCoder, Projection, vectors

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
    total: Matrix = tables[0][values & 0xFF]
    for k in range(1, 4):
        total = total + tables[k][(values >> (8 * k)) & 0xFF]
    return total


@dataclass(frozen=True)
class SentenceModel:
    weights: Matrix  # in the order of FEATURES
    bias: float
    threshold: float  # the probability that best tells paraphrases on MSRP train (cross-validated)
    # The semantic model's alone: the weights of ``meaning_features``.
    meaning_weights: Matrix = field(default_factory=lambda: np.zeros(0))

    def probabilities(self, features: Matrix) -> Matrix:
        return _sigmoid(features @ np.concatenate([self.weights, self.meaning_weights]) + self.bias)

    def pair_probabilities(
        self, a: SketchBitmaps, b: SketchBitmaps, meanings: tuple[Matrix, Matrix] | None = None
    ) -> Matrix:
        """``probabilities(features)`` without spelling out the 64 function-word features: the
        weights of the bits two sentences' function words differ or agree in, looked up.
        ``meanings``: both sides' embedding vectors (``rules.semantic.vectors``), for the
        semantic model."""
        fa, fb = a.function_words[:, None], b.function_words[None, :]
        z = _weighted_bits(fa ^ fb, self._tables[0]) + _weighted_bits(fa & fb, self._tables[1])
        summary = self.weights[: len(SUMMARY_FEATURES)]
        for weight, feature in zip(summary, _summary(a, b), strict=True):
            z += weight * feature
        if meanings is not None:
            z += meaning_features(*meanings) @ self.meaning_weights
        return _sigmoid(z + self.bias)

    @cached_property
    def _tables(self) -> tuple[Matrix, Matrix]:
        summary, words = len(SUMMARY_FEATURES), len(FUNCTION_WORD_BITS)
        return (
            _byte_tables(self.weights[summary : summary + words]),
            _byte_tables(self.weights[summary + words :]),
        )


def _sigmoid(z: Matrix) -> Matrix:
    p: Matrix = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
    return p


def meaning_feature_names(dimensions: int) -> tuple[str, ...]:
    return ("cosine", *(f"meaning_gap:{k}" for k in range(dimensions)))


def meaning_features(ours: Matrix, theirs: Matrix) -> Matrix:
    """Of every pair of sentences' embedding vectors (unit length, one row a sentence): their
    cosine, then how far apart they are in each dimension (``|u - v|``): shape (len(ours),
    len(theirs), 1 + dimensions)."""
    cosine = (ours @ theirs.T)[:, :, None]
    return np.concatenate([cosine, np.abs(ours[:, None, :] - theirs[None, :, :])], axis=2)


def _load(name: str) -> tuple[SentenceModel, dict[str, Any]]:
    path = resources.files("copydesk.rules") / "models" / name
    data = json.loads(path.read_text(encoding="utf-8"))
    weights = data["weights"]
    meaning = [k for k in weights if k not in FEATURES]
    if not set(FEATURES) <= set(weights) or meaning != list(
        meaning_feature_names(len(meaning) - 1) if meaning else []
    ):
        raise ValueError(f"{path}: its features are not the scorer's; rebuild it")
    model = SentenceModel(
        np.array([weights[name] for name in FEATURES]),
        data["bias"],
        data["threshold"],
        np.array([weights[name] for name in meaning]),
    )
    return model, data


@cache
def builtin_model() -> SentenceModel:
    return _load("sentence-scorer.json")[0]


@cache
def semantic_model() -> tuple[SentenceModel, Projection]:
    """The semantic scorer, and the projection that made the codes it compares."""
    model, data = _load("semantic-scorer.json")
    projection = data["projection"]
    return model, Projection(
        np.array(projection["mean"], np.float64), np.array(projection["components"], np.float64)
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


@dataclass(frozen=True)
class SketchBitmaps:
    """Sentence sketches as bitmaps and counts."""

    terms: Bitmaps
    term_counts: Matrix
    bigrams: Bitmaps
    bigram_counts: Matrix
    numbers: Bitmaps
    number_counts: Matrix
    has_numbers: npt.NDArray[np.bool_]
    function_words: npt.NDArray[np.uint32]
    function_counts: Matrix


@lru_cache(maxsize=16)
def _sketch_bitmaps(sketches: tuple[SentenceSketch, ...]) -> SketchBitmaps:
    """Cached: an article's sentences are compared with several candidates in a row."""
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


def _overlap(a: Bitmaps, b: Bitmaps) -> Matrix:
    """The size of the intersection of each row's set of ``a`` with each row's of ``b``: the
    bits the rows share, counted word by word (numpy sums a short last axis slowly)."""
    counts = np.bitwise_count(a[:, None, 0] & b[None, :, 0])
    for word in range(1, a.shape[1]):
        counts += np.bitwise_count(a[:, None, word] & b[None, :, word])
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
    """``SUMMARY_FEATURES`` of every pair of sentences, one matrix each."""
    size_a, size_b = a.term_counts[:, None], b.term_counts[None, :]
    shared = _overlap(a.terms, b.terms)
    shared_bigrams = _overlap(a.bigrams, b.bigrams)
    figures = _overlap(a.numbers, b.numbers)
    has_a, has_b = a.has_numbers[:, None], b.has_numbers[None, :]
    fa, fb = a.function_words[:, None], b.function_words[None, :]
    both_count = np.bitwise_count(fa & fb).astype(np.float64)
    one_count = a.function_counts[:, None] + b.function_counts[None, :] - 2 * both_count
    return [
        _ratio(2 * shared, size_a + size_b),
        _ratio(shared, np.maximum(size_a, size_b)),
        _ratio(shared, np.minimum(size_a, size_b)),
        _ratio(2 * shared_bigrams, a.bigram_counts[:, None] + b.bigram_counts[None, :]),
        (has_a & has_b).astype(np.float64),
        (has_a ^ has_b).astype(np.float64),
        _ratio(figures, a.number_counts[:, None] + b.number_counts[None, :] - figures),
        _ratio(both_count, both_count + one_count),
        one_count,
    ]


def features(ours: Sequence[SentenceSketch], theirs: Sequence[SentenceSketch]) -> Matrix:
    """``FEATURES`` of every pair of sentences: shape (len(ours), len(theirs), features)."""
    a, b = _sketch_bitmaps(tuple(ours)), _sketch_bitmaps(tuple(theirs))
    fa, fb = a.function_words[:, None], b.function_words[None, :]
    summary = np.stack(_summary(a, b), axis=2)
    return np.concatenate([summary, _bits(fa ^ fb), _bits(fa & fb)], axis=2)


@cache
def meaning_coder() -> MeaningCoder:
    """What turns sentences into the codes the semantic model compares: one a process, so that
    its memory serves every rule and engine."""
    return MeaningCoder(semantic_model()[1])


def similarity_matrix(ours: Sequence[SentenceSketch], theirs: Sequence[SentenceSketch]) -> Matrix:
    """The probability that each pair of sentences says the same thing: rows are ours,
    columns theirs."""
    a, b = _sketch_bitmaps(tuple(ours)), _sketch_bitmaps(tuple(theirs))
    return _scored(a, b, ours, [[s.meaning] for s in theirs])


def _scored(
    a: SketchBitmaps,
    b: SketchBitmaps,
    ours: Sequence[SentenceSketch],
    their_meanings: Sequence[Sequence[bytes]],
) -> Matrix:
    """By the semantic model where both sentences carry their meaning (``their_meanings``: the
    codes of each column's sentences, two for a joined one), by the lexical model elsewhere."""
    lexical = builtin_model().pair_probabilities(a, b)
    coded = np.array([all(codes) for codes in their_meanings], np.bool_)
    if not ours or not all(s.meaning for s in ours) or not coded.any():
        return lexical
    model, _ = semantic_model()
    theirs = np.zeros((len(their_meanings), len(ours[0].meaning)))
    theirs[coded] = _unit(
        np.stack(
            [
                vectors(codes).sum(axis=0)
                for codes, c in zip(their_meanings, coded, strict=True)
                if c
            ]
        )
    )
    semantic = model.pair_probabilities(a, b, (vectors([s.meaning for s in ours]), theirs))
    scores: Matrix = np.where(coded[None, :], semantic, lexical)
    return scores


def _unit(rows: Matrix) -> Matrix:
    """A joined sentence's meaning: the sum of its sentences' vectors, at unit length again."""
    unit: Matrix = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
    return unit


def joined_similarity_matrix(
    ours: Sequence[SentenceSketch], theirs: Sequence[SentenceSketch], firsts: Sequence[int]
) -> Matrix:
    """``similarity_matrix`` against their sentences joined two by two (column n: sentences
    ``firsts[n]`` and the next as one): their sets united, bit by bit, from the bitmaps
    ``similarity_matrix`` made of the same sentences."""
    b = _sketch_bitmaps(tuple(theirs))
    first = np.asarray(firsts, np.intp)
    second = first + 1
    terms, bigrams, numbers = (
        bits[first] | bits[second] for bits in (b.terms, b.bigrams, b.numbers)
    )
    function_words = b.function_words[first] | b.function_words[second]
    joined = SketchBitmaps(
        terms,
        _bit_counts(terms),
        bigrams,
        _bit_counts(bigrams),
        numbers,
        _bit_counts(numbers),
        b.has_numbers[first] | b.has_numbers[second],
        function_words,
        np.bitwise_count(function_words).astype(np.float64),
    )
    return _scored(
        _sketch_bitmaps(tuple(ours)),
        joined,
        ours,
        [[theirs[k].meaning, theirs[k + 1].meaning] for k in firsts],
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
