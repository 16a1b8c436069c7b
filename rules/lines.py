"""Lines of a text with their offsets, and the cut that removes a run of them cleanly."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from operator import attrgetter
from typing import NamedTuple

import regex

# Characters that print nothing: a line made only of them is blank (editors leave U+200B
# between paragraphs).
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


# Lines without a word, one after another (a layout's empty cells, its rules and spacers): read
# as one blank line. The line rules' patterns that start with "^\W*" or "^\s*" would otherwise
# try each of their line starts across the whole run: on L3S-GN1 dev's pages written by
# markdownify, up to a second a page and eleven rules out of time (their 50 ms budget).
_WORDLESS_LINES = regex.compile(r"(?m)^(?:[^\w\n]*\n){2,}")


# Scripts written without spaces between words, where a line of a whole article is one
# whitespace-separated "word".
_UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")


class Line(NamedTuple):
    """A line of a text. (A named tuple: a text's lines are made anew at each cut, and one is
    made in a third of the time a frozen dataclass takes. Its ``index`` hides the tuple's
    ``index()``, which nothing calls on a line.)"""

    index: int  # type: ignore[assignment]
    start: int
    end: int  # excludes the newline
    text: str
    words: int  # whitespace-separated words, not counting invisible ones; 0: a blank line

    @property
    def blank(self) -> bool:
        return self.words == 0

    @property
    def length_in_words(self) -> int:
        """Its words, each character of a script written without spaces counted as one (most
        of its words are one or two characters): how long the line is, in any script."""
        if self.text.isascii():
            return self.words
        return self.words + len(_UNSPACED.findall(self.text))


def _line(index: int, start: int, raw: str) -> Line:
    tokens = raw.split()
    if not raw.isascii() and any(ch in raw for ch in _INVISIBLE):
        tokens = [t for t in tokens if t.strip(_INVISIBLE)]
    return Line(index, start, start + len(raw), raw, len(tokens))


def split_lines(text: str) -> list[Line]:
    lines, pos = [], 0
    for index, raw in enumerate(text.split("\n")):
        lines.append(_line(index, pos, raw))
        pos += len(raw) + 1
    return lines


def cut_lines(lines: list[Line], start: int, end: int) -> list[Line]:
    """What ``split_lines`` gives once ``text[start:end]`` is cut out of the text whose
    ``lines`` these are, without splitting it again: the lines before the cut stay, the lines
    after it move up, and the line the cut starts in joins the one it ends in."""
    first = bisect_right(lines, start, key=attrgetter("start")) - 1
    last = bisect_right(lines, end, key=attrgetter("start")) - 1
    head, tail = lines[first], lines[last]
    joined = _line(
        first, head.start, head.text[: start - head.start] + tail.text[end - tail.start :]
    )
    shift, gone = end - start, last - first
    after = (
        Line(line.index - gone, line.start - shift, line.end - shift, line.text, line.words)
        for line in lines[last + 1 :]
    )
    return [*lines[:first], joined, *after]


def runs(indices: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Group sorted line indices into runs of consecutive lines: ``[1, 2, 5] -> (1, 2), (5, 5)``."""
    first = last = -2
    for i in indices:
        if i != last + 1:
            if first >= 0:
                yield first, last
            first = i
        last = i
    if first >= 0:
        yield first, last


def block_cut(lines: list[Line], first: int, last: int) -> tuple[int, int]:
    """Offsets that remove lines ``first..last`` with their newline. When the block is a
    paragraph of its own, the blank lines around it go too, so no gap is left behind."""
    text_end = lines[-1].end
    start, end = lines[first].start, min(lines[last].end + 1, text_end)
    nxt = last + 1
    if first == 0 or lines[first - 1].blank:
        while nxt < len(lines) and lines[nxt].blank:
            end = min(lines[nxt].end + 1, text_end)
            nxt += 1
    if nxt == len(lines):
        # The block ends the text: take the newline (and blank lines) that lead up to it.
        prev = first - 1
        while prev >= 0 and lines[prev].blank:
            prev -= 1
        if prev >= 0:
            start = lines[prev].end
    return start, end


def wordless_runs_blank(text: str) -> str:
    """``text`` with each run of lines without a word read as one blank line: the run's
    characters as spaces but its last line break (the same length, the same offsets)."""
    return str(_WORDLESS_LINES.sub(_one_blank_line, text))


def _one_blank_line(wordless: regex.Match[str]) -> str:
    return " " * (len(wordless.group()) - 1) + "\n"
