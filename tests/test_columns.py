"""Text laid out in columns side by side (a table layout as inscriptis, lynx or w3m write it):
the rules read one column after another, the output keeps the text as it came."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from copydesk.rules.columns import ColumnReading, column_reading
from copydesk.rules.engine import Engine
from copydesk.rules.loader import load_rules
from copydesk.rules.records import ArticleIn, ArticleOut
from copydesk.rules.state import MemoryStore
from tests.conftest import body_less_removed

MENU = ["Home", "News", "World", "Business", "Sport", "Weather", "Opinion", "Contact us"]
STORY = [
    "LONDON (Reuters) - The harbour board voted on Thursday to tear down the old ferry pier,"
    " which has stood empty since the storm of 2019 took half of its deck.",
    "",
    "Engineers told the board that repairs would cost about four million pounds, twice the"
    " estimate of last spring, according to a report seen by the council.",
    "",
    "Several members said the money would be better spent on the new breakwater, while the"
    " fishermen asked for the pier to be kept for their boats.",
    "",
    "The demolition will start in March, after a last hearing at the town hall, and the board"
    " expects it to take about six weeks.",
]
SIDEBAR = [
    "MOST READ",
    "Mayor opens new library",
    "Council tax to rise again",
    "Ferry timetable changes",
    "Storm warning for weekend",
    "School wins chess final",
]


def laid_out(*columns: list[str], gutter: int = 3) -> list[str]:
    """Lines of ``columns`` side by side, each cell padded to its column's width, as a tool
    that renders a table layout as text writes them."""
    widths = [max(len(cell) for cell in column) + gutter for column in columns]
    rows = max(len(column) for column in columns)
    return [
        "".join(
            (column[row] if row < len(column) else "").ljust(width)
            for column, width in zip(columns, widths, strict=True)
        ).rstrip()
        for row in range(rows)
    ]


PAGE = "\n".join(
    [
        "The Harbour Gazette",
        "",
        *laid_out(MENU, STORY, SIDEBAR),
        "",
        "Copyright 2024 The Harbour Gazette. All rights reserved.",
        "",
    ]
)


def assert_holds_each_character_once(reading: ColumnReading, text: str) -> None:
    """The reading has each character of ``text`` once: as it is, or a space or line break for
    a gutter's space, a line break or a character of a line without a word."""
    assert len(reading.text) == len(text)
    assert sorted(reading.order.tolist()) == list(range(len(text)))
    for seen, at in zip(reading.text, reading.order.tolist(), strict=True):
        assert seen == text[at] or (seen in " \n" and not text[at].isalnum())


def strip(text: str) -> ArticleOut:
    return Engine(load_rules()).process(ArticleIn(id="a", text=text), MemoryStore())


def test_the_story_column_is_kept_whole_and_the_menu_and_sidebar_go() -> None:
    out = strip(PAGE)
    kept = [line.strip() for line in out.text.split("\n") if line.strip()]
    assert kept == [paragraph for paragraph in STORY if paragraph]


def test_read_line_by_line_the_story_lines_carry_the_menu_and_sidebar() -> None:
    """What the column reading fixes: each line of the layout holds a menu entry and a
    headline beside the story."""
    assert "Home" in PAGE.split("\n")[2] and "MOST READ" in PAGE.split("\n")[2]


def test_the_output_is_the_body_less_the_removed_spans_in_its_offsets() -> None:
    out = strip(PAGE)
    assert body_less_removed(PAGE, out.removed) == out.text


def test_a_credit_found_in_a_column_is_placed_in_the_body() -> None:
    out = strip(PAGE)
    (dateline,) = [credit for credit in out.credits if credit.source == "Reuters"]
    assert PAGE[dateline.start : dateline.end] == dateline.text
    assert "Reuters" in dateline.text


def test_the_reading_has_the_body_s_characters_in_column_order() -> None:
    reading = column_reading(PAGE)
    assert reading is not None
    assert_holds_each_character_once(reading, PAGE)
    menu_then_story = [reading.text.index(MENU[-1]), reading.text.index(STORY[0])]
    story_then_sidebar = [reading.text.index(STORY[-1]), reading.text.index(SIDEBAR[0])]
    assert menu_then_story == sorted(menu_then_story)
    assert story_then_sidebar == sorted(story_then_sidebar)


def test_a_table_of_data_is_read_as_it_is() -> None:
    """Its cells are names and figures: read by columns, it would be lists of them."""
    standings = laid_out(
        ["Pos", "1", "2", "3", "4"],
        ["Driver", "Kyle Busch", "Denny Hamlin", "Joey Logano", "Kevin Harvick"],
        ["Points", "5040", "5033", "5028", "5011"],
    )
    text = "\n".join(["Final standings after the last race of the season", *standings, ""])
    assert column_reading(text) is None


def test_a_paragraph_whose_line_breaks_came_as_runs_of_spaces_is_not_columns() -> None:
    """Wrapped at one width, its runs of spaces line up; but they are all of one length."""
    wrapped = [
        "The federal agency has teamed up with an outdoor advertising firm to",
        "begin airing the photos of wanted people on digital billboards across",
        "twenty cities, after a test run in one city that led to several arrests",
        "of people who had been sought by the police for a long time already.",
    ]
    text = "        ".join(wrapped[:2]) + "\n" + "        ".join(wrapped[2:]) + "\n"
    text += "        ".join(["Second paragraph of the same story, written the same", "way"]) + "\n"
    assert column_reading(text) is None


def test_two_lines_side_by_side_are_not_enough() -> None:
    text = "\n".join([*laid_out(MENU[:2], [STORY[0], STORY[2]]), ""])
    assert column_reading(text) is None


_CELLS = st.lists(
    st.lists(st.sampled_from(["harbour", "pier", "a", "board", "42", "News"]), max_size=14).map(
        " ".join
    ),
    min_size=3,
    max_size=8,
)


@given(st.lists(_CELLS, min_size=2, max_size=3), st.integers(min_value=1, max_value=6))
def test_a_reading_holds_each_character_of_the_text_once(
    columns: list[list[str]], gutter: int
) -> None:
    text = "\n".join([*laid_out(*columns, gutter=gutter), "last line"])
    reading = column_reading(text)
    if reading is not None:
        assert_holds_each_character_once(reading, text)


def test_empty_and_one_line_texts_have_no_columns() -> None:
    assert column_reading("") is None
    assert column_reading("Home   News   Sport   Weather") is None
    assert column_reading("\n\n   \n") is None
