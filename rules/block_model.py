"""The block model: gradient-boosted trees over the features of rules/block_features.py giving
the probability that a line of a page belongs to the article, and the threshold above which a
line is kept. Trees, their leaf values, the threshold and the odds of the words of lines and of
class and id names are learned from both dev sets, AEB and L3S-GN1
(rules/models/block-model.json, built by ``python -m bench.block_model``; its ``--folds`` mode
reports it out of fold); evaluated by rules/trees.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from copydesk.rules.block_features import FEATURES, block_features
from copydesk.rules.page_text import Block
from copydesk.rules.trees import TreeModel, Vector, model_json

MODEL_VARIABLE = "COPYDESK_BLOCK_MODEL"


@dataclass(frozen=True)
class BlockModel(TreeModel):
    features = FEATURES
    name = "block model"

    def probabilities(self, x: Vector) -> Vector:
        """The probability that each row of ``x`` (a line's features) is article text."""
        return self.trees.probabilities(x)

    def reading(self, blocks: Sequence[Block]) -> str:
        """The lines of the page the model keeps, in page order."""
        if not blocks:
            return ""
        x = block_features(blocks, self.word_odds)
        kept = self.probabilities(x) >= self.keep_above
        return "\n".join(block.text for block, keep in zip(blocks, kept, strict=True) if keep)


@cache
def builtin_model() -> BlockModel:
    """The shipped model, or the one ``COPYDESK_BLOCK_MODEL`` names (a model built by
    ``bench.block_model`` on other pages)."""
    return BlockModel.from_json(model_json(MODEL_VARIABLE, "block-model.json"))
