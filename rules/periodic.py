"""Runs of lines that repeat a shape every few lines: a table read a cell per line (position,
name, points, wins, ...), or a list whose items each take the same few lines (a product's name,
its price, "See it now:", a paragraph). A scraper that writes each text node on its own line
gives an article's tables and listicles this way, and to the rules that judge lines one by one
each cell is a short line of chrome.

A line's shape is coarse on purpose (a date, a figure, a line ending with a colon, or its
number of words in three bands) so that the cells of one column share it. A run counts when
its shape repeats with a period of 2 to ``MAX_PERIOD`` lines for at least ``MIN_PERIODS`` periods,
allowing one line in each period to differ (a "No stats" cell among sentences), and when one
place in the period holds figures or paragraphs in most periods: a data column or a list's
paragraphs. A menu repeats its shape too (a heading, then its links), but holds neither. A
list of other stories or a comment thread holds prose too (a teaser's summary, a post), but
dates each item: a run with a place that is mostly dates is a feed, not part of the article.
And most places of a table or a list's items are short (cells, names, prices, labels)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
import regex

from copydesk.rules.prose import ends_sentence, is_prose, sentence_count

MAX_PERIOD = 8
MIN_PERIODS = 3
# What a list item's paragraph is: prose (``is_prose`` at the content region's length) of two
# sentences or more, ending like one. Not a teaser's one-line summary, nor headlines glued into
# a line (which read as sentences, and end with the last headline).
_PARAGRAPH_CHARS = 40
_PARAGRAPH_SENTENCES = 2
# The share of a place's lines that must be figures (or paragraphs) for the run to hold data.
_DATA_SHARE = 2 / 3
# Figures, signs and units' symbols, no letter: "5040", "85%", "$235", "2-0-38-0", "3:41.2".
_FIGURE = regex.compile(r"^[^\p{L}]*\d[^\p{L}]*$")
# A date or a post's age: "Tuesday November 19, 2019", "19 Nov 2019", "11/19/2019", "2 hours ago".
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = regex.compile(
    rf"(?i)\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?!\w)"
    r"|\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d+\s+(?:minutes?|hours?|days?|weeks?)\s+ago\b"
)
_DIGIT = regex.compile(r"\d")
_CODES = {
    name: code for code, name in enumerate(("dated", "figure", "label:", "w1", "w2-4", "w5+"))
}
# A line this short holding a date is a timestamp, a byline with its date or a signature.
_DATED_WORDS = 12


# The content region, the menu rule and the line model each read a text's lines.
@lru_cache(maxsize=8192)
def shape(line: str) -> str:
    """The coarse shape of a line that its column's other cells share."""
    text = line.strip()
    words = len(text.split())
    if _DIGIT.search(text) is not None:  # a date and a figure both hold one; most lines none
        if words <= _DATED_WORDS and _DATE.search(text):
            return "dated"
        if _FIGURE.match(text):
            return "figure"
    if text.endswith(":"):
        return "label:"
    return "w1" if words == 1 else "w2-4" if words <= 4 else "w5+"


@lru_cache(maxsize=4096)
def is_paragraph(line: str) -> bool:
    return (
        is_prose(line, _PARAGRAPH_CHARS)
        and ends_sentence(line)
        and sentence_count(line) >= _PARAGRAPH_SENTENCES
    )


# The content region, the menu rule and the line model each ask for a text's runs.
@lru_cache(maxsize=8)
def periodic_runs(lines: tuple[str, ...]) -> list[tuple[int, int]]:
    """The first and last index of each run of ``lines`` (non-blank lines, in order) that
    repeats a shape with a fixed period and holds data (figures, or paragraphs), in order and
    not overlapping. Where runs of several periods overlap, the longest is taken."""
    codes = np.array([_CODES[shape(line)] for line in lines], dtype=np.int8)
    # How many times the shape changes up to each line. A run repeats at least two shapes, and
    # the one it holds in most periods (the other may differ, once a period) brings a change
    # into each of them: a stretch of paragraphs or of a menu, which repeats with every period,
    # is told from a table at once.
    changes = np.concatenate(([0], np.cumsum(codes[1:] != codes[:-1])))
    found: list[tuple[int, int, int]] = []  # (first, last, period)
    for period in range(2, MAX_PERIOD + 1):
        for first, last in _repeating(codes, period):
            periods = (last - first + 1) // period
            if (
                periods >= MIN_PERIODS
                and changes[last] - changes[first] >= periods // 2
                and _holds_data(lines, codes, first, last, period)
            ):
                found.append((first, last, period))
    chosen: list[tuple[int, int]] = []
    for first, last, _ in sorted(found, key=lambda run: run[0] - run[1]):
        if all(last < a or first > b for a, b in chosen):
            chosen.append((first, last))
    return sorted(chosen)


def _repeating(codes: npt.NDArray[np.int8], period: int) -> list[tuple[int, int]]:
    """Stretches of lines where each line's shape (``codes``) is that of the line ``period``
    below, but for at most one line in any ``period`` in a row (for a period of 2 or 3: none)."""
    compared = len(codes) - period
    if compared <= 0:
        return []
    # Where a line's shape differs from the shape ``period`` below: a list's few misses, walked
    # one by one, rather than every line.
    misses: list[int] = np.flatnonzero(codes[:-period] != codes[period:]).tolist()
    allowed = period >= 4
    shortest = (MIN_PERIODS - 1) * period  # matches a stretch needs to cover enough periods
    stretches: list[tuple[int, int]] = []
    at = next_miss = 0
    count = len(misses)
    while True:
        while next_miss < count and misses[next_miss] == at:  # a stretch starts on a match
            at, next_miss = at + 1, next_miss + 1
        if at >= compared:
            return stretches
        start = at
        accepted: list[int] = []  # the mismatches let through
        while next_miss < count:
            miss = misses[next_miss]
            next_miss += 1
            if allowed and (not accepted or accepted[-1] <= miss - period):
                accepted.append(miss)
                continue
            if miss - start >= shortest:
                stretches.append(_closed(start, miss, accepted, period))
            at = miss + 1
            break
        else:
            if compared - start >= shortest:
                stretches.append(_closed(start, compared, accepted, period))
            return stretches


def _closed(start: int, stop: int, misses: list[int], period: int) -> tuple[int, int]:
    """The lines a stretch of matching shapes from ``start`` up to ``stop`` covers: each
    matching line and the one ``period`` below it; a mismatch at its very end does not count."""
    last = stop - 1
    while misses and misses[-1] == last:
        misses.pop()
        last -= 1
    return start, last + period


def _holds_data(
    lines: tuple[str, ...], codes: npt.NDArray[np.int8], first: int, last: int, period: int
) -> bool:
    """Whether one place in the period holds figures or paragraphs in most of the run's periods
    (and in ``MIN_PERIODS`` of them at least) and none holds dates; whether the places' usual
    shapes (the most common; of two as common, the first of ``_CODES``) are not all one (a run
    of one shape repeats with any period: a story's paragraphs are no table); and whether most
    places are short, as cells are (a gallery's captions, each under its picture's number, are
    not)."""
    run = codes[first : last + 1].astype(np.intp)
    place = np.arange(len(run)) % period
    kinds = len(_CODES)
    counts = np.bincount(place * kinds + run, minlength=period * kinds).reshape(period, kinds)
    sizes = counts.sum(axis=1)
    usual = counts.argmax(axis=1)
    needed = np.maximum(_DATA_SHARE * sizes, MIN_PERIODS)
    if np.any((usual == _CODES["dated"]) & (counts[:, _CODES["dated"]] >= _DATA_SHARE * sizes)):
        return False
    short = int(np.count_nonzero(usual != _CODES["w5+"]))
    if len(set(usual.tolist())) < 2 or 2 * short <= period:
        return False
    if np.any(counts[:, _CODES["figure"]] >= needed):
        return True
    # Places of words, not of figures, dates or labels, are read for paragraphs (a paragraph
    # in a script written without spaces is one "word").
    return any(
        sum(is_paragraph(lines[i]) for i in range(first + k, last + 1, period)) >= needed[k]
        for k in range(period)
        if usual[k] >= _CODES["w1"]
    )
