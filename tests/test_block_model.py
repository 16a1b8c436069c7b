"""HTML mode's block model: the lines of a page with their markup, their features, the trees'
evaluation, and the shipped model on an invented page."""

from __future__ import annotations

import json
from typing import Any

import lxml.html
import numpy as np
import pytest

from copydesk.rules.block_features import FEATURES, block_features
from copydesk.rules.block_model import BlockModel, builtin_model
from copydesk.rules.page_text import Block, page_blocks, page_text
from tests.conftest import SHARED

PROSE = (
    "The council voted on Tuesday to approve a new bridge over the river, a project that had"
    " been delayed for years by arguments over its cost and its route through the old town."
)
PAGE = (
    "<html><head><title>Bridge vote</title></head><body>"
    "<div id='top-nav' class='menu'><ul>"
    + "".join(f"<li><a href='/{s}'>{s}</a></li>" for s in ("Home", "World", "Sport", "Weather"))
    + "</ul></div>"
    "<div class='story-body'>"
    + "".join(f"<p>Paragraph {i}: {PROSE}</p>" for i in range(5))
    + "</div>"
    "<div class='related'><h3>Related stories</h3><ul>"
    + "".join(f"<li><a href='/r{i}'>Harbor ferry timetable changes {i}</a></li>" for i in range(4))
    + "</ul></div>"
    "<div id='footer'><a href='/privacy'>Privacy policy</a> | <a href='/terms'>Terms</a></div>"
    "</body></html>"
)


def test_each_line_of_the_page_text_comes_with_its_markup() -> None:
    tree = lxml.html.fromstring(PAGE)
    blocks = page_blocks(tree)
    assert "\n".join(block.text for block in blocks) == page_text(tree)
    home = blocks[0]
    assert (home.text, home.tag, home.parent) == ("Home", "li", "ul")
    assert home.link_chars == len("Home")
    assert any("menu" in names for names in home.names)
    assert "top-nav" in " ".join(home.names)
    paragraph = blocks[4]
    assert paragraph.text.startswith("Paragraph 0:")
    assert (paragraph.tag, paragraph.link_chars) == ("p", 0)
    footer = blocks[-1]
    assert footer.text == "Privacy policy | Terms"
    assert footer.link_chars == len("Privacy policy") + len("Terms")


def test_features_are_one_row_per_line_and_read_the_neighbours() -> None:
    blocks = page_blocks(lxml.html.fromstring(PAGE))
    x = block_features(blocks, {})
    assert x.shape == (len(blocks), len(FEATURES))
    column = {name: i for i, name in enumerate(FEATURES)}
    assert x[0, column["link_density"]] == 1.0
    assert x[4, column["link_density"]] == 0.0
    assert x[0, column["edge@-1"]] == 1.0 and x[4, column["edge@-1"]] == 0.0
    assert x[4, column["link_density@-1"]] == 1.0  # the menu's last item is above it
    assert x[0, column["names=nav"]] == 1.0 and x[4, column["names=body"]] == 1.0
    assert block_features([], {}).shape == (0, len(FEATURES))


def test_a_line_reads_what_the_model_learned_its_words_say() -> None:
    odds = {"privacy": -4.0, "policy": -1.0, "council": 2.0}
    blocks = page_blocks(lxml.html.fromstring(PAGE))
    x = block_features(blocks, odds)
    column = {name: i for i, name in enumerate(FEATURES)}
    footer = x[-1]  # "Privacy policy | Terms": "terms" unknown
    assert footer[column["word_odds_least"]] == -4.0
    assert footer[column["word_odds_mean"]] == -2.5
    assert footer[column["word_odds_known"]] == pytest.approx(2 / 3)
    assert block_features(blocks, {})[:, column["word_odds_known"]].tolist() == [0.0] * len(blocks)


def test_a_line_reads_what_the_model_learned_its_class_and_id_names_say() -> None:
    odds = {"@menu": -3.0, "@story": 1.0, "@body": 2.0, "menu": 5.0}
    blocks = page_blocks(lxml.html.fromstring(PAGE))
    x = block_features(blocks, odds)
    column = {name: i for i, name in enumerate(FEATURES)}
    names = ["name_odds_least", "name_odds_mean", "name_odds_most", "name_odds_inner"]
    home, paragraph = x[0], x[4]  # in "top-nav menu"; in "story-body"
    assert [home[column[n]] for n in names] == [-3.0, -3.0, -3.0, -3.0]
    assert [paragraph[column[n]] for n in names] == [1.0, 1.5, 2.0, 1.5]


def test_a_line_reads_how_much_of_the_page_shares_its_chain_of_names() -> None:
    blocks = page_blocks(lxml.html.fromstring(PAGE))
    x = block_features(blocks, {})
    column = {name: i for i, name in enumerate(FEATURES)}
    story = [b for b in blocks if b.text.startswith("Paragraph")]
    share = sum(len(b.text) for b in story) / sum(len(b.text) for b in blocks)
    assert x[4, column["chain_log_lines"]] == pytest.approx(np.log1p(len(story)))
    assert x[4, column["chain_text_share"]] == pytest.approx(share)
    assert x[0, column["chain_text_share"]] < 0.05  # a menu item's chain holds little text


def test_a_line_ends_a_sentence_past_its_closing_quotes_and_brackets() -> None:
    lines = ["He said it was over.”", "Was it (really?)", "Weather", "Rain. Then sun", "“.]"]
    x = block_features([Block(line, 0, "p", "div", 1, ()) for line in lines], {})
    assert x[:, FEATURES.index("ends_sentence")].tolist() == [1.0, 1.0, 0.0, 0.0, 1.0]


def tiny_model(**changes: Any) -> dict[str, Any]:
    """One tree of depth 1: a line with link density over 0.5 gets -2, any other +2; a second
    tree, a lone leaf, adds 0.5 everywhere."""
    split = FEATURES.index("link_density")
    data: dict[str, Any] = {
        "features": list(FEATURES),
        "baseline": -0.5,
        "roots": [0, 3],
        "nodes": {
            "feature": [split, 0, 0, 0],
            "threshold": [0.5, 0.0, 0.0, 0.0],
            "left": [1, 1, 2, 3],
            "right": [2, 1, 2, 3],
            "value": [0.0, 2.0, -2.0, 0.5],
        },
        "depth": 1,
        "keep_above": 0.5,
    }
    return {**data, **changes}


def test_the_trees_add_their_leaves_to_the_baseline() -> None:
    model = BlockModel.from_json(tiny_model())
    x = np.zeros((2, len(FEATURES)))
    x[1, FEATURES.index("link_density")] = 0.9
    expected = 1 / (1 + np.exp(-np.array([-0.5 + 2.0 + 0.5, -0.5 - 2.0 + 0.5])))
    assert np.allclose(model.probabilities(x), expected)
    page = page_blocks(lxml.html.fromstring(PAGE))
    kept = model.reading(page).split("\n")
    assert "Home" not in kept and "Paragraph 0: " + PROSE in kept


def test_a_model_built_on_other_features_is_refused() -> None:
    with pytest.raises(ValueError, match="other features"):
        BlockModel.from_json(tiny_model(features=[*FEATURES[:-1], "something-else"]))


def test_the_shipped_model_keeps_the_story_and_drops_the_chrome() -> None:
    kept = builtin_model().reading(page_blocks(lxml.html.fromstring(PAGE))).split("\n")
    assert [line for line in kept if line.startswith("Paragraph")] == [
        f"Paragraph {i}: {PROSE}" for i in range(5)
    ]
    assert not {"Home", "World", "Privacy policy | Terms"} & set(kept)


def test_folds_hold_a_kth_of_each_set_and_each_page_once() -> None:
    from bench.trees import folds

    sizes = {"aeb": 111, "l3s-gn1": 471}
    assigned = folds(sizes, 5)
    assert assigned == folds(sizes, 5)
    for key, size in sizes.items():
        counts = [assigned[key].count(fold) for fold in range(5)]
        assert len(assigned[key]) == size and sum(counts) == size
        assert max(counts) - min(counts) <= 1


@pytest.mark.skipif(
    not all((SHARED / "data" / name).exists() for name in ("aeb", "l3s-gn1")),
    reason="AEB or L3S-GN1 is not in ../shared/data",
)
def test_the_shipped_block_model_is_what_its_script_learns_from_both_dev_sets() -> None:
    from bench.block_model import OUT, fit, training_pages
    from bench.trees import same_model

    shipped = json.loads(OUT.read_text(encoding="utf-8"))
    assert same_model(shipped, json.loads(json.dumps(fit(training_pages("both")))))
