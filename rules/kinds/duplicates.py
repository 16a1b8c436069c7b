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

State: one fingerprint per remembered article in the state store, and buckets derived from
the fingerprints in memory (``rules.duplicate_index``), so one article is one state write.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any, Literal
from weakref import WeakKeyDictionary

from pydantic import Field, model_validator

from copydesk.rules.duplicate_index import DuplicateIndex, Entry, article_ref
from copydesk.rules.fingerprint import (
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
from copydesk.rules.identity import article_key
from copydesk.rules.kinds.base import Context, Document, Hit, Rule, RuleSpec, Stage
from copydesk.rules.state import StateStore

AUTHOR_CREDITS = ("dateline", "byline", "credit-line")  # a credit in the text cites, not signs


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


def _bucket(kind: int, value: int) -> int:
    """A 32-bit bucket key: the kind (exact, band, anchor) in the top 2 bits, 30 bits of the
    value's hash below."""
    return kind << 30 | value & 0x3FFFFFFF


EXACT, BAND, ANCHOR = 0, 1, 2


class DuplicatesRule(Rule):
    stage = Stage.DUPLICATES
    spec: DuplicatesSpec

    def __init__(self, spec: DuplicatesSpec) -> None:
        super().__init__(spec)
        # One index per state store it is run with: the worker's table, a filter run's file.
        self._indexes: WeakKeyDictionary[StateStore, DuplicateIndex] = WeakKeyDictionary()

    def _index(self, state: StateStore) -> DuplicateIndex:
        index = self._indexes.get(state)
        if index is None or index.generation != state.generation:
            index = DuplicateIndex(state, self.spec.window_days * 86400, self.spec.bucket_size)
            self._indexes[state] = index
        return index

    def apply(self, doc: Document, ctx: Context) -> Iterator[Hit]:
        spec = self.spec
        text = doc.text
        sentences = [(s, words(s)) for s in split_sentences(text)]
        tokens = [token for _, sentence_words in sentences for token in sentence_words]
        if len(tokens) < spec.min_words:
            return
        when = doc.event_time(ctx).timestamp()
        index = self._index(ctx.state)
        me = article_ref(doc.key)
        signature = minhash(tokens, spec.shingle, spec.bands * spec.rows, spec.seed)
        bits = pack_nibbles(signature)
        exact = exact_hash(tokens)
        bands = [_bucket(BAND, b) for b in band_hashes(signature, spec.bands, spec.rows)]
        mine = [
            (s, k)
            for s, k in ((s, sketch_words(sentence_words)) for s, sentence_words in sentences)
            if len(k.terms) >= 3
        ]
        anchor_terms = [
            _bucket(ANCHOR, a) for a in anchors(text, [s for s, _ in sentences], spec.anchors)
        ]
        hit = (
            self._exact(index, index.candidates([_bucket(EXACT, exact)], when, me), exact, when)
            or self._near(index, index.candidates(bands, when, me), bits, when)
            or self._paraphrase(index, index.candidates(anchor_terms, when, me), mine, when)
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
            buckets=(_bucket(EXACT, exact), *bands, *anchor_terms),
        )
        index.remember(me, fingerprint)
        # After the fingerprint: on the local broker a recovering table gets only the first
        # record of its changelog's last batch (Tansu's ListOffsets bug, see the README), and
        # the sweep marker is the one that can be lost.
        index.sweep(when)

    def _exact(
        self, index: DuplicateIndex, entries: list[Entry], exact: int, when: float
    ) -> Hit | None:
        originals = [index.earlier(e, when) for e in {e.ref: e for e in entries}.values()]
        # The bucket key holds 30 bits of the hash: the full hash tells a collision apart.
        found = [o for o in originals if o is not None and o.exact == exact]
        if not found:
            return None
        original = min(found, key=lambda o: o.published)  # the first publication
        return Hit(
            _evidence(original, 1.0),
            kind="exact-duplicate",
            message=f"Exact copy of an earlier article ({original.id})",
        )

    def _near(
        self, index: DuplicateIndex, entries: list[Entry], bits: bytes, when: float
    ) -> Hit | None:
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
        index: DuplicateIndex,
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
