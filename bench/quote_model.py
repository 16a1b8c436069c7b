"""Build rules/models/quote-attribution.json, the quote-attribution rule's model, from
PolNeAR's train split only (dev is for reporting; the held-out test split is never read).

Each quotation the built-in rule judges in a training article is an example, labelled
unattributed by PolNeAR's truth (bench/polnear.py: most of its characters outside annotated
Contents that have a Source). Its features are the rule's own (rules/quote_features.py).
A logistic regression with an L2 penalty is fitted by Newton's method. The penalty
and the threshold are chosen by cross-validation on train, folds by article: the penalty with
the best out-of-fold log loss, then the lowest threshold whose out-of-fold precision reaches
``TARGET_PRECISION`` (the most recall at that precision).

    .venv/bin/python -m bench.quote_model [--report]
"""

from __future__ import annotations

import argparse
import json
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench import polnear
from copydesk.rules.kinds.quotes import QuoteAttributionRule
from copydesk.rules.loader import load_rules
from copydesk.rules.quote_features import Features, continues_a_speaker, stands_alone

OUT = Path(__file__).resolve().parents[1] / "rules" / "models" / "quote-attribution.json"
PENALTIES = (0.03, 0.1, 0.3, 1.0, 3.0)
TARGET_PRECISION = 0.8
FOLDS = 5

Matrix = npt.NDArray[np.float64]


def builtin_rule() -> QuoteAttributionRule:
    [spec] = [r for r in load_rules().rules if r.kind == "quote-attribution"]
    rule = spec.build()
    assert isinstance(rule, QuoteAttributionRule)
    return rule


def examples() -> tuple[list[Features], list[bool], list[str]]:
    """Features, truth (unattributed) and article name of each training quotation the rule
    judges and does not settle whatever the model says (``stands_alone``,
    ``continues_a_speaker``)."""
    rule = builtin_rule()
    features, labels, names = [], [], []
    for article in polnear.articles("train"):
        for quote, quote_features in rule.judged(article.text):
            if stands_alone(quote_features) or continues_a_speaker(quote_features):
                continue
            features.append(quote_features)
            labels.append(not article.attributed(quote.start, quote.end))
            names.append(article.name)
    return features, labels, names


def vocabulary(features: list[Features]) -> list[str]:
    return sorted({name for example in features for name in example})


def matrix(features: list[Features], names: list[str]) -> Matrix:
    index = {name: i for i, name in enumerate(names)}
    x = np.zeros((len(features), len(names) + 1))
    x[:, -1] = 1.0  # the bias
    for row, example in enumerate(features):
        for name, value in example.items():
            if name in index:
                x[row, index[name]] = value
    return x


def fit(x: Matrix, y: Matrix, penalty: float) -> Matrix:
    """Logistic regression weights (the bias last, not penalised), by Newton's method."""
    w = np.zeros(x.shape[1])
    ridge = np.full(x.shape[1], penalty)
    ridge[-1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -40, 40)))
        gradient = x.T @ (p - y) + ridge * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(ridge) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def out_of_fold(x: Matrix, y: Matrix, folds: npt.NDArray[np.int64], penalty: float) -> Matrix:
    p = np.zeros(len(y))
    for fold in range(FOLDS):
        held = folds == fold
        w = fit(x[~held], y[~held], penalty)
        p[held] = 1.0 / (1.0 + np.exp(-np.clip(x[held] @ w, -40, 40)))
    return p


def log_loss(p: Matrix, y: Matrix) -> float:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def threshold_for(p: Matrix, y: Matrix, precision: float) -> tuple[float, float, float]:
    """The lowest threshold at which flags are ``precision`` right; with its precision and
    recall."""
    best = (1.0, 0.0, 0.0)
    for t in np.unique(p)[::-1]:
        flagged = p >= t
        right = float(y[flagged].sum())
        if right / flagged.sum() >= precision:
            best = (float(t), right / flagged.sum(), right / y.sum())
    return best


def build(report: bool = False) -> dict[str, object]:
    features, labels, articles = examples()
    names = vocabulary(features)
    x, y = matrix(features, names), np.array(labels, dtype=float)
    folds = np.array([zlib.crc32(a.encode()) % FOLDS for a in articles])
    losses = {}
    held_out = {}
    for penalty in PENALTIES:
        held_out[penalty] = out_of_fold(x, y, folds, penalty)
        losses[penalty] = log_loss(held_out[penalty], y)
    penalty = min(PENALTIES, key=lambda c: losses[c])
    threshold, precision, recall = threshold_for(held_out[penalty], y, TARGET_PRECISION)
    if report:
        print(f"{len(y)} judged quotations in PolNeAR train, {int(y.sum())} unattributed")
        print(f"{len(names)} features; out-of-fold log loss by penalty: {losses}")
        print(
            f"penalty {penalty}: threshold {threshold:.3f}, out-of-fold precision"
            f" {precision:.3f}, recall {recall:.3f} (of the judged quotations)"
        )
        # Where the out-of-fold precision-recall curve stands: whether any threshold trades well.
        levels = (0.9, 0.8, 0.7, 0.6, 0.5, 0.4)
        curve = [threshold_for(held_out[penalty], y, level)[2] for level in levels]
        print(
            "out-of-fold recall at precision >= "
            + ", ".join(f"{level}: {r:.3f}" for level, r in zip(levels, curve, strict=True))
        )
    w = fit(x, y, penalty)
    return {
        "built_by": "python -m bench.quote_model",
        "trained_on": "PolNeAR train (840 articles); penalty and threshold cross-validated on it",
        "penalty": penalty,
        "threshold": round(threshold, 6),
        "bias": round(float(w[-1]), 6),
        "weights": {name: round(float(v), 6) for name, v in zip(names, w[:-1], strict=True)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="print the cross-validation")
    args = parser.parse_args()
    model = build(args.report)
    OUT.write_text(json.dumps(model, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(model['weights'])} weights -> {OUT}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
