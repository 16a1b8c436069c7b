"""Hard-wrapped text: its paragraphs are joined before the rules judge lines, and the output
keeps the line breaks that came in."""

from __future__ import annotations

import textwrap

from copydesk.rules.engine import Engine
from copydesk.rules.loader import load_rules
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore
from copydesk.rules.unwrap import unwrapped, wrap_width

PARAGRAPHS = [
    "The harbour board met on Thursday evening to decide the future of the old ferry pier, "
    "which has stood empty since the storm of 2019 tore away half of its deck and both of "
    "its cranes, and which the town has argued about ever since.",
    "Engineers told the board that repairs would cost about four million dollars, twice the "
    "estimate of last spring, because the piles under the north end had rotted further than "
    "anyone expected when divers first looked at them.",
    "Several members said the money would be better spent on the new breakwater, while the "
    "fishermen's association asked for the pier to be kept, since its boats have nowhere "
    "else to land their catch when the wind turns to the east.",
    "The board will vote in March, after a public hearing at the town hall, and the chair "
    "said she expected the meeting to run late into the night.",
]
MENU = ["Home", "News", "Sport", "Weather"]
FOOTER = ["Contact us", "Privacy policy"]


def wrapped(lines: list[str], width: int = 70) -> str:
    return "\n".join("\n".join(textwrap.wrap(line, width)) for line in lines)


def test_a_text_wrapped_at_70_columns_is_recognised() -> None:
    assert wrap_width(wrapped(MENU + PARAGRAPHS + FOOTER)) in range(60, 71)


def test_a_text_with_one_paragraph_per_line_is_not_hard_wrapped() -> None:
    text = "\n".join(MENU + PARAGRAPHS + FOOTER)
    assert wrap_width(text) is None
    assert unwrapped(text) is text


def test_wrapped_paragraphs_are_joined_and_short_lines_stay_apart() -> None:
    text = wrapped(MENU + PARAGRAPHS + ["12 Comments"] + FOOTER)
    joined = unwrapped(text)
    assert len(joined) == len(text)
    assert joined.split("\n") == MENU + PARAGRAPHS + ["12 Comments"] + FOOTER


def test_hard_wrapped_page_text_keeps_its_story_and_its_line_breaks() -> None:
    text = wrapped(MENU + PARAGRAPHS + FOOTER)
    out = Engine(load_rules()).process(ArticleIn(id="a", text=text), MemoryStore())
    # The line right above a story may stay as its headline: the line model learned from
    # pages whose gold holds the headline, and a short line there looks like one.
    assert out.text.endswith(wrapped(PARAGRAPHS))
    assert out.text.removesuffix(wrapped(PARAGRAPHS)) in ("", f"{MENU[-1]}\n")
    removed = "".join(span.text for span in out.removed).split()
    assert removed[:3] == MENU[:3] and removed[-2:] == " ".join(FOOTER).split()[-2:]
    assert all(text[span.start : span.end] == span.text for span in out.removed)


def test_paragraphs_of_similar_length_that_each_end_a_sentence_stay_apart() -> None:
    text = "\n".join(
        [
            "Story 3: the council met for the third time this year and voted on item 21.",
            "Residents said item 21 mattered to 39 households in the district, or more.",
            "Harbor Daily has served the coast since 1921. Tips: news@harbor.example",
        ]
    )
    assert unwrapped(text) == text


def test_a_short_wrapped_story_above_a_long_list_is_recognised() -> None:
    # A story of a few paragraphs, then a roster of mid-length lines that outnumber its full
    # lines three to one: the story must still be joined, or its fragments look like chrome.
    names = ["Beatrice Montgomery", "Dominique Vanderbilt", "Al Roe", "Edward Po"]
    schools = ["Wake Forest University", "North Carolina State University", "Gonzaga University"]
    roster = [f"{names[i % 4]} ({schools[i % 3]})" for i in range(40)]
    text = wrapped(MENU + PARAGRAPHS + roster + FOOTER)
    width = wrap_width(text)
    assert width in range(60, 71)
    assert "north end had rotted" in unwrapped(text).replace("\n", " ")
    assert PARAGRAPHS[1] in unwrapped(text)


def test_a_text_indented_by_a_margin_is_joined_as_one_without() -> None:
    # Text browsers (links, w3m, elinks) dump a page with a left margin on every line: a line
    # as indented as the one before it goes on its paragraph.
    text = wrapped(MENU + PARAGRAPHS + FOOTER, width=72)
    margin = "\n".join("   " + line for line in text.split("\n"))
    joined = unwrapped(margin)
    assert len(joined) == len(margin)
    # The margin stays inside a joined line, as the output keeps the text that came in.
    assert [" ".join(line.split()) for line in joined.split("\n")] == MENU + PARAGRAPHS + FOOTER


def test_a_line_indented_deeper_than_the_one_before_starts_something_new() -> None:
    # A table's row, a quotation or a list's hanging lines stand further in.
    text = wrapped(PARAGRAPHS, width=70)
    first, *rest = text.split("\n")
    quoted = "\n".join([first, "    " + rest[0], *rest[1:]])
    assert unwrapped(quoted).split("\n")[0] == first


def test_paragraphs_whose_first_line_is_indented_by_a_tab_stay_apart() -> None:
    # Each paragraph ends on a full line, so only the tab says the next one starts anew.
    paragraphs = [" ".join(textwrap.wrap(p, 70)[:2]) for p in PARAGRAPHS]
    text = "\n".join("\t" + "\n".join(textwrap.wrap(p, 70)) for p in paragraphs)
    assert unwrapped(text).split("\n") == ["\t" + p for p in paragraphs]


def test_a_list_item_as_far_in_as_the_line_before_starts_something_new() -> None:
    # A column of headlines as long as the story's lines: "1. Ontario locks out owner to..."
    titles = [" ".join(paragraph.split()[:8]) for paragraph in PARAGRAPHS] * 3
    items = [f" {n}. {title}" for n, title in enumerate(titles, start=1)]
    text = "\n".join([" " + line for line in wrapped(PARAGRAPHS, width=56).split("\n")] + items)
    assert unwrapped(text).split("\n")[-len(items) :] == items


def test_lines_of_cells_side_by_side_are_not_joined() -> None:
    # A story's column and a sidebar's, which the columns' reading left as they are: joined,
    # each line's two cells would run into the next line's.
    story = wrapped(PARAGRAPHS[:2], width=40).split("\n")
    sidebar = ["Most read", "Mayor opens new library", "Council tax to rise again"] * 4
    rows = [f"   {left.ljust(42)}{right}" for left, right in zip(story, sidebar, strict=False)]
    text = "\n".join(rows)
    assert unwrapped(text) == text


def test_a_line_less_far_in_after_an_indented_block_starts_the_next_block() -> None:
    # A browser shows a list of headlines with each one's summary indented under it: the next
    # headline, back at the margin, does not go on the summary above it, though that summary
    # ends without a full stop. (After a paragraph's first line, as a plain-text feed indents
    # it, a line less far in does go on: the tab-indented paragraphs above.)
    headlines = [" ".join(paragraph.split()[:7]) for paragraph in PARAGRAPHS]
    summaries = [textwrap.wrap(paragraph, 66)[:2] for paragraph in PARAGRAPHS]
    lines = []
    for headline, summary in zip(headlines, summaries, strict=True):
        lines += [headline, *("    " + line for line in summary)]
    read = [" ".join(line.split()) for line in unwrapped("\n".join(lines)).split("\n")]
    assert read == [
        line
        for headline, summary in zip(headlines, summaries, strict=True)
        for line in (headline, " ".join(summary))
    ]
