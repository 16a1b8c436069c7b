"""``learned-chrome``: lines that recur across many articles of the same source are that
site's chrome (its footer, its newsletter pitch, its standard disclaimer), whether or not
anybody wrote a rule for them.

Per source, the rule keeps a bounded table of the short lines it has seen, each with a count
of the articles it appeared in; counts decay with a half-life, so chrome a site dropped is
forgotten. A line is removed once its count reaches ``min_articles`` (counting earlier articles
only). When the table is full, a new line replaces the least-seen one, so the table holds the
site's frequent lines and article lines pass through it. Memory per source:
``16 + 12 × capacity`` bytes (6 KiB at the default 512).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
import xxhash
from pydantic import Field

from copydesk.rules.identity import publisher
from copydesk.rules.kinds.base import Context, Cut, Document, Rule, RuleSpec, Stage
from copydesk.rules.lines import block_cut, runs

NAMESPACE = "learned-chrome"
_HEADER = struct.Struct("<dQ")  # last update (epoch seconds), entry count


@dataclass
class LineCounts:
    """A source's recurring lines: 64-bit line hashes and their decayed article counts."""

    updated: float
    hashes: np.ndarray  # uint64
    counts: np.ndarray  # float32

    @classmethod
    def empty(cls, now: float) -> LineCounts:
        return cls(now, np.zeros(0, np.uint64), np.zeros(0, np.float32))

    @classmethod
    def decode(cls, raw: bytes) -> LineCounts:
        updated, n = _HEADER.unpack_from(raw)
        offset = _HEADER.size
        hashes = np.frombuffer(raw, np.uint64, n, offset).copy()
        counts = np.frombuffer(raw, np.float32, n, offset + 8 * n).copy()
        return cls(updated, hashes, counts)

    def encode(self) -> bytes:
        return (
            _HEADER.pack(self.updated, len(self.hashes))
            + self.hashes.astype(np.uint64).tobytes()
            + self.counts.astype(np.float32).tobytes()
        )

    def decay_to(self, now: float, half_life_seconds: float) -> None:
        if now > self.updated:
            self.counts *= np.float32(0.5 ** ((now - self.updated) / half_life_seconds))
            self.updated = now

    def _find(self, keys: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Whether the table holds each key, and where. (One comparison of every key with
        every entry in numpy: with a dict of the table's 512 entries, counts_of and add took
        twice as long.)"""
        if not keys or not len(self.hashes):
            return np.zeros(len(keys), bool), np.zeros(len(keys), np.intp)
        same = self.hashes[None, :] == np.array(keys, np.uint64)[:, None]
        return same.any(axis=1), same.argmax(axis=1)

    def counts_of(self, keys: list[int]) -> list[float]:
        held, where = self._find(keys)
        counts = np.zeros(len(keys), np.float32)
        counts[held] = self.counts[where[held]]
        found: list[float] = counts.tolist()
        return found

    def add(self, keys: set[int], capacity: int) -> None:
        """Count one more article for each key; new keys replace the least-seen entries."""
        ordered = list(keys)
        held, where = self._find(ordered)
        new = [key for key, old in zip(ordered, held.tolist(), strict=True) if not old]
        self.counts[where[held]] += 1
        room = max(capacity - len(self.hashes), 0)
        self.hashes = np.append(self.hashes, np.array(new[:room], np.uint64))
        self.counts = np.append(self.counts, np.ones(len(new[:room]), np.float32))
        for key in new[room:]:
            weakest = int(np.argmin(self.counts))
            self.hashes[weakest] = key
            self.counts[weakest] = 1


class LearnedChromeSpec(RuleSpec):
    kind: Literal["learned-chrome"]
    min_articles: float = Field(
        default=5, gt=1, description="Articles of one source a line must appear in (decayed)."
    )
    half_life_days: float = Field(default=14, gt=0, description="How fast counts fade.")
    max_words: int = Field(
        default=40, ge=1, description="Longer lines are never counted: prose is not chrome."
    )
    capacity: int = Field(default=512, ge=16, le=65536, description="Lines kept per source.")

    def build(self) -> LearnedChromeRule:
        return LearnedChromeRule(self)


def _line_key(text: str) -> int:
    return xxhash.xxh3_64_intdigest(" ".join(text.split()).casefold().encode())


class LearnedChromeRule(Rule):
    stage = Stage.STRIP
    spec: LearnedChromeSpec

    def apply(self, doc: Document, ctx: Context) -> Iterator[Cut]:
        source = publisher(doc.article.source, doc.article.url)
        if source is None:
            return
        spec = self.spec
        now = doc.event_time(ctx).timestamp()
        raw = ctx.state.get(NAMESPACE, source)
        table = LineCounts.decode(raw) if raw else LineCounts.empty(now)
        table.decay_to(now, spec.half_life_days * 86400)

        lines = doc.lines
        candidates = [line for line in doc.content_lines if line.words <= spec.max_words]
        keys = [_line_key(line.text) for line in candidates]
        counts = table.counts_of(keys)
        chrome = [
            line.index
            for line, count in zip(candidates, counts, strict=True)
            if count >= spec.min_articles
        ]
        table.add(set(keys), spec.capacity)
        ctx.state.put(NAMESPACE, source, table.encode())
        for first, last in runs(chrome):
            yield Cut(*block_cut(lines, first, last))
