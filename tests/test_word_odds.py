"""Learning what a line's words say (bench/word_odds.py), which the line and block models read."""

from __future__ import annotations

import math

from bench.word_odds import MIN_SITES, PRIOR, Labelled, learned, odds_without_own_site
from copydesk.rules.block_features import name_words


def page(site: str, chrome: list[str], article: list[str]) -> Labelled:
    lines = [*chrome, *article]
    return Labelled(site, lines, [False] * len(chrome) + [True] * len(article))


def test_a_word_is_learned_from_pages_of_enough_sites_and_counted_once_a_page() -> None:
    pages = [
        page(f"site{n}.example", ["Subscribe now", "Subscribe today"], ["Council backs bridge"])
        for n in range(MIN_SITES)
    ]
    odds = learned(pages)
    # Each page counts "subscribe" once on the chrome side, however many lines hold it.
    assert odds["subscribe"] == round(math.log(PRIOR / (MIN_SITES + PRIOR)), 2)
    assert odds["council"] == round(math.log((MIN_SITES + PRIOR) / PRIOR), 2)
    assert "subscribe" not in learned(pages[:-1])  # one site short
    # A site's own word, on however many of its pages, is not learned as everyone's.
    assert "halifax" not in learned([page("one.example", ["The Halifax Daily"], [])] * 20)


def test_each_page_reads_odds_learned_without_its_own_site() -> None:
    pages = [
        page(f"site{n}.example", [f"Subscribe word{n % 3}", "Privacy"], ["Council backs bridge"])
        for n in range(12)
    ]
    read = odds_without_own_site(pages)
    assert all("subscribe" in odds for odds in read)
    for i, own in enumerate(pages):
        # What the page's own site says of its lines does not move the odds it reads.
        flipped = [
            Labelled(p.site, p.lines, [not label for label in p.labels])
            if p.site == own.site
            else p
            for p in pages
        ]
        assert odds_without_own_site(flipped)[i] == read[i]


def flip(labelled: Labelled) -> Labelled:
    return Labelled(labelled.site, labelled.lines, [not label for label in labelled.labels])


def test_class_and_id_names_are_read_as_marked_words_and_learned_like_words() -> None:
    assert name_words(("page-wrap", "storyBody main_content", "comment-list")) == {
        "@page",
        "@wrap",
        "@story",
        "@body",
        "@main",
        "@content",
        "@comment",
        "@list",
    }
    # A name's words are marked: "@comment" is not the word "comment" a line may hold.
    pages = [
        Labelled(
            f"site{n}.example",
            ["Great piece, thanks", "Council backs bridge after comments from residents"],
            [False, True],
            [name_words(("comments",)), name_words(("story-body",))],
        )
        for n in range(MIN_SITES)
    ]
    odds = learned(pages)
    assert odds["@comments"] < 0 < odds["@story"]
    # The story's word "comments" is learned apart from the thread's name "comments".
    assert odds["comments"] > 0
