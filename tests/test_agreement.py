"""HTML mode weighs readings of a page and keeps the one the others agree with; the costly
fourth reading only where no two of the first three agree."""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any

import pytest

from copydesk.rules.agreement import Readings
from copydesk.rules.engine import Engine
from copydesk.rules.extract import Extracted
from copydesk.rules.kinds.base import Rule, Stage
from copydesk.rules.loader import load_rules
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore

STORY = [
    "The harbour board met on Thursday evening to decide the future of the old ferry pier,"
    " which has stood empty since the storm of 2019 tore away half of its deck.",
    "Engineers told the board that repairs would cost about four million dollars, twice the"
    " estimate of last spring, because the piles had rotted further than expected.",
    "Several members said the money would be better spent on the new breakwater, while the"
    " fishermen asked for the pier to be kept for their boats.",
    "The board will vote in March, after a public hearing at the town hall, and the chair"
    " said she expected the meeting to run late.",
]
THREAD = "joe says: I have fished from that pier for forty years and would hate to see it go."


def test_the_reading_the_others_agree_with_wins() -> None:
    story = "\n".join(STORY)
    readings = [f"{story}\n{THREAD}", story, f"{story}\nContact us"]
    assert Readings(readings).most_agreed() == 1


def test_a_reading_cut_at_a_widget_loses_to_two_that_kept_the_body() -> None:
    story = "\n".join(STORY)
    readings = [STORY[0], f"{story}\nContact us", f"Home\n{story}"]
    assert Readings(readings).most_agreed() in (1, 2)


def test_a_reading_that_found_nothing_never_wins() -> None:
    story = "\n".join(STORY)
    assert Readings(["", "Contact us", story]).most_agreed() == 2
    assert Readings(["", ""]).most_agreed() == 0


def test_html_whose_extractors_find_nothing_still_gives_the_story() -> None:
    # A body in a box whose class names a comment section: trafilatura and readability-lxml
    # both discard it; the page read as text, stripped by the text rules, keeps it.
    paragraphs = "".join(f"<p>{line}</p>" for line in STORY)
    html = (
        "<html><head><title>Pier</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
        f"<div class='comments'>{paragraphs}</div><footer>Contact us</footer></body></html>"
    )
    out = Engine(load_rules()).process(ArticleIn(id="a", html=html), MemoryStore())
    assert out.text.split() == " ".join(STORY).split()
    assert out.body_from == "html"


def bag_f1(first: str, second: str) -> float:
    """F1 of two texts' bags of lower-cased word 4-grams, counted the plain way."""
    a, b = (
        Counter(zip(*(t.casefold().split()[k:] for k in range(4)), strict=False))
        for t in (first, second)
    )
    matched = sum((a & b).values())
    return 2 * matched / (a.total() + b.total()) if matched else 0.0


def test_agreement_is_the_f1_of_the_bags_of_word_4_grams() -> None:
    story = "\n".join(STORY)
    texts = [
        story,
        f"{story}\n{THREAD}",
        f"{STORY[1]}\n{STORY[1].upper()}\n{STORY[1]}",  # repeated 4-grams count as often as seen
        "Too short",
        "",
    ]
    readings = Readings(texts)
    for i, j in combinations(range(len(texts)), 2):
        assert readings.agreement(i, j) == pytest.approx(bag_f1(texts[i], texts[j]))


def test_agreement_stays_exact_on_a_page_of_more_words_than_fit_a_number() -> None:
    # Readings added later bring new words; past 2**15 of them the 4-grams are numbered apart.
    words = [f"w{n}" for n in range(40_000)]
    first, second = " ".join(words[:30_000]), " ".join(words[10_000:])
    readings = Readings([first, " ".join(words[:20_000])])
    before = readings.agreement(0, 1)
    readings.add(second)
    assert before == pytest.approx(bag_f1(first, " ".join(words[:20_000])))
    assert readings.agreement(0, 2) == pytest.approx(bag_f1(first, second))
    assert readings.agreement(1, 2) == pytest.approx(bag_f1(" ".join(words[:20_000]), second))


def test_two_readings_that_agree_settle_the_page_and_two_that_differ_do_not() -> None:
    story = "\n".join(STORY)
    assert Readings([story, f"Home\n{story}\nContact us"]).settled(0, 1)
    doubled = f"{story}\n{THREAD}\n{THREAD.replace('joe', 'ann')}\n{story}"
    assert not Readings([story, doubled]).settled(0, 1)
    assert not Readings(["", ""]).settled(0, 1)


def test_the_page_is_in_doubt_only_where_no_two_cheap_readings_agree() -> None:
    story = "\n".join(STORY)
    with_thread = f"{story}\n{THREAD}\n{THREAD.replace('joe', 'ann')}\n{story}"
    assert not Readings([story, f"Home\n{story}", ""]).undecided()
    assert not Readings([story, with_thread, f"{story}\nContact us"]).undecided()
    assert Readings([story, with_thread, STORY[0]]).undecided()


def _counted(monkeypatch: pytest.MonkeyPatch, reading: str) -> list[bool]:
    """A list that grows by one each time the page's ``reading`` is taken."""
    read: list[bool] = []
    original = getattr(Extracted, reading)

    def counted(self: Extracted) -> str:
        read.append(True)
        return str(original(self))

    monkeypatch.setattr(Extracted, reading, counted)
    return read


@pytest.mark.parametrize(("blocks_agree", "reads"), [(True, []), (False, [True])])
def test_readability_is_read_only_where_the_cheap_readings_leave_the_page_in_doubt(
    monkeypatch: pytest.MonkeyPatch, blocks_agree: bool, reads: list[bool]
) -> None:
    read = _counted(monkeypatch, "readable")
    # The block model's reading, as given: the same as trafilatura's, or nothing.
    monkeypatch.setattr(Extracted, "modelled", lambda self: self.text if blocks_agree else "")
    engine = Engine(load_rules())
    paragraphs = "".join(f"<p>{line}</p>" for line in STORY)
    plain = f"<html><body><article>{paragraphs}</article></body></html>"
    assert " ".join(STORY) in " ".join(
        engine.process(ArticleIn(id="p", html=plain), MemoryStore()).text.split()
    )
    assert read == []
    # The page text reading keeps a second story that trafilatura leaves out: the two differ.
    other = "".join(f"<p>{line.replace('pier', 'bridge')}</p>" for line in STORY)
    aside = f"<aside class='sidebar related'>{other}</aside>"
    mixed = f"<html><body><article>{paragraphs}</article>{aside}</body></html>"
    engine.process(ArticleIn(id="m", html=mixed), MemoryStore())
    assert read == reads


def test_the_block_model_is_read_only_where_trafilatura_and_the_page_text_differ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read = _counted(monkeypatch, "modelled")
    engine = Engine(load_rules())
    paragraphs = "".join(f"<p>{line}</p>" for line in STORY)
    plain = f"<html><body><article>{paragraphs}</article></body></html>"
    out = engine.process(ArticleIn(id="p", html=plain), MemoryStore())
    assert out.text.split() == " ".join(STORY).split()
    assert read == []
    other = "".join(f"<p>{line.replace('pier', 'bridge')}</p>" for line in STORY)
    mixed = f"<html><body><article>{paragraphs}</article><aside>{other}</aside></body></html>"
    out = engine.process(ArticleIn(id="m", html=mixed), MemoryStore())
    assert read == [True]
    assert "old ferry pier" in out.text


def test_the_vote_runs_only_the_rules_that_find_the_article_and_the_chosen_reading_alone_is_trimmed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The rules that trim lines changed the vote too little to run on every reading: each runs
    # once, in the strip stage, on the reading chosen; the page text is weighed without its
    # navigation and footer (the region rule).
    engine = Engine(load_rules())
    cutting = [rule for rule in engine.strip_rules if rule.stage == Stage.STRIP]
    calls: list[str] = []
    for rule in cutting:

        def counted(doc: object, ctx: object, rule: Rule = rule, apply: Any = rule.apply) -> Any:
            calls.append(rule.spec.id)
            return apply(doc, ctx)

        monkeypatch.setattr(rule, "apply", counted)
    paragraphs = "".join(f"<p>{line}</p>" for line in STORY)
    html = (
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article>{paragraphs}</article><footer>Contact us</footer></body></html>"
    )
    out = engine.process(ArticleIn(id="v", html=html), MemoryStore())
    assert out.text.split() == " ".join(STORY).split()
    trimming = [rule.spec.id for rule in cutting if not rule.finds_region]
    assert trimming and all(calls.count(rule) <= 1 for rule in trimming)
    assert any(calls.count(rule) == 1 for rule in trimming)
    assert calls.count("main-text-region") >= 1
