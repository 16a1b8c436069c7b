"""The quote-attribution rule's model: a logistic regression over the named features of
rules/quote_features.py giving the probability that a quotation has no speaker or source, with
the threshold above which the rule reports it. Weights, bias and threshold are learned from
PolNeAR train (rules/models/quote-attribution.json, built by ``python -m bench.quote_model``)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

from copydesk.rules.quote_features import Features


@dataclass(frozen=True)
class QuoteModel:
    weights: dict[str, float]
    bias: float
    threshold: float

    def probability(self, features: Features) -> float:
        """The probability that the quotation with ``features`` is unattributed."""
        z = self.bias + sum(self.weights.get(name, 0.0) * v for name, v in features.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def unattributed(self, features: Features) -> bool:
        return self.probability(features) >= self.threshold


@cache
def builtin_model() -> QuoteModel:
    path = resources.files("copydesk.rules") / "models" / "quote-attribution.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return QuoteModel(data["weights"], data["bias"], data["threshold"])
