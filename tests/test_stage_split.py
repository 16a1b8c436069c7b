"""Which rules run where: the strip agent (one per raw partition, so on every worker) does all
the per-article work, including the duplicate rule's sketches; the one-partition flag agent
only the look-ups in the index every article shares; the align agent (one per candidates
partition, so on every worker again) judges from what they found. Whatever the split, the
findings are those of one engine running every rule on the article."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from copydesk.rules.engine import Engine
from copydesk.rules.fingerprint import Fingerprint
from copydesk.rules.kinds.duplicates import Candidates, DuplicatesRule
from copydesk.rules.loader import load_rules
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore
from copydesk.streams.processing import (
    CANDIDATES_HEADER,
    PREPARED_HEADER,
    Origin,
    Outgoing,
    align_message,
    flag_message,
    strip_message,
)

RAW = Origin("articles.raw", 0, 1)
STRIPPED = Origin("articles.stripped", 0, 1)
CANDIDATES = Origin("articles.candidates", 0, 1)
CASES = json.loads((Path(__file__).parent / "fixtures" / "duplicates.json").read_text())


def stream() -> list[bytes]:
    """Every pair of the duplicate fixtures, the copies after their originals."""
    return [json.dumps(article).encode() for pair in CASES.values() for article in pair]


def strip_all(engine: Engine) -> list[Outgoing]:
    store = MemoryStore()
    stripped = []
    for value in stream():
        [out] = strip_message(engine, store, None, value, RAW, max_record_bytes=1_000_000)
        assert out.destination == "stripped"
        stripped.append(out)
    return stripped


def look_up_all(engine: Engine, stripped: list[Outgoing]) -> list[Outgoing]:
    store = MemoryStore()
    found = []
    for s in stripped:
        [out] = flag_message(engine, store, s.key, s.value, s.headers, STRIPPED)
        found.append(out)
    return found


def align_all(engine: Engine, candidates: list[Outgoing]) -> list[list[tuple[str, bytes]]]:
    return [
        [
            (o.destination, o.value)
            for o in align_message(engine, c.key, c.value, c.headers, CANDIDATES)
        ]
        for c in candidates
    ]


def without_header(out: Outgoing, name: str, replacement: bytes | None = None) -> Outgoing:
    headers = [(k, v) for k, v in out.headers if k != name]
    if replacement is not None:
        headers.append((name, replacement))
    return Outgoing(out.destination, out.key, out.value, headers)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_rules())


def test_the_flag_agent_runs_only_the_look_ups_in_the_shared_index(engine: Engine) -> None:
    assert {rule.spec.kind for rule in engine.flag_rules} == {"duplicates"}
    assert {rule.spec.kind for rule in engine.align_rules} == {
        "duplicates",
        "missing-attribution",
    }
    assert "quote-attribution" in {rule.spec.kind for rule in engine.strip_rules}
    assert {r.spec.id for r in engine.rules} == {
        r.spec.id for r in engine.strip_rules + engine.align_rules
    }


def test_the_strip_agent_sends_the_duplicate_sketches_on(engine: Engine) -> None:
    stripped = strip_all(engine)
    carried = [json.loads(dict(s.headers)[PREPARED_HEADER]) for s in stripped]
    assert all(set(prepared) == {"duplicates"} for prepared in carried)
    # Not part of the record itself: the clean topic's schema does not change.
    assert all(b"prepared" not in s.value for s in stripped)


def test_the_flag_agent_sends_the_article_on_keyed_by_it_with_what_it_found(
    engine: Engine,
) -> None:
    stripped = strip_all(engine)
    candidates = look_up_all(engine, stripped)
    for s, c in zip(stripped, candidates, strict=True):
        assert c.destination == "candidates"
        assert c.key == json.loads(s.value)["key"].encode()
        assert c.value == s.value
        headers = dict(c.headers)
        assert set(json.loads(headers[CANDIDATES_HEADER])) == {"duplicates"}
        assert PREPARED_HEADER not in headers
        assert headers["copydesk.source.offset"] == dict(s.headers)["copydesk.source.offset"]


def test_judging_from_the_header_equals_judging_in_process(engine: Engine) -> None:
    """An align agent in another process (another engine: nothing cached) decodes the header;
    its outputs are those of the engine that looked the articles up."""
    candidates = look_up_all(engine, strip_all(engine))
    in_process = align_all(engine, candidates)
    flagged = [v for out in in_process for d, v in out if d == "findings" and b"duplicates" in v]
    assert len(flagged) == 4  # the fixtures' copy and rewrite pairs
    assert align_all(Engine(load_rules()), candidates) == in_process


def test_the_candidates_round_trip_through_json(engine: Engine) -> None:
    [rule] = [r for r in engine.flag_rules if isinstance(r, DuplicatesRule)]
    store = MemoryStore()
    found: list[Candidates] = []
    for value in stream():
        stripped = engine.strip(ArticleIn.model_validate_json(value), store)
        engine.flag(stripped, store)
        assert rule._last_looked_up is not None
        found.append(rule._last_looked_up[1])
    assert any(c.reuse for c in found) and any(c.near for c in found)
    for looked_up in found:
        # The article's own time keeps its fraction of a second; the index keeps whole seconds.
        mine = looked_up.fingerprint
        candidates = replace(looked_up, fingerprint=replace(mine, published=mine.published + 0.25))
        sent = json.loads(json.dumps(candidates.to_json()))
        assert Candidates.from_json(sent) == what_comparisons_read(candidates)


def what_comparisons_read(found: Candidates) -> Candidates:
    """The candidates less their bucket keys (the index's), and the sentences of those that
    are only exact or near candidates (only an alignment reads sentences)."""
    aligned = {id(f) for f in [*found.reuse, *found.later]}

    def cut(f: Fingerprint) -> Fingerprint:
        return replace(f, buckets=(), sentences=f.sentences if id(f) in aligned else ())

    return Candidates(
        replace(found.fingerprint, buckets=()),
        exact=[cut(f) for f in found.exact],
        near=[cut(f) for f in found.near],
        reuse=[cut(f) for f in found.reuse],
        common=found.common,
        later=[cut(f) for f in found.later],
    )


@pytest.mark.parametrize("header", [None, b"{not json", b'{"duplicates": {"bands": 1}}'])
def test_findings_are_the_same_when_the_flag_agent_sketches_itself(
    engine: Engine, header: bytes | None
) -> None:
    """A record without the sketches (from a worker of an older version) or with a broken
    header is judged all the same."""
    stripped = strip_all(engine)
    prepared = align_all(engine, look_up_all(engine, stripped))
    sketched_here = [without_header(s, PREPARED_HEADER, header) for s in stripped]
    assert align_all(engine, look_up_all(engine, sketched_here)) == prepared


@pytest.mark.parametrize("header", [None, b"{not json", b"[]", b'{"duplicates": {"exact": 1}}'])
def test_a_record_without_what_the_flag_stage_found_is_parked_not_judged(
    engine: Engine, header: bytes | None
) -> None:
    """The align stage has no index to look in: judged without the look-ups, a copy would
    pass unflagged. The record goes to the dead-letter topic whole, with the reason."""
    [candidates] = look_up_all(engine, strip_all(engine)[:1])
    broken = without_header(candidates, CANDIDATES_HEADER, header)
    [parked] = align_message(engine, broken.key, broken.value, broken.headers, CANDIDATES)
    assert parked.destination == "dlq"
    assert parked.value == candidates.value
    assert dict(parked.headers)["copydesk.error.reason"] == b"processing-error"


def test_the_split_gives_what_one_engine_gives_offline(engine: Engine) -> None:
    store = MemoryStore()
    offline = [
        engine.process(ArticleIn.model_validate_json(value), store).model_dump_json().encode()
        for value in stream()
    ]
    clean = [
        v
        for out in align_all(engine, look_up_all(engine, strip_all(engine)))
        for d, v in out
        if d == "clean"
    ]
    assert clean == offline
