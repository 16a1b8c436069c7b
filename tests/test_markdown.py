"""Markdown bodies: the rules read the text a page shows, the output keeps the Markdown."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from copydesk.rules.engine import Engine
from copydesk.rules.loader import load_rules
from copydesk.rules.markdown import markdown_read
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore

STORY = [
    "The harbour board voted on **Thursday** to tear down the old ferry pier, which has stood"
    ' empty since the [storm of 2019](https://harbor.example/storm-2019 "Storm") took half'
    " of its deck.",
    "Engineers told the board that repairs would cost about four million dollars, twice the"
    " estimate of last spring, according to a [report](https://harbor.example/report.pdf).",
    "Several members said the money would be better spent on the new breakwater, while the"
    " fishermen asked for the pier to be kept for their boats.",
    "The demolition will start in March, after a last hearing at the town hall, and the board"
    " expects it to take about six weeks.",
]
NAVIGATION = [
    "[Harbor Daily](/)",
    "* [News](/news/)",
    "* [Sport](/sport/)",
    "* [Weather](/weather/)",
    "* [Subscribe](/subscribe/)",
]
FOOTER = [
    "* [About us](/about/)",
    "* [Contact](/contact/)",
    "* [Privacy policy](/privacy/)",
    "* [Follow us on Twitter](https://twitter.example/harbor)",
]
PAGE = "\n\n".join(
    [
        *NAVIGATION,
        "# Old ferry pier to be torn down",
        "![The pier](https://harbor.example/pier.jpg)",
        *STORY,
        *FOOTER,
    ]
)


def test_a_markdown_page_keeps_its_story_in_markdown_and_loses_its_menus() -> None:
    out = Engine(load_rules()).process(ArticleIn(id="md", text=PAGE), MemoryStore())
    for paragraph in STORY:
        assert paragraph in out.text  # links and emphasis as they came
    for line in [*NAVIGATION[1:], *FOOTER]:
        assert line not in out.text


def test_markdown_reads_as_the_text_it_shows_at_the_same_offsets() -> None:
    text = "\n".join([*NAVIGATION[:2], "## A *heading*", '> **Bold** and a [link](/x "t"),'])
    read = markdown_read(text)
    assert len(read) == len(text)
    assert read.split("\n") == [
        "     Harbor Daily",
        "            News",
        "   A  heading ",
        "    Bold   and a           link,",
    ]
    assert " ".join(read.split()).endswith("Bold and a link,")


def test_a_definition_lists_marks_are_read_as_spaces() -> None:
    """markdownify writes a ``<dd>`` as ``:   text`` (pandoc's and PHP Markdown Extra's
    definition lists): a teaser list's summaries, read with the colon, were kept as prose."""
    text = "\n".join([*NAVIGATION, "", "Hops shortage spurs brewers", ":   A shortage of hops."])
    assert markdown_read(text).split("\n")[-1] == "    A shortage of hops."


def test_front_matter_is_read_as_the_metadata_it_is_not_as_text() -> None:
    """html-to-markdown (and static-site sources) open a page with its metadata between two
    "---" lines: a Markdown renderer shows none of it, and read as text its descriptions, which
    are sentences, drew the content region away from the story."""
    meta = ["---", "title: Old ferry pier to be torn down", "meta-description: " + STORY[0], "---"]
    page = "\n".join([*meta, "", PAGE])
    read = markdown_read(page)
    assert read[: len("\n".join(meta))].split() == []
    out = Engine(load_rules()).process(ArticleIn(id="front", text=page), MemoryStore())
    assert out.text.startswith("\n".join(meta))  # the Markdown as it came
    assert all(paragraph in out.text for paragraph in STORY)
    no_key = "---\nA paragraph between two rules.\n---\n" + PAGE
    assert "A paragraph between two rules." in markdown_read(no_key)


def test_a_linked_image_whose_alt_text_has_brackets_goes_whole() -> None:
    text = "* [![[https://cdn.example/a.jpg]](https://cdn.example/a.jpg)](/video/1) [a](/a) [b](/b)"
    assert markdown_read(text).split() == ["a", "b"]


def test_a_link_whose_address_is_in_angle_brackets_reads_as_its_text() -> None:
    """CommonMark's other form of a link's address, which may hold spaces: html-to-markdown
    writes a script link so, and read as words its script ran into the story's lines."""
    script = '<javascript: var headline = escape("Ferry"); OpenWin("/email.asp")>'
    text = f"[News](/news/) [Sport](/sport/) [Email]({script}) this story"
    assert markdown_read(text).split() == ["News", "Sport", "Email", "this", "story"]


def test_plain_text_is_left_as_it_is() -> None:
    text = "* a bullet and snake_case, 5 * 3 and [a bracket](with a space) in plain text"
    assert markdown_read(text) is text
    two_links = "[one](/1) and [two](/2), * bullets stay"
    assert markdown_read(two_links) is two_links


def test_a_page_laid_out_in_a_table_is_read_a_cell_a_line() -> None:
    """markdownify writes a layout table's row on one line: the menu, the story, the sidebar."""
    menu = " ".join(f"[{name}](/{name.lower()}/)" for name in ("News", "Sport", "Weather"))
    sidebar = "Most read: [Ferry fares to rise](/ferry/) [Lighthouse reopens](/light/)"
    row = f"| {menu} | {'  '.join(STORY)} | {sidebar} |"  # paragraphs two spaces apart
    page = "\n".join(["| | | |", "| --- | --- | --- |", row])
    read = markdown_read(page)
    assert len(read) == len(page)
    lines = [" ".join(line.split()) for line in read.split("\n")]
    first = lines.index(
        "The harbour board voted on Thursday to tear down the old ferry pier,"
        " which has stood empty since the storm of 2019 took half of its deck."
    )
    assert lines[first + 1].startswith("Engineers told the board")  # a paragraph a line
    out = Engine(load_rules()).process(ArticleIn(id="table", text=page), MemoryStore())
    assert "  ".join(STORY) in out.text
    assert "[Sport](/sport/)" not in out.text


def test_a_layout_row_the_rules_cut_loses_its_bars_and_keeps_its_words_apart() -> None:
    """A page laid out in nested tables, as markdownify writes it: the whole page one row, the
    inner tables' rules in it. With the menu and the sidebar cut, what was left of the row read
    as no row, its bars and rules as words (``| | --- | | Engineers``); on L3S-GN1 dev's pages
    as Markdown that cost text mode 0.018 of F1."""
    menu = " ".join(
        f"[{name}](/{name.lower()}/)" for name in ("News", "Sport", "Weather", "Travel")
    )
    sidebar = "Most read: [Ferry fares to rise](/ferry/) [Lighthouse reopens](/light/)"
    row = f"| | {menu} | | --- | --- | | {' | | --- | | '.join(STORY)} | {sidebar} | | |"
    page = "\n".join(["| | | |", "| --- | --- | --- |", row])
    out = Engine(load_rules()).process(ArticleIn(id="nested", text=page), MemoryStore())
    story = next(line for line in out.text.split("\n") if "harbour board" in line)
    assert story.strip() == " ".join(STORY)  # the paragraphs a space apart, as they came
    assert all(span.rule == "main-text-region" for span in out.removed)


def test_a_table_of_data_in_a_story_keeps_its_bars() -> None:
    """Only a layout's row that the rules cut loses its bars: a table in the story stays one."""
    rows = [f"| {n} | [Driver {n}](/d/{n}/) | {5000 - n * 7} |" for n in range(1, 6)]
    table = "\n".join(["| Pos. | Driver | Points |", "| --- | --- | --- |", *rows])
    page = "\n\n".join([*NAVIGATION, STORY[0], table, *STORY[1:], *FOOTER])
    out = Engine(load_rules()).process(ArticleIn(id="data", text=page), MemoryStore())
    assert table in out.text


def test_a_line_of_links_counts_what_it_shows_not_the_addresses_read_as_spaces() -> None:
    """A footer's line of site names, each link with a long address and title: read as
    spaces, the syntax made it the page's longest "paragraph", and the content region chose
    it over the story (an L3S-GN1 page as Markdown kept nothing of its story)."""
    title = "Business technology news, analysis, comment, web seminars, podcasts and blogs"
    sites = " . ".join(
        f'[Site {n}](https://site{n}.example/section/index.html "{title}")' for n in range(12)
    )
    menu = [f"* [Topic {n}](/topics/{n}/)" for n in range(40)]
    footer = [f"**Our sites:** {sites}.", f"**Our partners:** {sites}."]
    page = "\n\n".join([*STORY, *menu, *footer])
    out = Engine(load_rules()).process(ArticleIn(id="sites", text=page), MemoryStore())
    assert all(paragraph in out.text for paragraph in STORY)
    assert "Our sites" not in out.text


def test_a_table_of_data_is_read_a_row_a_line() -> None:
    """A standings table: each row one line, as the page text gives it; read a cell a line it
    was a column of figures that the rules took for a menu, and the page (the table was the
    article) lost all of it."""
    rows = [f"| {n} | [Driver {n}](/d/{n}/) | {5000 - n * 7} | {n % 4} |" for n in range(1, 9)]
    table = "\n".join(["| Pos. | Driver | Points | Wins |", "| --- | --- | --- | --- |", *rows])
    read = markdown_read(table)
    lines = [" ".join(line.split()) for line in read.split("\n")]
    assert lines[0] == "Pos. Driver Points Wins"
    assert lines[2:4] == ["1 Driver 1 4993 1", "2 Driver 2 4986 2"]


@given(st.text(alphabet=st.sampled_from("[]()!*_#>-+|`\\ \n\tab.\"'"), max_size=80))
def test_every_reading_has_the_length_of_the_text_and_breaks_only_at_its_breaks_bars_or_spaces(
    text: str,
) -> None:
    text += "[a](/a) [b](/b) [c](/c)"
    read = markdown_read(text)
    assert len(read) == len(text)
    breaks = (t for r, t in zip(read, text, strict=True) if r == "\n")
    assert all(t in "\n| \t" for t in breaks)


def test_a_page_of_many_wordless_lines_keeps_every_rule_in_its_time() -> None:
    """A layout table's empty cells and a column of spacer images, read as spaces, are runs of
    lines without a word: rules whose patterns start "^\\W*" once tried each of their line
    starts across the whole run, and ran out of their time."""
    spacers = "\n\n".join(["![](/images/space.gif)"] * 300)
    empty_row = "|" + "  |" * 300
    indented = " " * 2000 + "[Reporting](/r/) by [Jane Roe](/jane/)"
    page = "\n\n".join([empty_row, spacers, indented, *STORY, *FOOTER])
    out = Engine(load_rules()).process(ArticleIn(id="wide", text=page), MemoryStore())
    assert [f.evidence for f in out.findings if f.kind == "rule-timeout"] == []
    assert STORY[1] in out.text
