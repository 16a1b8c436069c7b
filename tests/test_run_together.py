"""Text whose blocks ran together: read with a line break where each ended, given back as it
came."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from copydesk.rules.engine import Engine
from copydesk.rules.loader import load_rules
from copydesk.rules.records import ArticleIn, Span
from copydesk.rules.run_together import is_run_together, split_reading
from copydesk.rules.state import MemoryStore

MENU = "HomeNewsWorldBusinessSportWeatherTravelOpinionVideoPodcastsNewslettersContact Us"
STORY = [
    "The council voted 5-2 on Tuesday to approve the new bridge, ending years of delay.",
    "The mayor called it a historic day for the town and its commuters, and said work starts"
    " in the spring.",
    "The state will pay two thirds of the cost under a deal struck last year, officials said.",
]
FOOTER = "Privacy PolicyTerms of UseCookie SettingsAdvertiseAbout UsCareersSite Map"


def minified_page() -> str:
    """A page written without whitespace between its tags, taken as its source holds it: one
    line from the menu to the footer."""
    return MENU + "".join(STORY) + "Share this storyFacebookTwitterEmail" + FOOTER


def test_a_page_on_one_line_keeps_its_story_and_loses_its_menus() -> None:
    page = minified_page()
    out = Engine(load_rules()).process(ArticleIn(id="a", text=page), MemoryStore())
    assert "".join(STORY) in out.text
    assert "Weather" not in out.text
    assert "Cookie Settings" not in out.text and "CookieSettings" not in out.text
    assert all(page[s.start : s.end] == s.text for s in out.removed)


def test_the_reading_breaks_a_line_where_its_blocks_met() -> None:
    reading = split_reading(minified_page())
    assert reading is not None
    lines = reading.text.split("\n")
    assert {"Home", "News", "Weather", "Contact Us"} <= set(lines)
    assert STORY[0] in lines and STORY[2] in lines


def test_a_kept_block_keeps_its_line_break_when_the_rest_of_its_line_goes() -> None:
    """The rules took the last block of a line with the line break after it: the line's kept
    blocks would run into the next line."""
    text = "Weather report for the weekendHomeNewsWorldSport\nNext line of the story."
    reading = split_reading(text)
    assert reading is not None
    start = reading.text.index("Home")
    end = reading.text.index("Next")
    (span,) = reading.removed_in_original(text, [Span(rule="r", start=start, end=end, text="")])
    assert text[span.start : span.end] == "HomeNewsWorldSport"


def test_a_pitch_glued_to_the_story_at_a_full_stop_is_read_as_its_own_line() -> None:
    """A line with no menu run into it, only paragraphs glued at their full stops, is read a
    paragraph a line: the pitch after the story goes, the story stays as it came."""
    pitch = "Sign up for our newsletter to get the day's top stories in your inbox every morning."
    text = "Harbor Daily\nNews\nSport\n" + "".join(STORY) + pitch + "\nPrivacy Policy"
    assert not is_run_together("".join(STORY) + pitch)
    reading = split_reading(text)
    assert reading is not None
    assert [*STORY, pitch] == reading.text.split("\n")[3:-1]
    out = Engine(load_rules()).process(ArticleIn(id="a", text=text), MemoryStore())
    assert out.text == "".join(STORY)


def test_names_hashtags_handles_and_site_names_are_not_blocks_run_together() -> None:
    prose = (
        "PageRank ranks pages; PageRank was named for Larry Page, and PageRank still matters"
        " to the #GirlIGuessImWithHer crowd (@ImTheRealBarry) at GunBroker.com and at"
        " FiveThirtyEight, whose McDonald and MacBook pieces ran on YouTube. "
    )
    assert not is_run_together(prose * 4)
    assert split_reading(prose * 4) is None


def test_text_decoded_with_the_wrong_code_page_is_not_run_together() -> None:
    mojibake = "EBA Ã¶ÄŸrenci giriÅŸ Nereden yapÄ±lÄ±r? kedinin saldńĪrńĪsńĪna uńüradńĪ. " * 5
    assert split_reading(mojibake) is None


def test_a_menu_in_cyrillic_runs_together_as_one_in_latin_does() -> None:
    assert is_run_together("ГлавнаяНовостиСпортПогодаКонтакты")
    assert is_run_together("HomeNewsSportWeatherContact")


_PIECES = st.sampled_from(
    ["Home", "News", "Sport", "the bridge", ". The", "\n", " ", "PageRank", "x", "Ünited"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=40))
def test_every_character_of_the_reading_stands_for_itself_in_the_original(
    pieces: list[str],
) -> None:
    text = "".join(pieces)
    reading = split_reading(text)
    if reading is None:
        return
    assert reading.text.replace("\n", "") == text.replace("\n", "")
    for n, char in enumerate(reading.text):
        start, end = reading.to_original(n, n + 1)
        if end > start:
            assert text[start:end] == char
    whole = [Span(rule="r", start=0, end=len(reading.text), text=reading.text)]
    assert [(s.start, s.end) for s in reading.removed_in_original(text, whole)] == (
        [(0, len(text))] if text else []
    )
