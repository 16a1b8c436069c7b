"""Property-based tests: the record parser, the pack loader and the engine's span bookkeeping
never crash on arbitrary input and keep their promises."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copydesk.rules.engine import Engine
from copydesk.rules.loader import PackError, load_rules
from copydesk.rules.parse import RecordError, parse_article
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore

ENGINE = Engine(load_rules())

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.binary(max_size=2000))
def test_the_parser_returns_an_article_or_a_reason_for_any_bytes(raw: bytes) -> None:
    try:
        article = parse_article(raw)
    except RecordError as exc:
        assert exc.reason in {
            "empty",
            "too-large",
            "not-utf8",
            "invalid-json",
            "not-an-object",
            "invalid-record",
        }
        assert exc.message
    else:
        assert article.text is not None or article.html is not None


@given(
    st.dictionaries(
        st.sampled_from(["id", "url", "source", "title", "published_at", "text", "html", "x"]),
        json_values,
    )
)
def test_the_parser_checks_types_of_any_json_object(fields: dict[str, object]) -> None:
    raw = json.dumps(fields).encode()
    try:
        article = parse_article(raw)
    except RecordError as exc:
        assert exc.reason == "invalid-record"
    else:
        assert isinstance(article.id, str) and article.id


lines = st.sampled_from(
    [
        "Home",
        "World",
        "Share this article",
        "Related",
        "Next In World",
        "3 Comments",
        "© 2026 Harbor Daily. All rights reserved.",
        "We use cookies to improve your experience.",
        "FILE PHOTO: A worker at the plant. REUTERS/Jane Roe",
        "The council voted 5-2 on Tuesday to approve the new bridge, ending years of delay.",
        "The mayor called it a historic day for the town and its commuters.",
        "",
        "   ",
        "LISBON, Nov 21 (Reuters) - Portugal's parliament approved the budget on Friday.",
        "(Reporting by Ana Silva; Editing by Tom Hale)",
        "1) First item",
        "2) Second item",
    ]
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines | st.text(max_size=80), max_size=40))
def test_removed_spans_never_overlap_and_rebuild_the_body(body_lines: list[str]) -> None:
    body = "\n".join(body_lines)
    out = ENGINE.process(ArticleIn(id="p", text=body), MemoryStore())
    kept, pos = [], 0
    for span in out.removed:
        assert span.start >= pos
        assert body[span.start : span.end] == span.text
        kept.append(body[pos : span.start])
        pos = span.end
    kept.append(body[pos:])
    assert "".join(kept) == out.text


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_the_pack_loader_refuses_any_text_cleanly(tmp_path: Path, text: str) -> None:
    pack = tmp_path / "fuzz.yaml"
    pack.write_text(text, encoding="utf-8")
    try:
        load_rules([pack], builtin=False)
    except PackError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.line >= 1 and problem.column >= 1 and problem.message
