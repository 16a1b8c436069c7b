"""Build rules/models/sentence-scorer.json, the duplicates rule's sentence scorer, from MSRP's
training half only (the test half is never read).

Each MSRP pair is an example: its features are the rule's own (``rules.sentence_scorer``,
computed on the two sentences' sketches, as the rule compares a remembered article's sketch
with an arriving one's). A logistic regression with an L2 penalty (on standardised features)
is fitted by Newton's method. Ten folds: the penalty is the one with the best out-of-fold log
loss; the reported accuracy is out of fold, each fold's threshold chosen on the other nine.
The threshold kept is the one that maximises the out-of-fold accuracy.

    .venv/bin/python -m bench.sentence_model [--report]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench.common import SHARED, require
from bench.corpus import Remixer
from bench.quote_model import fit, log_loss
from copydesk.rules.fingerprint import FUNCTION_WORD_BITS, STOPWORDS, sketch, words
from copydesk.rules.sentence_scorer import FEATURES, Matrix, features

OUT = Path(__file__).resolve().parents[1] / "rules" / "models" / "sentence-scorer.json"
PENALTIES = (1.0, 10.0, 30.0, 100.0, 300.0)
FOLDS = 10
THRESHOLDS = np.linspace(0.05, 0.95, 181)


def msrp_pairs() -> list[tuple[str, str, bool]]:
    path = require(SHARED / "data" / "msrp" / "train.tsv")
    with path.open(encoding="utf-8") as f:
        next(f)
        rows = [line.rstrip("\n").split("\t") for line in f]
    # Rows without MSRP ids (-1: four made-up pairs at the file's end) are not MSRP's.
    return [(r[3], r[4], r[0] == "1") for r in rows if len(r) >= 5 and r[1] != "-1"]


@dataclass(frozen=True)
class Examples:
    x: Matrix  # features of the MSRP pairs
    y: Matrix  # 1 for a paraphrase
    templates: Matrix  # features of each pair's first sentence against its template clone


def _pair_features(a: str, b: str) -> Matrix:
    row: Matrix = features([sketch(a)], [sketch(b)])[0, 0]
    return row


def examples() -> Examples:
    """MSRP's pairs, and per pair a template negative: its first sentence against a clone
    with every content word outside the 300 most frequent of MSRP's sentences swapped
    (``bench.corpus.Remixer``), so the skeleton (function words, order, frequent words) stays
    and the content goes. MSRP never shows such a pair: without them the model took a shared
    skeleton for a paraphrase (a quarter of bench.corpus's articles were flagged)."""
    pairs = msrp_pairs()
    return Examples(
        np.array([_pair_features(a, b) for a, b, _ in pairs]),
        np.array([gold for _, _, gold in pairs], np.float64),
        np.array(
            [
                _pair_features(a, clone)
                for (a, _, _), clone in zip(pairs, template_clones(pairs), strict=True)
            ]
        ),
    )


def template_clones(pairs: list[tuple[str, str, bool]]) -> list[str]:
    """Each pair's first sentence as a template filled in again (``examples``)."""
    remixer = Remixer([a for a, _, _ in pairs])
    return [remixer.body(1, n) for n in range(len(pairs))]


def _fit_standardised(x: Matrix, y: Matrix, penalty: float) -> tuple[Matrix, float]:
    """Weights and bias on the raw features, fitted on standardised ones."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    w = fit(np.hstack([(x - mean) / scale, np.ones((len(x), 1))]), y, penalty)
    weights = w[:-1] / scale
    return weights, float(w[-1] - weights @ mean)


def _probabilities(x: Matrix, weights: Matrix, bias: float) -> Matrix:
    p: Matrix = 1.0 / (1.0 + np.exp(-np.clip(x @ weights + bias, -40, 40)))
    return p


def _best_threshold(p: Matrix, y: Matrix) -> float:
    return float(max(THRESHOLDS, key=lambda t: ((p >= t) == y).mean()))


def _fit(data: Examples, rows: npt.NDArray[np.intp], penalty: float) -> tuple[Matrix, float]:
    """Fitted on the MSRP pairs ``rows`` and their template negatives."""
    x = np.vstack([data.x[rows], data.templates[rows]])
    y = np.concatenate([data.y[rows], np.zeros(len(rows))])
    return _fit_standardised(x, y, penalty)


@dataclass(frozen=True)
class CrossValidated:
    p: Matrix  # out-of-fold probabilities of the MSRP pairs
    accuracy: float  # on MSRP, each fold's threshold chosen on the other nine
    templates_passed: float  # share of held-out template negatives at or over that threshold


def cross_validated(data: Examples, penalty: float, seed: int = 0) -> CrossValidated:
    order = np.random.RandomState(seed).permutation(len(data.y))
    p = np.zeros(len(data.y))
    right = passed = 0
    for held in np.array_split(order, FOLDS):
        train = np.setdiff1d(order, held)
        weights, bias = _fit(data, train, penalty)
        threshold = _best_threshold(_probabilities(data.x[train], weights, bias), data.y[train])
        p[held] = _probabilities(data.x[held], weights, bias)
        right += int(((p[held] >= threshold) == data.y[held]).sum())
        passed += int((_probabilities(data.templates[held], weights, bias) >= threshold).sum())
    return CrossValidated(p, right / len(data.y), passed / len(data.y))


def build(report: bool = False) -> dict[str, object]:
    data = examples()
    held_out = {c: cross_validated(data, c) for c in PENALTIES}
    penalty = min(PENALTIES, key=lambda c: log_loss(held_out[c].p, data.y))
    chosen = held_out[penalty]
    threshold = _best_threshold(chosen.p, data.y)
    if report:
        frequent = Counter(
            w for a, b, _ in msrp_pairs() for s in (a, b) for w in set(words(s)) if w in STOPWORDS
        )
        print("most frequent function words:", [w for w, _ in frequent.most_common(32)])
        print(
            f"{len(data.y)} MSRP train pairs, {int(data.y.sum())} paraphrases, and as many"
            f" template negatives; {len(FEATURES)} features"
        )
        print(
            "out-of-fold log loss by penalty:",
            {c: round(log_loss(held_out[c].p, data.y), 4) for c in PENALTIES},
        )
        others = [cross_validated(data, penalty, seed).accuracy for seed in (1, 2)]
        print(
            f"penalty {penalty}: 10-fold accuracy {chosen.accuracy:.4f} (other shuffles:"
            f" {', '.join(f'{a:.4f}' for a in others)}); held-out template negatives taken for"
            f" paraphrases: {chosen.templates_passed:.4f}; threshold {threshold:.3f}"
        )
    weights, bias = _fit(data, np.arange(len(data.y)), penalty)
    return {
        "built_by": "python -m bench.sentence_model",
        "trained_on": "MSRP train (4,076 pairs) and a template negative made from each pair's"
        " first sentence; penalty and threshold cross-validated on MSRP train",
        "function_words": FUNCTION_WORD_BITS,
        "penalty": penalty,
        "threshold": round(threshold, 4),
        "bias": round(bias, 6),
        "weights": {name: round(float(v), 6) for name, v in zip(FEATURES, weights, strict=True)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="print the cross-validation")
    args = parser.parse_args()
    model = build(args.report)
    OUT.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"{len(FEATURES)} weights -> {OUT}")


if __name__ == "__main__":
    main()
