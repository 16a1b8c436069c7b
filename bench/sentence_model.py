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
from pathlib import Path

import numpy as np

from bench.common import SHARED, require
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


def examples() -> tuple[Matrix, Matrix]:
    pairs = msrp_pairs()
    x = np.array([features([sketch(a)], [sketch(b)])[0, 0] for a, b, _ in pairs])
    return x, np.array([gold for _, _, gold in pairs], np.float64)


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


def cross_validated(x: Matrix, y: Matrix, penalty: float, seed: int = 0) -> tuple[Matrix, float]:
    """Out-of-fold probabilities, and the accuracy with each fold's threshold chosen on the
    other nine (on their fitted probabilities)."""
    order = np.random.RandomState(seed).permutation(len(y))
    p = np.zeros(len(y))
    right = 0
    for held in np.array_split(order, FOLDS):
        train = np.setdiff1d(order, held)
        weights, bias = _fit_standardised(x[train], y[train], penalty)
        threshold = _best_threshold(_probabilities(x[train], weights, bias), y[train])
        p[held] = _probabilities(x[held], weights, bias)
        right += int(((p[held] >= threshold) == y[held]).sum())
    return p, right / len(y)


def build(report: bool = False) -> dict[str, object]:
    x, y = examples()
    held_out = {c: cross_validated(x, y, c) for c in PENALTIES}
    penalty = min(PENALTIES, key=lambda c: log_loss(held_out[c][0], y))
    p, accuracy = held_out[penalty]
    threshold = _best_threshold(p, y)
    if report:
        frequent = Counter(
            w for a, b, _ in msrp_pairs() for s in (a, b) for w in set(words(s)) if w in STOPWORDS
        )
        print("most frequent function words:", [w for w, _ in frequent.most_common(32)])
        print(f"{len(y)} MSRP train pairs, {int(y.sum())} paraphrases; {len(FEATURES)} features")
        print(
            "out-of-fold log loss by penalty:",
            {c: round(log_loss(held_out[c][0], y), 4) for c in PENALTIES},
        )
        others = [cross_validated(x, y, penalty, seed)[1] for seed in (1, 2)]
        print(
            f"penalty {penalty}: 10-fold accuracy {accuracy:.4f} (other shuffles:"
            f" {', '.join(f'{a:.4f}' for a in others)}); threshold {threshold:.3f}"
        )
    weights, bias = _fit_standardised(x, y, penalty)
    return {
        "built_by": "python -m bench.sentence_model",
        "trained_on": "MSRP train (4,076 pairs); penalty and threshold cross-validated on it",
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
