"""``duplicates``: flag an article that copies, nearly copies or retells one seen earlier in the
window, naming the earlier article.

- **exact-duplicate**: same body once case, whitespace and punctuation are normalised away;
- **near-duplicate**: MinHash over word shingles, LSH banding to find candidates (documents that
  agree on all ``rows`` values of one of ``bands`` bands), confirmed by the estimated Jaccard
  similarity. The chance that a pair with similarity s becomes a candidate is
  ``1 - (1 - s**rows)**bands``: with 14 bands of 8 rows, 0.6 → 0.19, 0.7 → 0.57, 0.8 → 0.96,
  0.9 → 1.00 (the S-curve's midpoint is near (1/14)**(1/8) ≈ 0.72);
- **paraphrase**: a retelling in other words. Candidates share anchors (figures, names,
  quotations, which a rewrite keeps); then each sentence of the new article is aligned with its
  best match in the candidate by content-word overlap (stems, with disagreeing figures
  penalised), and the article is flagged when enough of its sentences align.

State (namespace ``duplicates``) is keyed by window epoch, so a whole epoch is dropped at once
when it leaves the window. Per article it keeps one fingerprint (``rules.fingerprint``) and one
12-byte entry in each of its index buckets.
"""

from __future__ import annotations

import base64
import re
import struct
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
import xxhash
from pydantic import Field, model_validator

from rules.fingerprint import (
    MAX_SENTENCES,
    Fingerprint,
    SentenceSketch,
    anchors,
    band_hashes,
    estimate_jaccard,
    exact_hash,
    minhash,
    pack_nibbles,
    sentence_similarity,
    sketch_words,
    split_sentences,
    words,
)
from rules.identity import article_key
from rules.kinds.base import Context, Document, Hit, Rule, RuleSpec, Stage
from rules.state import StateStore

NAMESPACE = "duplicates"
AUTHOR_CREDITS = ("dateline", "byline", "credit-line")  # a credit in the text cites, not signs
_ENTRY = struct.Struct("<IIH")  # time (epoch seconds), 48-bit article ref: 10 bytes
REF_BITS = 48  # one chance in ~280 of any collision among a million articles in the window


class DuplicatesSpec(RuleSpec):
    kind: Literal["duplicates"]
    window_days: float = Field(default=7, gt=0, description="How far back articles are compared.")
    min_words: int = Field(default=25, ge=1, description="Shorter bodies are not compared.")
    shingle: int = Field(default=5, ge=1, le=20, description="Words per MinHash shingle.")
    bands: int = Field(default=20, ge=1, le=64)
    rows: int = Field(default=5, ge=1, le=32)
    seed: int = 1
    near_threshold: float = Field(
        default=0.6, gt=0, le=1, description="Estimated Jaccard that confirms a near duplicate."
    )
    anchors: int = Field(default=12, ge=1, le=64, description="Anchor terms kept per article.")
    min_shared_anchors: int = Field(default=5, ge=1)
    candidates: int = Field(default=5, ge=1, le=50, description="Paraphrase candidates aligned.")
    sentence_threshold: float = Field(
        default=0.4, gt=0, le=1, description="Score at which two sentences align (MSRP-tuned)."
    )
    min_aligned: int = Field(default=3, ge=1, description="Aligned sentences for a paraphrase.")
    min_coverage: float = Field(
        default=0.3, gt=0, le=1, description="Share of the article's sentences that must align."
    )
    bucket_size: int = Field(default=32, ge=1, le=1024, description="Entries kept per bucket.")

    @model_validator(mode="after")
    def _sane(self) -> DuplicatesSpec:
        if self.min_shared_anchors > self.anchors:
            raise ValueError("min_shared_anchors cannot exceed anchors")
        return self

    def build(self) -> DuplicatesRule:
        return DuplicatesRule(self)


@dataclass(frozen=True)
class Entry:
    time: float
    ref: int


def _epoch_of(key: str) -> int:
    """Keys are the epoch number followed by a one-letter kind: ``2968b3f09c2aa10``."""
    return int(re.match(r"\d+", key).group(0))  # type: ignore[union-attr]


def _short(value: int) -> str:
    """40 bits of a hash for a bucket key, 7 characters: a collision only adds a candidate."""
    return base64.urlsafe_b64encode((value & 0xFF_FFFF_FFFF).to_bytes(5, "big")).decode()[:7]


def _ref_key(ref: int) -> str:
    """An article's 48-bit ref in 8 characters."""
    return base64.urlsafe_b64encode(ref.to_bytes(6, "big")).decode()


def _ref(key: str) -> int:
    return xxhash.xxh3_64_intdigest(key.encode()) >> (64 - REF_BITS)


def _decode_entries(raw: bytes) -> list[Entry]:
    return [Entry(float(t), low | high << 32) for t, low, high in _ENTRY.iter_unpack(raw)]


class Index:
    """Buckets of (time, ref) entries and fingerprints, in a state store, by window epoch."""

    def __init__(self, state: StateStore, window: float, bucket_size: int) -> None:
        self.state = state
        self.window = window
        self.bucket_size = bucket_size

    def epoch(self, when: float) -> int:
        return int(when // self.window)

    def entries(self, bucket: str, when: float) -> list[Entry]:
        found: list[Entry] = []
        for epoch in (self.epoch(when), self.epoch(when) - 1):
            raw = self.state.get(NAMESPACE, f"{epoch}{bucket}")
            if raw:
                found.extend(_decode_entries(raw))
        return [e for e in found if abs(when - e.time) <= self.window]

    def add(self, bucket: str, entry: Entry) -> None:
        key = f"{self.epoch(entry.time)}{bucket}"
        raw = self.state.get(NAMESPACE, key) or b""
        kept = [e for e in _decode_entries(raw) if e.ref != entry.ref]
        kept = sorted([*kept, entry], key=lambda e: e.time)[-self.bucket_size :]
        self.state.put(
            NAMESPACE,
            key,
            b"".join(_ENTRY.pack(int(e.time), e.ref & 0xFFFF_FFFF, e.ref >> 32) for e in kept),
        )

    def fingerprint(self, entry: Entry) -> Fingerprint | None:
        raw = self.state.get(NAMESPACE, f"{self.epoch(entry.time)}f{_ref_key(entry.ref)}")
        return Fingerprint.decode(raw) if raw else None

    def remember(self, key: str, fingerprint: Fingerprint) -> None:
        ref = _ref(key)
        key = f"{self.epoch(fingerprint.published)}f{_ref_key(ref)}"
        self.state.put(NAMESPACE, key, fingerprint.encode())

    def sweep(self, when: float) -> int:
        """Delete every epoch that has left the window; at most once per epoch."""
        current = self.epoch(when)
        marker = self.state.get(NAMESPACE, "swept")
        if marker is not None and int(marker) >= current:
            return 0
        stale = [
            key
            for key in self.state.keys(NAMESPACE)
            if key != "swept" and _epoch_of(key) < current - 1
        ]
        for key in stale:
            self.state.delete(NAMESPACE, key)
        self.state.put(NAMESPACE, "swept", str(current).encode())
        return len(stale)


class DuplicatesRule(Rule):
    stage = Stage.DUPLICATES
    spec: DuplicatesSpec

    def apply(self, doc: Document, ctx: Context) -> Iterator[Hit]:
        spec = self.spec
        text = doc.text
        sentences = [(s, words(s)) for s in split_sentences(text)]
        tokens = [token for _, sentence_words in sentences for token in sentence_words]
        if len(tokens) < spec.min_words:
            return
        when = doc.event_time(ctx).timestamp()
        index = Index(ctx.state, spec.window_days * 86400, spec.bucket_size)
        index.sweep(when)
        me = _ref(doc.key)
        signature = minhash(tokens, spec.shingle, spec.bands * spec.rows, spec.seed)
        bits = pack_nibbles(signature)
        exact = exact_hash(tokens)
        bands = band_hashes(signature, spec.bands, spec.rows)
        mine = [
            (s, k)
            for s, k in ((s, sketch_words(sentence_words)) for s, sentence_words in sentences)
            if len(k.terms) >= 3
        ]
        anchor_terms = anchors(text, [s for s, _ in sentences], spec.anchors)

        def earlier(bucket: str) -> list[Entry]:
            return [e for e in index.entries(bucket, when) if e.ref != me and e.time <= when]

        hit = (
            self._exact(index, earlier(f"x{_short(exact)}"))
            or self._near(index, [e for b in bands for e in earlier(f"b{_short(b)}")], bits)
            or self._paraphrase(
                index, [e for a in anchor_terms for e in earlier(f"a{_short(a)}")], mine
            )
        )
        if hit is not None:
            yield hit

        fingerprint = Fingerprint(
            id=doc.article.id,
            source=doc.article.source or "",
            url=doc.article.url or "",
            credited="|".join(
                dict.fromkeys(c.source for c in doc.credits if c.where in AUTHOR_CREDITS)
            ),
            published=when,
            exact=exact,
            minhash_bits=bits,
            sentences=tuple(k for _, k in mine[:MAX_SENTENCES]),
        )
        index.remember(doc.key, fingerprint)
        entry = Entry(when, me)
        index.add(f"x{_short(exact)}", entry)
        for b in bands:
            index.add(f"b{_short(b)}", entry)
        for a in anchor_terms:
            index.add(f"a{_short(a)}", entry)

    def _exact(self, index: Index, entries: list[Entry]) -> Hit | None:
        for entry in sorted(entries, key=lambda e: e.time):
            original = index.fingerprint(entry)
            if original is not None:
                return Hit(
                    _evidence(original, 1.0),
                    kind="exact-duplicate",
                    message=f"Exact copy of an earlier article ({original.id})",
                )
        return None

    def _near(self, index: Index, entries: list[Entry], bits: bytes) -> Hit | None:
        best: tuple[float, float, Fingerprint] | None = None
        for entry in {e.ref: e for e in entries}.values():
            original = index.fingerprint(entry)
            if original is None:
                continue
            similarity = estimate_jaccard(
                bits, original.minhash_bits, self.spec.bands * self.spec.rows
            )
            if similarity >= self.spec.near_threshold and (
                best is None or (similarity, -entry.time) > (best[0], -best[1])
            ):
                best = (similarity, entry.time, original)
        if best is None:
            return None
        similarity, _, original = best
        return Hit(
            _evidence(original, round(similarity, 3)),
            kind="near-duplicate",
            message=f"Near copy of an earlier article ({original.id}), "
            f"estimated similarity {similarity:.2f}",
        )

    def _paraphrase(
        self, index: Index, entries: list[Entry], mine: list[tuple[str, SentenceSketch]]
    ) -> Hit | None:
        spec = self.spec
        shared = Counter(e.ref for e in entries)
        times = {e.ref: e for e in entries}
        ranked = [
            ref for ref, n in shared.most_common(spec.candidates) if n >= spec.min_shared_anchors
        ]
        if len(mine) < spec.min_aligned:
            return None
        best: tuple[float, list[dict[str, Any]], Fingerprint] | None = None
        for ref in ranked:
            original = index.fingerprint(times[ref])
            if original is None or not original.sentences:
                continue
            pairs = []
            for n, (text, k) in enumerate(mine):
                scores = [sentence_similarity(k, o) for o in original.sentences]
                j = int(np.argmax(scores))
                if scores[j] >= spec.sentence_threshold:
                    pairs.append(
                        {
                            "sentence": n,
                            "text": text[:300],
                            "original_sentence": j,
                            "score": round(scores[j], 3),
                        }
                    )
            coverage = len(pairs) / len(mine)
            if (
                len(pairs) >= spec.min_aligned
                and coverage >= spec.min_coverage
                and (best is None or coverage > best[0])
            ):
                best = (coverage, pairs, original)
        if best is None:
            return None
        coverage, pairs, original = best
        evidence = _evidence(original, round(coverage, 3))
        evidence["aligned"] = pairs
        evidence["sentences"] = len(mine)
        return Hit(
            evidence,
            kind="paraphrase",
            message=f"Retells an earlier article ({original.id}): {len(pairs)} of "
            f"{len(mine)} sentences align",
        )


def _evidence(original: Fingerprint, score: float) -> dict[str, Any]:
    return {
        "score": score,
        "original_id": original.id,
        "original_key": article_key(original.id, original.url or None),
        "original_source": original.source or None,
        "original_url": original.url or None,
        "original_published_at": datetime.fromtimestamp(original.published, UTC).isoformat(),
        # Who the original says wrote it (dateline, byline, credit line); empty: its publisher.
        "original_credited": original.credited.split("|") if original.credited else [],
    }
