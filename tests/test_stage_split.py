"""Which rules run where: the strip agent (one per raw partition, so on every worker) does all
the per-article work, including the duplicate rule's sketches; the one-partition flag agent
only what needs the index every article shares. Whatever the split, the findings are those of
one engine running every rule on the article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from copydesk.rules.engine import Engine
from copydesk.rules.loader import load_rules
from copydesk.rules.state import MemoryStore
from copydesk.streams.processing import (
    PREPARED_HEADER,
    Origin,
    Outgoing,
    flag_message,
    strip_message,
)

RAW = Origin("articles.raw", 0, 1)
STRIPPED = Origin("articles.stripped", 0, 1)
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


def flag_all(engine: Engine, stripped: list[Outgoing]) -> list[list[tuple[str, bytes]]]:
    store = MemoryStore()
    return [
        [
            (o.destination, o.value)
            for o in flag_message(engine, store, s.key, s.value, s.headers, STRIPPED)
        ]
        for s in stripped
    ]


def without_prepared(out: Outgoing, replacement: bytes | None = None) -> Outgoing:
    headers = [(k, v) for k, v in out.headers if k != PREPARED_HEADER]
    if replacement is not None:
        headers.append((PREPARED_HEADER, replacement))
    return Outgoing(out.destination, out.key, out.value, headers)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_rules())


def test_the_flag_agent_runs_only_the_rules_that_need_the_shared_index(engine: Engine) -> None:
    flag_kinds = {rule.spec.kind for rule in engine.flag_rules}
    strip_kinds = {rule.spec.kind for rule in engine.strip_rules}
    assert flag_kinds == {"duplicates", "missing-attribution"}
    assert "quote-attribution" in strip_kinds
    assert {r.spec.id for r in engine.rules} == {
        r.spec.id for r in engine.strip_rules + engine.flag_rules
    }


def test_the_strip_agent_sends_the_duplicate_sketches_on(engine: Engine) -> None:
    stripped = strip_all(engine)
    carried = [json.loads(dict(s.headers)[PREPARED_HEADER]) for s in stripped]
    assert all(set(prepared) == {"duplicates"} for prepared in carried)
    # Not part of the record itself: the clean topic's schema does not change.
    assert all(b"prepared" not in s.value for s in stripped)


@pytest.mark.parametrize("header", [None, b"{not json", b'{"duplicates": {"bands": 1}}'])
def test_findings_are_the_same_when_the_flag_agent_sketches_itself(
    engine: Engine, header: bytes | None
) -> None:
    """A record without the sketches (from a worker of an older version) or with a broken
    header is judged all the same."""
    stripped = strip_all(engine)
    prepared = flag_all(engine, stripped)
    flagged = [v for out in prepared for d, v in out if d == "findings" and b"duplicates" in v]
    assert len(flagged) == 4  # the fixtures' copy and rewrite pairs
    assert flag_all(engine, [without_prepared(s, header) for s in stripped]) == prepared


def test_the_split_gives_what_one_engine_gives_offline(engine: Engine) -> None:
    from copydesk.rules.records import ArticleIn

    store = MemoryStore()
    offline = [
        engine.process(ArticleIn.model_validate_json(value), store).model_dump_json().encode()
        for value in stream()
    ]
    clean = [v for out in flag_all(engine, strip_all(engine)) for d, v in out if d == "clean"]
    assert [json.loads(v)["findings"] for v in clean] == [
        json.loads(v)["findings"] for v in offline
    ]
