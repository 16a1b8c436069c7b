"""Searching the lines of a text for any of a rule's patterns, fast, with the result of one
alternation searched line by line."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from itertools import pairwise

import regex

from copydesk.rules.kinds.base import any_of
from copydesk.rules.lines import Line


def _syntax(pattern: str) -> Iterator[tuple[int, str, int]]:
    """Each "(", ")" and "|" of ``pattern`` outside escapes and classes, with its place and
    its nesting depth: a group's parentheses have the depth around the group."""
    depth, in_class, escaped = 0, False, False
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            # A "]" right after "[" or "[^" is a literal, not the end of the class.
            in_class = ch != "]" or pattern[i - 1] == "[" or pattern[i - 2 : i] == "[^"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            yield i, ch, depth
            depth += 1
        elif ch == ")":
            depth -= 1
            yield i, ch, depth
        elif ch == "|":
            yield i, ch, depth


def anchored_at_start(pattern: str) -> bool:
    """True when every top-level branch of ``pattern`` starts with ``^`` (conservatively: it
    starts with ``^`` and has no ``|`` outside groups and classes)."""
    return pattern.startswith("^") and not any(
        ch == "|" and depth == 0 for _, ch, depth in _syntax(pattern)
    )


# What a split into alternatives would break or misread: backreferences, conditionals,
# recursion, branch resets, comments and verbose mode.
_UNSPLITTABLE = regex.compile(
    r"(?<!\\)(?:\\\\)*(?:\\[1-9gk]|\(\?(?:P[=>]|[(|#R&0-9]|[+-]\d|[a-zA-Z-]*x))"
)


def leading_alternatives(pattern: str) -> list[str] | None:
    """One pattern for each alternative of the group that ``pattern`` opens with (after an
    optional ``\\b``): ``\\b(a|b)c`` gives ``\\b(?:a)c`` and ``\\b(?:b)c``. Where ``pattern``
    matches, one of them matches at the same place. None when ``pattern`` opens otherwise,
    its group is repeated or optional, or it holds what a split would break."""
    head = "\\b" if pattern.startswith("\\b") else ""
    group = pattern[len(head) :]
    if not group.startswith("(") or (group.startswith("(?") and not group.startswith("(?:")):
        return None
    if _UNSPLITTABLE.search(pattern):
        return None
    bars, close = [], -1
    for i, ch, depth in _syntax(pattern):
        if ch == "|" and depth == 1:
            bars.append(i)
        elif ch == ")" and depth == 0:
            close = i
            break
    tail = pattern[close + 1 :]
    if close < 0 or not bars or tail[:1] in ("*", "+", "?", "{"):
        return None
    first = len(head) + (3 if group.startswith("(?:") else 1)
    edges = [first - 1, *bars, close]
    return [f"{head}(?:{pattern[a + 1 : b]}){tail}" for a, b in pairwise(edges)]


# \A, \Z or \z, not escaped.
_TEXT_ENDS = regex.compile(r"(?<!\\)(?:\\\\)*\\[AZz]")
# A lookahead or lookbehind, not escaped.
_LOOKAROUND = regex.compile(r"(?<!\\)(?:\\\\)*\(\?<?[=!]")


def sees_past_its_line(pattern: str) -> bool:
    """True when ``pattern`` has ``\\A``, ``\\Z`` or a lookaround: those read a line inside
    the text differently from the line on its own, and a line start differently from the
    start of the text."""
    return bool(_TEXT_ENDS.search(pattern) or _LOOKAROUND.search(pattern))


# What makes a pattern without its lookarounds match less than with them: a group that does not
# backtrack into itself or a possessive quantifier (committed to what a lookaround steered it
# to), and the regex module's control verbs.
_COMMITS = regex.compile(r"(?<!\\)(?:\\\\)*(?:\(\?>|\(\*|[*+?}]\+)")


def without_lookarounds(pattern: str) -> str | None:
    """``pattern`` with its lookarounds taken out, which matches wherever ``pattern`` does
    (a lookaround only ever rules a match out), and anywhere in a text where the line holding
    it would match (the lookarounds were what could see past the line); None where that does
    not hold: it has ``\\A`` or ``\\Z``, a lookaround is repeated, or it holds what a split
    would break or a construct that commits to a path."""
    if _TEXT_ENDS.search(pattern) or _UNSPLITTABLE.search(pattern) or _COMMITS.search(pattern):
        return None
    kept, depth_of_cut, cut_from = [], -1, 0
    for i, ch, depth in _syntax(pattern):
        if depth_of_cut < 0 and ch == "(" and _LOOKAROUND.match(pattern, i):
            kept.append(pattern[cut_from:i])
            depth_of_cut = depth
        elif ch == ")" and depth == depth_of_cut:
            if pattern[i + 1 : i + 2] in ("*", "+", "?", "{"):
                return None
            depth_of_cut, cut_from = -1, i + 1
    return "".join([*kept, pattern[cut_from:]])


# Classes that take a line break, and the same classes without it.
_WITHIN_LINE = {"\\W": r"[^\w\n]", "\\s": r"[^\S\n]", "\\D": r"[^\d\n]"}


def within_line(pattern: str) -> str:
    """``pattern`` with ``\\W``, ``\\s`` and ``\\D`` outside classes, and every negated class,
    unable to match a line break. On one line it matches as ``pattern`` does; in a text it
    cannot run on into the following lines. A scan of a text for "^\\W*(photo|image)…" tried
    at each line start ran ``\\W*`` across every blank or indented line after it: a page's
    text as its source holds it, hundreds of lines of spaces, took the square of them and ran
    out of its time budget (64 of the dev sets' 582 pages)."""
    out: list[str] = []
    i, class_start = 0, -1
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            escape = pattern[i : i + 2]
            out.append(_WITHIN_LINE.get(escape, escape) if class_start < 0 else escape)
            i += 2
            continue
        if class_start >= 0:
            # A "]" right after "[" or "[^" is a literal, not the end of the class.
            if ch == "]" and i > class_start:
                class_start = -1
        elif ch == "[":
            negated = pattern.startswith("[^", i)
            i += 2 if negated else 1
            class_start = i
            if negated:  # a "]" first in it is a literal, and now follows the line break
                out.append("[^\\n\\]" if pattern.startswith("]", i) else "[^\\n")
                i += pattern.startswith("]", i)
            else:
                out.append("[")
            continue
        out.append(ch)
        i += 1
    return "".join(out)


class AtLineStarts:
    """Matches of a pattern at line starts of a text (of ``^…`` with ``regex.MULTILINE``),
    found by a scan for the pattern after a newline, in the text with a newline put before
    it: the regex engine finds the newlines by its fast literal search and tries the pattern
    there only, where with ``^`` it would try it at every position (four times slower on the
    default packs). The pattern must not see past its line (``sees_past_its_line``)."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._pattern = regex.compile(rf"\n(?:{pattern})", flags | regex.MULTILINE)

    def spans(self, text: str, pos: int, endpos: int, timeout: float) -> Iterator[tuple[int, int]]:
        """Start and end in ``text`` of each match from ``pos`` to ``endpos``, as
        ``finditer`` would find them."""
        # Offsets in "\n" + text are one on: a match's start there is its line's start here.
        for match in self._pattern.finditer("\n" + text, pos, endpos + 1, timeout=timeout):
            yield match.start(), match.end() - 1


# A line start and a run of any characters or of one class: "^.{0,200}", "^[^.]*".
_LEADING_RUN = regex.compile(r"\^(?:\.|\[(?:\\.|[^\]\\])+\])(?:[*+?]|\{\d*,?\d*\})[?+]?(?![*+?{])")


# Inline flags: a literal's case may then be read otherwise (full case folding).
_INLINE_FLAGS = regex.compile(r"(?<!\\)(?:\\\\)*\(\?[a-zA-Z^-]")


def required_literal(pattern: str) -> str:
    """Letters, digits and spaces that every match of ``pattern`` starts with (after any
    ``\\b``), as written: what a text must hold, ignoring case, for ``pattern`` to match in
    it; "" where that is not known. Read from the pattern's opening, conservatively: an
    optional ``\\b``, at most one non-capturing group holding no alternation, then literal
    characters up to the first that is not one or that a quantifier makes optional."""
    if _INLINE_FLAGS.search(pattern) or any(
        ch == "|" and depth == 0 for _, ch, depth in _syntax(pattern)
    ):
        return ""
    at = 2 if pattern.startswith("\\b") else 0
    group = pattern.startswith("(?:", at)
    if group:
        inner = next((i for i, ch, depth in _syntax(pattern) if i > at and depth == 0), -1)
        if inner < 0 or "|" in {ch for i, ch, depth in _syntax(pattern) if at < i < inner}:
            return ""
        at += 3
    literal: list[str] = []
    for i in range(at, len(pattern)):
        ch = pattern[i]
        following = pattern[i + 1 : i + 2]
        if group and ch == ")":
            return "" if following in ("?", "*", "{") else "".join(literal)
        if not (ch.isascii() and (ch.isalnum() or ch == " ")) or following in ("?", "*", "{"):
            break
        literal.append(ch)
        if following == "+":
            break
    return "".join(literal)


# Characters that the regex module matches to an ASCII letter, ignoring case, and that
# lower() does not turn into it: "İ" and "ı" match "i", "ſ" matches "s" (a test checks every
# character).
_LOWERED_OTHERWISE = {"İ": "i", "ı": "i", "ſ": "s"}


@lru_cache(maxsize=4)
def lowered(text: str) -> str:
    """``text`` lower-cased so that where the regex module finds a literal of ASCII letters,
    digits and spaces in it ignoring case, the literal lower-cased is a substring of it.
    (Kept for the few texts last asked: every line-pattern rule of an article asks.)"""
    for char, letter in _LOWERED_OTHERWISE.items():
        if char in text:
            text = text.replace(char, letter)
    return text.lower()


def _scans_for(pattern: str) -> list[str]:
    """Patterns whose scans of a text together find what a scan for ``pattern`` finds (see
    ``LineSearch``)."""
    alternatives = leading_alternatives(pattern)
    return alternatives if alternatives is not None and len(alternatives) <= 5 else [pattern]


# A pattern's opening run that takes a line's leading spaces and may take nothing.
_SKIPS_SPACES = ("^\\W*", "^\\s*")


def _at_line_starts(starts: list[str], flags: int) -> str:
    """One alternation of the anchored patterns ``starts`` for ``AtLineStarts``, each kept on
    its line. Those that open with a run that takes spaces ("^\\W*") follow one pass over the
    line's leading spaces, given back to none of them: tried after each space, the alternation
    took a line's indentation times its patterns (an indented page, 3,000 lines: 50 ms a
    rule). The rest start at the line's start as written."""
    skipping = [within_line(p[1:]) for p in starts if p.startswith(_SKIPS_SPACES)]
    others = [within_line(p[1:]) for p in starts if not p.startswith(_SKIPS_SPACES)]
    branches = [f"[^\\S\\n]*+(?:{any_of(skipping, flags).pattern})"] if skipping else []
    branches += [any_of(others, flags).pattern] if others else []
    return "(?!\\n)(?:" + "|".join(f"(?:{b})" for b in branches) + ")"


class LineSearch:
    """Finds the lines that any of the patterns matches, as one alternation searched line by
    line would, in an eighth of the time on the default packs (measured in one process):

    - a time-budgeted regex call costs about two microseconds of set-up, more than the
      matching of a line, so the text is scanned whole, a few calls per rule, not line by line;
    - patterns anchored at the line start (``^…``) are scanned as one alternation tried at
      line starts only (``AtLineStarts``), but for empty lines, where a pattern that skips
      leading spaces would try the next line a second time; empty lines are searched alone;
    - every other pattern scans the text compiled on its own: the regex engine's
      literal-prefix optimisations work on one pattern but not across an alternation. For
      the same reason a pattern that opens with a group of up to five alternatives scans as
      one pattern each (``leading_alternatives``): the regex engine tries an alternation at
      every position of the text, at 25-30 ns a character, and searches for a literal at
      1-2 ns (rights-notice's "(©|\\(c\\)|copyright)…": 75 us an article as one scan, 19 as
      three). With more alternatives the scans' set-ups cost more than they save
      (photo-captions' seven agency names: 31 us as one scan, 85 as seven);
    - an anchored pattern that opens with a run of any characters (``^.{0,200}x``), which
      the regex engine would try at every length of the run at every line, is scanned for
      what follows the run (``x``), anywhere: a line the pattern matches holds a match of
      that (photo-captions' "^[^.]{0,120}\\bcredit…": 78 us an article at line starts, 5
      anywhere);
    - a pattern with a lookaround, which in the text could look past its line, scans the
      text without it (``without_lookarounds``): the lines that scan finds hold the lines the
      pattern matches (photo-captions' "(?<!\\w\\W+the\\s+)\\b(getty…": 198 us an article
      searched line by line, 68 as five scans);
    - a scan whose matches all start with a literal (``required_literal``) runs only where
      the text, lower-cased, holds it (``lowered``): most scans find nothing in most texts,
      and a regex call costs more than the look for the literal (matching_lines 667-702 ->
      561-571 us an article over the built-in pack);
    - only the lines these find are searched line by line, for the exact match.
    """

    def __init__(self, patterns: Sequence[str], flags: int) -> None:
        flags |= regex.V0
        anchored = [anchored_at_start(p) for p in patterns]
        self._each = [(regex.compile(p, flags), a) for p, a in zip(patterns, anchored, strict=True)]
        # A pattern that may see past its line scans the text without its lookarounds where
        # that finds every line it matches; elsewhere each line is searched on its own.
        scanned: list[str] = []
        per_line: list[str] = []
        for pattern in patterns:
            if not sees_past_its_line(pattern):
                scanned.append(pattern)
            elif (plain := without_lookarounds(pattern)) is not None:
                scanned.append(plain)
            else:
                per_line.append(pattern)
        starts: list[str] = []
        floating: list[str] = []
        for pattern in scanned:
            at_start = anchored_at_start(pattern)
            run = _LEADING_RUN.match(pattern) if at_start else None
            if run is not None and run.end() < len(pattern):
                floating.append(pattern[run.end() :])
            else:
                (starts if at_start else floating).append(pattern)
        self._per_line = any_of(per_line, flags) if per_line else None
        # The scans run on into no other line (``within_line``), read as written above.
        self._anchored = AtLineStarts(_at_line_starts(starts, flags), flags) if starts else None
        self._scans = [
            (
                regex.compile(within_line(scan), flags | regex.MULTILINE),
                required_literal(scan).lower(),
            )
            for p in floating
            for scan in _scans_for(p)
        ]

    def search(self, line: str, budget: Callable[[], float]) -> str | None:
        """The leftmost match in one line (of those starting at the same place, the first
        pattern's); None if no pattern matches. ``budget()`` gives the seconds left for regex
        work (``Context.regex_budget``), read anew for each call."""
        best: regex.Match[str] | None = None
        for pattern, anchored in self._each:
            if anchored:
                found = pattern.match(line, timeout=budget())
            else:
                found = pattern.search(line, timeout=budget())
            if found is not None and (best is None or found.start() < best.start()):
                best = found
                if best.start() == 0:
                    break  # nothing starts further left
        return None if best is None else str(best.group(0))

    def matching_lines(
        self, text: str, lines: Sequence[Line], budget: Callable[[], float]
    ) -> dict[int, str]:
        """``search`` over ``lines`` (lines of ``text``, in order): line index -> matched text.

        A match inside a line is also a match of a scan of the text, at the same place or
        inside an earlier match that reaches into the line, so the lines the scans touch are
        a superset of the lines that match. (The line that starts where a match ends counts as
        touched: an anchored scan's match may end on the newline the line's own match needs.)"""
        if not lines:
            return {}
        found = {n for n, line in enumerate(lines) if not line.text}
        if self._per_line is not None:
            for n, line in enumerate(lines):
                if self._per_line.search(line.text, timeout=budget()):
                    found.add(n)
        starts = [line.start for line in lines]
        end = lines[-1].end
        spans: list[tuple[int, int]] = []
        if self._anchored is not None:
            spans.extend(self._anchored.spans(text, starts[0], end, budget()))
        lower = lowered(text) if any(literal for _, literal in self._scans) else ""
        for pattern, literal in self._scans:
            if literal not in lower:
                continue  # the scan cannot match: spared its regex call
            spans.extend(
                match.span() for match in pattern.finditer(text, starts[0], end, timeout=budget())
            )
        for start, stop in spans:
            first = bisect_right(starts, start) - 1
            last = bisect_right(starts, stop) - 1
            found.update(range(max(first, 0), last + 1))
        matched = {}
        for n in sorted(found):
            text_found = self.search(lines[n].text, budget)
            if text_found is not None:
                matched[lines[n].index] = text_found
        return matched
