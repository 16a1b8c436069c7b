"""Fitting the gradient-boosted trees that rules/trees.py evaluates, and writing them as the
JSON it reads: shared by the block model's and the line model's build scripts."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from sklearn.ensemble import HistGradientBoostingClassifier

from copydesk.rules.trees import Trees

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Settings:
    """The trees' size."""

    trees: int = 100
    max_depth: int = 4
    learning_rate: float = 0.2
    l2: float = 1.0


def fitted(
    x: Matrix,
    y: npt.NDArray[np.bool_],
    features: Sequence[str],
    settings: Settings,
    weights: Matrix | None = None,
) -> dict[str, Any]:
    """Trees fitted to ``x`` and ``y`` (rows weighted by ``weights``), as JSON for
    ``Trees.from_json``; checked to give the classifier's own probabilities."""
    classifier = HistGradientBoostingClassifier(
        max_iter=settings.trees,
        max_depth=settings.max_depth,
        learning_rate=settings.learning_rate,
        l2_regularization=settings.l2,
        random_state=0,
    ).fit(x, y, sample_weight=weights)
    model = _exported(classifier, features)
    trees = Trees.from_json(model, features, "model")
    assert np.allclose(trees.probabilities(x), classifier.predict_proba(x)[:, 1])
    return model


def _exported(
    classifier: HistGradientBoostingClassifier, features: Sequence[str]
) -> dict[str, Any]:
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
        "features": list(features),
        "baseline": float(classifier._baseline_prediction.ravel()[0]),
        "roots": roots,
        "nodes": nodes,
        "depth": depth,
    }


# Pages are dealt to folds in an order shuffled with this seed, set by set, unless told another.
FOLD_SEED = 0


def folds(sizes: dict[str, int], k: int, seed: int = FOLD_SEED) -> dict[str, list[int]]:
    """Each page's fold, set by set (``sizes``: each set's number of pages): every fold holds
    a k-th of each set's pages, dealt in an order shuffled with ``seed``. One deal moves a small
    set's figure by a few thousandths; choices are read on several."""
    rng = np.random.default_rng(seed)
    found: dict[str, list[int]] = {}
    for key, size in sizes.items():
        fold = [0] * size
        for rank, i in enumerate(rng.permutation(size)):
            fold[int(i)] = rank % k
        found[key] = fold
    return found


def same_model(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two model files hold the same model: equal, but for the last bits of the split
    thresholds, which scikit-learn's binning computes a little differently on another CPU."""
    floats = ("threshold", "value")
    rest_a = {**a, "nodes": {k: v for k, v in a["nodes"].items() if k not in floats}}
    rest_b = {**b, "nodes": {k: v for k, v in b["nodes"].items() if k not in floats}}
    return rest_a == rest_b and all(
        np.allclose(a["nodes"][k], b["nodes"][k], rtol=1e-12, atol=1e-12) for k in floats
    )


class Cached(Protocol):
    def cache_clear(self) -> None: ...


@contextmanager
def model_in_place(model: dict[str, Any], variable: str, builtin: Cached) -> Iterator[None]:
    """``model`` as the engine's, put in place the way a user would: a file that the
    environment variable ``variable`` names (``builtin``, the cached loader, forgets the
    shipped model meanwhile)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        path.write_text(json.dumps(model), encoding="utf-8")
        before = os.environ.get(variable)
        os.environ[variable] = str(path)
        builtin.cache_clear()
        try:
            yield
        finally:
            if before is None:
                del os.environ[variable]
            else:
                os.environ[variable] = before
            builtin.cache_clear()
