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
when it leaves the window. Per article it keeps one fingerprint (``rules.fingerprint``) and its
6-byte ref in each of its index buckets; whether a candidate is earlier and inside the window
is read from its fingerprint, which a candidate's check loads anyway.
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any, Literal

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
    similarity_matrix,
    sketch_words,
    split_sentences,
    words,
)
from rules.identity import article_key
from rules.kinds.base import Context, Document, Hit, Rule, RuleSpec, Stage
from rules.state import StateStore

NAMESPACE = "duplicates"
AUTHOR_CREDITS = ("dateline", "byline", "credit-line")  # a credit in the text cites, not signs
REF_BYTES = 6
# 48 bits: one chance in ~280 of any collision among a million articles in the window.
REF_BITS = 8 * REF_BYTES


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
    epoch: int  # of the bucket it was found in, which is the epoch of its fingerprint
    ref: int


def _epoch_of(key: str) -> int:
    """Keys are the epoch number followed by a one-letter kind: ``2968b3f09c2aa10``."""
    return int(re.match(r"\d+", key).group(0))  # type: ignore[union-attr]


_KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _short(value: int) -> str:
    """30 bits of a hash for a bucket key, 5 characters. A collision only adds a candidate,
    whose fingerprint check rejects it: at a million articles in the window, 2% of lookups."""
    return "".join(_KEY_CHARS[(value >> shift) & 63] for shift in (0, 6, 12, 18, 24))


def _ref_key(ref: int) -> str:
    """An article's 48-bit ref in 8 characters."""
    return base64.urlsafe_b64encode(ref.to_bytes(6, "big")).decode()


def _ref(key: str) -> int:
    return xxhash.xxh3_64_intdigest(key.encode()) >> (64 - REF_BITS)


def _decode_refs(raw: bytes) -> list[int]:
    return [int.from_bytes(raw[i : i + REF_BYTES], "little") for i in range(0, len(raw), REF_BYTES)]


class Index:
    """Buckets of article refs and the articles' fingerprints, in a state store, by window
    epoch. A bucket keeps its ``bucket_size`` latest arrivals."""

    def __init__(self, state: StateStore, window: float, bucket_size: int) -> None:
        self.state = state
        self.window = window
        self.bucket_size = bucket_size

    def epoch(self, when: float) -> int:
        return int(when // self.window)

    def entries(self, bucket: str, when: float) -> list[Entry]:
        """The bucket's entries in the epoch of ``when`` and the one before."""
        found: list[Entry] = []
        for epoch in (self.epoch(when), self.epoch(when) - 1):
            raw = self.state.get(NAMESPACE, f"{epoch}{bucket}")
            if raw:
                found.extend(Entry(epoch, ref) for ref in _decode_refs(raw))
        return found

    def add(self, bucket: str, entry: Entry) -> None:
        key = f"{entry.epoch}{bucket}"
        kept = [r for r in _decode_refs(self.state.get(NAMESPACE, key) or b"") if r != entry.ref]
        kept = [*kept, entry.ref][-self.bucket_size :]
        self.state.put(NAMESPACE, key, b"".join(r.to_bytes(REF_BYTES, "little") for r in kept))

    def fingerprint(self, entry: Entry) -> Fingerprint | None:
        raw = self.state.get(NAMESPACE, f"{entry.epoch}f{_ref_key(entry.ref)}")
        return Fingerprint.decode(raw) if raw else None

    def earlier(self, entry: Entry, when: float) -> Fingerprint | None:
        """The entry's fingerprint if that article was published by ``when`` and at most a
        window before it."""
        found = self.fingerprint(entry)
        if found is None or not 0 <= when - found.published <= self.window:
            return None
        return found

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

        def others(buckets: list[str]) -> list[Entry]:
            return [e for b in buckets for e in index.entries(b, when) if e.ref != me]

        hit = (
            self._exact(index, others([f"x{_short(exact)}"]), when)
            or self._near(index, others([f"b{_short(b)}" for b in bands]), bits, when)
            or self._paraphrase(index, others([f"a{_short(a)}" for a in anchor_terms]), mine, when)
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
        entry = Entry(index.epoch(when), me)
        index.add(f"x{_short(exact)}", entry)
        for b in bands:
            index.add(f"b{_short(b)}", entry)
        for a in anchor_terms:
            index.add(f"a{_short(a)}", entry)

    def _exact(self, index: Index, entries: list[Entry], when: float) -> Hit | None:
        originals = [index.earlier(e, when) for e in {e.ref: e for e in entries}.values()]
        found = [o for o in originals if o is not None]
        if not found:
            return None
        original = min(found, key=lambda o: o.published)  # the first publication
        return Hit(
            _evidence(original, 1.0),
            kind="exact-duplicate",
            message=f"Exact copy of an earlier article ({original.id})",
        )

    def _near(self, index: Index, entries: list[Entry], bits: bytes, when: float) -> Hit | None:
        best: tuple[float, Fingerprint] | None = None
        for entry in {e.ref: e for e in entries}.values():
            original = index.earlier(entry, when)
            if original is None:
                continue
            similarity = estimate_jaccard(
                bits, original.minhash_bits, self.spec.bands * self.spec.rows
            )
            # The most similar; of equals, the first published.
            if similarity >= self.spec.near_threshold and (
                best is None or (similarity, -original.published) > (best[0], -best[1].published)
            ):
                best = (similarity, original)
        if best is None:
            return None
        similarity, original = best
        return Hit(
            _evidence(original, round(similarity, 3)),
            kind="near-duplicate",
            message=f"Near copy of an earlier article ({original.id}), "
            f"estimated similarity {similarity:.2f}",
        )

    def _paraphrase(
        self,
        index: Index,
        entries: list[Entry],
        mine: list[tuple[str, SentenceSketch]],
        when: float,
    ) -> Hit | None:
        spec = self.spec
        if len(mine) < spec.min_aligned:
            return None
        shared = Counter(e.ref for e in entries)
        entry_of = {e.ref: e for e in entries}
        ranked = (ref for ref, n in shared.most_common() if n >= spec.min_shared_anchors)
        # The `candidates` best-anchored earlier articles in the window.
        originals = (index.earlier(entry_of[ref], when) for ref in ranked)
        candidates = islice(
            (o for o in originals if o is not None and o.sentences), spec.candidates
        )
        best: tuple[float, list[dict[str, Any]], Fingerprint] | None = None
        ours = [k for _, k in mine]
        for original in candidates:
            scores = similarity_matrix(ours, list(original.sentences))
            best_match = scores.argmax(axis=1)
            pairs = [
                {
                    "sentence": n,
                    "text": text[:300],
                    "original_sentence": int(j),
                    "score": round(float(scores[n, j]), 3),
                }
                for n, ((text, _), j) in enumerate(zip(mine, best_match, strict=True))
                if scores[n, j] >= spec.sentence_threshold
            ]
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
