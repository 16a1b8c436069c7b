"""Span bookkeeping: rules cut pieces out of the *current* text, and every cut is recorded in
offsets of the *original* body, so removed spans never overlap and always map back."""

from __future__ import annotations

from bisect import bisect_right

from copydesk.rules.lines import Line, cut_lines, split_lines
from copydesk.rules.records import Span


class TextView:
    """The original body and the parts of it still kept, as sorted ``(start, end)`` segments."""

    def __init__(self, original: str) -> None:
        self.original = original
        self._kept: list[tuple[int, int]] = [(0, len(original))] if original else []
        self._text: str | None = original
        self._starts: list[int] | None = None
        self._lines: list[Line] | None = None
        self._content_lines: list[Line] | None = None
        self._original_lines: list[Line] | None = None
        self.removed: list[Span] = []

    @classmethod
    def after_removals(cls, text: str, removed: list[Span]) -> TextView:
        """The view a strip stage left: ``text`` is what it kept of a body from which it cut
        ``removed`` (spans in the body's offsets). Later stages read ``text`` and report
        offsets into the body with ``to_original``."""
        pieces: list[str] = []
        kept: list[tuple[int, int]] = []
        pos = at = 0  # in the body, in text
        for span in sorted(removed, key=lambda s: s.start):
            if span.start > pos:
                kept.append((pos, span.start))
                pieces.append(text[at : at + span.start - pos])
                at += span.start - pos
            pieces.append(span.text)
            pos = span.end
        if at < len(text):
            kept.append((pos, pos + len(text) - at))
            pieces.append(text[at:])
        view = cls("".join(pieces))
        view._kept, view._text = kept, text
        view.removed = sorted(removed, key=lambda s: s.start)
        return view

    @classmethod
    def cut(cls, original: str, removed: list[Span]) -> TextView:
        """The view of ``original`` less ``removed`` (disjoint spans of it), each span's text
        read from ``original``: the rules' cuts carried to the body that came in, where they
        read it in another form (its wrapped lines joined, its columns one after another)."""
        view = cls(original)
        view.removed = sorted(
            (span.model_copy(update={"text": original[span.start : span.end]}) for span in removed),
            key=lambda span: span.start,
        )
        view._kept = _between(view.removed, len(original))
        view._text = None
        return view

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(self.original[a:b] for a, b in self._kept)
        return self._text

    @property
    def lines(self) -> list[Line]:
        """The current text's lines; computed once per text, because most rules read them and
        few cut anything, and then carried over each cut."""
        if self._lines is None:
            text = self.text
            self._lines = self.original_lines if text is self.original else split_lines(text)
        return self._lines

    @property
    def original_lines(self) -> list[Line]:
        """The original body's lines: split once, for the rules that read the text before any
        cut and for the line model, which judges them after the cuts."""
        if self._original_lines is None:
            self._original_lines = split_lines(self.original)
        return self._original_lines

    @property
    def content_lines(self) -> list[Line]:
        """The current text's non-blank lines, which most rules look at (one list for them
        all: a list of its own for each rule took 3 us an article and rule)."""
        if self._content_lines is None:
            self._content_lines = [line for line in self.lines if not line.blank]
        return self._content_lines

    def _current_starts(self) -> list[int]:
        """Offset in the current text at which each kept segment begins."""
        if self._starts is None:
            starts, pos = [], 0
            for a, b in self._kept:
                starts.append(pos)
                pos += b - a
            self._starts = starts
        return self._starts

    def to_original(self, pos: int) -> int:
        """Map an offset in the current text to the original body."""
        if not self._kept:
            return 0
        starts = self._current_starts()
        i = max(bisect_right(starts, pos) - 1, 0)
        return self._kept[i][0] + (pos - starts[i])

    def current_spans(self, start: int, end: int) -> list[tuple[int, int]]:
        """Where the kept parts of ``original[start:end]`` are in the current text."""
        found = []
        for (a, b), s in zip(self._kept, self._current_starts(), strict=True):
            lo, hi = max(a, start), min(b, end)
            if lo < hi:
                found.append((s + lo - a, s + hi - a))
        return found

    def keep_back(self, start: int, end: int) -> None:
        """Keep ``original[start:end]`` again where a rule removed it: the removed spans it
        overlaps shrink to what lies outside it (or go)."""
        if not 0 <= start <= end <= len(self.original):
            raise ValueError(f"{start}:{end} outside a body of length {len(self.original)}")
        removed: list[Span] = []
        for span in self.removed:
            if span.end <= start or span.start >= end:
                removed.append(span)
                continue
            for a, b in ((span.start, start), (end, span.end)):
                if a < b:
                    removed.append(Span(rule=span.rule, start=a, end=b, text=self.original[a:b]))
        if removed == self.removed:
            return
        self.removed = removed
        self._kept = _between(removed, len(self.original))
        self._text = self._starts = None
        self._lines = self._content_lines = None

    def remove_original(self, start: int, end: int, rule: str) -> None:
        """Remove what is still kept of ``original[start:end]``."""
        for a, b in reversed(self.current_spans(start, end)):
            self.remove(a, b, rule)

    def claim(self, start: int, end: int, rule: str) -> None:
        """Put the removed parts of ``original[start:end]`` down to ``rule``: the removed spans
        it overlaps split where it begins and ends, and their middle part takes its name."""
        if not 0 <= start <= end <= len(self.original):
            raise ValueError(f"{start}:{end} outside a body of length {len(self.original)}")
        claimed: list[Span] = []
        for span in self.removed:
            lo, hi = max(span.start, start), min(span.end, end)
            if lo >= hi or span.rule == rule:
                claimed.append(span)
                continue
            parts = ((span.start, lo, span.rule), (lo, hi, rule), (hi, span.end, span.rule))
            claimed.extend(
                Span(rule=by, start=a, end=b, text=self.original[a:b])
                for a, b, by in parts
                if a < b
            )
        self.removed = claimed

    def remove(self, start: int, end: int, rule: str) -> list[Span]:
        """Remove ``text[start:end]`` (current offsets); return the original spans it covered
        (more than one when the cut straddles text an earlier rule already took out)."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"cut {start}:{end} outside text of length {len(self.text)}")
        if start == end:
            return []
        starts = self._current_starts()
        kept: list[tuple[int, int]] = []
        spans: list[Span] = []
        for (a, b), s in zip(self._kept, starts, strict=True):
            lo, hi = max(start - s, 0), min(end - s, b - a)
            if lo >= hi:
                kept.append((a, b))
                continue
            if lo > 0:
                kept.append((a, a + lo))
            spans.append(
                Span(rule=rule, start=a + lo, end=a + hi, text=self.original[a + lo : a + hi])
            )
            if hi < b - a:
                kept.append((a + hi, b))
        self._kept = kept
        self._text = None
        self._starts = None
        if self._lines is not None:
            self._lines = cut_lines(self._lines, start, end)
        self._content_lines = None
        self.removed.extend(spans)
        self.removed.sort(key=lambda span: span.start)
        return spans


def _between(removed: list[Span], length: int) -> list[tuple[int, int]]:
    """The kept segments of a body of ``length`` characters: the gaps between ``removed``
    (sorted, disjoint)."""
    kept: list[tuple[int, int]] = []
    pos = 0
    for span in removed:
        if span.start > pos:
            kept.append((pos, span.start))
        pos = span.end
    if pos < length:
        kept.append((pos, length))
    return kept
