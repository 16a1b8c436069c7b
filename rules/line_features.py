"""What the line model reads of each non-blank line of a text body: its shape (length,
sentence end, capitals, figures, punctuation, repeats), where it stands in the page, what the
strip rules decided about it and about the stretch of text around it, how many of its words the
rest of the page uses (the lines the rules kept, any line), what its words say (odds learned
from the dev sets' lines: "subscribe" and "privacy" are chrome's words on any site), and the
same of its neighbours. Text only: no markup, so it works on any scraped body."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import regex

from copydesk.rules.lines import Line
from copydesk.rules.periodic import periodic_runs
from copydesk.rules.prose import ends_sentence, is_prose, is_truncated, item_number
from copydesk.rules.words import (
    CAPITAL,
    FIGURE,
    MARK,
    ODDS_FEATURES,
    WORD,
    char_classes,
    line_terms,
    odds_columns,
)

Matrix = npt.NDArray[np.float64]

# How far (in lines) the distances to the kept stretch are counted: past it, "far" is enough.
_REACH = 20
_NEIGHBOURS = (-2, -1, 1, 2)
# Lines this close on either side make a line's neighbourhood.
_WINDOW = 5
_PROSE_CHARS = 40
_ADDRESS = regex.compile(r"(?i)\b(?:https?://|www\.)\S")
# What a page's typical kept line shares is its kept lines' median share, shrunk toward what
# pages typically share (the median over the dev sets' pages of that median: AEB 0.47, L3S-GN1
# 0.39) as if that were the median of 5 more kept lines (5 chosen on the folds against 2 and
# 10): the paragraphs of a two-paragraph story share few words, and a median of two says little.
_TYPICAL_SHARE = 0.43
_TYPICAL_WEIGHT = 5.0

# The built-in pack's cutting rules: which of them cut a line tells how far to trust the cut (a
# comment thread's posts are prose the model cannot tell from the story's by their shape).
# A rule of another pack counts as "another".
CUTTING_RULES = (
    "learned-site-chrome",
    "comment-sections",
    "more-stories",
    "related-lists",
    "inline-related-link",
    "taxonomy-line",
    "main-text-region",
    "byline-date-head",
    "menus",
    "share-follow-prompts",
    "newsletter-pitch",
    "ad-labels",
    "cookie-banners",
    "photo-captions",
    "rights-notice",
)
_CUT_ROW = {rule: row for row, rule in enumerate(CUTTING_RULES)}
# How many lines apart two items of a numbered list may stand.
_LIST_GAP = 3

_OWN = (
    "log_words",
    "log_chars",
    "kept",
    "ends_sentence",
    "capitalised",
    "figures",
    "marks",
    "bars",
    "prose",
    "truncated",
    "address",
    "prose_nearby",
    "kept_nearby",
    "repeats",
    "blank_before",
    "blank_after",
    "position",
    "chars_before",
    "inside_kept",
    "to_kept",
    "above_kept",
    "below_kept",
    "from_first_kept",
    "from_last_kept",
    "page_kept_share",
    "page_log_lines",
    "numbered",
    "in_numbered_list",
    "in_table",
    "terms_in_kept",
    "terms_in_kept_for_page",
    "terms_elsewhere",
    "log_terms",
    *ODDS_FEATURES,
    *(f"cut_by={rule}" for rule in CUTTING_RULES),
    "cut_by=another",
)
_NEIGHBOUR = ("log_words", "kept", "ends_sentence", "capitalised", "word_odds_mean", "edge")
FEATURES: tuple[str, ...] = _OWN + tuple(
    f"{name}@{offset:+d}" for offset in _NEIGHBOURS for name in _NEIGHBOUR
)


def _per_line(pattern: regex.Pattern[str], text: str, starts: npt.NDArray[np.intp]) -> Matrix:
    """How many matches of ``pattern`` fall in each line (``starts``: where each line begins)."""
    found = np.fromiter((m.start() for m in pattern.finditer(text)), dtype=np.intp)
    line = np.searchsorted(starts, found, side="right") - 1
    counts: Matrix = np.bincount(line, minlength=len(starts)).astype(np.float64)
    return counts


def _addresses(text: str, starts: npt.NDArray[np.intp]) -> Matrix:
    """Whether each line holds a web address. ``_ADDRESS`` needs "://" or two w's in a row, in
    either case: most texts have neither, and a search for those is a few string scans where
    the pattern's is a fifth of the features' time."""
    if "://" not in text and not any(pair in text for pair in ("ww", "wW", "Ww", "WW")):
        return np.zeros(len(starts))
    return np.minimum(_per_line(_ADDRESS, text, starts), 1.0)


def _char_counts(text: str, starts: npt.NDArray[np.intp], ends: npt.NDArray[np.intp]) -> Matrix:
    """Per line (``text[starts[i]:ends[i]]``): words (runs of word characters), words that
    start with a capital, figures and marks. One pass of numpy over the text's code points,
    each character's classes looked up, and a running count per class, rather than a regex
    match per character."""
    codes, classes = char_classes(text)
    word = (classes & WORD).astype(bool)
    word_start = word.copy()
    word_start[1:] &= ~word[:-1]
    capital_start = word_start & (classes & CAPITAL).astype(bool)
    counts = np.empty((len(starts), 4))
    # One class at a time: numpy sums a contiguous row faster than a column of four.
    for k, flags in enumerate((word_start, capital_start, classes & FIGURE, classes & MARK)):
        running = np.zeros(len(codes) + 1, np.int64)
        np.cumsum(flags != 0, out=running[1:])
        counts[:, k] = running[ends] - running[starts]
    return counts


def line_features(
    lines: Sequence[Line],
    kept: Sequence[bool],
    cut_by: Sequence[str],
    word_odds: Mapping[str, float],
) -> Matrix:
    """One row of ``FEATURES`` for each of ``lines`` (the non-blank lines of a body, in order);
    ``kept``: whether the strip rules kept each; ``cut_by``: the rule that cut it, or "";
    ``word_odds``: the learned log-odds that a line holding a word is article text."""
    n = len(lines)
    if n == 0:
        return np.zeros((0, len(FEATURES)))
    text = "\n".join(line.text for line in lines)
    starts = np.cumsum([0] + [len(line.text) + 1 for line in lines[:-1]], dtype=np.intp)
    words = np.array([line.words for line in lines], dtype=np.float64)
    chars = np.array([len(line.text.strip()) for line in lines], dtype=np.float64)
    lengths_raw = np.array([len(line.text) for line in lines], dtype=np.intp)
    lengths = np.maximum(lengths_raw, 1).astype(np.float64)
    keep = np.asarray(kept, dtype=np.float64)
    ends = np.array([ends_sentence(line.text) for line in lines], dtype=np.float64)
    prose = np.array([is_prose(line.text, _PROSE_CHARS) for line in lines], dtype=np.float64)
    counts = _char_counts(text, starts, starts + lengths_raw)
    capitalised = counts[:, 1] / np.maximum(counts[:, 0], 1.0)
    repeats = Counter(line.text.strip() for line in lines)
    index = np.arange(n)
    gap_before = np.array(
        [i > 0 and line.index > lines[i - 1].index + 1 for i, line in enumerate(lines)],
        dtype=np.float64,
    )
    gap_after = np.append(gap_before[1:], 0.0)
    # A row per cutting rule and one for any other: a one where that rule cut the line.
    cuts = np.zeros((len(CUTTING_RULES) + 1, n))
    for line, by in enumerate(cut_by):
        if by:
            cuts[_CUT_ROW.get(by, len(CUTTING_RULES)), line] = 1.0
    own = {
        "log_words": np.log1p(words),
        "log_chars": np.log1p(chars),
        "kept": keep,
        "ends_sentence": ends,
        "capitalised": capitalised,
        "figures": counts[:, 2] / lengths,
        "marks": counts[:, 3] / lengths,
        "bars": np.log1p(np.array([line.text.count("|") for line in lines], dtype=np.float64)),
        "prose": prose,
        "truncated": np.array([is_truncated(line.text) for line in lines], dtype=np.float64),
        "address": _addresses(text, starts),
        "prose_nearby": _nearby(prose),
        "kept_nearby": _nearby(keep),
        "repeats": np.log1p(
            np.array([repeats[line.text.strip()] - 1 for line in lines], dtype=np.float64)
        ),
        "blank_before": gap_before,
        "blank_after": gap_after,
        "position": index / max(n - 1, 1),
        "chars_before": (np.cumsum(chars) - chars) / max(chars.sum(), 1.0),
        **_around_kept(keep, chars),
        "page_log_lines": np.full(n, np.log1p(n)),
        **_numbered(lines),
        "in_table": _in_table(lines),
        **_shared_terms(text, keep, word_odds),
        **{f"cut_by={rule}": cut for rule, cut in zip(CUTTING_RULES, cuts[:-1], strict=True)},
        "cut_by=another": cuts[-1],
    }
    columns = [own[name] for name in _OWN]
    # Each neighbour's values read from the rows padded past the page's ends (with zeros;
    # with ones for the edge).
    reach = max(abs(offset) for offset in _NEIGHBOURS)
    near = np.zeros((len(_NEIGHBOUR), reach + n + reach))
    near[:, reach : reach + n] = [own[name] for name in _NEIGHBOUR[:-1]] + [np.zeros(n)]
    near[-1, :reach] = near[-1, reach + n :] = 1.0
    for offset in _NEIGHBOURS:
        columns.extend(near[:, reach + offset : reach + offset + n])
    # A row per feature, then turned: a third of the time numpy's column_stack takes.
    rows = np.array(columns)
    return np.ascontiguousarray(rows.T)


def _nearby(flags: Matrix) -> Matrix:
    """The share of the lines within ``_WINDOW`` on either side (the line left out) that
    have ``flags``."""
    total = np.concatenate(([0.0], np.cumsum(flags)))
    n = len(flags)
    index = np.arange(n)
    lo, hi = np.maximum(index - _WINDOW, 0), np.minimum(index + _WINDOW + 1, n)
    others = np.maximum(hi - lo - 1, 1)
    share: Matrix = (total[hi] - total[lo] - flags) / others
    return share


def _around_kept(keep: Matrix, chars: Matrix) -> dict[str, Matrix]:
    """Where each line stands against the lines the rules kept: inside their stretch, above
    or below it, how many lines from the nearest kept one and from its first and last."""
    n = len(keep)
    index = np.arange(n)
    kept_at = np.flatnonzero(keep)
    if len(kept_at) == 0:
        zeros = np.zeros(n)
        return {
            "inside_kept": zeros,
            "to_kept": np.full(n, float(_REACH)),
            "above_kept": zeros,
            "below_kept": zeros,
            "from_first_kept": zeros,
            "from_last_kept": zeros,
            "page_kept_share": zeros,
        }
    first, last = kept_at[0], kept_at[-1]
    # The nearest kept line above and below each line, found by one search each.
    after = np.searchsorted(kept_at, index)
    below = kept_at[np.minimum(after, len(kept_at) - 1)]
    above = kept_at[np.maximum(after - 1, 0)]
    nearest = np.minimum(np.abs(below - index), np.abs(index - above))
    return {
        "inside_kept": ((index >= first) & (index <= last)).astype(np.float64),
        "to_kept": np.minimum(nearest, _REACH).astype(np.float64),
        "above_kept": (index < first).astype(np.float64),
        "below_kept": (index > last).astype(np.float64),
        "from_first_kept": np.clip(index - first, -_REACH, _REACH).astype(np.float64),
        "from_last_kept": np.clip(index - last, -_REACH, _REACH).astype(np.float64),
        "page_kept_share": np.full(n, chars[keep > 0].sum() / max(chars.sum(), 1.0)),
    }


def _shared_terms(text: str, keep: Matrix, word_odds: Mapping[str, float]) -> dict[str, Matrix]:
    """The share of each line's distinct words that other lines use: the lines the rules kept
    (``keep``), and any line; and how many distinct words it has (``text``: the lines joined
    by line breaks). A headline or standfirst shares words with the story under it and a
    caption with the story around it, where a promo, another story's title or a comment
    shares few. The share in kept lines is also read against what the page's typical kept line
    shares (on a page of unrelated briefs every line shares little), an estimate that leans on
    what pages typically share where the rules kept few lines. Counted in numpy over the
    page's (line, word) pairs. And what the words themselves say (``rules.words``)."""
    n = len(keep)
    words = line_terms(text, n)
    line, term, distinct = words.line, words.term, words.distinct
    terms = len(words.names)
    everywhere = np.bincount(term, minlength=terms)
    in_kept = np.bincount(term, weights=keep[line], minlength=terms)
    # A kept line's own words are not shared with the kept lines.
    shared_kept = np.bincount(line, weights=in_kept[term] - keep[line] > 0, minlength=n)
    shared_any = np.bincount(line, weights=everywhere[term] > 1, minlength=n)
    in_kept_share = shared_kept / np.maximum(distinct, 1.0)
    rules_kept = keep > 0
    counted = int(rules_kept.sum())
    # The standard library's median: the same number as numpy's for a few dozen lines, in a
    # tenth of the time.
    median = statistics.median(in_kept_share[rules_kept].tolist()) if counted else 0.0
    typical = (counted * median + _TYPICAL_WEIGHT * _TYPICAL_SHARE) / (counted + _TYPICAL_WEIGHT)
    return {
        "terms_in_kept": in_kept_share,
        "terms_in_kept_for_page": in_kept_share - typical,
        "terms_elsewhere": shared_any / np.maximum(distinct, 1.0),
        "log_terms": np.log1p(distinct),
        **odds_columns(words, word_odds),
    }


def _in_table(lines: Sequence[Line]) -> Matrix:
    """Lines of a table or a list read a cell per line (rules/periodic.py)."""
    tabled = np.zeros(len(lines))
    for first, last in periodic_runs(tuple(line.text for line in lines)):
        tabled[first : last + 1] = 1.0
    return tabled


def _numbered(lines: Sequence[Line]) -> dict[str, Matrix]:
    """Lines that start with an item number, and those whose number follows or precedes the
    number of an item a few lines away: the items of a list inside an article."""
    numbers = [item_number(line.text) for line in lines]
    listed = [
        number is not None
        and any(
            numbers[j] in (number - 1, number + 1)
            for j in range(max(i - _LIST_GAP, 0), min(i + _LIST_GAP + 1, len(lines)))
        )
        for i, number in enumerate(numbers)
    ]
    return {
        "numbered": np.array([number is not None for number in numbers], dtype=np.float64),
        "in_numbered_list": np.array(listed, dtype=np.float64),
    }
