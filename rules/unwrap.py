"""Hard-wrapped text (plain-text feeds, e-mails, pages whose source line breaks survive
scraping) with its paragraphs joined again, so that the strip rules, which judge a line by its
shape, see paragraphs rather than fragments of sentences.

A text is hard-wrapped when many of its longer lines end close to one width: the wrapper's.
A line break inside a paragraph is one where the next line's first word would not have fitted
on the line (the wrapper moved it down); those breaks become spaces. The result has the length
of the text, character for character, so offsets into it are offsets into the text.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import pairwise

import regex

from copydesk.rules.prose import ends_sentence

# A line ending this close to the width is a full line (wrappers break between words, so a
# long word moved down leaves a line this much shorter).
_FULL_LINE_SLACK = 10
# The width is estimated from the longest lines, which a few lines cut at a wider width (or
# not cut) can stretch: a word this much too long for the line still counts as not fitting.
_FIT_SLACK = 5
# Fewest full lines, and least share of the longer lines (over half the width) that are full,
# for a text to count as hard-wrapped. Text with a paragraph per line has lines of every length.
_MIN_FULL_LINES = 3
_MIN_FULL_SHARE = 0.2
# Least share of the joined line breaks that fall inside a sentence.
_MIN_MID_SENTENCE_SHARE = 0.5
# Narrower "widths" are clusters of menu entries and headlines, wider ones clusters of
# paragraphs of similar length; wrappers use 60 to 80 columns, source HTML up to about 120.
_MIN_WIDTH = 40
_MAX_WIDTH = 150
# A numbered or bulleted list's item: "1. ", "12) ", "* ", "• ".
_ITEM = regex.compile(r"\s*(\d{1,3}[.)]|[*•·▪◦])\s")
# Cells side by side that the columns' reading left as they are (rules/columns.py): a run of
# spaces inside a line parts two columns, whose lines go on each in its own.
_GUTTER = regex.compile(r"\S {3,}\S")
# Most share of the lines that may run past the width (a URL, a word longer than the width).
_MAX_OVER_SHARE = 0.25


def wrap_width(text: str, min_width: int = _MIN_WIDTH) -> int | None:
    """The width the text is hard-wrapped at, or None when it is not hard-wrapped."""
    lengths = sorted(len(line.rstrip()) for line in text.split("\n") if line.strip())
    if len(lengths) < _MIN_FULL_LINES:
        return None
    best: tuple[int, int] | None = None  # (full lines, width)
    for width in {n for n in lengths if min_width <= n <= _MAX_WIDTH}:
        full = bisect_right(lengths, width) - bisect_right(lengths, width - _FULL_LINE_SLACK)
        longer = len(lengths) - bisect_right(lengths, width // 2)
        over = len(lengths) - bisect_right(lengths, width)
        wrapped = (
            full >= _MIN_FULL_LINES
            and full >= _MIN_FULL_SHARE * longer
            and over <= _MAX_OVER_SHARE * longer
        )
        if wrapped and (best is None or (full, width) > best):
            best = (full, width)
    return None if best is None else best[1]


def unwrapped(text: str, min_width: int = _MIN_WIDTH) -> str:
    """``text`` with the line breaks inside its hard-wrapped paragraphs turned into spaces;
    ``text`` itself when it is not hard-wrapped."""
    width = wrap_width(text, min_width)
    if width is None:
        return text
    lines = text.split("\n")
    breaks: list[int] = []  # offsets of the newlines inside paragraphs
    mid_sentence = pos = 0
    opens = True  # whether ``line`` opens its paragraph
    for line, following in pairwise(lines):
        pos += len(line)
        if _continues(line.rstrip(), following, width, opens):
            breaks.append(pos)
            mid_sentence += not ends_sentence(line)
            opens = False
        else:
            opens = True
        pos += 1  # the newline
    # A wrapper breaks lines wherever the width runs out, mostly inside sentences; lines that
    # all end a sentence are paragraphs of similar length, not a wrapped text.
    if mid_sentence < _MIN_MID_SENTENCE_SHARE * len(breaks):
        return text
    out = list(text)
    for pos in breaks:
        out[pos] = " "
    return "".join(out)


def _continues(line: str, following: str, width: int, opens: bool) -> bool:
    """Whether ``following`` goes on with the paragraph of ``line``: its first word would not
    have fitted on the line. A paragraph whose last line happens to be nearly full is followed
    by a short line that does not end a sentence (a heading, "12 Comments", a menu entry):
    that line starts something new, as does a line that stands further in than ``line`` (a
    quotation, a table's row) or starts a list's item. (Text browsers indent every line by a
    margin: a line as far in as the one before it may go on its paragraph.) A line that stands
    less far in goes on only after a paragraph's first line (``opens``: a first line indented
    as a plain-text feed indents it); after a paragraph's later lines it starts the next block
    (an indented summary under each of a list's headlines, as a browser shows it)."""
    words = following.split()
    if not line or not words or _indent(following) > _indent(line) or _ITEM.match(following):
        return False
    if _indent(following) < _indent(line) and not opens:
        return False
    if _GUTTER.search(line.strip()) or _GUTTER.search(following.strip()):
        return False
    if len(line) + 1 + len(words[0]) <= width - _FIT_SLACK:
        return False
    return len(following.strip()) > width // 2 or ends_sentence(following)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())
