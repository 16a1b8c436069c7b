"""What the block model reads of each line of a page: its shape and its markup (Kohlschütter
et al., WSDM 2010: word count, link density and text density of a block and of its
neighbours), where it sits, what the class and id names around it say and what its words say
(rules/words.py). Nothing here depends on another reading of the page: each reading fails in
its own way.

One row per line, one column per feature (``FEATURES`` names them), built with numpy: the
model reads every line of every page it is asked about."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from copydesk.rules.page_text import Block, joined
from copydesk.rules.words import ODDS_FEATURES, line_terms, odds_columns

Matrix = npt.NDArray[np.float64]

# Text density as boilerpipe counts it: words per line of text wrapped at this width.
_WRAP_COLUMNS = 80
# A line ends a sentence when, past its closing quotes and brackets, it ends in one of these
# (stripped, not searched with a regex from the line's start: it runs on every line).
_CLOSING = "\"'”’)]"
_SENTENCE_ENDS = (".", "!", "?")
_TAG_GROUPS = {
    "p": "p",
    "li": "list",
    "dd": "list",
    "dt": "list",
    "td": "table",
    "th": "table",
    "tr": "table",
    "table": "table",
    "tbody": "table",
    "div": "div",
    "section": "div",
    "article": "div",
    "blockquote": "quote",
    "pre": "quote",
    "figcaption": "caption",
    "caption": "caption",
    "figure": "caption",
    **{f"h{level}": "heading" for level in range(1, 7)},
}
_GROUPS = ("p", "list", "table", "div", "quote", "caption", "heading", "other")
# Words of class and id names that name a part of a page; the model learns what each is worth.
_NAME_WORDS = {
    "comment": r"comment|repl(y|ies)|discuss",
    "nav": r"nav|menu|breadcrumb",
    "footer": r"foot",
    "header": r"head|masthead|top",
    "share": r"share|social|sharing|follow",
    "related": r"related|more|recommend|popular|trending|most",
    "side": r"side|rail|widget|aside|column",
    "promo": r"\bads?\b|advert|promo|sponsor|banner|newsletter|subscribe",
    "body": r"article|story|content|body|entry|post|text|main",
    "caption": r"caption|credit|photo|image|media",
    "meta": r"byline|author|date|time|meta|tag",
}
# One pass over a line's names finds every part they name (each match the first that fits).
# (The standard library's engine: ten times faster than ``regex`` on this alternation.)
_NAMES = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _NAME_WORDS.items()))
_NAME_INDEX = {name: i for i, name in enumerate(_NAME_WORDS)}
# Each class or id name is read as its words ("storyBody", "story-body" -> story, body), and
# each word's odds are learned with the words' (``@`` before it, as no word of a line starts so).
_NAME_TOKEN = re.compile(r"[a-z]{2,}")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
NAME_MARK = "@"
NAME_ODDS_FEATURES = ("name_odds_least", "name_odds_mean", "name_odds_most", "name_odds_inner")
_SHAPE = ("log_words", "link_density", "text_density")
# Neighbours each side whose shape a line's features include.
_OFFSETS = (-2, -1, 1, 2)

FEATURES: tuple[str, ...] = (
    *_SHAPE,
    "position",
    "chars_before",
    "ends_sentence",
    "log_depth",
    *(f"tag={group}" for group in _GROUPS),
    *(f"parent={group}" for group in _GROUPS),
    *(f"names={name}" for name in _NAME_WORDS),
    *(f"{shape}@{offset:+d}" for offset in _OFFSETS for shape in _SHAPE),
    *(f"edge@{offset:+d}" for offset in _OFFSETS),
    *ODDS_FEATURES,
    *NAME_ODDS_FEATURES,
    "chain_log_lines",
    "chain_text_share",
)


def block_features(blocks: Sequence[Block], word_odds: Mapping[str, float]) -> Matrix:
    """Features of each line of a page: a row per line, a column per name in ``FEATURES``
    (``word_odds``: what each word says, learned with the model)."""
    n = len(blocks)
    if not n:
        return np.zeros((0, len(FEATURES)))
    chains = _Chains.of(blocks)
    chars = np.array([len(block.text) for block in blocks], dtype=np.float64)
    words = np.array([len(block.text.split()) for block in blocks], dtype=np.float64)
    links = np.array([block.link_chars for block in blocks], dtype=np.float64)
    shape = np.column_stack(
        [
            np.log1p(words),
            links / np.maximum(chars, 1),
            words / np.maximum(np.ceil(chars / _WRAP_COLUMNS), 1) / 10,
        ]
    )
    before = np.cumsum(chars) - chars
    columns = [
        shape,
        (np.arange(n) / max(n - 1, 1))[:, None],
        (before / max(chars.sum(), 1))[:, None],
        np.array([[_ends_sentence(block.text)] for block in blocks], float),
        np.log1p(np.array([[block.depth] for block in blocks], dtype=np.float64)),
        _one_hot([_TAG_GROUPS.get(block.tag, "other") for block in blocks]),
        _one_hot([_TAG_GROUPS.get(block.parent, "other") for block in blocks]),
        _named(chains),
    ]
    edges = []
    for offset in _OFFSETS:
        shifted = np.zeros_like(shape)
        inside = np.zeros((n, 1))
        if abs(offset) < n:
            rows = slice(max(-offset, 0), n - max(offset, 0))
            shifted[rows] = shape[max(offset, 0) : n + min(offset, 0)]
            inside[rows] = 1.0
        columns.append(shifted)
        edges.append(1.0 - inside)
    said = odds_columns(line_terms(joined(blocks), n), word_odds)
    matrix = np.hstack(
        [
            *columns,
            *edges,
            np.column_stack([said[f] for f in ODDS_FEATURES]),
            _name_odds(chains, word_odds),
            _chain_shares(chains, chars),
        ]
    )
    assert matrix.shape[1] == len(FEATURES)
    return matrix


def _ends_sentence(line: str) -> bool:
    return line.rstrip(_CLOSING).endswith(_SENTENCE_ENDS)


def _one_hot(groups: list[str]) -> Matrix:
    index = {group: i for i, group in enumerate(_GROUPS)}
    found = np.zeros((len(groups), len(_GROUPS)))
    found[np.arange(len(groups)), [index[group] for group in groups]] = 1.0
    return found


@dataclass(frozen=True)
class _Chains:
    """The distinct chains of class and id names of a page's lines (``names``) and each line's
    chain (``row``): lines share their ancestors, so what a chain says is read once, a row per
    chain, then gathered per line (far fewer rows to fill than lines)."""

    names: list[tuple[str, ...]]
    row: npt.NDArray[np.intp]

    @classmethod
    def of(cls, blocks: Sequence[Block]) -> _Chains:
        distinct: dict[tuple[str, ...], int] = {}
        rows = [distinct.setdefault(block.names, len(distinct)) for block in blocks]
        return cls(list(distinct), np.asarray(rows, dtype=np.intp))


def _named(chains: _Chains) -> Matrix:
    """Which parts of a page the class and id names of a line's element and its ancestors
    name."""
    # Every (chain, part) cell set in one assignment: one per chain cost a numpy call each.
    rows: list[int] = []
    parts: list[int] = []
    for row, names in enumerate(chains.names):
        named = frozenset[int]().union(*map(_named_parts, names))
        rows += [row] * len(named)
        parts += named
    table = np.zeros((len(chains.names), len(_NAME_WORDS)))
    table[rows, parts] = 1.0
    found: Matrix = table[chains.row]
    return found


# Sites share class names ("article", "sidebar", "nav"), page after page: each string and each
# name in it is read once.
@lru_cache(maxsize=8192)
def _named_parts(names: str) -> frozenset[int]:
    # No pattern spans a space: the class names can be read one by one.
    return frozenset[int]().union(*(_name_parts(name) for name in names.casefold().split()))


@lru_cache(maxsize=8192)
def _name_parts(name: str) -> frozenset[int]:
    return frozenset(_NAME_INDEX[str(m.lastgroup)] for m in _NAMES.finditer(name))


def name_words(names: tuple[str, ...]) -> frozenset[str]:
    """The words of the class and id names of a line's element and its ancestors, marked."""
    return _chain_words(names)[0]


@lru_cache(maxsize=8192)
def _chain_words(names: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The marked words of a chain of names, and those of its innermost named element."""
    each = [_words_of(name) for name in names]
    return frozenset[str]().union(*each), each[-1] if each else frozenset()


@lru_cache(maxsize=8192)
def _words_of(names: str) -> frozenset[str]:
    return frozenset(NAME_MARK + w for w in _NAME_TOKEN.findall(_CAMEL.sub(" ", names).lower()))


def _name_odds(chains: _Chains, word_odds: Mapping[str, float]) -> Matrix:
    """Per line, of the words of its class and id names that ``word_odds`` knows: the lowest,
    mean and highest odds over its element and ancestors, and the mean over its innermost
    named element ("comments", "sidebar", "story-body": which part of a page a site's markup
    names, learned from the dev sets' pages rather than listed)."""
    table = [_odds_row(*_chain_words(names), word_odds) for names in chains.names]
    found: Matrix = np.array(table, dtype=np.float64).reshape(-1, len(NAME_ODDS_FEATURES))
    return found[chains.row]


def _odds_row(
    chain: frozenset[str], inner: frozenset[str], word_odds: Mapping[str, float]
) -> tuple[float, float, float, float]:
    # fsum: exact, so a mean does not hang on a set's order (which moves from run to run).
    known = word_odds.keys() & chain  # one pass in C, not a look-up per word in Python
    if not known:
        return 0.0, 0.0, 0.0, 0.0
    found = [word_odds[w] for w in known]
    inner_found = [word_odds[w] for w in known & inner]
    inner_mean = math.fsum(inner_found) / len(inner_found) if inner_found else 0.0
    return min(found), math.fsum(found) / len(found), max(found), inner_mean


def _chain_shares(chains: _Chains, chars: Matrix) -> Matrix:
    """How many lines share a line's chain of class and id names, and their share of the
    page's text: a menu, a comment thread or a list of links repeats one chain line after
    line, as the story's paragraphs do, but holds less of the text."""
    rows, distinct = chains.row, len(chains.names)
    lines = np.bincount(rows, minlength=distinct).astype(np.float64)
    text = np.bincount(rows, weights=chars, minlength=distinct)
    return np.column_stack([np.log1p(lines[rows]), text[rows] / max(chars.sum(), 1.0)])
