"""``duplicates``: flag an article that copies, nearly copies, excerpts or retells one
published earlier in the window, naming the earlier article; and, when an original arrives
after its copy, a late finding for the copy.

- **exact-duplicate**: same body once case, whitespace and punctuation are normalised away;
- **near-duplicate**: MinHash over word shingles, LSH banding to find candidates (documents that
  agree on all ``rows`` values of one of ``bands`` bands), confirmed by the estimated Jaccard
  similarity. The chance that a pair with similarity s becomes a candidate is
  ``1 - (1 - s**rows)**bands``: with 14 bands of 8 rows, 0.6 → 0.19, 0.7 → 0.57, 0.8 → 0.96,
  0.9 → 1.00 (the S-curve's midpoint is near (1/14)**(1/8) ≈ 0.72);
- **excerpts and rewrites**: candidates share per-sentence keys (pairs of stemmed content words,
  ``fingerprint.sketch_words``) or anchors (figures, names, quotations); the sentences of the
  new article are aligned one to one and in order with the candidate's by content-word overlap
  (disagreeing figures penalised), each counting by its score. The kind follows the reuse:
  the original's wording over most of it is a near-duplicate, over a part of it an excerpt,
  over the whole of a shorter original that is a small part of the new article an expansion,
  other wording a paraphrase.

State: one fingerprint per remembered article in the state store, and buckets derived from
the fingerprints in memory (``rules.duplicate_index``), so one article is one state write.
"""

from __future__ import annotations

import struct
from base64 import b64decode, b64encode
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice, pairwise
from typing import Any, Literal
from weakref import WeakKeyDictionary

import numpy as np
from pydantic import Field

from copydesk.rules.duplicate_index import DuplicateIndex, Found, article_ref
from copydesk.rules.fingerprint import (
    LEAD_SENTENCES,
    MAX_SENTENCES,
    Fingerprint,
    SentenceSketch,
    anchors,
    band_hashes,
    estimate_jaccard,
    exact_hash,
    minhash,
    pack_nibbles,
    quoted,
    sketch_words,
    split_sentences,
    words,
)
from copydesk.rules.identity import article_key
from copydesk.rules.kinds.base import Context, Document, Hit, LateHit, Rule, RuleSpec, Stage
from copydesk.rules.records import AUTHOR_CREDITS
from copydesk.rules.sentence_scorer import (
    Matrix,
    joined_similarity_matrix,
    shared_wording,
    similarity_matrix_above,
)
from copydesk.rules.state import StateStore

LATE_READS_PER_CANDIDATE = 4
EVIDENCE_CHARS = 300  # of each aligned sentence, in a finding's evidence
QUOTATION_WEIGHT = 0.5  # of an aligned quotation in the coverage (set by hand, not tuned)
# A long article is compared again on every sentence where this share of a short earlier
# one's sentences already aligns with those it compares: rarely met by chance (never in
# `bench.speed`'s 2,000 articles, where any aligned sentence as the bar sent 1,120 of them back
# and the duplicates rule took a quarter longer).
PARTLY_HELD = 0.3


@dataclass(frozen=True)
class Sketched:
    """An article's side of every comparison, made from the article alone: its fingerprint
    (publication time not yet set) and its lookup keys. The strip agent makes it and sends it
    on as JSON (``to_json``)."""

    fingerprint: Fingerprint
    bands: list[int]
    looked_up: list[list[int]]
    anchor_terms: list[int]

    def to_json(self) -> dict[str, Any]:
        # Bucket keys are 32-bit: packed, they take a third of the room decimal JSON does.
        return {
            "fingerprint": b64encode(self.fingerprint.encode()).decode(),
            "bands": _pack(self.bands),
            "looked_up": _pack([key for keys in self.looked_up for key in keys]),
            "per_sentence": [len(keys) for keys in self.looked_up],
            "anchors": _pack(self.anchor_terms),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Sketched:
        keys = iter(_unpack(data["looked_up"]))
        looked_up = [list(islice(keys, n)) for n in data["per_sentence"]]
        return cls(
            Fingerprint.decode(b64decode(data["fingerprint"])),
            _unpack(data["bands"]),
            looked_up,
            _unpack(data["anchors"]),
        )


@dataclass(frozen=True)
class Candidates:
    """What the index holds for one article (``DuplicatesRule.look_up``), for ``apply`` to
    judge: the article's fingerprint with its publication time, the earlier articles each test
    compares it with, its template sentences (by position), and the later articles it may be
    the original of. The flag agent sends it on as JSON (``to_json``): each fingerprint once,
    cut out of the bytes the index stores (``Fingerprint.carried``)."""

    fingerprint: Fingerprint
    exact: list[Fingerprint]
    near: list[Fingerprint]
    reuse: list[Fingerprint]
    common: set[int]
    later: list[Fingerprint]

    def to_json(self) -> dict[str, Any]:
        position: dict[int, int] = {}  # id() of a fingerprint -> its place in "fingerprints"
        encoded: list[str] = []
        # Only an alignment reads sentences: exact and near candidates go without theirs.
        aligned = {id(fingerprint) for fingerprint in [*self.reuse, *self.later]}

        def places(found: list[Fingerprint]) -> list[int]:
            for fingerprint in found:
                if id(fingerprint) not in position:
                    position[id(fingerprint)] = len(encoded)
                    carried = fingerprint.carried(sentences=id(fingerprint) in aligned)
                    encoded.append(b64encode(carried).decode())
            return [position[id(fingerprint)] for fingerprint in found]

        found = {name: places(getattr(self, name)) for name in CANDIDATE_LISTS}
        return {
            "fingerprint": b64encode(self.fingerprint.carried(sentences=True)).decode(),
            # Encoded in whole seconds; the article's own time is kept as it was.
            "published": self.fingerprint.published,
            "fingerprints": encoded,
            **found,
            "common": sorted(self.common),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Candidates:
        decoded = [_carried(b64decode(raw)) for raw in data["fingerprints"]]
        mine = Fingerprint.decode(b64decode(data["fingerprint"]))
        return cls(
            mine.published_at(float(data["published"])),
            common={int(n) for n in data["common"]},
            **{name: [decoded[n] for n in data[name]] for name in CANDIDATE_LISTS},
        )


CANDIDATE_LISTS = ("exact", "near", "reuse", "later")
# The align stage's counterpart of the index's decoded fingerprints (``rules.duplicate_index``):
# a remembered article is a candidate for several that follow it, and comes in the same bytes.
_carried = lru_cache(maxsize=1024)(Fingerprint.decode)


def _pack(keys: list[int]) -> str:
    return b64encode(np.array(keys, "<u4").tobytes()).decode()


def _unpack(packed: str) -> list[int]:
    keys: list[int] = np.frombuffer(b64decode(packed), "<u4").tolist()
    return keys


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
        default=2, ge=1, description="Retrieval keys (anchors, sentence keys) a candidate shares."
    )
    candidates: int = Field(default=5, ge=1, le=50, description="Reuse candidates aligned.")
    sentence_threshold: float = Field(
        default=0.3,
        gt=0,
        le=1,
        description="The sentence scorer's probability at which two sentences align"
        " (chosen on Clough).",
    )
    merged_share: float = Field(
        default=0.35,
        ge=0,
        le=1,
        description="A sentence scored against two of the earlier article's joined (a merge)"
        " counts only when it holds this share of each one's content words.",
    )
    min_aligned: int = Field(default=3, ge=1, description="Aligned sentences for a reuse flag.")
    min_coverage: float = Field(
        default=0.2,
        gt=0,
        le=1,
        description="Share of the article's sentences that must align, each counted by its score.",
    )
    contained_share: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description="A later article that aligns with this share of an earlier one's sentences"
        " (each counted by its score) holds it, however little of its own sentences that is: a"
        " brief padded out. 0 turns it off.",
    )
    same_wording: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="Mean share of content words the aligned sentences have in common (Dice),"
        " from which the wording is the"
        " original's: a near-duplicate or an excerpt, not a paraphrase.",
    )
    excerpt_below: float = Field(
        default=0.6,
        gt=0,
        le=1,
        description="A copy in the original's wording that covers less than this share of the"
        " original's sentences is an excerpt; one whose original has fewer than this share as"
        " many sentences as it, an expansion.",
    )
    common_sentence: int = Field(
        default=8,
        ge=2,
        description="A sentence whose key this many remembered articles hold is a template or"
        " boilerplate sentence: it does not count as aligned.",
    )
    bucket_size: int = Field(default=32, ge=1, le=1024, description="Entries kept per bucket.")

    def build(self) -> DuplicatesRule:
        return DuplicatesRule(self)


def _bucket(kind: int, value: int) -> int:
    """A 32-bit bucket key: the kind (exact, band, anchor) in the top 2 bits, 30 bits of the
    value's hash below."""
    return kind << 30 | value & 0x3FFFFFFF


EXACT, BAND, ANCHOR, SENTENCE = 0, 1, 2, 3


class DuplicatesRule(Rule):
    stage = Stage.DUPLICATES
    shared_state = True
    prepares = True
    spec: DuplicatesSpec

    def __init__(self, spec: DuplicatesSpec) -> None:
        super().__init__(spec)
        # One index per state store it is run with: the worker's table, a filter run's file.
        self._indexes: WeakKeyDictionary[StateStore, DuplicateIndex] = WeakKeyDictionary()
        # The last article prepared, as sent and as made: run in one process (``copydesk
        # filter``), the flag stage gets it back at once and need not decode it.
        self._last_prepared: tuple[dict[str, Any], Sketched] | None = None
        # The same for the last article looked up, from the flag stage to the align stage.
        self._last_looked_up: tuple[dict[str, Any], Candidates] | None = None

    def _index(self, state: StateStore) -> DuplicateIndex:
        index = self._indexes.get(state)
        if index is None or index.generation != state.generation:
            index = DuplicateIndex(state, self.spec.window_days * 86400, self.spec.bucket_size)
            self._indexes[state] = index
        return index

    def _compared(self, doc: Document) -> tuple[str, list[tuple[str, list[str]]], list[str]]:
        """The text compared, its sentences with their words, and all its words: the cleaned
        text, or the text before stripping when the strip rules left too little to compare (a
        short article whose headline and last paragraph were cut must not escape)."""
        spec = self.spec
        for text in (doc.text, doc.body.original):
            sentences = [(s, words(s)) for s in split_sentences(text)]
            tokens = [token for _, sentence_words in sentences for token in sentence_words]
            if len(tokens) >= spec.min_words and len(sentences) >= spec.min_aligned:
                break
        return text, sentences, tokens

    def prepare(self, doc: Document) -> dict[str, Any] | None:
        """The article's sketches and lookup keys, made from it alone (see ``Rule.prepare``)."""
        sketched = self._sketch(doc)
        if sketched is None:
            return None
        prepared = sketched.to_json()
        self._last_prepared = (prepared, sketched)
        return prepared

    def _decoded(self, prepared: dict[str, Any]) -> Sketched:
        last = self._last_prepared
        return last[1] if last is not None and last[0] == prepared else Sketched.from_json(prepared)

    def _sketch(self, doc: Document) -> Sketched | None:
        spec = self.spec
        text, sentences, tokens = self._compared(doc)
        if len(tokens) < spec.min_words:
            return None
        signature = minhash(tokens, spec.shingle, spec.bands * spec.rows, spec.seed)
        exact = exact_hash(tokens)
        bands = [_bucket(BAND, b) for b in band_hashes(signature, spec.bands, spec.rows)]
        mine = _distinct_sentences(sentences, spec.query_spread)
        # Looked up: the pairs among a few of each sentence's lowest-ranked stems. Stored: the
        # first of them, the pair of its two lowest.
        looked_up = [[_bucket(SENTENCE, key) for key in keys] for _, _, keys in mine]
        anchor_terms = [
            _bucket(ANCHOR, a) for a in anchors(text, [s for s, _ in sentences], spec.anchors)
        ]
        fingerprint = Fingerprint(
            id=doc.article.id,
            source=doc.article.source or "",
            url=doc.article.url or "",
            credited="|".join(
                dict.fromkeys(c.source for c in doc.credits if c.where in AUTHOR_CREDITS)
            ),
            published=0.0,  # set when it is looked up: the event time needs the clock then
            exact=exact,
            minhash_bits=pack_nibbles(signature),
            sentences=tuple(sketch for _, sketch, _ in mine),
            truncated=len(sentences) > MAX_SENTENCES,
            buckets=tuple(
                dict.fromkeys(
                    [
                        _bucket(EXACT, exact),
                        *bands,
                        *anchor_terms,
                        *(keys[0] for keys in looked_up if keys),
                    ]
                )
            ),
        )
        return Sketched(fingerprint, bands, looked_up, anchor_terms)

    def _sentence_texts(self, doc: Document) -> list[str]:
        """The compared sentences, as the evidence of a reuse finding quotes them: made again
        for a flagged article only, so that the strip stage need not send them on."""
        _, sentences, _ = self._compared(doc)
        return [text for text, _, _ in _distinct_sentences(sentences, 0)]

    def look_up(self, doc: Document, ctx: Context) -> dict[str, Any] | None:
        """The earlier articles that ``apply`` compares this one with, and the later ones it
        may be the original of, as the index holds them; then the article is remembered."""
        spec = self.spec
        # Prepared by the strip agent; made here when the record came without it (offline
        # filtering prepares too; a record from a worker of an older version does not).
        try:
            prepared = doc.prepared[spec.id]
            sketched = None if prepared is None else self._decoded(prepared)
        except (LookupError, TypeError, ValueError, struct.error):
            sketched = self._sketch(doc)
        if sketched is None:
            return None
        when = doc.event_time(ctx).timestamp()
        index = self._index(ctx.state)
        me = article_ref(doc.key)
        fingerprint = sketched.fingerprint.published_at(when)
        looked_up = sketched.looked_up
        stored_keys = [keys[:1] for keys in looked_up]
        query_keys = [key for keys in looked_up for key in keys]
        exact = index.candidates([_bucket(EXACT, fingerprint.exact)], when, me)
        near = index.candidates(sketched.bands, when, me)
        reuse = index.candidates(dict.fromkeys([*sketched.anchor_terms, *query_keys]), when, me)
        found = Candidates(
            fingerprint,
            exact=self._earlier(index, exact, when),
            near=self._earlier(index, near, when),
            reuse=self._reuse_candidates(index, reuse, when),
            common=self._common(index, stored_keys, when),
            later=self._later(index, [exact, near, reuse], when),
        )
        index.remember(me, fingerprint)
        # After the fingerprint: on the local broker a recovering table gets only the first
        # record of its changelog's last batch (Tansu's ListOffsets bug, see the README), and
        # the sweep marker is the one that can be lost.
        index.sweep(when)
        carried = found.to_json()
        self._last_looked_up = (carried, found)
        return carried

    def apply(self, doc: Document, ctx: Context) -> Iterator[Hit | LateHit]:
        carried = doc.looked_up.get(self.spec.id)
        if carried is None:  # too short to compare, or a rule the flag stage did not run
            return
        last = self._last_looked_up
        found = (
            last[1] if last is not None and last[0] == carried else Candidates.from_json(carried)
        )
        fingerprint = found.fingerprint
        hit = (
            self._exact(found.exact, fingerprint.exact)
            or self._near(found.near, fingerprint.minhash_bits)
            or self._reuse(found.reuse, doc, fingerprint.sentences, found.common)
        )
        if hit is not None:
            yield hit
        yield from self._late(found.later, fingerprint)

    @staticmethod
    def _earlier(index: DuplicateIndex, found: Found, when: float) -> list[Fingerprint]:
        """The articles found published by ``when`` and inside the window, once each."""
        originals = (index.earlier(found.entry(ref), when) for ref in dict.fromkeys(found.refs))
        return [o for o in originals if o is not None]

    def _reuse_candidates(
        self, index: DuplicateIndex, found: Found, when: float
    ) -> list[Fingerprint]:
        """The ``candidates`` earlier articles in the window that share the most keys."""
        shared = Counter(found.refs)
        ranked = (ref for ref, n in shared.most_common() if n >= self.spec.min_shared_keys)
        originals = (index.earlier(found.entry(ref), when) for ref in ranked)
        return list(
            islice((o for o in originals if o is not None and o.sentences), self.spec.candidates)
        )

    def _later(
        self, index: DuplicateIndex, look_ups: list[Found], when: float
    ) -> list[Fingerprint]:
        """Articles seen before this one but published after it (at most ``candidates``): in a
        stream, crawl order is not publication order, and a rewrite is often crawled before its
        original."""
        if not index.may_hold_later(when):
            return []
        found = Found.together(look_ups)
        shared = Counter(found.refs)
        # Most articles arrive after their originals, so most of these reads find an earlier
        # article: only the best-sharing few are read (a state read each, RocksDB in the worker).
        ranked = shared.most_common(LATE_READS_PER_CANDIDATE * self.spec.candidates)
        later = (index.later(found.entry(ref), when) for ref, _ in ranked)
        return list(islice((c for c in later if c is not None), self.spec.candidates))

    def _common(self, index: DuplicateIndex, stored_keys: list[list[int]], when: float) -> set[int]:
        """The sentences (by position) whose key many remembered articles hold: template and
        boilerplate sentences, which say nothing about reuse."""
        keyed = [(n, keys[0]) for n, keys in enumerate(stored_keys) if keys]
        sizes = index.sizes([key for _, key in keyed], when)
        return {
            n
            for (n, _), size in zip(keyed, sizes, strict=True)
            if size >= self.spec.common_sentence
        }

    def _exact(self, originals: list[Fingerprint], exact: int) -> Hit | None:
        # The bucket key holds 30 bits of the hash: the full hash tells a collision apart.
        found = [o for o in originals if o.exact == exact]
        if not found:
            return None
        return _exact_hit(min(found, key=lambda o: o.published))  # the first publication

    def _near(self, originals: list[Fingerprint], bits: bytes) -> Hit | None:
        best: tuple[float, Fingerprint] | None = None
        for original in originals:
            similarity = self._similarity(bits, original)
            # The most similar; of equals, the first published.
            if similarity >= self.spec.near_threshold and (
                best is None or (similarity, -original.published) > (best[0], -best[1].published)
            ):
                best = (similarity, original)
        return None if best is None else _near_hit(*best)

    def _similarity(self, bits: bytes, other: Fingerprint) -> float:
        return estimate_jaccard(bits, other.minhash_bits, self.spec.bands * self.spec.rows)

    def _reuse(
        self,
        candidates: list[Fingerprint],
        doc: Document,
        ours: tuple[SentenceSketch, ...],
        common: Collection[int],
    ) -> Hit | None:
        best, partly = self._best_aligned(candidates, ours, common)
        if best is not None and len(best[0].pairs) >= self.spec.excerpt_below * best[0].theirs:
            return self._reuse_hit(*best, self._sentence_texts(doc))
        # Some of our sentences align with these, too few, or with part of the best one only: of
        # a long article only MAX_SENTENCES are compared, and a short earlier one that it holds
        # whole (a brief behind an introduction of its own) may lie mostly among the others.
        # Compared again on every sentence: only here, where part of it already aligns, is that
        # paid for.
        again = self._second_look(doc, [*([best[1]] if best else []), *partly], common)
        if again is not None and (best is None or len(again[0].pairs) > len(best[0].pairs)):
            return self._reuse_hit(*again)
        return None if best is None else self._reuse_hit(*best, self._sentence_texts(doc))

    def _second_look(
        self, doc: Document, partly: list[Fingerprint], common: Collection[int]
    ) -> tuple[Alignment, Fingerprint, list[str]] | None:
        """The best of ``partly`` aligned with every sentence of a long article, and those
        sentences' texts; None where the article was compared whole already."""
        if not partly:
            return None
        _, sentences, _ = self._compared(doc)
        if len(sentences) <= MAX_SENTENCES:
            return None  # all of it was compared
        # Only a short one can be held whole (a longer one was compared on what it keeps).
        partly = [
            o
            for o in partly
            if not o.truncated and len(o.sentences) < self.spec.excerpt_below * len(sentences)
        ]
        if not partly:
            return None
        every = [(text, found) for text, found, _ in _distinct_sentences(sentences, 0, None)]
        compared = [text for text, _, _ in _distinct_sentences(sentences, 0)]
        template = {compared[n] for n in common}
        best, _ = self._best_aligned(
            partly,
            tuple(sketch for _, sketch in every),
            {n for n, (text, _) in enumerate(every) if text in template},
        )
        return None if best is None else (*best, [text for text, _ in every])

    def _best_aligned(
        self,
        candidates: list[Fingerprint],
        ours: tuple[SentenceSketch, ...],
        common: Collection[int],
    ) -> tuple[tuple[Alignment, Fingerprint] | None, list[Fingerprint]]:
        """The best of ``candidates`` that ours retell, and those that ours do not, though
        ``PARTLY_HELD`` of their sentences align (and not as a template filled in twice)."""
        scores = _scores(
            ours,
            [o.sentences for o in candidates],
            self._joins(ours, [o.sentences for o in candidates], common),
            self.spec.merged_share,
            self.spec.sentence_threshold,
        )
        best: tuple[Alignment, Fingerprint] | None = None
        partly: list[Fingerprint] = []
        for original, their_scores in zip(candidates, scores, strict=True):
            pairs = self._pairs(their_scores, common)
            found = self._judged(ours, original.sentences, pairs, common)
            if found is None:
                held = len(pairs) >= max(2, PARTLY_HELD * len(original.sentences))
                if held and not _template(ours, original.sentences, pairs):
                    partly.append(original)
            # The best covered; of equals, the first published (a copy of a copy names the
            # original).
            elif best is None or (found.coverage, -original.published) > (
                best[0].coverage,
                -best[1].published,
            ):
                best = (found, original)
        return best, partly

    def _joins(
        self,
        ours: tuple[SentenceSketch, ...],
        candidates: Sequence[tuple[SentenceSketch, ...]],
        common: Collection[int] = (),
    ) -> Callable[[int, Matrix], bool]:
        """``_scores``' ``join_if`` for these candidates."""
        return lambda n, plain: self._worth_joining(ours, candidates[n], plain, common)

    def _worth_joining(
        self,
        ours: tuple[SentenceSketch, ...],
        theirs: tuple[SentenceSketch, ...],
        plain: Matrix,
        common: Collection[int] = (),
    ) -> bool:
        """Whether their sentences joined two by two are worth scoring: sentence by sentence,
        two or more already align, yet the texts do not (a template stays one)."""
        if np.count_nonzero(plain >= self.spec.sentence_threshold) < 2:
            return False
        pairs = self._pairs(plain, common)
        return not _template(ours, theirs, pairs) and (
            self._judged(ours, theirs, pairs, common) is None
        )

    def _pairs(self, scores: Matrix, common: Collection[int]) -> list[tuple[int, int, float]]:
        """Our sentences aligned to theirs one to one and in order, our ``common`` (template)
        sentences left out."""
        threshold = self.spec.sentence_threshold
        return [(n, j, score) for n, j, score in align(scores, threshold) if n not in common]

    def _aligned(
        self,
        ours: tuple[SentenceSketch, ...],
        theirs: tuple[SentenceSketch, ...],
        scores: Matrix,
        common: Collection[int] = (),
    ) -> Alignment | None:
        """How our sentences retell theirs, if they do. ``scores`` are the pairs'
        probabilities (``_scores``)."""
        return self._judged(ours, theirs, self._pairs(scores, common), common)

    def _judged(
        self,
        ours: tuple[SentenceSketch, ...],
        theirs: tuple[SentenceSketch, ...],
        pairs: list[tuple[int, int, float]],
        common: Collection[int],
    ) -> Alignment | None:
        """The alignment ``pairs`` make (``_pairs``), if it is a retelling: enough of our
        sentences, enough covered, and not a template filled in twice."""
        spec = self.spec
        counted = len(ours) - len(common)
        # A short article (of min_words or more) is judged on all its sentences, two at least.
        needed = max(min(spec.min_aligned, counted), 2)
        if counted < needed or not theirs:
            return None
        if len(pairs) < needed or _template(ours, theirs, pairs):
            return None
        # Each aligned sentence counts by its score: many loosely similar sentences, which two
        # texts on one topic have, weigh less than a few retold ones. A quotation counts half:
        # a rewrite keeps it, but two reports of one event quote the same statement too.
        aligned = sum(
            score * (QUOTATION_WEIGHT if ours[n].quoted or theirs[j].quoted else 1.0)
            for n, j, score in pairs
        )
        coverage = aligned / counted
        # Or enough of theirs is here: a short earlier article that a long one holds whole (a
        # wire brief padded out) is a small part of the long one's sentences.
        holds = spec.contained_share > 0 and aligned >= spec.contained_share * len(theirs)
        if coverage < spec.min_coverage and not holds:
            return None
        # The kind follows the wording, which the scorer's probability does not tell: a good
        # rewording is as likely a paraphrase as a copy is.
        wording = sum(_wording(ours[n], theirs, j) for n, j, _ in pairs) / len(pairs)
        return Alignment(pairs, coverage, wording, len(ours), len(theirs))

    def _reuse_hit(
        self, alignment: Alignment, original: Fingerprint, texts: list[str] | None
    ) -> Hit:
        """The finding for an alignment: its kind follows how close the wording is and how much
        of the original it covers."""
        spec = self.spec
        pairs = alignment.pairs
        wording = alignment.wording
        of_original = len(pairs) / alignment.theirs
        if wording < spec.same_wording:
            kind, what = "paraphrase", "Retells"
        elif of_original < spec.excerpt_below:
            kind, what = "excerpt", "Copies a part of"
        elif alignment.theirs < spec.excerpt_below * alignment.ours:
            kind, what = "expansion", "Copies and adds to"
        else:
            kind, what = "near-duplicate", "Nearly copies"
        evidence = _evidence(original, round(alignment.coverage, 3))
        evidence["aligned"] = [
            {
                "sentence": n,
                **({"text": texts[n][:EVIDENCE_CHARS]} if texts is not None else {}),
                "original_sentence": j,
                "score": round(score, 3),
            }
            for n, j, score in pairs
        ]
        evidence["sentences"] = alignment.ours
        evidence["original_coverage"] = round(of_original, 3)
        evidence["wording"] = round(wording, 3)
        return Hit(
            evidence,
            kind=kind,
            message=f"{what} an earlier article ({original.id}): {len(pairs)} of "
            f"{alignment.ours} sentences align with {len(pairs)} of its {alignment.theirs}",
        )

    def _late(self, copies: list[Fingerprint], original: Fingerprint) -> Iterator[LateHit]:
        """Findings for the articles seen before this one but published after it (``_later``)
        that copy or retell it. (Their template sentences are not known here: they are all
        counted.)"""
        for copy in copies:
            hit: Hit | None
            if copy.exact == original.exact:
                hit = _exact_hit(original)
            elif (similarity := self._similarity(copy.minhash_bits, original)) >= (
                self.spec.near_threshold
            ):
                hit = _near_hit(similarity, original)
            else:
                found = self._aligned(
                    copy.sentences,
                    original.sentences,
                    _scores(
                        copy.sentences,
                        [original.sentences],
                        self._joins(copy.sentences, [original.sentences]),
                        self.spec.merged_share,
                        self.spec.sentence_threshold,
                    )[0],
                )
                hit = None if found is None else self._reuse_hit(found, original, None)
            if hit is not None:
                yield LateHit(
                    key=article_key(copy.id, copy.url or None),
                    id=copy.id,
                    url=copy.url or None,
                    source=copy.source or None,
                    published_at=datetime.fromtimestamp(copy.published, UTC),
                    hit=hit,
                )


def _distinct_sentences(
    sentences: list[tuple[str, list[str]]], spread: int, limit: int | None = MAX_SENTENCES
) -> list[tuple[str, SentenceSketch, list[int]]]:
    """The sentences worth comparing, with their sketches and retrieval keys (``sketch_words``
    with ``spread``): three content words or more, and a line repeated within the article (a
    title, a slogan) only once.

    Of a longer article, ``limit`` in its order (scoring costs our sentences times
    theirs): the first ``LEAD_SENTENCES``, which briefs and rewrites take first, and the
    longest of the rest in words. Length, unlike position, an excerpt keeps, and a rewrite
    mostly: a later text taken from any part of a long one meets some of its remembered
    sentences, where the first ``MAX_SENTENCES`` alone leave a long article's later part
    unseen. They are chosen by their words, before sketching, so that only those chosen are
    sketched.
    """
    seen: set[tuple[str, ...]] = set()
    distinct: list[tuple[str, list[str]]] = []
    for text, sentence_words in sentences:
        if len(sentence_words) >= 3 and (line := tuple(sentence_words)) not in seen:
            seen.add(line)
            distinct.append((text, sentence_words))
    if limit is not None and len(distinct) > limit:
        rest = range(LEAD_SENTENCES, len(distinct))
        longest = sorted(rest, key=lambda n: -len(distinct[n][1]))[: limit - LEAD_SENTENCES]
        distinct = [distinct[n] for n in [*range(LEAD_SENTENCES), *sorted(longest)]]
    found: list[tuple[str, SentenceSketch, list[int]]] = []
    for text, sentence_words in distinct:
        sketch, keys = sketch_words(sentence_words, quoted(text), spread)
        if len(sketch.terms) >= 3:
            found.append((text, sketch, keys))
    return found


@dataclass(frozen=True)
class Alignment:
    pairs: list[tuple[int, int, float]]  # (our sentence, their sentence, score)
    coverage: float  # of our sentences, each counted by its score
    wording: float  # mean Dice of the aligned sentences' content words
    ours: int  # sentences
    theirs: int


def _exact_hit(original: Fingerprint) -> Hit:
    return Hit(
        _evidence(original, 1.0),
        kind="exact-duplicate",
        message=f"Exact copy of an earlier article ({original.id})",
    )


def _near_hit(similarity: float, original: Fingerprint) -> Hit:
    return Hit(
        _evidence(original, round(similarity, 3)),
        kind="near-duplicate",
        message=f"Near copy of an earlier article ({original.id}), "
        f"estimated similarity {similarity:.2f}",
    )


def _template(
    ours: Sequence[SentenceSketch],
    theirs: Sequence[SentenceSketch],
    pairs: list[tuple[int, int, float]],
) -> bool:
    """Whether the aligned sentences are a template filled in twice: where both sentences of a
    pair state figures, they mostly disagree (a rewrite keeps the figures, though merging two
    sentences adds some; a market wrap, a score line or a generated company profile changes
    exactly those). Figures agree when at least half of all those the pair states are shared."""
    with_figures = [
        2 * len(ours[n].numbers & theirs[j].numbers) >= len(ours[n].numbers | theirs[j].numbers)
        for n, j, _ in pairs
        if ours[n].numbers and theirs[j].numbers
    ]
    disagree = with_figures.count(False)
    return disagree >= 2 and disagree > len(with_figures) - disagree


def _scores(
    ours: Sequence[SentenceSketch],
    candidates: Sequence[Sequence[SentenceSketch]],
    join_if: Callable[[int, Matrix], bool],
    min_share: float,
    threshold: float,
) -> list[Matrix]:
    """Per candidate, the probability that each pair of sentences says the same thing (rows
    ours, columns the candidate's): the sentence scorer's, or, if higher, that of our sentence
    against the candidate's joined to the next. A rewrite merges two sentences into one, which
    the scorer, fitted to one sentence against one, scores low. The joined sentences are
    scored only for the candidates ``join_if`` (its index, its scores alone) picks: most
    share a few keys and nothing else. One matrix for all the candidates, and one for the
    joined sentences: numpy's cost is per call. A joined pair counts only where our sentence
    holds ``min_share`` of each of the two's content words (``joined_similarity_matrix``).
    A sentence against one of theirs scores 0 below ``threshold``, where no alignment reads
    it: those pairs, nearly all, are not scored (``similarity_matrix_above``)."""
    if not ours or not any(candidates):
        return [np.zeros((len(ours), len(sentences))) for sentences in candidates]
    alone = similarity_matrix_above(ours, *candidates, threshold=threshold)
    bounds = np.cumsum([0, *(len(sentences) for sentences in candidates)]).tolist()
    found = [alone[:, start:end] for start, end in pairwise(bounds)]
    close = [n for n, scores in enumerate(found) if join_if(n, scores)]
    firsts = [k for n in close for k in range(bounds[n], bounds[n + 1] - 1)]
    if not firsts:
        return found
    with_joined = joined_similarity_matrix(ours, candidates, firsts, min_share)
    at = 0
    for n in close:
        width = bounds[n + 1] - bounds[n] - 1
        joined = with_joined[:, at : at + width]
        at += width
        scores = found[n] = found[n].copy()
        scores[:, :-1] = np.maximum(scores[:, :-1], joined)
        scores[:, 1:] = np.maximum(scores[:, 1:], joined)
    return found


def _join(first: SentenceSketch, second: SentenceSketch) -> SentenceSketch:
    return SentenceSketch(
        tuple(dict.fromkeys(first.terms + second.terms)),
        first.numbers | second.numbers,
        first.function_words | second.function_words,
        first.quoted and second.quoted,
    )


def _wording(sentence: SentenceSketch, theirs: Sequence[SentenceSketch], j: int) -> float:
    """How much wording ``sentence`` shares with their sentence ``j``, or with it joined to a
    neighbour if more: a copy that merges two sentences keeps the wording of both."""
    joined = [_join(theirs[k], theirs[k + 1]) for k in (j - 1, j) if 0 <= k < len(theirs) - 1]
    return max(shared_wording(sentence, other) for other in (theirs[j], *joined))


def align(scores: Matrix, threshold: float) -> list[tuple[int, int, float]]:
    """One-to-one sentence alignment, best pairs first: ``(our sentence, their sentence,
    score)`` for pairs whose ``scores`` are at least ``threshold``, in our order. One-to-one,
    so that a line repeated in either text (a title, a slogan) counts once."""
    rows, cols = np.nonzero(scores >= threshold)
    if len(rows) < 2:  # most candidates: nothing to choose between
        found = zip(rows.tolist(), cols.tolist(), strict=True)
        return [(n, j, float(scores[n, j])) for n, j in found]
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
        # Who the original says wrote it (dateline, byline, credit line, house style); empty:
        # its publisher.
        "original_credited": original.credited.split("|") if original.credited else [],
    }
