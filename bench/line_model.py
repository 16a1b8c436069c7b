"""Build rules/models/line-model.json, text mode's line model, from both dev sets (AEB and
L3S-GN1), and check it out of fold.

Each non-blank line of a page's text, as the strip rules before the model leave it (the
built-in packs with the model's rule disabled), is an example, labelled article text when at
least half of its word 4-grams are in the page's gold ``article_body`` (``Coverage``, as the
block model labels its lines). Features: rules/line_features.py; the words' odds it reads are
learned by bench/word_odds.py, and the trees learn from odds counted without the page's own
site, as they will meet them on a user's pages. Each page is also read a line per text node,
as a common scraper writes it (``node_example``, labelled through the markup): there the rules
see fragments of paragraphs, and a model that learned from well-formed lines alone kept back
too little of what they wrongly cut. Trees as the block model's (bench/trees.py), each page
weighing the same within its set and layout, and each set and layout the same in all, so the
471 L3S-GN1 pages do not drown the 111 of AEB; a line is kept from probability 0.5.

    .venv/bin/python -m bench.line_model [--out PATH]
    .venv/bin/python -m bench.line_model --folds 5 [--seed N] [--html]
    .venv/bin/python -m bench.line_model --across

``--folds K`` builds nothing: it splits each set's pages into K folds (bench/trees.py; dealt
with ``--seed``, 0 unless told), fits a model without each fold and runs text mode, as a user
gets it (``COPYDESK_LINE_MODEL`` pointing at the fold's model), on the fold's pages in every
layout ``TEXT_MODES`` names (as they come, hard-wrapped, a line per text node, double-spaced,
as the source holds the text, as Markdown, as laid out by inscriptis, and by w3m, links and
elinks where installed): every
figure is out of fold. ``--html`` runs HTML mode too, with the model judging its page-text
reading (the rule's ``html_page_text``). The report also prints the ceiling of any line
selection: the lines labelled article text, scored as they are.
``--across`` builds nothing either: it scores each set with a model fitted on the other alone.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.block_model import Coverage
from bench.boilerplate import (
    DOUBLE_SPACED_MODE,
    LAYOUT_MODES,
    MARKDOWN_MODE,
    NODE_TEXT_MODE,
    SETS,
    SOURCE_TEXT_MODE,
    WRAP_COLUMNS,
    System,
    collapsed,
    systems,
)
from bench.common import Page, Score, average, dataset_pages, score
from bench.line_joins import text_nodes
from bench.trees import FOLD_SEED, Settings, fitted, folds, model_in_place
from bench.word_odds import Labelled, learned, odds_without_own_site, site_of
from copydesk.rules.engine import Engine
from copydesk.rules.html_tree import load_page
from copydesk.rules.line_features import FEATURES, line_features
from copydesk.rules.line_joins import joined_lines
from copydesk.rules.line_model import MODEL_VARIABLE, builtin_model, judged_lines
from copydesk.rules.lines import Line, split_lines
from copydesk.rules.loader import load_rules
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore

OUT = Path(__file__).resolve().parents[1] / "rules" / "models" / "line-model.json"
RULE = "text-line-model"  # the built-in pack's line-model rule
# Chosen on the pooled folds (`--folds`) among 100 trees of depth 4 at rate 0.2, 200 of depth 3
# and 200 of depth 6 at rate 0.1: the mean of the two sets out of fold.
SIZE = Settings(trees=200, max_depth=6, learning_rate=0.1)
KEEP_ABOVE = 0.5
# The key of a set's pages read a line per text node, after the set's own key.
NODE_LAYOUT = "/nodes"

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Example:
    """A page's non-blank lines as the rules leave them, what the rules did to each, and
    their labels."""

    page: Page
    lines: list[Line]
    kept: list[bool]
    cut_by: list[str]
    labels: npt.NDArray[np.bool_]

    def oracle(self) -> str:
        """The lines labelled article text: the best a choice of lines can do."""
        return "\n".join(
            line.text for line, label in zip(self.lines, self.labels, strict=True) if label
        )

    def features(self, word_odds: Mapping[str, float]) -> Matrix:
        return line_features(self.lines, self.kept, self.cut_by, word_odds)

    @property
    def labelled(self) -> Labelled:
        return Labelled(
            site_of(self.page), [line.text for line in self.lines], self.labels.tolist()
        )


def set_of(key: str) -> str:
    """The set an ``every_example`` key holds pages of."""
    return key.removesuffix(NODE_LAYOUT)


def engine_without_model() -> Engine:
    """The built-in packs with the line model's rule disabled, as a user's pack would."""
    return _engine_with(f"disable: [{RULE}]")


def engine_judging_page_text() -> Engine:
    """The built-in packs with the line model judging HTML mode's page-text reading too."""
    return _engine_with(f"override:\n  {RULE}: {{html_page_text: true}}")


def _engine_with(change: str) -> Engine:
    with tempfile.TemporaryDirectory() as folder:
        pack = Path(folder) / "change.yaml"
        pack.write_text(f"pack: change\n{change}\nrules: []\n", encoding="utf-8")
        return Engine(load_rules([pack]))


def _judged(engine: Engine, page: Page, text: str) -> tuple[list[Line], list[bool], list[str]]:
    out = engine.strip(ArticleIn(id=page.id, url=page.url, text=text), MemoryStore())
    return judged_lines(split_lines(joined_lines(text)), out.removed)


def page_example(engine: Engine, page: Page) -> Example:
    lines, kept, cut_by = _judged(engine, page, page.page_text)
    gold = Coverage(page.article_body)
    labels = np.array([gold.of(line.text) >= 0.5 for line in lines], dtype=bool)
    return Example(page, lines, kept, cut_by, labels)


def node_example(engine: Engine, page: Page) -> Example:
    """The page read a line per text node (``bench.line_joins.node_text``). Its lines are too
    short to label by their own 4-grams, so each text node takes the label of the line that
    rules/page_text.py puts it on (its block), and each line of the joined text the label of
    most of its characters."""
    tree = load_page(page.html())
    nodes = [] if tree is None else list(text_nodes(tree))
    blocks: dict[int, list[str]] = {}
    for text, block in nodes:
        blocks.setdefault(block, []).append(text)
    gold = Coverage(page.article_body)
    article = {block: gold.of(" ".join(texts)) >= 0.5 for block, texts in blocks.items()}
    spans: list[tuple[int, int, bool]] = []  # each node's place in the text, and its label
    at = 0
    for text, block in nodes:
        spans.append((at, at + len(text), article[block]))
        at += len(text) + 1
    lines, kept, cut_by = _judged(engine, page, "\n".join(text for text, _ in nodes))
    starts = [start for start, _, _ in spans]
    labels = []
    for line in lines:
        chars = Counter[bool]()
        # The nodes a line overlaps: from the last one starting at or before it.
        for start, end, label in spans[max(bisect_right(starts, line.start) - 1, 0) :]:
            if start >= line.end:
                break
            chars[label] += max(min(end, line.end) - max(start, line.start), 0)
        labels.append(chars[True] > chars[False])
    return Example(page, lines, kept, cut_by, np.array(labels, dtype=bool))


def every_example() -> dict[str, list[Example]]:
    """Each set's pages as examples (``page_example``), and under ``key + NODE_LAYOUT`` the
    same pages read a line per text node (``node_example``): a scraper's common layout, in
    which the rules see fragments of paragraphs, so that the model learns what they do there."""
    engine = engine_without_model()
    examples: dict[str, list[Example]] = {}
    for key, (_, folder) in SETS.items():
        pages = list(dataset_pages(folder))
        examples[key] = [page_example(engine, page) for page in pages]
        examples[key + NODE_LAYOUT] = [node_example(engine, page) for page in pages]
    return examples


def fit(examples: dict[str, list[Example]]) -> dict[str, Any]:
    """The model fitted on ``examples`` (per set), as the JSON ``LineModel.from_json`` reads."""
    every = [example for pages in examples.values() for example in pages]
    labelled = [example.labelled for example in every]
    odds = odds_without_own_site(labelled)
    x = np.vstack([example.features(own) for example, own in zip(every, odds, strict=True)])
    y = np.concatenate([example.labels for example in every])
    # Each page weighs 1 / (its set's pages), spread over its lines: each set and layout the same.
    weights = np.concatenate(
        [
            np.full(len(example.labels), 1.0 / len(pages) / max(len(example.labels), 1))
            for pages in examples.values()
            for example in pages
        ]
    )
    model = fitted(x, y, FEATURES, SIZE, weights / weights.mean())
    model["keep_above"] = KEEP_ABOVE
    model["word_odds"] = learned(labelled)
    return model


# The modes scored, as bench.boilerplate runs them.
TEXT_MODES = (
    "copydesk, text mode",
    f"copydesk, text mode, hard-wrapped at {WRAP_COLUMNS}",
    NODE_TEXT_MODE,
    DOUBLE_SPACED_MODE,
    SOURCE_TEXT_MODE,
    MARKDOWN_MODE,
    *LAYOUT_MODES,  # the text browsers' where installed
)
HTML_MODE = "copydesk, HTML mode"


def _modes(engine: Engine, html: bool) -> dict[str, System]:
    found = systems(engine)
    wanted = (*TEXT_MODES, *((HTML_MODE,) if html else ()))
    return {name: found[name] for name in wanted if name in found}


def report_out_of_fold(k: int, seed: int, html: bool) -> None:
    """Each mode's F1 per set with and without the line model, the model's out of fold."""
    examples = every_example()
    assigned = folds({key: len(examples[key]) for key in SETS}, k, seed)
    modes = _modes(engine_judging_page_text(), html)
    rules_only = _modes(engine_without_model(), html)
    # Per system, mode and set: each page's score, in the set's page order (each page is
    # scored once per system and mode: by the rules, and in its own fold by the model).
    found: dict[tuple[str, str, str], list[Score]] = {}

    def record(system: str, mode: str, key: str, i: int, text: str) -> None:
        page = examples[key][i].page
        scores = found.setdefault((system, mode, key), [Score(0.0, 0.0, 0.0)] * len(examples[key]))
        scores[i] = score(text, page.article_body)

    for key in SETS:
        for i, example in enumerate(examples[key]):
            for mode, run in rules_only.items():
                record("rules", mode, key, i, run(example.page))
    for fold in range(k):
        training = {
            key: [e for e, f in zip(pages, assigned[set_of(key)], strict=True) if f != fold]
            for key, pages in examples.items()
        }
        with model_in_place(fit(training), MODEL_VARIABLE, builtin_model):
            for key in SETS:
                for i, (example, f) in enumerate(zip(examples[key], assigned[key], strict=True)):
                    if f == fold:
                        for mode, run in modes.items():
                            record("model", mode, key, i, run(example.page))
        print(f"fold {fold + 1} of {k} done", flush=True)
    print(f"\n{k} folds by page (seed {seed}); the line model's figures are out of fold")
    for key, (name, _) in SETS.items():
        oracle = [score(e.oracle(), e.page.article_body).f1 for e in examples[key]]
        print(
            f"  {name}: the lines labelled article text alone (the ceiling) {np.mean(oracle):.4f}"
        )
    for mode in modes:
        for key, (name, _) in SETS.items():
            untouched = [score(e.page.page_text, e.page.article_body) for e in examples[key]]
            rules, model = found[("rules", mode, key)], found[("model", mode, key)]
            print(
                f"  {mode}, {name}: rules alone {average(rules).f1:.4f}"
                f" ({collapsed(rules, untouched)} collapsed),"
                f" with the line model {average(model).f1:.4f}"
                f" ({collapsed(model, untouched)} collapsed)"
            )
            # A page whose page text is empty scores 0 in the modes that read it, whatever
            # the rules do (7 of L3S-GN1 dev's: markup the data set's HTML-to-text tool could
            # not read); the other modes read the markup.
            if mode in (NODE_TEXT_MODE, SOURCE_TEXT_MODE, MARKDOWN_MODE, HTML_MODE, *LAYOUT_MODES):
                continue
            pages = zip(model, examples[key], strict=True)
            with_text = [s for s, e in pages if e.page.page_text.strip()]
            if len(with_text) < len(model):
                print(
                    f"    over the {len(with_text)} pages with a page text:"
                    f" with the line model {average(with_text).f1:.4f}"
                )


def report_across() -> None:
    """Text mode on each set with the model fitted on the other set alone: sites, years and a
    gold convention the model never saw (AEB's gold drops headlines and captions, L3S-GN1's
    keeps them)."""
    examples = every_example()
    text_mode = _modes(engine_judging_page_text(), False)[TEXT_MODES[0]]
    for key, (name, _) in SETS.items():
        others = {other: pages for other, pages in examples.items() if set_of(other) != key}
        with model_in_place(fit(others), MODEL_VARIABLE, builtin_model):
            scores = [score(text_mode(e.page), e.page.article_body) for e in examples[key]]
        trained_on = ", ".join(name for other, (name, _) in SETS.items() if other != key)
        print(f"  {name}, the line model fitted on {trained_on} alone: {average(scores).f1:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--folds", type=int, default=0, help="K-fold figures; builds none")
    parser.add_argument("--seed", type=int, default=FOLD_SEED, help="with --folds: the deal")
    parser.add_argument("--html", action="store_true", help="with --folds: HTML mode too")
    parser.add_argument(
        "--across", action="store_true", help="each set scored by a model fitted on the other"
    )
    args = parser.parse_args()
    if args.across:
        report_across()
        return
    if args.folds:
        report_out_of_fold(args.folds, args.seed, args.html)
        return
    model = fit(every_example())
    args.out.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"trained on both dev sets: {len(model['roots'])} trees, wrote {args.out}")


if __name__ == "__main__":
    main()
