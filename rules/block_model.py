"""The block model: gradient-boosted trees over the features of rules/block_features.py giving
the probability that a line of a page belongs to the article, and the threshold above which a
line is kept. Trees, their leaf values and the threshold are learned from both dev sets, AEB
and L3S-GN1 (rules/models/block-model.json, built by ``python -m bench.block_model``; its
``--folds`` mode reports it out of fold); evaluated here with numpy, every tree a level at a
time over every line at once."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from copydesk.rules.block_features import FEATURES, block_features
from copydesk.rules.page_text import Block

MODEL_VARIABLE = "COPYDESK_BLOCK_MODEL"
Vector = npt.NDArray[np.float64]
Indices = npt.NDArray[np.intp]


@dataclass(frozen=True)
class BlockModel:
    """Trees flattened into one table of nodes; a leaf is a node whose children are itself."""

    features: list[str]
    baseline: float  # log-odds before the first tree
    roots: Indices  # the first node of each tree
    feature: Indices  # per node: the feature it splits on
    threshold: Vector  # per node: go left when the feature is at most this
    left: Indices
    right: Indices
    value: Vector  # per node: what a leaf adds to the log-odds (0 elsewhere)
    depth: int  # the deepest path, in splits
    keep_above: float  # the probability from which a line is kept

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BlockModel:
        nodes = data["nodes"]
        if tuple(data["features"]) != FEATURES:
            raise ValueError("the block model was trained on other features: rebuild it")
        return cls(
            features=list(data["features"]),
            baseline=float(data["baseline"]),
            roots=np.asarray(data["roots"], dtype=np.intp),
            feature=np.asarray(nodes["feature"], dtype=np.intp),
            threshold=np.asarray(nodes["threshold"], dtype=np.float64),
            left=np.asarray(nodes["left"], dtype=np.intp),
            right=np.asarray(nodes["right"], dtype=np.intp),
            value=np.asarray(nodes["value"], dtype=np.float64),
            depth=int(data["depth"]),
            keep_above=float(data["keep_above"]),
        )

    def probabilities(self, x: Vector) -> Vector:
        """The probability that each row of ``x`` (a line's features) is article text."""
        # Each line's value of each node's feature picked from the flat matrix by offset: one
        # gather per level instead of a two-axis fancy index.
        flat = x.ravel()
        starts = (np.arange(len(x)) * x.shape[1])[:, None]
        node = np.broadcast_to(self.roots, (len(x), len(self.roots)))
        for _ in range(self.depth):
            left = flat[starts + self.feature[node]] <= self.threshold[node]
            node = np.where(left, self.left[node], self.right[node])
        log_odds = self.baseline + self.value[node].sum(axis=1)
        probabilities: Vector = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -40, 40)))
        return probabilities

    def reading(self, blocks: Sequence[Block]) -> str:
        """The lines of the page the model keeps, in page order."""
        if not blocks:
            return ""
        kept = self.probabilities(block_features(blocks)) >= self.keep_above
        return "\n".join(block.text for block, keep in zip(blocks, kept, strict=True) if keep)


@cache
def builtin_model() -> BlockModel:
    """The shipped model, or the one ``COPYDESK_BLOCK_MODEL`` names (a model built by
    ``bench.block_model`` on other pages)."""
    own = os.environ.get(MODEL_VARIABLE)
    path = Path(own) if own else resources.files("copydesk.rules") / "models" / "block-model.json"
    return BlockModel.from_json(json.loads(path.read_text(encoding="utf-8")))
