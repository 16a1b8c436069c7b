"""Markdown read as the text it shows, character for character: what the line rules judge when
a scraper hands over a page as Markdown (markdownify, html2text, the crawlers that feed language
model pipelines), while the output keeps the Markdown as it came.

Read raw, a Markdown page's lines are not the shapes the rules know: a menu entry is
``* [World](/world/)``, a link in a sentence adds its address to the line, a heading starts with
``#`` and a bold phrase with ``**``. So the syntax is read as spaces: a link keeps its text
(moved to the link's end) and loses its brackets, address and title; an image goes whole (its
alt text is not shown), nor is front matter (metadata between two ``---`` lines at the start);
list bullets, heading, quote and definition marks at a line's start, emphasis marks, code ticks,
escapes and horizontal rules go; a table row's bars end lines where one of its cells holds ten
words or more, so each cell is a line, and so do the two spaces or more that part a cell's
paragraphs (markdownify writes a page laid out in a table a row to a line: its menu, its story
and its sidebar on one line, which no line rule can part); a row of short cells is a row of data
and stays one line, its bars read as spaces; lines without a word, one after another, read as
one blank line. Every other character stays where it was (a link's text moves within the link),
so offsets into the reading are offsets into the Markdown. (The dev pages written as Markdown by
markdownify, text mode with the shipped line model, training scores: AEB dev 0.890 read raw,
0.939 read so, against 0.975 on their page text; L3S-GN1 dev 0.684 and 0.864, against 0.917.
Data rows as one line, out of fold, means of three deals: AEB dev 0.9224 -> 0.9331, a standings
table that was the article no longer lost; L3S-GN1 dev 0.8642 -> 0.8639. docs/benchmarks.md.)

Only a text with ``MIN_LINKS`` inline links or more is read so: plain text has none, and its
"* " and "_" are left as they are.

The output is the Markdown less what the rules took, and one thing more: a layout row from
which they took a bar is no row any more, so the bars left in it go too (``broken_rows``), and
what the rules kept of it reads as a line of text.
"""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache

import regex

from copydesk.rules.lines import wordless_runs_blank

MIN_LINKS = 3
# An inline link or image: [text](address "title"), the address with balanced parentheses or in
# angle brackets (which may hold spaces: html-to-markdown writes a script link so), the
# text with balanced brackets (an image's alt text may be "[photo]").
_LINK = regex.compile(
    r"(!?)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]"
    r"\((?:<[^<>\n]*>|(?:[^()\s]|\([^()\s]*\))*)(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'))?[ \t]*\)"
)
# Front matter: a block of "key: value" lines between two "---" lines at the very start, which
# static-site sources and converters (html-to-markdown) write: the page's metadata, not shown.
_FRONT_MATTER = regex.compile(
    r"\A---[ \t]*\n[\w.-]+:[^\n]*\n(?:[^\n]*\n)*?(?:---|\.\.\.)[ \t]*$", regex.M
)
# List bullets, heading and quote marks and a definition's colon at a line's start; a horizontal
# rule.
_LINE_MARKS = regex.compile(
    r"(?m)^[ \t]*(?:(?:[*+-][ \t]+)+|#{1,6}[ \t]+|(?:>[ \t]?)+|:[ \t]+)"
    r"|^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$"
)
# A table row, "| a | b |": markdownify writes a page laid out in a table so, a row of the page
# (its menu, its story, its sidebar) on one line; each cell is read as a line of its own, unless
# every cell is short (``_DATA_CELL_WORDS``).
_TABLE_ROW = regex.compile(r"(?m)^[ \t]*\|.*\|[ \t]*$")
_RULE_ROW = regex.compile(r"[ \t]*\|(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*")
_CELL_BAR = regex.compile(r"(?<!\\)\|")
# A row whose cells all hold fewer words is a row of data (a standings table: "| 1 | Kyle
# Busch | 5040 |"), read as one line as the page text gives it; a row with a longer cell is a
# layout's. Chosen on both dev sets as Markdown (out of fold, seed 0: from 6 to 10 words the same
# on L3S-GN1, AEB the same from 6 up; L3S-GN1 loses from 15) and checked on seeds 1 and 2.
_DATA_CELL_WORDS = 10
# In a cell, markdownify writes the break between two paragraphs as two spaces or more: after
# a sentence's end and before a capital, a figure or an opening mark, one is read as a break.
_CELL_BREAK = regex.compile(r"(?<=[.!?\"”’)])[ \t](?=[ \t]+[\p{Lu}\d\"“‘(])")
# A layout table's scaffolding, once its row is cut: the bars, the spaces around them, and the
# rules of the tables markdownify wrote inside the row ("| --- | --- |").
_SCAFFOLDING = r"(?:[ \t\u00a0]|(?<!\\)\||(?<=\|[ \t\u00a0]*):?-{3,}:?(?=[ \t\u00a0]*\|))*"
_SCAFFOLD = regex.compile(rf"{_SCAFFOLDING}(?<!\\)\|{_SCAFFOLDING}")
# Emphasis marks at a word's edge (not "snake_case" or "5 * 3"), code ticks and escapes.
_INLINE_MARKS = regex.compile(
    r"(?<![\w*_])[*_]+(?=[^\s*_])|(?<=[^\s*_])[*_]+(?![\w*_])|`+|\\(?=[\\`*_{}\[\]()#+\-.!|<>])"
)


def markdown_read(text: str) -> str:
    """``text`` with its Markdown syntax read as spaces, if it is Markdown; else ``text``."""
    return shown(text) if is_markdown(text) else text


# The strip stage asks twice of one body: when it reads it, and when it writes what it kept.
@lru_cache(maxsize=4)
def is_markdown(text: str) -> bool:
    """Whether ``text`` is read as Markdown: it has ``MIN_LINKS`` inline links or more."""
    return "](" in text and len(_LINK.findall(text)) >= MIN_LINKS


def shown(markdown: str) -> str:
    """The text that ``markdown`` shows, its syntax as spaces."""
    read = _FRONT_MATTER.sub(_blank, markdown, count=1)
    # Twice: a link around an image ([![alt](src)](href)) matches once the image is spaces.
    read = _LINK.sub(_link_text, _LINK.sub(_link_text, read))
    read = _LINE_MARKS.sub(_spaces, read)
    read = _TABLE_ROW.sub(_cells, read)
    read = _INLINE_MARKS.sub(_spaces, read)
    return wordless_runs_blank(read)


def _cells(row: regex.Match[str]) -> str:
    if _RULE_ROW.fullmatch(row.group()):
        return " " * len(row.group())
    # A bar is one character: joined again by one, the cells keep the row's offsets.
    cells = _CELL_BAR.split(row.group())
    if not _layout_row(cells):
        return " ".join(cells)
    return _CELL_BREAK.sub("\n", "\n".join(cells))


def _layout_row(cells: list[str]) -> bool:
    """Whether a table row is a layout's, read a line per cell: a cell holds a paragraph."""
    return max(len(cell.split()) for cell in cells) >= _DATA_CELL_WORDS


def _link_text(link: regex.Match[str]) -> str:
    image, text = link.group(1), link.group(2)
    if image:
        return " " * len(link.group())
    # The spaces go before the text: what follows a link is mostly its sentence's punctuation,
    # which stays beside it ("[Reuters](…)," reads "        Reuters,").
    return " " * (len(link.group()) - len(text)) + text


def _spaces(marks: regex.Match[str]) -> str:
    return " " * len(marks.group())


def _blank(block: regex.Match[str]) -> str:
    """The block as spaces, its line breaks kept."""
    return regex.sub(r"[^\n]", " ", block.group())


def broken_rows(markdown: str, removed: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """The bars that remain of each layout table row (a row read as a line per cell) from
    which the rules took a bar, with the spaces around them: ``(start, end, n)``, ``n`` the
    removed piece (of ``removed``, sorted and disjoint) that broke the row. A row cut short is
    no row any more: left in the output, its bars would be read as words (``| |  |  | Story
    text``: on L3S-GN1 dev's pages as markdownify writes them, a fiftieth of text mode's F1).
    Taken out, what the rules kept of the row reads as a line of text."""
    found: list[tuple[int, int, int]] = []
    first = 0  # the first removed piece that does not end before the row
    for row in _TABLE_ROW.finditer(markdown):
        start, end = row.span()
        while first < len(removed) and removed[first][1] <= start:
            first += 1
        cut = range(first, bisect_left(removed, (end, end)))
        text = row.group()
        if not cut or not _layout_row(_CELL_BAR.split(text)):
            continue
        taken = [
            n for n in cut if "|" in text[max(removed[n][0] - start, 0) : removed[n][1] - start]
        ]
        if taken:
            for a, b in _kept_within(start, end, [removed[n] for n in cut]):
                for run in _SCAFFOLD.finditer(markdown, a, b):
                    found += _apart(markdown, *run.span(), taken[0])
    return found


def _apart(markdown: str, start: int, end: int, n: int) -> list[tuple[int, int, int]]:
    """The run ``markdown[start:end]`` to take out, less a space where it parts two words."""
    if start == 0 or markdown[start - 1] == "\n" or end == len(markdown) or markdown[end] == "\n":
        return [(start, end, n)]
    if markdown[start].isspace():
        return [(start + 1, end, n)] if start + 1 < end else []
    if markdown[end - 1].isspace():
        return [(start, end - 1, n)]
    return []  # "a|b": the bar stays, or the words would run together


def _kept_within(start: int, end: int, removed: list[tuple[int, int]]) -> list[tuple[int, int]]:
    kept, pos = [], start
    for a, b in removed:
        if a > pos:
            kept.append((pos, min(a, end)))
        pos = max(pos, b)
    if pos < end:
        kept.append((pos, end))
    return kept
