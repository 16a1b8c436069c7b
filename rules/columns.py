"""Text laid out in columns side by side, read one column after another.

Tools that render a page as text the way a screen shows it (inscriptis; lynx and w3m dumps)
write a page laid out in a table with its columns side by side: a line holds a menu entry, a
line of the story and a line of the sidebar, each padded with spaces to its column's width. No
line rule can judge such a line, part chrome and part story. So where lines share *gutters*
(two columns of characters or more, blank on every one of them, with text on both sides), the
rules read the band of lines they part one column at a time: the first column's cells top to
bottom, then the second's. The output is the text as it came, less the cells the rules took;
a line keeps its line break where any of its cells is kept.

A band starts at a line with two cells and grows while each of its gutters stays open. It is
read by columns only where it is a layout and not a table of data or a chance: at least
``MIN_SIDE_BY_SIDE`` of its lines have text in two columns, the runs of spaces before a column
differ in length from line to line (cells padded to a width; a paragraph whose line breaks came
as runs of one length lines up too where it was wrapped at one width), and a column holds a
paragraph of ``PROSE_WORDS`` words or more, its cells' lines joined as the rules will read
them (a standings table's cells are names and figures, and read by columns it would be lists
of them; a story in a narrow column is wrapped to a few words a line). Markdown is never read
so: its tables have readings of their own (rules/markdown.py).

(Chosen on L3S-GN1 dev's pages as inscriptis writes them, text mode with the shipped line
model: F1 0.823 read line by line, 0.893 by columns, against 0.915 on the data set's own page
text. The checks, pages as w3m and links write them at their 80 columns: L3S-GN1 dev 0.710 ->
0.836 and 0.676 -> 0.790; AEB dev, whose pages of 2019 seldom stand in tables, 0.922 and 0.868
both ways. docs/benchmarks.md.)
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import regex
from numpy.typing import NDArray

from copydesk.rules.line_joins import joined_lines
from copydesk.rules.lines import wordless_runs_blank
from copydesk.rules.records import Span

# Columns of spaces that part two cells: one space parts words, and a text whose spaces were
# collapsed (a browser's text, most scrapers') never has two.
GUTTER = 2
# A paragraph this long is prose: a band whose columns hold none is a table of data, read as it
# is.
PROSE_WORDS = 10
# Lines with text in two columns or more that a band needs to be read by columns: two could
# be text whose own runs of spaces line up by chance (a scraper's text nodes, indented).
MIN_SIDE_BY_SIDE = 3
# A line's cells: runs of words parted by single spaces.
_CELL = regex.compile(r"\S+(?: \S+)*")
_TWO_CELLS = regex.compile(rf"\S {{{GUTTER},}}\S")

_Interval = tuple[int, int]


@dataclass(frozen=True)
class ColumnReading:
    """A text read column by column. ``text`` has the length of the original: the same
    characters in reading order, a cell's last space shown as a line break and a run of lines
    without a word as one blank line; ``order[i]`` is the original offset of ``text[i]``."""

    text: str
    order: NDArray[np.int64]
    band_line_ends: tuple[int, ...]  # offsets of the line breaks of lines read by columns

    def removed_in_original(self, original: str, removed: list[Span]) -> list[Span]:
        """``removed`` (spans of ``text``) as spans of ``original``: a span whose characters lie
        in several places of the original becomes one span per place. A line read by columns
        keeps its line break where any of its other characters is kept."""
        by = np.full(len(original), -1, dtype=np.int64)
        for n, span in enumerate(removed):
            by[self.order[span.start : span.end]] = n
        for end in self.band_line_ends:
            start = original.rfind("\n", 0, end) + 1
            if by[end] >= 0 and np.any((by[start:end] < 0) & _visible(original[start:end])):
                by[end] = -1
        spans: list[Span] = []
        changes: NDArray[np.intp] = np.flatnonzero(np.diff(by, prepend=-2, append=-2))
        for a, b in pairwise(changes):
            rule = int(by[a])
            if rule >= 0:
                spans.append(
                    Span(rule=removed[rule].rule, start=int(a), end=int(b), text=original[a:b])
                )
        return spans

    def to_original(self, start: int, end: int) -> _Interval:
        """The smallest stretch of the original that holds ``text[start:end]``."""
        if start >= end:
            at = int(self.order[start]) if start < len(self.order) else len(self.order)
            return at, at
        placed = self.order[start:end]
        return int(placed.min()), int(placed.max()) + 1


def _visible(line: str) -> NDArray[np.bool_]:
    visible: NDArray[np.bool_] = np.frombuffer(line.encode("utf-32-le"), np.uint32) != ord(" ")
    return visible


def column_reading(text: str) -> ColumnReading | None:
    """``text`` read column by column where its lines stand in columns; None where none do."""
    if not _TWO_CELLS.search(text):
        return None
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    # In reading order, each ending with the character shown as its line break.
    pieces: list[_Interval] = []
    band_ends: list[int] = []
    # The last line has no line break to end its last cell: it is read as it is.
    last = len(lines) - 1
    i = 0
    while i < len(lines):
        end, bounds = _band(lines, i, last)
        if len(bounds) == 1:  # one column: the lines read as they are
            pieces.extend(
                (starts[k], starts[k] + len(lines[k]) + (k < last)) for k in range(i, end)
            )
        else:
            for column in range(len(bounds)):
                for k in range(i, end):
                    piece = _cell(lines[k], bounds, column)
                    if piece is not None:
                        pieces.append((starts[k] + piece[0], starts[k] + piece[1]))
            band_ends.extend(starts[k] + len(lines[k]) for k in range(i, end))
        i = end
    if not band_ends:
        return None
    *ended, (a, b) = pieces  # the last line's, read last, has no line break
    shown = "".join(text[start : end - 1] + "\n" for start, end in ended) + text[a:b]
    # A column's empty cells, one after another, are lines of spaces: one blank line.
    shown = wordless_runs_blank(shown)
    order = np.concatenate([np.arange(a, b, dtype=np.int64) for a, b in pieces])
    return ColumnReading(shown, order, tuple(band_ends))


def _band(lines: list[str], first: int, last: int) -> tuple[int, list[int]]:
    """The band of lines that starts at ``lines[first]``: where it ends (exclusive) and where
    its columns start; one column where it is no layout (it is then read as it is, whole: a
    band that starts on a later line of it would be cut from the same lines, and looking again
    from each would take time in the square of a long table's lines)."""
    if first == last or not _TWO_CELLS.search(lines[first]):
        return first + 1, [0]
    filled = _cells(lines[first])
    gutters = _gutters(filled)
    end = first + 1
    while end < last:
        wider = _merged(filled, _cells(lines[end]))
        narrower = _gutters(wider)
        if not all(any(a < d and c < b for c, d in narrower) for a, b in gutters):
            break
        filled, gutters = wider, narrower
        end += 1
    band = lines[first:end]
    bounds = [0] + [b for a, b in gutters if _padded(band, (a, b))]
    side_by_side = sum(
        sum(bool(_cell_text(line, bounds, c).strip()) for c in range(len(bounds))) >= 2
        for line in band
    )
    if side_by_side < MIN_SIDE_BY_SIDE:
        return end, [0]
    # Read as the rules will read it: a column's cells wrapped to its width are joined again.
    prose = any(
        len(paragraph.split()) >= PROSE_WORDS
        for c in range(len(bounds))
        for paragraph in joined_lines(
            "\n".join(_cell_text(line, bounds, c).strip() for line in band)
        ).split("\n")
    )
    return end, bounds if prose else [0]


def _padded(band: list[str], gutter: _Interval) -> bool:
    """Whether the cells on either side of ``gutter`` were padded to a column's width: the
    runs of spaces between them differ in length from line to line. (A paragraph whose line
    breaks came as runs of spaces, all of one length, has gutters too where its lines were
    wrapped at one width.)"""
    a, _ = gutter
    runs = {
        len(line) - len(line[:a].rstrip()) - len(line[a:].lstrip())
        for line in band
        if line[:a].strip() and line[a:].strip()
    }
    return len(runs) >= 2


def _cells(line: str) -> list[_Interval]:
    return [m.span() for m in _CELL.finditer(line)]


def _merged(a: list[_Interval], b: list[_Interval]) -> list[_Interval]:
    """The union of two sorted lists of intervals, as a sorted list of disjoint intervals."""
    merged: list[_Interval] = []
    for start, end in sorted(a + b):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _gutters(filled: list[_Interval]) -> list[_Interval]:
    return [(a, b) for (_, a), (b, _) in pairwise(filled) if b - a >= GUTTER]


def _cell_text(line: str, bounds: list[int], column: int) -> str:
    end = bounds[column + 1] if column + 1 < len(bounds) else len(line)
    return line[bounds[column] : end]


def _cell(line: str, bounds: list[int], column: int) -> _Interval | None:
    """The offsets in ``line`` of its cell in ``column`` with the character that ends it: the
    cell's last space (its gutter) or, for the line's last cell, the line break after it."""
    if bounds[column] >= len(line) and column > 0:
        return None
    if column + 1 < len(bounds) and bounds[column + 1] < len(line):
        return bounds[column], bounds[column + 1]
    return bounds[column], len(line) + 1
