"""Gradient-boosted trees, as scikit-learn's HistGradientBoostingClassifier fits them, read from
JSON and evaluated with numpy: every tree a level at a time over every row at once. The block
model (HTML mode) and the line model (text mode) are such trees."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float64]
Indices = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Trees:
    """Trees flattened into one table of nodes; a leaf is a node whose children are itself."""

    baseline: float  # log-odds before the first tree
    roots: Indices  # the first node of each tree
    feature: Indices  # per node: the feature it splits on
    threshold: Vector  # per node: go left when the feature is at most this
    # Per node, its right child then its left: ``children[2 * node + go_left]`` is the next
    # node, one gather where picking from two arrays takes three.
    children: Indices
    value: Vector  # per node: what a leaf adds to the log-odds (0 elsewhere)
    depth: int  # the deepest path, in splits

    @classmethod
    def from_json(cls, data: dict[str, Any], features: Sequence[str], name: str) -> Trees:
        """The trees of a model file, which must name the ``features`` its reader computes."""
        if tuple(data["features"]) != tuple(features):
            raise ValueError(f"the {name} was trained on other features: rebuild it")
        nodes = data["nodes"]
        return cls(
            baseline=float(data["baseline"]),
            roots=np.asarray(data["roots"], dtype=np.intp),
            feature=np.asarray(nodes["feature"], dtype=np.intp),
            threshold=np.asarray(nodes["threshold"], dtype=np.float64),
            children=np.column_stack(
                (
                    np.asarray(nodes["right"], dtype=np.intp),
                    np.asarray(nodes["left"], dtype=np.intp),
                )
            ).ravel(),
            value=np.asarray(nodes["value"], dtype=np.float64),
            depth=int(data["depth"]),
        )

    def probabilities(self, x: Vector) -> Vector:
        """The probability of the positive class for each row of ``x``."""
        # Each row's value of each node's feature picked from the flat matrix by offset: one
        # gather per level instead of a two-axis fancy index (``take``: a third faster than
        # indexing with an array).
        flat = x.ravel()
        starts = (np.arange(len(x)) * x.shape[1])[:, None]
        node = np.broadcast_to(self.roots, (len(x), len(self.roots)))
        for _ in range(self.depth):
            go_left = flat.take(starts + self.feature.take(node)) <= self.threshold.take(node)
            node = self.children.take(2 * node + go_left)
        log_odds = self.baseline + self.value.take(node).sum(axis=1)
        probabilities: Vector = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -40, 40)))
        return probabilities


def model_json(variable: str, filename: str) -> dict[str, Any]:
    """A shipped model file (``rules/models/<filename>``), or the one the environment variable
    ``variable`` names (a model built on other pages, as the build scripts' fold runs use)."""
    own = os.environ.get(variable)
    path = Path(own) if own else resources.files("copydesk.rules") / "models" / filename
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class TreeModel:
    """Trees, the probability from which what they judge is kept and the word odds their
    features read; a subclass names the features its reader computes, which a model file must
    have been trained on."""

    features: ClassVar[tuple[str, ...]]
    name: ClassVar[str]
    trees: Trees
    keep_above: float
    # What a line's words say (rules/words.py), learned with the trees. A model file without
    # them reads every word as unknown.
    word_odds: Mapping[str, float]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        trees = Trees.from_json(data, cls.features, cls.name)
        return cls(trees, float(data["keep_above"]), dict(data.get("word_odds", {})))
