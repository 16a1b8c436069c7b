"""Build rules/models/block-model.json, HTML mode's block model, from both dev sets (AEB and
L3S-GN1), and check it out of fold.

Each line of a page's text (``rules/page_text.page_blocks``) is an example, labelled article
text when at least half of its word 4-grams are in the page's gold ``article_body`` (a line
shorter than a 4-gram: when the gold holds its words in a row). Features: rules/block_features.py;
the odds they read of the lines' words and of the words of their class and id names are
learned by bench/word_odds.py.
A gradient-boosted tree ensemble (scikit-learn's HistGradientBoostingClassifier, a dev
dependency; the shipped model is plain JSON read with numpy) is fitted with fixed settings; the
threshold is the one whose kept lines score the best mean F1 on the training pages.

    .venv/bin/python -m bench.block_model [--train both|aeb|l3s-gn1] [--out PATH]
    .venv/bin/python -m bench.block_model --folds 5 [--html] [--seed N]
    .venv/bin/python -m bench.block_model --search

``--folds K`` builds nothing: it splits the pages of each set into K folds (whole pages, each
set split alike) and, for each training choice (AEB, L3S-GN1, both), fits a model on the
chosen sets' pages outside each fold and scores every page with the model of its own fold, so
each figure is out of fold (on a set a model is not trained on, every page is held out).
``--html`` also runs HTML mode with each fold's model. ``--search`` reports the pooled model's
folds for each tree size in ``SEARCH`` (the shipped size was chosen there).
``--train l3s-gn1 --out /tmp/block-model-l3s.json`` builds a model on one set only;
``COPYDESK_BLOCK_MODEL=/tmp/block-model-l3s.json python -m bench.boilerplate`` then scores
HTML mode with it.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.boilerplate import SETS, systems
from bench.common import Page, dataset_pages, score
from bench.trees import FOLD_SEED, Settings, fitted, folds, model_in_place
from bench.word_odds import Labelled, learned, odds_without_own_site, site_of
from copydesk.rules.block_features import FEATURES, block_features, name_words
from copydesk.rules.block_model import MODEL_VARIABLE, BlockModel, builtin_model
from copydesk.rules.engine import Engine
from copydesk.rules.html_tree import load_page
from copydesk.rules.loader import load_rules
from copydesk.rules.page_text import Block, page_blocks

OUT = Path(__file__).resolve().parents[1] / "rules" / "models" / "block-model.json"
THRESHOLDS = np.arange(0.1, 0.9, 0.05)
SHINGLE = 4
# The training choices: one set's pages, the other's, or both.
TRAINING = {"aeb": ("aeb",), "l3s-gn1": ("l3s-gn1",), "both": ("aeb", "l3s-gn1")}

Matrix = npt.NDArray[np.float64]


# The sizes tried on the pooled folds (``--search``): depth, and more trees learning slower.
# The shipped size was chosen among them on the pooled folds, not on a model's own training
# pages: a search there would fit them further.
SIZE = Settings(trees=100, max_depth=4, learning_rate=0.2)
SEARCH = [
    Settings(trees, depth, rate)
    for trees, depth, rate in (
        (100, 3, 0.2),
        (100, 4, 0.2),
        (100, 6, 0.2),
        (100, 8, 0.2),
        (200, 4, 0.1),
        (200, 6, 0.1),
    )
]


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


@dataclass(frozen=True)
class Example:
    """A page's lines and their labels (article text or not)."""

    page: Page
    blocks: list[Block]
    labels: list[bool]

    def features(self, word_odds: Mapping[str, float]) -> Matrix:
        return block_features(self.blocks, word_odds)

    @property
    def labelled(self) -> Labelled:
        return Labelled(
            site_of(self.page),
            [block.text for block in self.blocks],
            self.labels,
            [name_words(block.names) for block in self.blocks],
        )


def page_example(page: Page) -> Example:
    tree = load_page(page.html())
    blocks = [] if tree is None else page_blocks(tree)
    gold = Coverage(page.article_body)
    labels = [gold.of(block.text) >= 0.5 for block in blocks]
    return Example(page, blocks, labels)


def every_example() -> dict[str, list[Example]]:
    """Each set's pages as examples, set by set."""
    return {
        key: [page_example(page) for page in dataset_pages(folder)]
        for key, (_, folder) in SETS.items()
    }


def training_pages(train: str) -> list[Page]:
    """The pages a model is trained on, set after set."""
    return [page for key in TRAINING[train] for page in dataset_pages(SETS[key][1])]


def fit(pages: Iterable[Page], settings: Settings = SIZE) -> dict[str, Any]:
    """The model fitted on ``pages``, as the JSON that ``BlockModel.from_json`` reads."""
    return fit_examples([page_example(page) for page in pages], settings)


def fit_examples(examples: list[Example], settings: Settings = SIZE) -> dict[str, Any]:
    """The model fitted on ``examples``: the trees and the threshold learn from word odds
    counted without each page's own site (bench/word_odds.py); the model keeps those of all."""
    labelled = [example.labelled for example in examples]
    odds = odds_without_own_site(labelled)
    features = [example.features(own) for example, own in zip(examples, odds, strict=True)]
    y = np.array([label for example in examples for label in example.labels])
    model = fitted(np.vstack(features), y, FEATURES, settings)
    model["keep_above"] = _best_threshold(
        BlockModel.from_json({**model, "keep_above": 0.5}), examples, features
    )
    model["word_odds"] = learned(labelled)
    return model


def _best_threshold(model: BlockModel, examples: list[Example], features: list[Matrix]) -> float:
    probabilities = [model.probabilities(x) for x in features]

    def mean_f1(threshold: float) -> float:
        return float(
            np.mean(
                [
                    score(_kept(example.blocks, p, threshold), example.page.article_body).f1
                    for example, p in zip(examples, probabilities, strict=True)
                ]
            )
        )

    return round(float(max(THRESHOLDS, key=mean_f1)), 2)


def _kept(blocks: list[Block], probabilities: Matrix, threshold: float) -> str:
    return "\n".join(b.text for b, p in zip(blocks, probabilities, strict=True) if p >= threshold)


@dataclass
class OutOfFold:
    """Per set, each page's F1: the model's reading alone and (if run) HTML mode."""

    reading: dict[str, list[float]]
    html: dict[str, list[float]]
    thresholds: list[float]


def out_of_fold(
    examples: dict[str, list[Example]],
    train: str,
    k: int,
    settings: Settings = SIZE,
    engine: Engine | None = None,
    seed: int = FOLD_SEED,
) -> OutOfFold:
    """Every page scored by the model fitted without its fold (``train``'s sets only); HTML
    mode too when an engine is given, with the fold's model in place of the shipped one.
    ``seed`` deals the pages to folds."""
    assigned = folds({key: len(pages) for key, pages in examples.items()}, k, seed)
    result = OutOfFold(
        {key: [0.0] * len(pages) for key, pages in examples.items()},
        {key: [0.0] * len(pages) for key, pages in examples.items()} if engine else {},
        [],
    )
    for fold in range(k):
        training = [
            example
            for key in TRAINING[train]
            for example, f in zip(examples[key], assigned[key], strict=True)
            if f != fold
        ]
        model = fit_examples(training, settings)
        result.thresholds.append(model["keep_above"])
        fold_model = BlockModel.from_json(model)
        held = {key: [i for i, f in enumerate(assigned[key]) if f == fold] for key in examples}
        for key, indices in held.items():
            for i in indices:
                example = examples[key][i]
                reading = fold_model.reading(example.blocks)
                result.reading[key][i] = score(reading, example.page.article_body).f1
        if engine is not None:
            _html_mode(engine, model, examples, held, result.html)
    return result


def _html_mode(
    engine: Engine,
    model: dict[str, Any],
    examples: dict[str, list[Example]],
    held: dict[str, list[int]],
    into: dict[str, list[float]],
) -> None:
    """HTML mode's F1 on the held-out pages, with ``model`` as the engine's block model (put
    in place the way a user would: ``COPYDESK_BLOCK_MODEL``)."""
    html_mode = systems(engine)["copydesk, HTML mode"]
    with model_in_place(model, MODEL_VARIABLE, builtin_model):
        for key, indices in held.items():
            for i in indices:
                page = examples[key][i].page
                into[key][i] = score(html_mode(page), page.article_body).f1


def report_out_of_fold(k: int, html: bool, settings: Settings, seed: int) -> None:
    """Each training choice's out-of-fold figures, on the same folds."""
    examples = every_example()
    engine = Engine(load_rules()) if html else None
    for train, trained_on in TRAINING.items():
        result = out_of_fold(examples, train, k, settings, engine, seed)
        print(
            f"\ntrained on {train}, {k} folds by page (seed {seed}),"
            f" keep above {result.thresholds}:"
        )
        for key, (name, _) in SETS.items():
            kind = "out of fold" if key in trained_on else "held out: set not trained on"
            line = f"  {name} ({kind}): reading alone {np.mean(result.reading[key]):.4f}"
            if html:
                line += f", HTML mode {np.mean(result.html[key]):.4f}"
            print(line)


def report_search(k: int) -> None:
    """The pooled model's out-of-fold reading for each size in ``SEARCH``: the sizes are
    chosen on the pooled folds only, the mean of the two sets' figures."""
    examples = every_example()
    for settings in SEARCH:
        result = out_of_fold(examples, "both", k, settings)
        figures = {key: float(np.mean(f1s)) for key, f1s in result.reading.items()}
        print(
            f"{settings}: "
            + ", ".join(f"{SETS[key][0]} {f1:.4f}" for key, f1 in figures.items())
            + f", mean {np.mean(list(figures.values())):.4f}, keep above {result.thresholds}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train", default="both", choices=sorted(TRAINING))
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--folds", type=int, default=0, help="K-fold figures of each training choice; builds none"
    )
    parser.add_argument("--html", action="store_true", help="with --folds: HTML mode per fold")
    parser.add_argument("--seed", type=int, default=FOLD_SEED, help="with --folds: the deal")
    parser.add_argument("--search", action="store_true", help="pooled folds for each of SEARCH")
    args = parser.parse_args()
    if args.search:
        report_search(args.folds or 5)
        return
    if args.folds:
        report_out_of_fold(args.folds, args.html, SIZE, args.seed)
        return
    model = fit(training_pages(args.train))
    args.out.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
    built = BlockModel.from_json(model)
    print(f"trained on {args.train}: {len(model['roots'])} trees, keep above {model['keep_above']}")
    for key, (name, other) in SETS.items():
        pages = list(dataset_pages(other))
        f1 = np.mean([score(_reading(built, page), page.article_body).f1 for page in pages])
        kind = "training score" if key in TRAINING[args.train] else "held out"
        print(f"the block model's reading alone, {name}: F1 {f1:.4f} ({kind})")


def _reading(model: BlockModel, page: Page) -> str:
    tree = load_page(page.html())
    return "" if tree is None else model.reading(page_blocks(tree))


if __name__ == "__main__":
    main()
