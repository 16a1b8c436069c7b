"""What the worker's three agents produce for one consumed record (no Kafka needed)."""

from __future__ import annotations

import json

from prometheus_client import REGISTRY

from copydesk.rules.engine import Engine
from copydesk.rules.state import MemoryStore
from copydesk.streams.processing import (
    Origin,
    Outgoing,
    align_message,
    flag_message,
    strip_message,
)

ORIGIN = Origin("articles.raw", 3, 41)
STRIPPED = Origin("articles.stripped", 0, 7)
CANDIDATES = Origin("articles.candidates", 2, 5)

Routed = list[tuple[str, bytes | None, bytes, dict[str, bytes]]]


def unpack(outs: list[Outgoing]) -> Routed:
    return [(o.destination, o.key, o.value, dict(o.headers)) for o in outs]


def route(engine: Engine, value: bytes | None, key: bytes | None = b"k") -> Routed:
    """The three stages, as the three agents run them."""
    outs = strip_message(engine, MemoryStore(), key, value, ORIGIN, max_record_bytes=10_000)
    if [o.destination for o in outs] != ["stripped"]:
        return unpack(outs)
    [stripped] = outs
    outs = flag_message(
        engine, MemoryStore(), stripped.key, stripped.value, stripped.headers, STRIPPED
    )
    if [o.destination for o in outs] != ["candidates"]:
        return unpack(outs)
    [candidates] = outs
    return unpack(
        align_message(engine, candidates.key, candidates.value, candidates.headers, CANDIDATES)
    )


def test_a_good_article_goes_to_clean_keyed_by_article_key(builtin_engine: Engine) -> None:
    value = json.dumps({"id": "a", "url": "https://example.com/x", "text": "Body."}).encode()
    [(destination, key, payload, headers)] = route(builtin_engine, value)
    record = json.loads(payload)
    assert destination == "clean"
    assert key == record["key"].encode()
    assert record["id"] == "a"
    assert headers["copydesk.source.offset"] == b"41"
    assert headers["copydesk.rules.version"] == builtin_engine.version.encode()


def test_an_article_with_findings_also_goes_to_findings(builtin_engine: Engine) -> None:
    value = json.dumps({"id": "a", "text": ""}).encode()
    destinations = [r[0] for r in route(builtin_engine, value)]
    assert destinations == ["clean", "findings"]


def test_unreadable_input_goes_to_the_dlq_unchanged_with_its_reason(builtin_engine: Engine) -> None:
    for raw, reason in [
        (b'{"id": 1', b"invalid-json"),
        (b'{"id": 1, "text": "x"}', b"invalid-record"),
        (b"\xff\xfe\xfd", b"not-utf8"),
        (None, b"empty"),
        (b"x" * 10_001, b"too-large"),
    ]:
        [(destination, key, payload, headers)] = route(builtin_engine, raw)
        assert destination == "dlq"
        assert key == b"k"
        assert payload == (raw or b"")
        assert headers["copydesk.error.reason"] == reason
        assert headers["copydesk.error.class"] == b"RecordError"
        assert headers["copydesk.error.message"]
        assert (headers["copydesk.source.topic"], headers["copydesk.source.partition"]) == (
            b"articles.raw",
            b"3",
        )


def test_a_rule_that_crashes_parks_the_record_on_the_dlq(builtin_engine: Engine) -> None:
    class Broken(Engine):
        def strip(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
            raise ZeroDivisionError("rule bug")

    broken = Broken(builtin_engine.ruleset)
    [(destination, _, payload, headers)] = route(broken, b'{"id": "a", "text": "x"}')
    assert destination == "dlq"
    assert payload == b'{"id": "a", "text": "x"}'
    assert headers["copydesk.error.reason"] == b"processing-error"
    assert headers["copydesk.error.class"] == b"ZeroDivisionError"


def test_an_unreadable_stripped_record_is_parked_too(builtin_engine: Engine) -> None:
    outs = flag_message(builtin_engine, MemoryStore(), b"k", b"{broken", [], STRIPPED)
    [(destination, _, payload, headers)] = unpack(outs)
    assert (destination, payload) == ("dlq", b"{broken")
    assert headers["copydesk.source.topic"] == b"articles.stripped"


def test_source_offsets_travel_through_both_stages(builtin_engine: Engine) -> None:
    [(_, _, _, headers)] = route(builtin_engine, b'{"id": "a", "text": "Body."}')
    assert headers["copydesk.source.partition"] == b"3"
    assert headers["copydesk.source.offset"] == b"41"


def test_the_time_spent_in_each_rule_is_exported_across_the_three_stages(
    builtin_engine: Engine,
) -> None:
    def seconds(rule_id: str) -> float:
        return REGISTRY.get_sample_value("copydesk_rule_seconds_total", {"rule": rule_id}) or 0.0

    rules = ["main-text-region", "duplicates", "uncredited-rewrite"]  # strip; all three; align
    before = [seconds(r) for r in rules]
    body = "The council voted on Tuesday to approve the new bridge over the river. " * 6
    route(builtin_engine, json.dumps({"id": "timed", "text": body}).encode())
    assert all(seconds(r) > b for r, b in zip(rules, before, strict=True))
    # Handed over to the metric as each stage ends: nothing is left to count twice.
    assert builtin_engine.take_rule_seconds() == {}
