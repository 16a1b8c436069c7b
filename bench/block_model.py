"""Build rules/models/block-model.json, HTML mode's block model, from AEB dev; L3S-GN1 dev is
the set it is reported on.

Each line of a page's text (``rules/page_text.page_blocks``) is an example, labelled article
text when at least half of its word 4-grams are in the page's gold ``article_body`` (a line
shorter than a 4-gram: when the gold holds its words in a row). Features: rules/block_features.py.
A gradient-boosted tree ensemble (scikit-learn's HistGradientBoostingClassifier, a dev
dependency; the shipped model is plain JSON read with numpy) is fitted with fixed settings; the
threshold is the one whose kept lines score the best mean F1 on the training pages.

    .venv/bin/python -m bench.block_model [--train aeb|l3s-gn1] [--out PATH]

``--train l3s-gn1 --out /tmp/block-model-l3s.json`` builds the check the other way round;
``COPYDESK_BLOCK_MODEL=/tmp/block-model-l3s.json python -m bench.boilerplate`` then scores
HTML mode with it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.ensemble import HistGradientBoostingClassifier

from bench.boilerplate import SETS
from bench.common import Page, dataset_pages, score
from copydesk.rules.block_features import FEATURES, block_features
from copydesk.rules.block_model import BlockModel
from copydesk.rules.html_tree import load_page
from copydesk.rules.page_text import Block, page_blocks

OUT = Path(__file__).resolve().parents[1] / "rules" / "models" / "block-model.json"
# Fixed, not searched: a search on the training set would fit it further.
TREES = 100
MAX_DEPTH = 4
LEARNING_RATE = 0.2
L2 = 1.0
THRESHOLDS = np.arange(0.1, 0.9, 0.05)
SHINGLE = 4

Matrix = npt.NDArray[np.float64]


class Coverage:
    """How much of a line a text holds: the share of the line's word 4-grams found in it, or
    for a line shorter than a 4-gram, whether it holds the line's words in a row."""

    def __init__(self, text: str) -> None:
        words = text.casefold().split()
        self._grams = {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
        self._squashed = f" {' '.join(words)} "

    def of(self, line: str) -> float:
        words = line.casefold().split()
        if len(words) < SHINGLE:
            return float(f" {' '.join(words)} " in self._squashed) if words else 0.0
        grams = [tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]
        return sum(gram in self._grams for gram in grams) / len(grams)


Examples = tuple[list[Block], Matrix, list[bool]]


def page_examples(page: Page) -> Examples:
    tree = load_page(page.html())
    blocks = [] if tree is None else page_blocks(tree)
    gold = Coverage(page.article_body)
    return blocks, block_features(blocks), [gold.of(block.text) >= 0.5 for block in blocks]


def fit(pages: list[Page]) -> dict[str, Any]:
    """The model fitted on ``pages``, as the JSON that ``BlockModel.from_json`` reads."""
    examples = [page_examples(page) for page in pages]
    x = np.vstack([features for _, features, _ in examples])
    y = np.array([label for _, _, labels in examples for label in labels])
    classifier = HistGradientBoostingClassifier(
        max_iter=TREES,
        max_depth=MAX_DEPTH,
        learning_rate=LEARNING_RATE,
        l2_regularization=L2,
        random_state=0,
    ).fit(x, y)
    model = _exported(classifier, 0.5)
    fitted = BlockModel.from_json(model)
    assert np.allclose(fitted.probabilities(x), classifier.predict_proba(x)[:, 1])
    model["keep_above"] = _best_threshold(fitted, pages, examples)
    return model


def _best_threshold(
    model: BlockModel,
    pages: list[Page],
    examples: list[Examples],
) -> float:
    probabilities = [model.probabilities(features) for _, features, _ in examples]

    def mean_f1(threshold: float) -> float:
        return float(
            np.mean(
                [
                    score(_kept(blocks, p, threshold), page.article_body).f1
                    for page, (blocks, _, _), p in zip(pages, examples, probabilities, strict=True)
                ]
            )
        )

    return round(float(max(THRESHOLDS, key=mean_f1)), 2)


def _kept(blocks: list[Block], probabilities: Matrix, threshold: float) -> str:
    return "\n".join(b.text for b, p in zip(blocks, probabilities, strict=True) if p >= threshold)


def _exported(classifier: HistGradientBoostingClassifier, keep_above: float) -> dict[str, Any]:
    """The fitted trees as one table of nodes (a leaf's children are itself)."""
    nodes: dict[str, list[Any]] = {
        key: [] for key in ("feature", "threshold", "left", "right", "value")
    }
    roots: list[int] = []
    depth = 0
    for [tree] in classifier._predictors:
        offset = len(nodes["feature"])
        roots.append(offset)
        for i, node in enumerate(tree.nodes):
            leaf = bool(node["is_leaf"])
            nodes["feature"].append(0 if leaf else int(node["feature_idx"]))
            nodes["threshold"].append(0.0 if leaf else float(node["num_threshold"]))
            nodes["left"].append(offset + (i if leaf else int(node["left"])))
            nodes["right"].append(offset + (i if leaf else int(node["right"])))
            nodes["value"].append(float(node["value"]) if leaf else 0.0)
            depth = max(depth, int(node["depth"]))
    return {
        "features": list(FEATURES),
        "baseline": float(classifier._baseline_prediction.ravel()[0]),
        "roots": roots,
        "nodes": nodes,
        "depth": depth,
        "keep_above": keep_above,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train", default="aeb", choices=sorted(SETS))
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    title, folder = SETS[args.train]
    model = fit(list(dataset_pages(folder)))
    args.out.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
    fitted = BlockModel.from_json(model)
    print(f"trained on {title}: {len(model['roots'])} trees, keep above {model['keep_above']}")
    for key, (name, other) in SETS.items():
        pages = list(dataset_pages(other))
        f1 = np.mean([score(_reading(fitted, page), page.article_body).f1 for page in pages])
        kind = "training score" if key == args.train else "held out"
        print(f"the block model's reading alone, {name}: F1 {f1:.4f} ({kind})")


def _reading(model: BlockModel, page: Page) -> str:
    tree = load_page(page.html())
    return "" if tree is None else model.reading(page_blocks(tree))


if __name__ == "__main__":
    main()
