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

import numpy as np
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
    sentence_keys,
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
    query_spread: int = Field(
        default=4,
        ge=2,
        le=8,
        description="A sentence looks up every pair of its this many lowest-ranked stems.",
    )
    min_shared_keys: int = Field(
        default=1, ge=1, description="Retrieval keys (anchors, sentence keys) a candidate shares."
    )
    candidates: int = Field(default=5, ge=1, le=50, description="Reuse candidates aligned.")
    sentence_threshold: float = Field(
        default=0.4, gt=0, le=1, description="Score at which two sentences align (MSRP-tuned)."
    )
    min_aligned: int = Field(default=3, ge=1, description="Aligned sentences for a reuse flag.")
    min_coverage: float = Field(
        default=0.2,
        gt=0,
        le=1,
        description="Share of the article's sentences that must align, each counted by its score.",
    )
    same_wording: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="Mean score of the aligned sentences from which the wording is the"
        " original's: a near-duplicate or an excerpt, not a paraphrase.",
    )
    excerpt_below: float = Field(
        default=0.6,
        gt=0,
        le=1,
        description="A copy in the original's wording that covers less than this share of the"
        " original's sentences is an excerpt.",
    )
    common_sentence: int = Field(
        default=8,
        ge=2,
        description="A sentence whose key this many remembered articles hold is a template or"
        " boilerplate sentence: it does not count as aligned.",
    )
    bucket_size: int = Field(default=32, ge=1, le=1024, description="Entries kept per bucket.")

    @model_validator(mode="after")
    def _sane(self) -> DuplicatesSpec:
        if self.same_wording < self.sentence_threshold:
            raise ValueError("same_wording cannot be below sentence_threshold")
        return self

    def build(self) -> DuplicatesRule:
        return DuplicatesRule(self)


def _bucket(kind: int, value: int) -> int:
    """A 32-bit bucket key: the kind (exact, band, anchor) in the top 2 bits, 30 bits of the
    value's hash below."""
    return kind << 30 | value & 0x3FFFFFFF


EXACT, BAND, ANCHOR, SENTENCE = 0, 1, 2, 3


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

    def _sentences(self, doc: Document) -> tuple[list[tuple[str, list[str]]], list[str]]:
        """Sentences with their words, and all the words: of the cleaned text, or of the text
        before stripping when the strip rules left too little to compare (a short article whose
        headline and last paragraph were cut must not escape)."""
        spec = self.spec
        for text in (doc.text, doc.body.original):
            sentences = [(s, words(s)) for s in split_sentences(text)]
            tokens = [token for _, sentence_words in sentences for token in sentence_words]
            if len(tokens) >= spec.min_words and len(sentences) >= spec.min_aligned:
                break
        return sentences, tokens

    def apply(self, doc: Document, ctx: Context) -> Iterator[Hit]:
        spec = self.spec
        sentences, tokens = self._sentences(doc)
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
            (s, sentence_words, k)
            for s, sentence_words, k in (
                (s, sentence_words, sketch_words(sentence_words)) for s, sentence_words in sentences
            )
            if len(k.terms) >= 3
        ][:MAX_SENTENCES]
        # Stored: one key per sentence. Looked up: the pairs among a few more of its stems.
        stored_keys = [
            [_bucket(SENTENCE, key) for key in sentence_keys(sentence_words, 2)]
            for _, sentence_words, _ in mine
        ]
        query_keys = [
            _bucket(SENTENCE, key)
            for _, sentence_words, _ in mine
            for key in sentence_keys(sentence_words, spec.query_spread)
        ]
        anchor_terms = [
            _bucket(ANCHOR, a) for a in anchors(doc.text, [s for s, _ in sentences], spec.anchors)
        ]
        hit = (
            self._exact(index, index.candidates([_bucket(EXACT, exact)], when, me), exact, when)
            or self._near(index, index.candidates(bands, when, me), bits, when)
            or self._reuse(
                index,
                index.candidates(dict.fromkeys([*anchor_terms, *query_keys]), when, me),
                [(s, k) for s, _, k in mine],
                self._common(index, stored_keys, when, me),
                when,
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
            sentences=tuple(k for _, _, k in mine),
            buckets=tuple(
                dict.fromkeys(
                    [
                        _bucket(EXACT, exact),
                        *bands,
                        *anchor_terms,
                        *(key for keys in stored_keys for key in keys),
                    ]
                )
            ),
        )
        index.remember(me, fingerprint)
        # After the fingerprint: on the local broker a recovering table gets only the first
        # record of its changelog's last batch (Tansu's ListOffsets bug, see the README), and
        # the sweep marker is the one that can be lost.
        index.sweep(when)

    def _common(
        self, index: DuplicateIndex, stored_keys: list[list[int]], when: float, me: int
    ) -> set[int]:
        """The sentences (by position) whose key many remembered articles hold: template and
        boilerplate sentences, which say nothing about reuse."""
        limit = self.spec.common_sentence
        return {
            n
            for n, keys in enumerate(stored_keys)
            if keys and len({e.ref for e in index.candidates(keys, when, me)}) >= limit
        }

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

    def _reuse(
        self,
        index: DuplicateIndex,
        entries: list[Entry],
        mine: list[tuple[str, SentenceSketch]],
        common: set[int],
        when: float,
    ) -> Hit | None:
        spec = self.spec
        if len(mine) - len(common) < spec.min_aligned:
            return None
        shared = Counter(e.ref for e in entries)
        entry_of = {e.ref: e for e in entries}
        ranked = (ref for ref, n in shared.most_common() if n >= spec.min_shared_keys)
        # The `candidates` earlier articles in the window that share the most keys.
        originals = (index.earlier(entry_of[ref], when) for ref in ranked)
        candidates = islice(
            (o for o in originals if o is not None and o.sentences), spec.candidates
        )
        ours = [k for _, k in mine]
        counted = len(mine) - len(common)
        best: tuple[float, list[tuple[int, int, float]], Fingerprint] | None = None
        for original in candidates:
            theirs = list(original.sentences)
            pairs = [
                (n, j, score)
                for n, j, score in align(ours, theirs, spec.sentence_threshold)
                if n not in common
            ]
            if _template(ours, theirs, pairs):
                continue
            # Each aligned sentence counts by its score: many loosely similar sentences, which
            # two texts on one topic have, weigh less than a few retold ones.
            coverage = sum(score for _, _, score in pairs) / counted
            if (
                len(pairs) >= spec.min_aligned
                and coverage >= spec.min_coverage
                and (best is None or coverage > best[0])
            ):
                best = (coverage, pairs, original)
        if best is None:
            return None
        coverage, pairs, original = best
        wording = sum(score for _, _, score in pairs) / len(pairs)
        of_original = len(pairs) / len(original.sentences)
        if wording < spec.same_wording:
            kind, what = "paraphrase", "Retells"
        elif of_original < spec.excerpt_below:
            kind, what = "excerpt", "Copies a part of"
        else:
            kind, what = "near-duplicate", "Nearly copies"
        evidence = _evidence(original, round(coverage, 3))
        evidence["aligned"] = [
            {
                "sentence": n,
                "text": mine[n][0][:300],
                "original_sentence": j,
                "score": round(score, 3),
            }
            for n, j, score in pairs
        ]
        evidence["sentences"] = len(mine)
        evidence["original_coverage"] = round(min(of_original, 1.0), 3)
        evidence["wording"] = round(wording, 3)
        return Hit(
            evidence,
            kind=kind,
            message=f"{what} an earlier article ({original.id}): {len(pairs)} of "
            f"{len(mine)} sentences align with {len(pairs)} of its {len(original.sentences)}",
        )


def _template(
    ours: list[SentenceSketch], theirs: list[SentenceSketch], pairs: list[tuple[int, int, float]]
) -> bool:
    """Whether the aligned sentences are a template filled in twice: where both sentences of a
    pair state figures, they mostly disagree (a rewrite keeps the figures; a market wrap, a
    score line or a generated company profile changes exactly those)."""
    with_figures = [
        ours[n].numbers == theirs[j].numbers
        for n, j, _ in pairs
        if ours[n].numbers and theirs[j].numbers
    ]
    disagree = with_figures.count(False)
    return disagree >= 2 and disagree > len(with_figures) - disagree


def align(
    ours: list[SentenceSketch], theirs: list[SentenceSketch], threshold: float
) -> list[tuple[int, int, float]]:
    """One-to-one sentence alignment, best pairs first: ``(our sentence, their sentence,
    score)`` for pairs scoring at least ``threshold``, in our order. One-to-one, so that a line
    repeated in either text (a title, a slogan) counts once."""
    scores = similarity_matrix(ours, theirs)
    rows, cols = np.nonzero(scores >= threshold)
    order = np.argsort(-scores[rows, cols], kind="stable")
    used_ours: set[int] = set()
    used_theirs: set[int] = set()
    pairs: list[tuple[int, int, float]] = []
    for n, j in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        if n not in used_ours and j not in used_theirs:
            used_ours.add(n)
            used_theirs.add(j)
            pairs.append((n, j, float(scores[n, j])))
    return in_order(sorted(pairs))


def in_order(pairs: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """The heaviest subsequence of ``pairs`` (sorted by our sentence) whose sentences of theirs
    also ascend: a copy or a retelling keeps the order of the story, while sentences two texts
    on one topic happen to share fall in any order."""
    weight = [score for _, _, score in pairs]
    before = [-1] * len(pairs)
    for b, (_, jb, score) in enumerate(pairs):
        for a in range(b):
            if pairs[a][1] < jb and weight[a] + score > weight[b]:
                weight[b], before[b] = weight[a] + score, a
    if not pairs:
        return []
    at = max(range(len(pairs)), key=weight.__getitem__)
    chain: list[tuple[int, int, float]] = []
    while at >= 0:
        chain.append(pairs[at])
        at = before[at]
    return chain[::-1]


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
