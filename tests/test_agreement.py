"""HTML mode weighs three readings of a page and keeps the one the others agree with."""

from __future__ import annotations

from copydesk.rules.agreement import most_agreed
from copydesk.rules.engine import Engine
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
    assert most_agreed(readings) == 1


def test_a_reading_cut_at_a_widget_loses_to_two_that_kept_the_body() -> None:
    story = "\n".join(STORY)
    readings = [STORY[0], f"{story}\nContact us", f"Home\n{story}"]
    assert most_agreed(readings) in (1, 2)


def test_a_reading_that_found_nothing_never_wins() -> None:
    story = "\n".join(STORY)
    assert most_agreed(["", "Contact us", story]) == 2
    assert most_agreed(["", ""]) == 0


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
