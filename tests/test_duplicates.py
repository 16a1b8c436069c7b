"""Duplicate flags on article pairs written for the purpose (tests/fixtures/duplicates.json):
copies and rewrites are flagged with the earlier article named; same-topic stories are not."""

from __future__ import annotations

import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from copydesk.rules.duplicate_index import (
    NAMESPACE,
    SWEPT,
    DuplicateIndex,
    Entry,
    EpochBuckets,
    Found,
    article_ref,
)
from copydesk.rules.engine import Engine
from copydesk.rules.fingerprint import (
    MAX_SENTENCES,
    SENTENCE_LAYOUT,
    STOPWORDS,
    Fingerprint,
    estimate_jaccard,
    exact_hash,
    pack_nibbles,
    quoted,
    sketch,
    split_sentences,
    words,
)
from copydesk.rules.kinds.duplicates import DuplicatesSpec, Sketched
from copydesk.rules.loader import load_rules
from copydesk.rules.parse import parse_article
from copydesk.rules.records import ArticleIn, ArticleOut
from copydesk.rules.sentence_scorer import (
    builtin_model,
    features,
    joined_similarity_matrix,
    sentence_similarity,
    similarity_matrix,
)
from copydesk.rules.state import MemoryStore
from tests.conftest import engine_for, rule

CASES = json.loads((Path(__file__).parent / "fixtures" / "duplicates.json").read_text())


def load(raw: dict[str, str], **changes: object) -> ArticleIn:
    return ArticleIn.model_validate_json(json.dumps({**raw, **changes}, default=str))


def run_case(engine: Engine, name: str) -> list[ArticleOut]:
    store = MemoryStore()
    return [engine.process(load(a), store) for a in CASES[name]]


def kinds(out: ArticleOut) -> list[str]:
    return [f.kind for f in out.findings if f.rule == "duplicates"]


@pytest.mark.parametrize(
    ("case", "kind"),
    [
        ("paraphrase_uncredited", "paraphrase"),
        ("paraphrase_credited", "paraphrase"),
        ("paraphrase_cites_secondary", "paraphrase"),
        ("near_copy", "near-duplicate"),
    ],
)
def test_copies_and_rewrites_name_the_earlier_article(
    builtin_engine: Engine, case: str, kind: str
) -> None:
    original, later = run_case(builtin_engine, case)
    assert kinds(original) == []
    [finding] = [f for f in later.findings if f.rule == "duplicates"]
    assert finding.kind == kind
    evidence = finding.evidence
    first = CASES[case][0]
    assert evidence["original_id"] == first["id"]
    assert evidence["original_key"] == original.key
    assert evidence["original_source"] == first["source"]
    assert evidence["original_url"] == first["url"]
    assert evidence["original_published_at"].startswith(first["published_at"][:16])
    assert 0 < evidence["score"] <= 1


def test_a_close_rewording_is_a_paraphrase_not_a_near_copy(builtin_engine: Engine) -> None:
    """The sample feed's rewrite of an AFP story: nearly every sentence retold (so the scorer
    is sure of each), in other words (so the kind is paraphrase)."""
    feed = Path(__file__).parents[1] / "streams" / "data" / "sample-feed.jsonl"
    # The feed holds broken records too (for the dead-letter topic): pick the two by id.
    original, rewrite = (
        parse_article(next(line for line in feed.read_bytes().splitlines() if key in line))
        for key in (b'"id":"feed-014"', b'"id":"feed-021"')
    )
    store = MemoryStore()
    builtin_engine.process(original, store)
    out = builtin_engine.process(rewrite, store)
    assert kinds(out) == ["paraphrase"]


def test_a_retelling_of_the_last_part_of_a_long_article_names_it(builtin_engine: Engine) -> None:
    """A roundup of five stories from the sample feed that ends with the AFP glacier report,
    then DailyBuzzHub's rewrite of that report alone: the rewrite names the roundup, though the
    report starts past the roundup's first ``MAX_SENTENCES`` sentences."""
    lines = (Path(__file__).parents[1] / "streams" / "data" / "sample-feed.jsonl").read_bytes()
    story = {
        key: parse_article(
            next(line for line in lines.splitlines() if f'"id":"{key}"'.encode() in line)
        )
        for key in ("feed-003", "feed-009", "feed-010", "feed-027", "feed-014", "feed-021")
    }
    texts = [story[key].text or "" for key in ("feed-003", "feed-009", "feed-010", "feed-027")]
    assert len(split_sentences("\n\n".join(texts))) > MAX_SENTENCES
    roundup = ArticleIn(
        id="roundup",
        url="https://roundup.example/week-in-brief",
        text="\n\n".join([*texts, story["feed-014"].text or ""]),
        published_at=datetime(2026, 11, 22, 12, tzinfo=UTC),
    )
    store = MemoryStore()
    builtin_engine.process(roundup, store)
    out = builtin_engine.process(story["feed-021"], store)
    [finding] = [f for f in out.findings if f.rule == "duplicates"]
    assert finding.evidence["original_id"] == "roundup"


def test_a_paraphrase_shows_its_aligned_sentences(builtin_engine: Engine) -> None:
    _, later = run_case(builtin_engine, "paraphrase_uncredited")
    evidence = later.findings[0].evidence
    [spec] = [r for r in load_rules().rules if r.id == "duplicates"]
    assert len(evidence["aligned"]) >= 3
    for pair in evidence["aligned"]:
        assert pair["text"] in later.text
        assert pair["score"] >= spec.model_dump()["sentence_threshold"]
        assert isinstance(pair["original_sentence"], int)


@pytest.mark.parametrize(
    "case",
    ["same_event_independent", "market_wraps", "sports_results", "same_topic_followup"],
)
def test_same_topic_but_different_stories_are_not_flagged(
    builtin_engine: Engine, case: str
) -> None:
    assert [kinds(out) for out in run_case(builtin_engine, case)] == [[], []]


def test_a_skeleton_filled_with_other_content_is_not_a_rewrite(builtin_engine: Engine) -> None:
    """A template filled in twice: every content word of the original swapped for another
    (function words, punctuation and order kept), as generated company profiles are."""
    original = CASES["paraphrase_uncredited"][0]
    content = sorted(
        {w for w in re.findall(r"[A-Za-z]{4,}", original["text"]) if w.lower() not in STOPWORDS}
    )
    shuffled = content[:]
    random.Random(3).shuffle(shuffled)
    swap = dict(zip(content, shuffled, strict=True))
    clone = re.sub(r"[A-Za-z]{4,}", lambda m: swap.get(m.group(0), m.group(0)), original["text"])
    store = MemoryStore()
    builtin_engine.process(load(original), store)
    out = builtin_engine.process(
        load(original, id="clone", url="https://c.example/1", text=clone), store
    )
    assert kinds(out) == []


def test_an_exact_copy_ignores_case_spacing_and_punctuation(builtin_engine: Engine) -> None:
    first = CASES["near_copy"][0]
    shouty = first["text"].upper().replace(", ", " ,  ").replace(". ", " ").replace('"', "")
    store = MemoryStore()
    builtin_engine.process(load(first), store)
    out = builtin_engine.process(
        load(first, id="copy", url="https://copy.example/1", text=shouty), store
    )
    assert kinds(out) == ["exact-duplicate"]


def test_a_redelivered_article_is_not_its_own_duplicate(builtin_engine: Engine) -> None:
    store = MemoryStore()
    first = load(CASES["near_copy"][0])
    builtin_engine.process(first, store)
    assert kinds(builtin_engine.process(first, store)) == []


def test_only_the_later_article_is_flagged(builtin_engine: Engine) -> None:
    original, copy = CASES["near_copy"]
    store = MemoryStore()
    builtin_engine.process(load(copy), store)  # the copy arrives first
    assert kinds(builtin_engine.process(load(original), store)) == []


def test_of_several_earlier_copies_the_first_published_is_named(builtin_engine: Engine) -> None:
    original = CASES["near_copy"][0]
    published = datetime.fromisoformat(original["published_at"])
    store = MemoryStore()

    def copy(n: int, hours: int) -> ArticleIn:
        when = (published + timedelta(hours=hours)).isoformat()
        return load(original, id=f"copy-{n}", url=f"https://c{n}.example/1", published_at=when)

    builtin_engine.process(copy(1, 2), store)  # arrives first, published after the original
    builtin_engine.process(load(original), store)
    out = builtin_engine.process(copy(2, 3), store)
    assert kinds(out) == ["exact-duplicate"]
    assert out.findings[0].evidence["original_id"] == original["id"]


def test_articles_outside_the_window_are_not_compared() -> None:
    engine = engine_for(rule("duplicates", id="duplicates", window_days=7))
    first = CASES["near_copy"][0]
    published = datetime.fromisoformat(first["published_at"])
    later = published + timedelta(days=30)  # processing time: the fixture's dates are in the past
    store = MemoryStore()
    engine.process(load(first), store, now=later)
    late = load(
        first,
        id="late",
        url="https://late.example/1",
        published_at=(published + timedelta(days=8)).isoformat(),
    )
    assert kinds(engine.process(late, store, now=later)) == []
    soon = load(first, id="soon", url="https://soon.example/1")
    assert kinds(engine.process(soon, store, now=later)) == ["exact-duplicate"]


def test_expired_epochs_are_swept_from_the_store() -> None:
    engine = engine_for(rule("duplicates", id="duplicates", window_days=1))
    store = MemoryStore()
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for day in range(6):
        for n, raw in enumerate(CASES["near_copy"] + CASES["market_wraps"]):
            when = (start + timedelta(days=day)).isoformat()
            engine.process(
                load(raw, id=f"{day}-{n}", url=f"https://x.example/{day}/{n}", published_at=when),
                store,
            )
    epochs = {re.match(r"\d+", key).group(0) for key in store.keys(NAMESPACE) if key != "swept"}  # type: ignore[union-attr]
    assert len(epochs) <= 2


class CountingPuts(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.puts: Counter[str] = Counter()

    def put(self, namespace: str, key: str, value: bytes) -> None:
        if key != SWEPT:
            self.puts[namespace] += 1
        super().put(namespace, key, value)


def test_one_state_record_per_remembered_article_under_one_kibibyte(
    builtin_engine: Engine,
) -> None:
    """One write (one changelog record in the worker) per article, whatever the number of LSH
    bands and anchors: the buckets live in memory, derived from the fingerprints."""
    store = CountingPuts()
    articles = [a for case in CASES.values() for a in case]
    for raw in articles:
        builtin_engine.process(load(raw), store)
    records = {k: v for (ns, k), v in store.items() if ns == NAMESPACE and k != SWEPT}
    assert store.puts[NAMESPACE] == len(records) == len(articles)
    assert max(len(k) + len(v) for k, v in records.items()) < 1024
    assert sum(len(k) + len(v) for k, v in records.items()) / len(articles) < 1024
    buckets = DuplicateIndex(store, 7 * 86400, 32).bucket_bytes()
    spec = DuplicatesSpec.model_validate(rule("duplicates"))
    assert buckets / len(articles) <= 12 * (1 + spec.bands + spec.anchors + MAX_SENTENCES)


def test_a_redelivered_article_writes_nothing(builtin_engine: Engine) -> None:
    store = CountingPuts()
    article = load(CASES["near_copy"][0])
    builtin_engine.process(article, store)
    builtin_engine.process(article, store)
    assert store.puts[NAMESPACE] == 1


@pytest.mark.parametrize("case", ["near_copy", "paraphrase_uncredited"])
def test_the_index_is_rebuilt_from_the_stored_fingerprints(
    builtin_engine: Engine, case: str
) -> None:
    """What a worker taking over the duplicate index has: the fingerprints, recovered into its
    table, and no buckets yet."""
    original, later = (load(a) for a in CASES[case])
    elsewhere = MemoryStore()
    builtin_engine.process(original, elsewhere)
    store = MemoryStore()
    builtin_engine.process(load(CASES["market_wraps"][0]), store)  # its buckets are built now
    for (namespace, key), value in elsewhere.items():
        store.put(namespace, key, value)  # a changelog recovery, behind the rule's back
    assert kinds(builtin_engine.process(later, store)) == []  # the index did not see it
    store.generation = 1  # what the worker's table says after a rebalance
    assert kinds(builtin_engine.process(later, store)) != []
    fresh = Engine(load_rules())  # and a new engine (rules reloaded) on that store
    assert kinds(fresh.process(later.model_copy(update={"id": "again"}), store)) != []


def test_a_bucket_collision_is_not_an_exact_copy() -> None:
    engine = engine_for(rule("duplicates", id="duplicates"))
    article = load(CASES["near_copy"][0])
    exact = exact_hash(words(article.text or ""))
    store = MemoryStore()
    assert article.published_at is not None
    published = article.published_at.timestamp()
    bucket = exact & 0x3FFFFFFF  # the exact-copy bucket of the article
    other = Fingerprint("other", "", "", "", published, exact ^ 1 << 40, b"", (), (bucket,))
    DuplicateIndex(store, 7 * 86400, 32).remember(article_ref("other-key"), other)
    assert kinds(engine.process(article, store)) == []


def test_bucket_lookups_see_the_latest_refs_across_merges() -> None:
    """The in-memory buckets against a plain dict of lists, with merges every few additions."""
    rng = random.Random(7)
    held, model = EpochBuckets(merge_at=10), defaultdict(list)
    for ref in range(400):
        keys = rng.sample(range(30), 3)
        held.add(keys, ref)
        for key in keys:
            model[key].append(ref)
        wanted = rng.sample(range(32), 4)
        assert held.latest(wanted, 5) == [ref for key in wanted for ref in model[key][-5:]]


def test_a_look_up_finds_each_entry_with_its_epoch_but_the_article_itself() -> None:
    """Refs in the order read, as often as they are in the buckets; the epoch of each."""
    index = DuplicateIndex(MemoryStore(), 100.0, 32)
    for ref, when, buckets in [(1, 150.0, (7, 8)), (2, 250.0, (7,)), (3, 160.0, (8, 9))]:
        index.remember(ref, Fingerprint(str(ref), "", "", "", when, ref, b"", (), buckets))
    found = index.candidates([7, 8, 9], when=170.0, exclude=3)
    assert found.refs == [1, 1, 2]  # this epoch's first, then the next one's; 3 excluded
    assert [found.entry(ref) for ref in (1, 2)] == [Entry(1, 1), Entry(2, 2)]
    together = Found.together([found, index.candidates([9], when=170.0, exclude=1)])
    assert together.refs == [1, 1, 2, 3]
    assert together.entry(3) == Entry(1, 3)


def test_fingerprints_survive_encoding() -> None:
    sketches = (sketch("The council voted 5-2 on Tuesday to approve the bridge."),)
    fp = Fingerprint(
        "id-1",
        "Harbor",
        "https://h.example/1",
        "Reuters|AFP",
        1.7e9,
        42,
        b"\x01" * 100,
        sketches,
        (7, 1 << 30 | 99, 0xFFFFFFFF),
    )
    assert Fingerprint.decode(fp.encode()) == fp


def test_a_fingerprint_is_carried_without_what_comparisons_do_not_read() -> None:
    sketches = (sketch("The council voted 5-2 on Tuesday to approve the bridge."),)
    fp = Fingerprint(
        "id-1",
        "Harbor",
        "https://h.example/1",
        "AFP",
        1.7e9,
        42,
        b"\x01" * 50,
        sketches,
        (7, 1 << 30 | 99),
    )
    assert Fingerprint.decode(fp.carried(sentences=True)) == replace(fp, buckets=())
    assert Fingerprint.decode(fp.carried(sentences=False)) == replace(fp, buckets=(), sentences=())


def test_a_decoded_fingerprint_encodes_to_its_bytes_and_a_changed_one_to_its_change() -> None:
    """The flag stage sends stored fingerprints on without encoding them again; one made from
    a decoded one with other values must not carry the old bytes."""
    fp = Fingerprint("id-1", "Harbor", "", "", 1.7e9, 42, b"\x01" * 50, (), (7,))
    decoded = Fingerprint.decode(fp.encode())
    assert decoded.encode() is decoded.encoded
    changed = replace(decoded, source="Other")
    assert Fingerprint.decode(changed.encode()) == changed
    later = decoded.published_at(1.8e9 + 0.5)
    assert Fingerprint.decode(later.encode()) == replace(fp, published=1.8e9)
    assert Fingerprint.decode(fp.published_at(1.8e9).encode()) == later.published_at(1.8e9)


def test_the_sentence_scorer_tells_a_rewording_from_a_changed_statement() -> None:
    threshold = builtin_model().threshold
    said = sketch("The council approved a budget of 4.2 million dollars on Tuesday.")
    reworded = sketch("On Tuesday, a 4.2 million dollar budget was approved by the council.")
    other_figure = sketch("The council approved a budget of 9.8 million dollars on Tuesday.")
    more_said = sketch(
        "The council approved a budget of 4.2 million dollars on Tuesday, and the mayor"
        " resigned after a row over school closures."
    )
    unrelated = sketch("Fishermen in the north protested against new quotas for cod and haddock.")
    assert sentence_similarity(said, reworded) >= threshold
    assert sentence_similarity(said, other_figure) < sentence_similarity(said, reworded)
    assert sentence_similarity(said, more_said) < sentence_similarity(said, reworded)
    assert sentence_similarity(said, unrelated) < threshold


def test_the_rule_scores_sentences_as_the_model_was_trained() -> None:
    """The rule's scores come from bit-count shortcuts; the training from every feature."""
    ours = [sketch(s) for s in split_sentences(CASES["paraphrase_uncredited"][1]["text"])]
    theirs = [sketch(s) for s in split_sentences(CASES["paraphrase_uncredited"][0]["text"])]
    expected = builtin_model().probabilities(features(ours, theirs))
    assert np.allclose(similarity_matrix(ours, theirs), expected)


def test_a_sentence_scores_the_same_whichever_side_it_is_on() -> None:
    a = sketch("Shares in Nordvik rose 2.3 percent in Oslo trading by 1100 GMT.")
    b = sketch("The stock, in which the state holds a 51 percent stake, climbed 2.3 percent.")
    assert sentence_similarity(a, b) == pytest.approx(sentence_similarity(b, a))


@pytest.mark.parametrize(
    ("sentence", "is_quoted"),
    [
        ('"This is our largest resilience investment ever," she said.', True),
        ("“We cannot keep asking people to sit in the dark,” Solheim told reporters.", True),
        ("and we will not stop until it is done,” she said.", True),  # a quotation's end
        ('Analysts called the plan "broadly in line" with what the market expected.', False),
        ("The regulator fined Nordvik 18 million crowns.", False),
    ],
)
def test_a_sentence_mostly_inside_quotation_marks_is_a_quotation(
    sentence: str, is_quoted: bool
) -> None:
    assert quoted(sentence) is is_quoted


def test_fingerprints_of_the_earlier_layout_keep_exact_and_near_matching() -> None:
    """Sentences stored before the sketches had function words and ordered terms are left
    out: an old record is still an exact or near copy's original, never misread."""
    sentence = sketch("A bridge was built.")
    fp = Fingerprint("id-1", "Harbor", "", "", 1.7e9, 42, b"\x01" * 50, (sentence,), (7,))
    raw = fp.encode()
    # The last bytes: the sentence count, two counts and the function words, the terms.
    sentences_at = len(raw) - 7 - len(sentence.terms) - len(sentence.numbers)
    assert raw[sentences_at] == 1 | SENTENCE_LAYOUT
    # The earlier layout: the bare sentence count, then per sentence its two counts and bytes.
    old = raw[:sentences_at] + bytes([1, 2, 0, 11, 22])
    decoded = Fingerprint.decode(bytes(old))
    assert decoded.sentences == ()
    assert (decoded.exact, decoded.minhash_bits, decoded.buckets) == (42, b"\x01" * 50, (7,))


def sketched_fingerprint(text: str) -> Fingerprint:
    """The fingerprint the strip stage makes of ``text`` (the duplicates rule alone)."""
    out = engine_for(rule("duplicates")).strip(ArticleIn(id="a", text=text), MemoryStore())
    return Sketched.from_json(out.prepared["test-rule"]).fingerprint


def test_a_fingerprint_says_whether_its_article_had_more_sentences_than_it_keeps() -> None:
    """A long article remembered in part must not be taken for a short one that a later
    article holds whole; a record written before the flag existed reads as not cut short."""
    sentence = sketch("A bridge was built.")
    for truncated in (False, True):
        fp = Fingerprint("id-1", "", "", "", 1.7e9, 42, b"\x01" * 50, (sentence,), (7,), truncated)
        assert Fingerprint.decode(fp.encode()).truncated is truncated
        assert Fingerprint.decode(fp.encode()).sentences == (sentence,)
    long_story = " ".join(
        f"Councillor {n} voted on bridge item {n} at the meeting." for n in range(40)
    )
    fingerprint = sketched_fingerprint(long_story)
    assert fingerprint.truncated
    assert len(fingerprint.sentences) == MAX_SENTENCES
    assert not sketched_fingerprint(" ".join(long_story.split(". ")[:20])).truncated


def test_four_bit_minhash_estimates_jaccard() -> None:
    rng = np.random.default_rng(1)
    a = rng.integers(0, 2**63, 101, dtype=np.uint64)
    b = a.copy()
    b[:50] = rng.integers(0, 2**63, 50, dtype=np.uint64)  # about half the values agree
    assert estimate_jaccard(pack_nibbles(a), pack_nibbles(a), 101) == 1.0
    assert abs(estimate_jaccard(pack_nibbles(a), pack_nibbles(b), 101) - 51 / 101) < 0.12


@pytest.mark.parametrize("published", ["4052-11-20T05:00:00Z", "1900-01-01T00:00:00Z"])
def test_absurd_publication_times_fall_back_to_arrival_time(
    builtin_engine: Engine, published: str
) -> None:
    store = MemoryStore()
    first = load(CASES["near_copy"][0], published_at=published)
    builtin_engine.process(first, store)
    copy = load(
        CASES["near_copy"][0], id="copy", url="https://copy.example/1", published_at=published
    )
    assert kinds(builtin_engine.process(copy, store)) == ["exact-duplicate"]


def test_a_sentence_meets_two_joined_only_when_it_merges_both() -> None:
    """A rewrite that merges two sentences is scored against the two joined; a sentence that
    holds the words of one of them only (a short statement, a long one on the same topic) is
    not a merge, however well the joined pair contains it."""
    theirs = [
        sketch("The state attorney general is investigating the office provider Nordvik."),
        sketch("Its founder Lars Berg is accused of leasing buildings he owns to the company."),
    ]
    merged = sketch(
        "The state attorney general is investigating Nordvik, the office provider, and its"
        " founder Lars Berg is accused of leasing buildings he owns to the company."
    )
    one_half = sketch("The attorney general's office is investigating Nordvik, people said.")
    spec = next(r for r in load_rules().rules if isinstance(r, DuplicatesSpec))
    gated = joined_similarity_matrix([merged, one_half], [theirs], [0], spec.merged_share)
    ungated = joined_similarity_matrix([merged, one_half], [theirs], [0], 0.0)
    assert gated[0, 0] == ungated[0, 0] > similarity_matrix([merged], theirs).max()
    assert ungated[1, 0] >= spec.sentence_threshold > gated[1, 0]
