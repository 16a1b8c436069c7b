"""Text laid out in columns side by side, read one column after another.

Tools that render a page as text the way a screen shows it (inscriptis; the dumps of text
browsers: w3m, links, elinks) write a page laid out in a table with its columns side by side: a
line holds a menu entry, a line of the story and a line of the sidebar, each padded with spaces
to its column's width. No line rule can judge such a line, part chrome and part story. So where
lines share *gutters* (two columns of characters or more, blank on every one of them, with text
on both sides), the rules read the band of lines they part one column at a time: the first
column's cells top to bottom, then the second's, each column's wrapped lines joined at its own
width (a browser wraps each cell to its column's). The output is the text as it came, less the
cells the rules took and what went with them (``ColumnReading.removed_in_original``).

A band starts at a line with two cells and grows while each of its gutters stays open (at one
blank column where a cell touches the next column: ``_grown``). A column goes on down through
the band after its own where that band has a column in its place (``_read_bands``): a sidebar
whose cells change (a longer entry, an advertisement's box) ends a band, but the story beside
it is one column, read to its end, its paragraphs joined across the bands, before the sidebars.
A column's cells are read the same way in turn, for they may stand side by side too: a band
that began above them with fewer columns (a header across a menu and a story, beside a
sidebar), or a table in a table's cell. A band is read by columns only where it is a layout and
not a table of data or a chance: at least ``MIN_SIDE_BY_SIDE`` of its lines have text in two
columns, the runs of spaces before a column differ in length from line to line (cells padded to
a width; a paragraph whose line breaks came as runs of one length lines up too where it was
wrapped at one width), and a column holds a paragraph of ``PROSE_WORDS`` words or more, its
cells' lines joined as the rules will read them (a standings table's cells are names and
figures, and read by columns it would be lists of them; a story in a narrow column is wrapped
to a few words a line). Markdown is never read so: its tables have readings of their own
(rules/markdown.py).

A table's borders are drawing, not text (``borders``): box-drawing characters, as w3m and
elinks draw a bordered table, and ASCII ones, as links draws it (``+---+``, ``|``). Their
upright strokes and corners read as spaces: drawn one space from a cell's text, a box's side
would otherwise close the gutter it stands in. Their strokes across are kept for the gutters: a
rule across the page ends a band, as a line of text does, and the rules read it as a line (the
end of a story, a box's top).

(Chosen on L3S-GN1 dev's pages as inscriptis writes them, text mode with the shipped line
model: F1 0.823 read line by line, 0.893 by columns, against 0.915 on the data set's own page
text; borders and each column's width revised on them as w3m and links write them at their 80
columns: 0.710 -> 0.846 and 0.676 -> 0.798. The check, elinks: 0.687 -> 0.797. AEB dev, whose
pages of 2019 seldom stand in tables, is all but unchanged. Touching cells, links' inner bars
and columns read inside columns were found on links' pages and checked on w3m's and elinks':
0.855, 0.854 and 0.861 -> 0.892, 0.883 and 0.895. A column read on through the bands below,
found on w3m's: L3S-GN1 0.8872 -> 0.8984; links 0.8916 -> 0.8948, elinks 0.8956 -> 0.8975,
inscriptis 0.8945 -> 0.8953, AEB unchanged. docs/benchmarks.md.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate, pairwise

import numpy as np
import regex
from numpy.typing import NDArray

from copydesk.rules.line_joins import joined_lines
from copydesk.rules.lines import wordless_runs_blank
from copydesk.rules.records import Span
from copydesk.rules.unwrap import unwrapped

# Columns of spaces that part two cells: one space parts words, and a text whose spaces were
# collapsed (a browser's text, most scrapers') never has two.
GUTTER = 2
# A paragraph this long is prose: a band whose columns hold none is a table of data, read as it
# is.
PROSE_WORDS = 10
# Lines with text in two columns or more that a band needs to be read by columns: two could
# be text whose own runs of spaces line up by chance (a scraper's text nodes, indented).
MIN_SIDE_BY_SIDE = 3
# The narrowest width a column's paragraphs are taken to be wrapped at: a text browser's three
# columns in 80 are about 25 wide each, under the 40 a whole text's wrapping needs
# (rules/unwrap.py), and a column of menu entries, most of them under 20 characters, is no
# paragraph. (Chosen on L3S-GN1 dev as links and w3m dump it, among 12, 20 and 40: F1 0.8560,
# 0.8557 and 0.8486, the two's mean; elinks, the check: 0.8544, 0.8536 and 0.8382.)
COLUMN_MIN_WIDTH = 20
# How much narrower a band's column may be than the one above it and still be the same column
# going on down the page (a story's, beside a sidebar whose cells change).
SAME_PLACE_SLACK = 0.2
# Columns read inside columns: a page's table in a table's cell in a table's cell. Deeper
# nesting is read as it is, so that no crafted text of long lines nests without end.
MAX_NESTING = 3
# A line's cells: runs of words parted by single spaces.
_CELL = regex.compile(r"\S+(?: \S+)*")
_TWO_CELLS = regex.compile(rf"\S {{{GUTTER},}}\S")
_BOX_DRAWING = regex.compile(r"[\u2500-\u257f]")
# Box-drawing characters but the strokes across (corners, junctions and upright strokes).
_BOX_UPRIGHT = regex.compile(r"[\u2500-\u257f--[─━═┄┅┈┉╌╍╴╶╸╺╼╾]]", flags=regex.V1)
_ASCII_RULE = regex.compile(r"[|+][-=]{3,}[|+]")
_BAR_OR_CORNER = regex.compile(r"[|+]")
# Lines an ASCII bar's stroke spans, corners counted, to be a box's side: three or more
# (corner, cell, corner). Bars that part menu entries or a headline's prefix line up too, but
# without a corner.
_STROKE = 3

_Interval = tuple[int, int]


@dataclass(frozen=True)
class _Band:
    """Lines read by columns: the original offsets of their line breaks, and each column's
    cells top to bottom (None where a line stops short of the column)."""

    line_ends: tuple[int | None, ...]
    cells: tuple[tuple[_Interval | None, ...], ...]


@dataclass(frozen=True)
class ColumnReading:
    """A text read column by column. ``text`` has the length of the original: the same
    characters in reading order, a cell's last space shown as a line break, a border's upright
    stroke as a space and a run of lines without a word as one blank line; ``order[i]`` is the
    original offset of ``text[i]``."""

    text: str
    order: NDArray[np.int64]
    bands: tuple[_Band, ...]
    blank: str  # the original with every border character blank (``borders``)

    def removed_in_original(self, original: str, removed: list[Span]) -> list[Span]:
        """``removed`` (spans of ``text``) as spans of ``original``: a span whose characters lie
        in several places of the original becomes one span per place. On lines read by
        columns, what the rules never see goes with what they took:
        - a line's break stays where a cell of it is kept, or where it parts two kept cells of
          a column (a paragraph break); it goes where the rules took all else of it;
        - a border goes with its cell, and a border between a kept cell and a taken one goes
          with the taken one; a cell of border alone (a box's top, a rule between cells) goes
          where the nearest cells with text above and below it in its column both go."""
        by = np.full(len(original), -1, dtype=np.int64)
        for n, span in enumerate(removed):
            by[self.order[span.start : span.end]] = n
        codes = np.frombuffer(self.blank.encode("utf-32-le"), np.uint32)
        written = (codes != ord(" ")) & (codes != ord("\n"))
        drawing = codes != np.frombuffer(original.encode("utf-32-le"), np.uint32)
        for band in self.bands:
            _band_removed(band, by, written, drawing)
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


_NO_RULE = -1


def _band_removed(
    band: _Band, by: NDArray[np.int64], written: NDArray[np.bool_], drawing: NDArray[np.bool_]
) -> None:
    """Marks in ``by`` (the removing span per original character, or ``_NO_RULE``) the line
    breaks and borders of ``band`` that go with the rules' cuts
    (``ColumnReading.removed_in_original``)."""
    keeps = [False] * len(band.line_ends)  # per line: whether its break stays
    took: list[int | None] = [None] * len(band.line_ends)  # per line: a span that took a cell
    fates: list[list[int]] = []  # per column and line: _NO_RULE, or the span that took it
    for column in band.cells:
        found = [_fate(cell, by, written) for cell in column]
        above, below = _nearest(found), _nearest(found[::-1])[::-1]
        fates.append([])
        for row, fate in enumerate(found):
            if fate is None:  # a cell without text: it goes with its neighbours
                near = [f for f in (above[row], below[row]) if f is not None]
                fates[-1].append(_NO_RULE if not near or _NO_RULE in near else near[0])
                keeps[row] |= above[row] == below[row] == _NO_RULE
            else:
                fates[-1].append(fate)
                keeps[row] |= fate == _NO_RULE
                took[row] = fate if took[row] is None else took[row]
    # A border goes with its cell, and a border between a kept cell and a taken one goes
    # with the taken one (a side drawn against the text of the cell before ends that cell,
    # shown as its line break).
    for k, column in enumerate(band.cells):
        for row, cell in enumerate(column):
            if cell is None:
                continue
            fate, before = fates[k][row], band.cells[k - 1][row] if k else None
            if fate != _NO_RULE:
                by[cell[0] : cell[1]][drawing[cell[0] : cell[1]]] = fate
                if before is not None and drawing[before[1]]:
                    by[before[1]] = fate
            elif before is not None and (taken := fates[k - 1][row]) != _NO_RULE:
                for at in range(*cell):  # the cell's side before its text
                    if written[at]:
                        break
                    if drawing[at]:
                        by[at] = taken
    for row, end in enumerate(band.line_ends):
        if end is None:  # the line stops short of the column this band stands in
            continue
        if keeps[row]:
            by[end] = _NO_RULE
        elif by[end] == _NO_RULE and (rule := took[row]) is not None:
            by[end] = rule


def _fate(cell: _Interval | None, by: NDArray[np.int64], written: NDArray[np.bool_]) -> int | None:
    """``_NO_RULE`` where some of the cell's text is kept, else the span that took it; None
    where it has no text."""
    if cell is None:
        return None
    text = by[cell[0] : cell[1]][written[cell[0] : cell[1]]]
    if not len(text):
        return None
    return _NO_RULE if np.any(text < 0) else int(text.max())


def _nearest(fates: list[int | None]) -> list[int | None]:
    """Per cell, the fate of the nearest cell with text before it."""
    nearest: list[int | None] = []
    last: int | None = None
    for fate in fates:
        nearest.append(last)
        if fate is not None:
            last = fate
    return nearest


def column_reading(text: str) -> ColumnReading | None:
    """``text`` read column by column where its lines stand in columns; None where none do."""
    # Most texts have no run of two spaces and no border: no columns, and nothing to scan.
    if "  " not in text and "|" not in text and not _drawn(text):
        return None
    drawn = borders(text)
    if not _TWO_CELLS.search(drawn.layout):
        return None
    rows: list[_Row | None] = []
    at = 0
    for line, original in zip(drawn.layout.split("\n"), text.split("\n"), strict=True):
        rows.append(_Row(line, original, at))
        at += len(line) + 1
    read = _Read()
    # The last line has no line break to end its last cell: it is read as it is.
    _read(rows, len(rows) - 1, read, depth=0)
    if not read.bands:
        return None
    *ended, (a, b) = read.pieces  # the last line's, read last, has no line break
    # The rules read a rule across a column (the end of a story, a box's top) as a line.
    layout = drawn.layout
    shown = "".join(layout[start : end - 1] + "\n" for start, end in ended) + layout[a:b]
    shown = _columns_unwrapped(shown, [b - a for a, b in read.pieces], read.columns)
    # A column's empty cells, one after another, are lines of spaces: one blank line.
    shown = wordless_runs_blank(shown)
    order = np.concatenate([np.arange(a, b, dtype=np.int64) for a, b in read.pieces])
    return ColumnReading(shown, order, tuple(read.bands), drawn.blank)


@dataclass(frozen=True)
class _Row:
    """A line, or a column's cell on a line: its text with the borders' upright strokes blank
    (``Borders.layout``), as drawn, and the original offset of its first character. The
    character after it ends it: a line break, or the space before the next column."""

    text: str
    original: str
    start: int


@dataclass
class _Read:
    """A reading in the making: the pieces of the original in reading order (each ending with
    the character shown as its line break), the bands read by columns, and the columns to
    unwrap at their own width (each its first and last piece)."""

    pieces: list[_Interval] = field(default_factory=list)
    bands: list[_Band] = field(default_factory=list)
    columns: list[_Interval] = field(default_factory=list)


def _read(rows: list[_Row | None], last: int, read: _Read, depth: int) -> None:
    """Adds ``rows`` to ``read`` (None where a line stops short of a column), each run of
    bands one after the other of them one column after another (``_read_bands``). A column's
    cells may stand in columns of their own (a table in a table's cell, or a band that began
    above them with fewer columns): they are read the same way, ``MAX_NESTING`` deep. ``last``
    is the row without a character after it (none: ``len(rows)``); ``depth`` is 0 for the
    text's own lines."""
    texts = [row.text if row else "" for row in rows]
    end, plain = 0, len(read.pieces)  # plain: the first piece of rows read as they are
    in_column = depth > 0
    run: list[tuple[int, int, list[int]]] = []  # bands one after the other: rows, bounds
    while end < len(rows):
        i = end
        end, bounds = _band(texts, i, last) if depth <= MAX_NESTING else (len(rows), [0])
        if len(bounds) == 1:  # one column: the rows read as they are
            if run:
                _read_bands(rows, run, read, depth)
                run, plain = [], len(read.pieces)
            read.pieces.extend(
                (row.start, row.start + len(row.text) + (k < last))
                for k, row in enumerate(rows[i:end], i)
                if row
            )
            continue
        if not run and in_column and plain < len(read.pieces):
            read.columns.append((plain, len(read.pieces)))
        originals = [row.original if row else "" for row in rows[i:end]]
        run.append((i, end, _with_borders(texts[i:end], originals, bounds)))
    if run:
        _read_bands(rows, run, read, depth)
        plain = len(read.pieces)
    if in_column and plain < len(read.pieces):
        read.columns.append((plain, len(read.pieces)))


def _read_bands(
    rows: list[_Row | None], run: list[tuple[int, int, list[int]]], read: _Read, depth: int
) -> None:
    """Bands one after the other, read by columns: a column goes on down through the next
    band where that band has a column in the same place (``_same_place``), so a story's column
    is read whole though the sidebar beside it changes its cells (which ends a band); the
    columns are read in the order they begin, top to bottom, then left to right."""
    columns: list[list[list[_Row | None]]] = []  # per band and column: its cells
    for i, end, bounds in run:
        band = rows[i:end]
        subs = [
            [None if row is None else _column_cell(row, bounds, column) for row in band]
            for column in range(len(bounds))
        ]
        columns.append(subs)
        cells = tuple(
            tuple(None if row is None else (row.start, row.start + len(row.text)) for row in sub)
            for sub in subs
        )
        ends = tuple(None if row is None else row.start + len(row.text) for row in band)
        read.bands.append(_Band(ends, cells))
    threads: list[list[tuple[int, int]]] = []  # (band, column), top to bottom
    above: list[tuple[tuple[int, int | None], list[tuple[int, int]]]] = []  # place, thread
    for b, (_, _, bounds) in enumerate(run):
        here: list[tuple[tuple[int, int | None], list[tuple[int, int]]]] = []
        for column in range(len(bounds)):
            place = _place(bounds, column)
            # Only the band just above is looked at: a crafted text of thousands of bands
            # must not compare each column with every one before it.
            found = next((n for n, (p, _) in enumerate(above) if _same_place(p, place)), None)
            thread = above.pop(found)[1] if found is not None else []
            if not thread:
                threads.append(thread)
            thread.append((b, column))
            here.append((place, thread))
        above = here
    for thread in threads:
        down = [row for b, column in thread for row in columns[b][column]]
        _read(down, len(down), read, depth + 1)


def _place(bounds: list[int], column: int) -> tuple[int, int | None]:
    """Where a band's column starts and ends (None: at the line's end)."""
    return bounds[column], bounds[column + 1] if column + 1 < len(bounds) else None


def _same_place(a: tuple[int, int | None], b: tuple[int, int | None]) -> bool:
    """Whether two bands' columns stand in the same place: they start within a gutter's width
    of each other and are as wide but for ``SAME_PLACE_SLACK`` (a browser pads a column to its
    widest cell, row by row of its table), or both run to the lines' ends."""
    (start_a, end_a), (start_b, end_b) = a, b
    if abs(start_a - start_b) > GUTTER:
        return False
    if end_a is None or end_b is None:
        return end_a is end_b
    narrower, wider = sorted((end_a - start_a, end_b - start_b))
    return narrower >= (1 - SAME_PLACE_SLACK) * wider


def _column_cell(row: _Row, bounds: list[int], column: int) -> _Row | None:
    """``row``'s cell in ``column``, without the character that ends it; None where the row
    stops short of the column."""
    placed = _cell(row.text, bounds, column)
    if placed is None:
        return None
    a, b = placed
    return _Row(row.text[a : b - 1], row.original[a : b - 1], row.start + a)


def _columns_unwrapped(shown: str, lengths: list[int], columns: list[tuple[int, int]]) -> str:
    """``shown`` with each column's wrapped paragraphs joined (``unwrapped``) at the column's
    own width: a browser wraps each cell to its column's, and one width for the whole text
    (the page's, or its widest column's) would leave a narrow column's lines unjoined."""
    ends = list(accumulate(lengths, initial=0))
    parts, at = [], 0
    for first, last in columns:
        start, end = ends[first], ends[last]
        parts += [shown[at:start], unwrapped(shown[start:end], COLUMN_MIN_WIDTH)]
        at = end
    return "".join([*parts, shown[at:]])


def _with_borders(lines: list[str], originals: list[str], bounds: list[int]) -> list[int]:
    """``bounds`` moved to take in the border a column's cells stand in: a column starts at
    the first border in the gutter before it, so that its left border is its own, not the
    cell's before it."""
    moved = [0]
    for bound in bounds[1:]:
        # The gutter's first column is the previous cell's (its space shown as a line break).
        gutter = max(len(line[:bound].rstrip()) for line in lines) + 1
        strokes = [
            gutter + offset
            for original in originals
            for offset, char in enumerate(original[gutter:bound])
            if char != " "
        ]
        moved.append(min(strokes, default=bound))
    return moved


@dataclass(frozen=True)
class Borders:
    """A text's table borders: ``layout``, the text with the borders' upright strokes and
    corners blank (what parts its columns: a rule across a column is the column's, and a rule
    across the page ends a band as a line of text does), and ``blank``, every border
    character blank. Both have the text's length: offsets hold."""

    layout: str
    blank: str


def borders(text: str) -> Borders:
    """The borders drawn in ``text``: box-drawing characters, and ASCII ones (a bar in a box's
    side, ``_box_sides``; a rule of dashes between corners or bars)."""
    layout = blank = text
    if _drawn(text):
        layout, blank = _BOX_UPRIGHT.sub(" ", text), _BOX_DRAWING.sub(" ", text)
    if "|" not in text:  # no box's side, so no ASCII border
        return Borders(layout, blank)
    lines, upright, flat = text.split("\n"), layout.split("\n"), blank.split("\n")
    for n, (line, sides) in enumerate(zip(lines, _box_sides(lines), strict=True)):
        if "|" not in line and "+" not in line:
            continue
        strokes = list(sides)
        rules = [rule.span() for rule in _ASCII_RULE.finditer(line)]
        strokes += [at for a, b in rules for at in (a, b - 1)]
        upright[n] = _blanked(upright[n], strokes)
        flat[n] = _blanked(flat[n], [*strokes, *(at for a, b in rules for at in range(a, b))])
    return Borders("\n".join(upright), "\n".join(flat))


def _drawn(text: str) -> bool:
    """Whether ``text`` has a box-drawing character (most texts are ASCII: no scan)."""
    return not text.isascii() and _BOX_DRAWING.search(text) is not None


def _box_sides(lines: list[str]) -> list[set[int]]:
    """Per line, the places of its bars that are in a box's side: an upright stroke of bars and
    corners ``_STROKE`` lines long or longer, with a corner, or that meets a rule across
    (``_ruled``): links draws a table's inner borders as bars under its top rule's dashes,
    without a junction. (One pass down and one up: a stroke is not walked again from each of
    its bars.)"""
    ends = [{m.start() for m in _BAR_OR_CORNER.finditer(line)} for line in lines]
    ruled = _ruled(lines)
    # Per line and place: the stroke's first line, and whether it has a corner from there on.
    begun: list[dict[int, tuple[int, bool]]] = []
    for n, places in enumerate(ends):
        above = begun[-1] if begun else {}
        begun.append({})
        for at in places:
            first, corner = above.get(at, (n, n > 0 and at in ruled[n - 1]))
            begun[-1][at] = (first, corner or lines[n][at] == "+")
    sides: list[set[int]] = [set() for _ in lines]
    below: dict[int, tuple[int, bool]] = {}  # the stroke's last line, a corner below this line
    for n in range(len(lines) - 1, -1, -1):
        here: dict[int, tuple[int, bool]] = {}
        for at in ends[n]:
            last, corner_below = below.get(at, (n, n + 1 < len(lines) and at in ruled[n + 1]))
            first, corner_above = begun[n][at]
            if (
                lines[n][at] == "|"
                and last - first + 1 >= _STROKE
                and (corner_above or corner_below)
            ):
                sides[n].add(at)
            here[at] = (last, corner_below or lines[n][at] == "+")
        below = here
    return sides


def _ruled(lines: list[str]) -> list[set[int]]:
    """Per line, the places an ASCII rule across covers (``+-----+``)."""
    return [
        {at for rule in _ASCII_RULE.finditer(line) for at in range(*rule.span())}
        if "-" in line or "=" in line
        else set()
        for line in lines
    ]


def _blanked(line: str, places: list[int]) -> str:
    chars = list(line)
    for at in places:
        chars[at] = " "
    return "".join(chars)


def _band(lines: list[str], first: int, last: int) -> tuple[int, list[int]]:
    """The band of lines that starts at ``lines[first]``: where it ends (exclusive) and where
    its columns start; one column where it is no layout (it is then read as it is, whole: a
    band that starts on a later line of it would be cut from the same lines, and looking again
    from each would take time in the square of a long table's lines)."""
    if first == last or not _TWO_CELLS.search(lines[first]):
        return first + 1, [0]
    end, gutters = _grown(lines, first, last)
    band = lines[first:end]
    bounds = [0] + [b for a, b in gutters if _padded(band, (a, b))]
    # A line whose cell touches the next column is no sign of a layout: a line of prose has
    # a space in the place of a gutter about one time in six.
    side_by_side = sum(
        sum(bool(_cell_text(line, bounds, c).strip()) for c in range(len(bounds))) >= 2
        for line in band
        if _TWO_CELLS.search(line)
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


def _grown(lines: list[str], first: int, last: int) -> tuple[int, list[_Interval]]:
    """Where the band that starts at ``lines[first]`` ends (exclusive), and its gutters: it
    grows while each of its gutters stays open.

    A gutter stays open at one blank column where a line's cell runs up to the next column's
    text, one space from it: a browser pads a column to its widest cell, which then *touches*
    the next. A band does not end on such lines, though: they go to what follows it, as a
    line of prose after a band has a space where the gutter was about one time in six."""
    filled = _cells(lines[first])
    gutters = _gutters(filled, set())
    end = first + 1
    grown = end, gutters  # the band up to its last line that touches no column
    while end < last:
        line = lines[end]
        narrow = {b for a, b in gutters if b - a == 1}
        wider = _merged(filled, _cells(line))
        narrower = _gutters(wider, narrow)
        closed = [b for a, b in gutters if not any(a < d and c < b for c, d in narrower)]
        if closed:
            if not all(_touches(line, b) for b in closed):
                break
            wider = _merged(filled, _parted(_cells(line), set(closed)))
            narrower = _gutters(wider, narrow | set(closed))
        filled, gutters = wider, narrower
        end += 1
        if not any(_reaches(line, b) for _, b in gutters):
            grown = end, gutters
    return grown


def _reaches(line: str, column: int) -> bool:
    """Whether ``line`` has text up to the space before ``column``."""
    return 0 <= column - 2 < len(line) and line[column - 2] != " "


def _touches(line: str, column: int) -> bool:
    """Whether ``line`` has text up to the space before ``column`` and text at it."""
    return (
        _reaches(line, column)
        and column < len(line)
        and line[column - 1] == " "
        and line[column] != " "
    )


def _parted(cells: list[_Interval], touched: set[int]) -> list[_Interval]:
    """``cells`` with a cell that runs on into a ``touched`` column parted at the space
    before it."""
    if not touched:
        return cells
    parted: list[_Interval] = []
    for start, end in cells:
        cuts = sorted(b for b in touched if start < b - 1 and b < end)
        parted += zip([start, *cuts], [*(b - 1 for b in cuts), end], strict=True)
    return parted


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
    return len(runs - {1}) >= 2  # a cell that touches the next column tells nothing


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


def _gutters(filled: list[_Interval], ends: set[int]) -> list[_Interval]:
    """The gaps between ``filled`` cells ``GUTTER`` wide or more, and those of one column
    before a column that starts at one of ``ends`` (a cell touches it)."""
    return [
        (a, b) for (_, a), (b, _) in pairwise(filled) if b - a >= GUTTER or (b - a and b in ends)
    ]


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
