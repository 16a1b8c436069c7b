"""Text laid out in columns side by side (a table layout as inscriptis or a text browser writes it):
the rules read one column after another, the output keeps the text as it came."""

from __future__ import annotations

import textwrap
from itertools import zip_longest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from copydesk.rules.columns import MAX_NESTING, Borders, ColumnReading, borders, column_reading
from copydesk.rules.engine import Engine
from copydesk.rules.line_joins import joined_lines
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


def boxed(column: list[str], drawing: str = "┌─┐│└┘") -> list[str]:
    """``column`` in a bordered box, as a text browser draws a table with a border (w3m and
    elinks with box-drawing characters, links in ASCII: ``+-+|++``)."""
    top_left, rule, top_right, bar, bottom_left, bottom_right = list(drawing)
    width = max(len(cell) for cell in column) + 2
    return [
        top_left + rule * width + top_right,
        *(f"{bar} {cell.ljust(width - 1)}{bar}" for cell in column),
        bottom_left + rule * width + bottom_right,
    ]


NARROW_STORY = [
    "The harbour board voted on Thursday to tear down the old",
    "ferry pier, which has stood empty since the storm of 2019",
    "took half of its deck, and engineers told the board that",
    "repairs would cost about four million pounds, twice the",
    "estimate of last spring, according to a council report.",
    "",
    "The demolition will start in March, after a last hearing",
    "at the town hall, and is expected to take about six weeks.",
]


def bordered_page(drawing: str) -> str:
    """A story with a boxed sidebar whose border stands one space from the story's longest
    lines: no gutter of two blank columns is left between them."""
    width = max(len(line) for line in NARROW_STORY) + 1
    sidebar = boxed(SIDEBAR, drawing)
    lines = [
        (story.ljust(width) + box).rstrip()
        for story, box in zip_longest(NARROW_STORY, sidebar, fillvalue="")
    ]
    return "\n".join(["The Harbour Gazette", "", *lines, "", "End"])


def assert_holds_each_character_once(reading: ColumnReading, text: str) -> None:
    """The reading has each character of ``text`` once: as it is, or a space or line break for
    a gutter's space, a line break or a character of a line without a word."""
    assert len(reading.text) == len(text)
    assert sorted(reading.order.tolist()) == list(range(len(text)))
    for seen, at in zip(reading.text, reading.order.tolist(), strict=True):
        assert seen == text[at] or (seen in " \n" and not text[at].isalnum())


def read_by_columns(page: str) -> list[str]:
    """The lines of ``page`` as the rules read them by columns (its wrapped lines joined), each
    with its runs of spaces as one; the reading holds each character of ``page`` once."""
    reading = column_reading(page)
    assert reading is not None
    assert_holds_each_character_once(reading, page)
    return [" ".join(line.split()) for line in joined_lines(reading.text).split("\n")]


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


@pytest.mark.parametrize("drawing", ["┌─┐│└┘", "+-+|++"], ids=["box-drawing", "ascii"])
def test_a_bordered_sidebar_against_the_story_is_read_as_a_column(drawing: str) -> None:
    """Its border stands where the gutter would: read as a space, it parts the columns, the
    rules never read it among the words, and it goes with the cells it draws."""
    page = bordered_page(drawing)
    reading = column_reading(page)
    assert reading is not None
    assert_holds_each_character_once(reading, page)
    # The story's lines wrapped to its column's width are joined, each paragraph a line.
    paragraphs = [" ".join(line.split()) for line in reading.text.split("\n")]
    assert " ".join(NARROW_STORY[:5]) in paragraphs
    assert " ".join(NARROW_STORY[6:]) in paragraphs
    assert not (set(drawing) - set("─-")) & set(reading.text)  # a rule across reads as a line
    out = strip(page)
    kept = [line.rstrip() for line in out.text.split("\n")]
    first = kept.index(NARROW_STORY[0])
    assert kept[first : first + len(NARROW_STORY)] == NARROW_STORY  # its paragraph break too
    assert not any(headline in out.text for headline in SIDEBAR)
    assert not set(drawing) & set(out.text)  # the box went with the sidebar
    assert body_less_removed(page, out.removed) == out.text


def test_each_column_is_read_with_its_lines_joined_at_its_own_width() -> None:
    """A browser wraps each cell to its column's width: the narrow story's lines are joined
    though the page's wider lines (a footer wrapped at 78) set another width for the whole."""
    footer = [
        "The views expressed in the articles are not necessarily those of the Harbour Gazette",
        "and we accept no responsibility for the views or opinions expressed in the articles",
        "either direct or indirect, nor for the content of any other site linked from them,",
        "whose owners alone answer for what they publish and for how it may be used by them.",
        "Readers who wish to reuse an article, a photograph or a table of figures should ask",
        "the Harbour Gazette in writing first, giving the page on which it was published and",
        "the use they would make of it, and should wait for an answer before they publish it",
        "anywhere, in print or online, or pass it on to others who might wish to publish it.",
    ]
    # Each line break comes before a name: nothing but the width says the lines run on.
    story = [
        "Councillors in Port Ellis voted on Thursday to let",
        "Harbour Engineering Ltd tear down the pier that",
        "Storm Ciara left without half of its deck in 2020,",
        "after Mayor Anne Hollis said repairs would cost",
        "Ellis Council four million pounds, twice the sum",
        "Harbour officials had given the board last spring.",
    ]
    page = "\n".join([*laid_out(MENU, story, SIDEBAR), "", *footer, ""])
    read = read_by_columns(page)
    assert " ".join(story) in read


def test_a_story_in_a_column_narrower_than_a_text_s_wrapping_is_joined() -> None:
    """A text browser's three columns in 80 are about 25 wide: the story's lines, each a few
    words, are joined as its paragraph, while the menu beside it stays a line per entry."""
    story = textwrap.wrap(" ".join(STORY), 28)
    page = "\n".join([*laid_out(MENU, story, SIDEBAR), ""])
    read = read_by_columns(page)
    assert " ".join(" ".join(STORY).split()) in read
    assert all(entry in read for entry in MENU)


def test_a_column_s_widest_cell_one_space_from_the_next_column_parts_them() -> None:
    """A browser pads a column to its widest cell, which then stands one space from the next
    column's text: the gutter stays open there, and the story is read as one paragraph."""
    menu = ["Home", "News", "World", "Business and the Economy", "Sport", "Weather", "Arts"]
    story = textwrap.wrap(" ".join(" ".join(STORY).split()), 40)
    page = "\n".join([*laid_out(menu, story, gutter=1), "", "End of page"])
    touching = page.split("\n")[3]
    assert touching.startswith(menu[3] + " " + story[3])
    read = read_by_columns(page)
    assert " ".join(story) in read
    assert all(entry in read for entry in menu)


def test_prose_after_columns_with_a_space_where_a_gutter_was_is_read_whole() -> None:
    """A band does not end on a line that touches a column: a line of prose after it that
    has a space just before where the story column starts is not cut there."""
    story = textwrap.wrap(" ".join(" ".join(STORY).split()), 40)
    prose = "The harbours board will meet again in the spring to decide what to do with it."
    columns = laid_out(MENU, story)
    assert prose[len(columns[0]) - len(story[0]) - 1] == " "  # where the story column starts
    page = "\n".join([*columns, prose, "Copyright 2024 The Harbour Gazette.", ""])
    reading = column_reading(page)
    assert reading is not None
    assert prose in reading.text.split("\n")


def test_a_story_column_is_read_on_past_a_band_the_sidebar_beside_it_ends() -> None:
    """A sidebar cell that stands in the gutter of the band above ends that band (a browser
    pads each row's cells its own way), but the story goes on in its column: it is read down
    to its end, its paragraph joined across the bands, before the sidebars."""
    words = " ".join(" ".join(STORY).split()).split()
    above = textwrap.wrap(" ".join(words[:40]), 40)
    below = textwrap.wrap(" ".join(words[40:]), 38)
    ads = ["ADVERTISEMENT", "Harbour Motors", "Boat sales", "Marina berths", "Sea school"]
    lines = [*laid_out(above, SIDEBAR, gutter=2), *laid_out(below, ads, gutter=2)]
    assert len(above[-1]) < len(max(above, key=len)) and lines[len(above)][40] != " "
    page = "\n".join([*lines, "", "Copyright 2024 The Harbour Gazette", ""])
    read = read_by_columns(page)
    assert " ".join(words) in read
    out = strip(page)
    assert " ".join(words) in " ".join(out.text.split())
    assert not any(entry in out.text for entry in [*SIDEBAR, *ads])


def test_columns_inside_a_column_are_read_one_after_another_too() -> None:
    """A band may begin above where a column's cells stand side by side (a header across the
    menu and the story, beside the sidebar), as a table may stand in a table's cell: those
    cells are read by columns too, and what the rules take goes in the original's offsets."""
    story = textwrap.wrap(" ".join(" ".join(STORY).split()), 36)
    left = ["Welcome to The Harbour Gazette online", "", *laid_out(MENU, story)]
    page = "\n".join([*laid_out(left, SIDEBAR), "", "Copyright 2024 The Harbour Gazette", ""])
    read = read_by_columns(page)
    assert " ".join(story) in read
    assert all(entry in read for entry in MENU)
    out = strip(page)
    assert " ".join(story) in " ".join(out.text.split())
    assert not any(entry in out.text for entry in SIDEBAR)
    assert body_less_removed(page, out.removed) == out.text


def nested(levels: int) -> str:
    """A menu and a story side by side, set ``levels`` times in a table's cell under a header
    across it, beside a sidebar: each table is seen only inside the one around it."""
    story = textwrap.wrap(" ".join(" ".join(STORY).split()), 36)
    lines = laid_out(MENU, story)
    for level in range(levels):
        width = max(len(line) for line in lines)
        header = " ".join(["Harbour news"] * ((width - 1) // 13))
        lines = laid_out([header, "", *lines], [f"Sidebar {level}", *SIDEBAR])
    return "\n".join([*lines, "", "End of page"])


@pytest.mark.parametrize(("levels", "by_columns"), [(MAX_NESTING, True), (MAX_NESTING + 1, False)])
def test_tables_in_tables_are_read_by_columns_some_levels_deep(
    levels: int, by_columns: bool
) -> None:
    """A table in a table's cell is read by columns ``MAX_NESTING`` levels deep; deeper, its
    lines are read as they are, so that no crafted text nests without end."""
    page = nested(levels)
    read = read_by_columns(page)
    assert any(line.startswith("Home LONDON (Reuters)") for line in read) is not by_columns
    assert ("Home" in read) is by_columns


def test_paragraphs_with_a_space_where_a_double_space_was_are_not_columns() -> None:
    """A paragraph typed with two spaces after a comma opens what looks like a gutter; the
    paragraphs after it that have a space there, just before a word, touch no column: they
    are prose, and the text is read as it came."""
    paragraphs = [
        "The harbour board met on Monday in the town hall,  where the mayor spoke about the"
        " ferry pier and its future.",
        "A spokesman for the council said a decision on the breakwater would be taken before"
        " the end of the year.",
        "Residents who live near the harbour said that they would miss the pier, which was"
        " built by their grandparents.",
        "The new mayor said the council would listen to the fishermen before the vote on the"
        " plan in March.",
    ]
    gutter = paragraphs[0].index("  ") + 2
    touching = [p[gutter - 2] != " " and p[gutter - 1] == " " != p[gutter] for p in paragraphs]
    assert touching[1:] == [True, True, True]
    assert column_reading("\n\n".join(paragraphs)) is None


def bordered_table(*columns: list[str], drawing: str, padding: int) -> list[str]:
    """``columns`` in a bordered table as a text browser draws it: a rule between corners above
    and below, bars between the cells (links draws no junction under the rule), each cell
    padded to its column's widest and ``padding`` spaces more (none: the widest touches the
    next bar)."""
    top_left, rule, top_right, bar, bottom_left, bottom_right = list(drawing)
    widths = [max(len(cell) for cell in column) + padding for column in columns]
    rows = max(len(column) for column in columns)
    across = rule * (sum(widths) + len(widths) - 1)
    body = [
        bar
        + bar.join(
            (column[row] if row < len(column) else "").ljust(width)
            for column, width in zip(columns, widths, strict=True)
        )
        + bar
        for row in range(rows)
    ]
    return [top_left + across + top_right, *body, bottom_left + across + bottom_right]


@pytest.mark.parametrize(
    ("drawing", "padding"), [("┌─┐│└┘", 2), ("+-+|++", 0)], ids=["box-drawing", "ascii"]
)
def test_a_bordered_table_s_bars_go_and_the_story_between_them_stays(
    drawing: str, padding: int
) -> None:
    """The bars part the columns (links' inner bars, under the top rule without a junction,
    too), and those between the story and the menu and sidebar the rules take go with them,
    whichever cell's side they are: the story's lines are left without a bar."""
    story = textwrap.wrap(" ".join(" ".join(STORY).split()), 30)
    cells = (MENU, ["Old pier to go", "", *story], SIDEBAR)
    table = bordered_table(*cells, drawing=drawing, padding=padding)
    page = "\n".join(["The Harbour Gazette", "", *table, ""])
    drawn = borders(page)
    assert drawing[3] not in drawn.layout and drawing[3] not in drawn.blank
    out = strip(page)
    assert " ".join(story) in " ".join(out.text.split())
    assert not any(entry in out.text for entry in [*MENU, *SIDEBAR])
    assert drawing[3] not in out.text
    assert body_less_removed(page, out.removed) == out.text


def test_bars_between_words_and_a_list_s_bullets_are_no_borders() -> None:
    """Bars that part a menu's entries or a headline from its series' name, lined up, and a
    column of "+" (a list's bullets, as inscriptis writes nested lists) draw no box: a box's
    side has a corner."""
    text = "\n".join(
        [
            "World | Business | Sport",
            "Local | Politics | Arts",
            "Design Week 2018 | The Flow of Time",
            "Design Week 2018 | Living Nature",
            "Design Week 2018 | A preview of the shows",
            "The council met on Monday.",
            "  + Local News",
            "  + National News",
            "A + B = C, said the clerk.",
        ]
    )
    assert borders(text) == Borders(text, text)


@given(st.text(alphabet="ab |+-=─│┌\n", max_size=200))
def test_borders_keeps_every_other_character_in_its_place(text: str) -> None:
    drawn = borders(text)
    for blank in (drawn.layout, drawn.blank):
        assert len(blank) == len(text)
        assert all(
            b == t or (b == " " and t in "|+-=│┌─") for b, t in zip(blank, text, strict=True)
        )
    assert "─" not in drawn.blank and "┌" not in drawn.layout and "│" not in drawn.layout


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
