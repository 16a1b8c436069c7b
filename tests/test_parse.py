"""Bad input gets a clear reason; good input keeps every field."""

from __future__ import annotations

import codecs
import json
from datetime import UTC, datetime

import pytest

from copydesk.rules.parse import RecordError, parse_article


def test_a_good_record_keeps_unknown_fields() -> None:
    raw = json.dumps(
        {
            "id": "a",
            "text": "body",
            "lang": "en",
            "tags": ["x"],
            "published_at": "2026-11-21T10:00:00Z",
        }
    ).encode()
    article = parse_article(raw)
    assert article.extra == {"lang": "en", "tags": ["x"]}
    assert article.published_at == datetime(2026, 11, 21, 10, tzinfo=UTC)


def test_naive_times_are_taken_as_utc() -> None:
    article = parse_article(b'{"id": "a", "text": "x", "published_at": "2026-11-21T10:00:00"}')
    assert article.published_at == datetime(2026, 11, 21, 10, tzinfo=UTC)


def test_html_alone_is_a_body() -> None:
    assert parse_article(b'{"id": "a", "html": "<p>x</p>"}').html == "<p>x</p>"


@pytest.mark.parametrize(
    ("raw", "reason", "says"),
    [
        (b"", "empty", "0 bytes"),
        (b'{"id": "a", "text": ', "invalid-json", "EOF"),
        (b"[1, 2]", "not-an-object", "JSON object"),
        (b'"just a string"', "not-an-object", "JSON object"),
        (b'{"title": "x"}', "invalid-record", "id: Field required"),
        (b'{"id": 12345, "text": "x"}', "invalid-record", "id: Input should be a valid string"),
        (b'{"id": "a", "text": ["x"]}', "invalid-record", "text: Input should be a valid string"),
        (b'{"id": "a"}', "invalid-record", "needs `text` or `html`"),
        (b'{"id": "", "text": "x"}', "invalid-record", "id:"),
        (
            b'{"id": "a", "text": "x", "published_at": "yesterday"}',
            "invalid-record",
            "published_at",
        ),
        (b'{"id": "a", "text": "caf\xe9"}', "not-utf8", "byte 24"),
        (b"\x00\x01\x02\xff binary", "not-utf8", "utf-8"),
        (b"[" * 10_000 + b"]" * 10_000, "invalid-json", "recursion limit"),
    ],
)
def test_bad_records_say_what_is_wrong(raw: bytes, reason: str, says: str) -> None:
    with pytest.raises(RecordError) as caught:
        parse_article(raw)
    assert caught.value.reason == reason
    assert says in caught.value.message


def test_records_over_the_size_limit_are_refused_before_parsing() -> None:
    raw = json.dumps({"id": "a", "text": "x" * 2000}).encode()
    with pytest.raises(RecordError) as caught:
        parse_article(raw, max_bytes=1000)
    assert caught.value.reason == "too-large"
    assert str(len(raw)) in caught.value.message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_read(encoding: str) -> None:
    raw = '{"id": "a", "text": "Zürich café"}'.encode(encoding)
    if encoding == "utf-8-sig":
        assert raw.startswith(codecs.BOM_UTF8)
    assert parse_article(raw).text == "Zürich café"
