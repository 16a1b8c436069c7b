from __future__ import annotations

from datetime import UTC, datetime

import pytest

from copydesk.rules.engine import Engine, Limits
from copydesk.rules.kinds.base import Context
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore
from tests.conftest import body_less_removed, engine_for, rule


def article(text: str | None = None, **fields: object) -> ArticleIn:
    return ArticleIn.model_validate({"id": "a1", "text": text, **fields})


def test_output_keeps_identity_extra_fields_and_rules_version(builtin_engine: Engine) -> None:
    a = article(
        "Body.",
        url="https://example.com/x",
        source="Harbor",
        title="T",
        lang="en",
        published_at=datetime(2026, 11, 21, tzinfo=UTC),
    )
    out = builtin_engine.process(a, MemoryStore())
    assert (out.id, out.url, out.source, out.title) == (
        "a1",
        "https://example.com/x",
        "Harbor",
        "T",
    )
    assert out.published_at == datetime(2026, 11, 21, tzinfo=UTC)
    assert out.extra == {"lang": "en"}
    assert out.rules_version == builtin_engine.version
    assert out.key.startswith("u")
    assert out.credits == []


def test_removed_spans_rebuild_the_original_body(builtin_engine: Engine) -> None:
    body = (
        "Share this article\nThe council met on Tuesday and voted to approve the new bridge."
        "\n\nWe use cookies. Accept all\n\nWork will start in May, the mayor said after the"
        " vote.\n\n© 2026 X. All rights reserved."
    )
    out = builtin_engine.process(article(body), MemoryStore())
    assert out.text == (
        "The council met on Tuesday and voted to approve the new bridge.\n\n"
        "Work will start in May, the mayor said after the vote."
    )
    assert body_less_removed(body, out.removed) == out.text
    assert [s.rule for s in out.removed] == [
        "main-text-region",
        "cookie-banners",
        "main-text-region",
    ]


def test_html_is_extracted_when_there_is_no_text(builtin_engine: Engine) -> None:
    html = (
        "<html><head><title>Bridge vote</title><meta name='author' content='Jane Roe'>"
        "<meta property='article:published_time' content='2026-11-20T10:00:00Z'></head>"
        "<body><nav><a href='/'>Home</a></nav>"
        "<article><h1>Bridge vote</h1><p>The council voted on Tuesday to approve a new bridge over"
        " the river, a project that had been delayed for years.</p><p>Officials said construction"
        " would start next spring.</p></article><footer>Contact us</footer></body></html>"
    )
    out = builtin_engine.process(ArticleIn(id="h", html=html), MemoryStore())
    assert "approve a new bridge" in out.text
    assert "Contact us" not in out.text
    assert out.title == "Bridge vote"
    assert out.metadata == {"author": ["Jane Roe"], "date": ["2026-11-20"]}


def test_html_mode_cuts_a_reader_comment_thread_that_extraction_kept(
    builtin_engine: Engine,
) -> None:
    # Extractors keep a thread that sits in the article's own container (L3S-GN1 pages did).
    story = [
        "The council voted 5-2 on Tuesday to approve the new bridge, ending years of delay over"
        " its cost and its route.",
        "The mayor called it a historic day for the town and its commuters, and said work would"
        " start in May.",
        "The state will pay two thirds of the cost under a deal struck last year; the town will"
        " borrow the rest.",
        "Critics said the bridge would bring more traffic to the old town, whose narrow streets"
        " already fill up every morning.",
        "The vote followed a four-hour hearing at which more than forty residents spoke, most of"
        " them in favour.",
        "The old bridge, built in 1931, will stay open to cyclists and walkers and will be"
        " repaired with money from a state heritage fund.",
        "Engineers expect the span to carry about 20,000 vehicles a day once it opens, twice the"
        " traffic of the old ferry.",
    ]
    comments = [
        (
            "About time the town got something right, though I doubt the money will stretch to"
            " the new road it needs.",
            "Posted by Dom, Harbor on January 10, 2008 4:03 PM",
        ),
        (
            "It will only bring more traffic to streets that cannot take it, and nobody on the"
            " council lives near them.",
            "Posted by Ann on January 10, 2008 2:47 PM",
        ),
        (
            "Twenty thousand cars a day through the old town? Somebody has not thought this"
            " through at all.",
            "Posted by Steve Hewlett on January 10, 2008 11:54 AM",
        ),
    ]
    thread = "".join(
        f"<p>{c}</p><p>{s}</p><p><a href='/report'>Report this comment</a></p>" for c, s in comments
    )
    html = (
        "<html><head><title>Bridge vote</title></head><body><div class='main'>"
        "<h1>Bridge vote</h1>"
        + "".join(f"<p>{p}</p>" for p in story)
        + "<h3>Have your say</h3>"
        + thread
        + "</div></body></html>"
    )
    out = builtin_engine.process(ArticleIn(id="h", html=html), MemoryStore())
    assert all(p in out.text for p in story)
    assert "Posted by" not in out.text
    assert "money will stretch" not in out.text
    assert "comment-sections" in {s.rule for s in out.removed}


def test_an_empty_body_is_flagged_not_dropped(builtin_engine: Engine) -> None:
    out = builtin_engine.process(article("   \n"), MemoryStore())
    assert [f.rule for f in out.findings] == ["engine.body-empty"]


def test_a_huge_body_is_truncated_with_a_finding() -> None:
    engine = Engine(engine_for().ruleset, Limits(max_body_chars=100))
    out = engine.process(article("word " * 1000), MemoryStore())
    assert len(out.text) == 100
    assert out.findings[0].rule == "engine.body-truncated"
    assert out.findings[0].evidence == {"chars": 5000, "limit": 100}


@pytest.mark.parametrize(
    "pattern",
    [r"^(a|aa)+$", r"(a|aa)+c"],  # tried at line starts; scanned over the text
)
def test_a_regex_past_its_time_budget_becomes_a_finding_not_a_hang(pattern: str) -> None:
    engine = engine_for(rule("line-pattern", id="slow", patterns=[pattern]))
    engine = Engine(engine.ruleset, Limits(regex_timeout_seconds=0.01))
    out = engine.process(article("a" * 3000 + "b\nkeep me"), MemoryStore())
    assert out.text == "a" * 3000 + "b\nkeep me"
    assert [(f.rule, f.evidence["rule"]) for f in out.findings] == [("engine.rule-timeout", "slow")]


def test_duplicates_compare_the_stripped_text_whatever_the_pack_order() -> None:
    body = " ".join(
        f"Sentence number {n} of the council story has some words in it." for n in range(8)
    )
    engine = engine_for(
        rule("duplicates", id="dups"),  # listed first, runs after the strip stage
        rule("line-pattern", id="share", patterns=["^share this$"]),
    )
    store = MemoryStore()
    engine.process(article("Share this\n" + body, url="https://a.example/1"), store)
    out = engine.process(article(body, id="a2", url="https://b.example/2"), store)
    assert [(f.rule, f.kind, f.evidence["original_id"]) for f in out.findings] == [
        ("dups", "exact-duplicate", "a1")
    ]


def test_a_pause_that_uses_up_one_budget_does_not_skip_the_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The budget is wall time: a full garbage collection during a rule's first regex call (seen
    # on the first article of a run) must not cost the article that rule.
    engine = engine_for(rule("line-pattern", id="share", patterns=["^share this$"]))
    real_budget = Context.regex_budget
    calls: list[float] = []

    def paused_once(ctx: Context) -> float:
        calls.append(0.0)
        return 0.0 if len(calls) == 1 else real_budget(ctx)

    monkeypatch.setattr(Context, "regex_budget", paused_once)
    out = engine.process(article("share this\nbody"), MemoryStore())
    assert out.text == "body"
    assert out.findings == []


def test_the_time_spent_in_each_rule_is_counted_by_rule_and_handed_over_once() -> None:
    # A pattern that backtracks over a run of a's: tens of milliseconds where the other rules
    # take microseconds, so whatever the machine's load the time must show where it was spent.
    engine = engine_for(
        rule("line-pattern", id="slow", patterns=[r"(a|aa)+c"]),
        rule("line-pattern", id="share", patterns=["^share this$"]),
        rule("duplicates", id="dups"),
    )
    engine = Engine(engine.ruleset, Limits(regex_timeout_seconds=5.0))
    body = " ".join(
        f"Sentence number {n} of the council story has some words in it." for n in range(8)
    )
    engine.process(article(body, id="warm-up"), MemoryStore())  # first calls load models
    engine.take_rule_seconds()
    out = engine.process(article("a" * 22 + "b\nshare this\n" + body), MemoryStore())
    assert out.findings == []  # within its budget: the slow rule ran to the end
    spent = engine.take_rule_seconds()
    # The duplicates rule is counted in all three stages: prepared, looked up, applied.
    assert set(spent) == {"slow", "share", "dups"}
    assert all(seconds > 0 for seconds in spent.values())
    assert max(spent, key=spent.__getitem__) == "slow"
    assert engine.take_rule_seconds() == {}
