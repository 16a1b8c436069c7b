"""Failure classes seen on real pages, each on an invented page, through the built-in pack."""

from __future__ import annotations

from datetime import UTC, datetime

from copydesk.rules.engine import Engine
from copydesk.rules.loader import load_rules
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore

BLURB = (
    "The Harbor Daily covers Halifax and the South Shore with news, sport and weather, every"
    " day since 1921, and is owned by its readers."
)
TOWNS = ["Lunenburg", "Mahone Bay", "Chester", "Bridgewater", "Liverpool", "Shelburne"]


def briefs_page(town: str) -> tuple[str, list[str]]:
    briefs = [
        f"Ferry fares from {town} rise by ten cents on Monday, the operator said.",
        f"The {town} harbour board will vote on the old pier in March.",
        f"The {town} library will open until nine on Thursdays from next week.",
        f"Main Street in {town} closes between First and Third avenues until Friday.",
    ]
    heads = ["Fares up", "Pier vote set", "Library hours", "Road closed"]
    body = [line for head, brief in zip(heads, briefs, strict=True) for line in (head, brief)]
    page = "\n".join(["Home", "News", "Sport", "Weather", *body, "About us", BLURB, "Contact us"])
    return page, briefs


def test_a_page_of_short_briefs_keeps_them_and_a_recurring_blurb_goes() -> None:
    engine, store = Engine(load_rules()), MemoryStore()
    when = datetime(2026, 11, 1, tzinfo=UTC)
    outs = []
    for n, town in enumerate(TOWNS):
        page, briefs = briefs_page(town)
        article = ArticleIn(id=f"b{n}", source="Harbor Daily", text=page, published_at=when)
        out = engine.process(article, store)
        assert all(brief in out.text for brief in briefs)
        outs.append(out)
    assert BLURB in outs[0].text  # one page alone cannot tell a blurb from a brief
    assert BLURB not in outs[-1].text
