"""HTML mode's readings of a page, each scored against the gold: what choosing among them can
reach, and the ways of choosing that were measured and not shipped.

    .venv/bin/python -m bench.readings [--folds 5] [--seed 0]

For every page of AEB dev and L3S-GN1 dev the engine's four readings (trafilatura's, the page
text, the block model's, readability-lxml's) are taken twice: as the vote weighs them (after
the rules that find the article's region) and as the engine outputs the page when that reading
is chosen. The block model is each fold's, fitted without the fold's pages as
``bench.block_model --folds`` deals them, so every figure is out of fold for the model. Printed
per set: each reading alone; the shipped vote, replayed on the stored readings (checked against
the engine's own output); the best reading of each page, which no way of choosing among these
readings can beat; and the alternatives: reading trafilatura only where the page text's and the
block model's readings agree less than τ (the speed that would save), and a learned choice (a
regression of each reading's F1 on its agreement with the others and its length, fitted on the
other folds' pages). About 10 CPU minutes.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import numpy as np
from sklearn.linear_model import Ridge

from bench.block_model import SIZE, every_example, fit_examples
from bench.boilerplate import SETS
from bench.common import score
from bench.trees import FOLD_SEED, folds, model_in_place
from copydesk.rules import agreement
from copydesk.rules.agreement import SETTLED_F1, Readings
from copydesk.rules.block_model import MODEL_VARIABLE, builtin_model
from copydesk.rules.engine import Engine
from copydesk.rules.extract import Extracted
from copydesk.rules.loader import load_rules
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore

TRAFILATURA, PAGE, BLOCKS, READABILITY = range(4)
NAMES = ("trafilatura's reading", "the page text's", "the block model's", "readability-lxml's")
Candidate = tuple[str, Literal["text", "html"]]


@dataclass(frozen=True)
class Page:
    """One page's readings: as the vote weighs them, and each one's F1 were it chosen."""

    weighed: tuple[str, ...]
    f1: tuple[float, ...]
    shipped_f1: float  # the engine's own output


class ChosenReading(Engine):
    """The engine with the vote replaced: it outputs the reading numbered ``choice``, and keeps
    every reading of each page it saw, weighed as the vote weighs them."""

    choice = TRAFILATURA

    def __init__(self) -> None:
        super().__init__(load_rules())
        self.readings: dict[str, tuple[list[Candidate], list[str]]] = {}

    def _most_agreed(
        self, article: ArticleIn, extracted: Extracted, now: datetime | None
    ) -> Candidate:
        if article.id not in self.readings:
            candidates: list[Candidate] = [
                (extracted.text, "html"),
                (extracted.page, "text"),
                (extracted.modelled(), "html"),
                (extracted.readable(), "html"),
            ]
            weighed = [self._region(article, body, kind, now) for body, kind in candidates]
            self.readings[article.id] = (candidates, weighed)
        return self.readings[article.id][0][self.choice]


def read_pages(k: int, seed: int) -> dict[str, list[Page]]:
    """Every page of both sets, its block model fitted without its fold."""
    examples = every_example()
    assigned = folds({key: len(pages) for key, pages in examples.items()}, k, seed)
    found: dict[str, list[Page | None]] = {key: [None] * len(p) for key, p in examples.items()}
    shipped, chosen = Engine(load_rules()), ChosenReading()
    for fold in range(k):
        training = [
            example
            for key in examples
            for example, f in zip(examples[key], assigned[key], strict=True)
            if f != fold
        ]
        with model_in_place(fit_examples(training, SIZE), MODEL_VARIABLE, builtin_model):
            for key, pages in examples.items():
                for i, example in enumerate(pages):
                    if assigned[key][i] != fold:
                        continue
                    page = example.page
                    article = ArticleIn(id=page.id, url=page.url, html=page.html())
                    f1s = []
                    for choice in range(4):
                        chosen.choice = choice
                        out = chosen.process(article, MemoryStore()).text
                        f1s.append(score(out, page.article_body).f1)
                    own = shipped.process(article, MemoryStore()).text
                    found[key][i] = Page(
                        tuple(chosen.readings.pop(article.id)[1]),
                        tuple(f1s),
                        score(own, page.article_body).f1,
                    )
    return {key: [p for p in pages if p is not None] for key, pages in found.items()}


def shipped_vote(page: Page) -> int:
    """The engine's choice: trafilatura's where it and the page text's all but agree, else
    the medoid of three, of four where no two of them agree."""
    order = (TRAFILATURA, PAGE, BLOCKS, READABILITY)
    return order[agreement.vote(page.weighed[i] for i in order)]


def lazy_trafilatura(tau: float, prefer: int) -> Callable[[Page], tuple[int, bool]]:
    """Where the page text's and the block model's readings agree at ``tau``, take ``prefer``
    without reading trafilatura; elsewhere the shipped vote. Also says if trafilatura ran."""

    def choose(page: Page) -> tuple[int, bool]:
        if Readings([page.weighed[PAGE], page.weighed[BLOCKS]]).agreement(0, 1) >= tau:
            return prefer, False
        return shipped_vote(page), True

    return choose


def _alone(reading: int) -> Callable[[Page], float]:
    return lambda page: page.f1[reading]


def _chosen_by(choose: Callable[[Page], tuple[int, bool]]) -> Callable[[Page], float]:
    return lambda page: page.f1[choose(page)[0]]


def _choice_features(page: Page, reading: int, voters: Sequence[int]) -> list[float]:
    readings = Readings(page.weighed[i] for i in voters)
    index = voters.index(reading)
    agreement = [readings.agreement(*sorted((index, j))) for j in range(len(voters)) if j != index]
    lengths = np.log1p([len(page.weighed[i].split()) for i in voters])
    which = [float(reading == r) for r in range(4)]
    return [
        float(np.mean(agreement)),
        max(agreement),
        min(agreement),
        float(lengths[index]),
        float(lengths[index] - np.median(lengths)),
        *which,
        *(w * float(np.mean(agreement)) for w in which),
    ]


def _voters(page: Page) -> tuple[int, ...]:
    three = (TRAFILATURA, PAGE, BLOCKS)
    return (*three, READABILITY) if Readings(page.weighed[i] for i in three).undecided() else three


def learned_choice(pages: dict[str, list[Page]], k: int, seed: int) -> dict[str, float]:
    """Each page's reading chosen by a ridge regression of F1 on the readings' agreement and
    length, fitted on the pages of the other folds (both sets)."""
    assigned = folds({key: len(p) for key, p in pages.items()}, k, seed)
    scores: dict[str, list[float]] = {key: [] for key in pages}
    for fold in range(k):
        x, y = [], []
        for key, set_pages in pages.items():
            for page, f in zip(set_pages, assigned[key], strict=True):
                if f != fold:
                    for reading in _voters(page):
                        x.append(_choice_features(page, reading, _voters(page)))
                        y.append(page.f1[reading])
        model = Ridge(alpha=1.0).fit(np.array(x), np.array(y))
        for key, set_pages in pages.items():
            for page, f in zip(set_pages, assigned[key], strict=True):
                if f == fold:
                    voters = _voters(page)
                    predicted = model.predict(
                        np.array([_choice_features(page, r, voters) for r in voters])
                    )
                    scores[key].append(page.f1[voters[int(np.argmax(predicted))]])
    return {key: float(np.mean(s)) for key, s in scores.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=FOLD_SEED)
    args = parser.parse_args()
    pages = read_pages(args.folds, args.seed)
    names = [SETS[key][0] for key in pages]
    heading = f"F1 (block model out of fold, {args.folds} folds, seed {args.seed})"
    print(f"| {heading} | {' | '.join(names)} |")
    print("|---|" + "---|" * len(pages))

    def row(label: str, value: Callable[[Page], float], note: str = "") -> None:
        figures = " | ".join(f"{np.mean([value(p) for p in ps]):.4f}" for ps in pages.values())
        print(f"| {label}{note} | {figures} |")

    for reading, name in enumerate(NAMES):
        row(f"{name} alone", _alone(reading))
    row("**the shipped vote**, replayed", lambda p: p.f1[shipped_vote(p)])
    row("the engine's own output (the replay's check)", lambda p: p.shipped_f1)
    row("the best reading of each page (no choice can beat it)", lambda p: max(p.f1))
    for tau in (SETTLED_F1, 0.95, 0.98):
        for prefer in (BLOCKS, PAGE):
            choose = lazy_trafilatura(tau, prefer)
            read = " / ".join(f"{np.mean([choose(p)[1] for p in ps]):.0%}" for ps in pages.values())
            row(
                f"trafilatura read only below τ = {tau} between page text and block model,"
                f" else {NAMES[prefer]}",
                _chosen_by(choose),
                f" (trafilatura read on {read} of pages)",
            )
    learned = learned_choice(pages, args.folds, args.seed)
    print(
        "| a learned choice (ridge regression, folds by page) | "
        + " | ".join(f"{learned[key]:.4f}" for key in pages)
        + " |"
    )


if __name__ == "__main__":
    main()
