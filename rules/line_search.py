"""Searching the lines of a text for any of a rule's patterns, fast, with the result of one
alternation searched line by line."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence

import regex

from rules.kinds.base import any_of
from rules.lines import Line


def anchored_at_start(pattern: str) -> bool:
    """True when every top-level branch of ``pattern`` starts with ``^`` (conservatively: it
    starts with ``^`` and has no ``|`` outside groups and classes)."""
    if not pattern.startswith("^"):
        return False
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
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return False
    return True


# \A, \Z or \z, not escaped.
_TEXT_ENDS = regex.compile(r"(?<!\\)(?:\\\\)*\\[AZz]")


class LineSearch:
    """Finds the lines that any of the patterns matches, as one alternation searched line by
    line would, in 60% of the time on the default packs (measured in one process):

    - patterns anchored at the line start (``^…``) are tried at line starts only, as one
      alternation matched per line (in one alternation with floating patterns the regex engine
      would try them at every position);
    - every other pattern scans the whole text once, compiled on its own: the regex engine's
      literal-prefix optimisations work on one pattern but not across an alternation, and a
      time-budgeted call costs about a microsecond of set-up, more than the matching of a line;
    - only the lines these find are searched line by line, for the exact match.
    """

    def __init__(self, patterns: Sequence[str], flags: int) -> None:
        flags |= regex.V0
        anchored = [anchored_at_start(p) for p in patterns]
        self._each = [(regex.compile(p, flags), a) for p, a in zip(patterns, anchored, strict=True)]
        starts = [p for p, a in zip(patterns, anchored, strict=True) if a]
        floating = [p for p, a in zip(patterns, anchored, strict=True) if not a]
        # A scan of the text cannot stand in for \A or \Z: there they mean the text's ends.
        per_line = [p for p in floating if _TEXT_ENDS.search(p)]
        self._anchored = any_of(starts, flags) if starts else None
        self._per_line = any_of(per_line, flags) if per_line else None
        self._scans = [
            regex.compile(p, flags | regex.MULTILINE) for p in floating if p not in per_line
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

        A match inside a line is also a match of the multi-line scan, at the same place or
        inside an earlier match that reaches into the line, so the lines the scans touch are
        a superset of the lines that match."""
        if not lines:
            return {}
        found: set[int] = set()
        for n, line in enumerate(lines):
            if (
                self._anchored is not None and self._anchored.match(line.text, timeout=budget())
            ) or (
                self._per_line is not None and self._per_line.search(line.text, timeout=budget())
            ):
                found.add(n)
        starts = [line.start for line in lines]
        for pattern in self._scans:
            for match in pattern.finditer(text, starts[0], lines[-1].end, timeout=budget()):
                first = bisect_right(starts, match.start()) - 1
                last = bisect_right(starts, max(match.end() - 1, match.start())) - 1
                found.update(range(max(first, 0), last + 1))
        matched = {}
        for n in sorted(found):
            text_found = self.search(lines[n].text, budget)
            if text_found is not None:
                matched[lines[n].index] = text_found
        return matched
