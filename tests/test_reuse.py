"""Reuse as it comes in real streams: copies that arrive before their original, excerpts of
longer originals, hard-wrapped copies and text written a line per link, copies that the strip
rules shorten, and false-flag guards (a title line repeated in both texts). Pairs from
tests/fixtures/duplicates.json."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from copydesk.rules.engine import Engine
from copydesk.rules.fingerprint import split_sentences
from copydesk.rules.identity import article_key
from copydesk.rules.records import Finding
from copydesk.rules.state import MemoryStore
from copydesk.streams.cli import main
from copydesk.streams.processing import (
    LATE_HEADER,
    Origin,
    align_message,
    flag_message,
    strip_message,
)
from tests.conftest import SHARED, engine_for, rule
from tests.test_duplicates import CASES, kinds, load


def test_a_rewrite_seen_before_its_original_gets_a_late_finding(builtin_engine: Engine) -> None:
    original, rewrite = CASES["paraphrase_uncredited"]
    store = MemoryStore()
    first = builtin_engine.process(load(rewrite), store)  # crawled first, published later
    assert kinds(first) == [] and first.late == []
    out = builtin_engine.process(load(original), store)
    assert kinds(out) == []  # the original is not a copy
    [late] = out.late
    assert late.key == first.key and late.id == rewrite["id"]
    assert late.raised_by == out.key
    assert late.finding.kind == "paraphrase"
    assert late.finding.evidence["original_id"] == original["id"]
    assert late.finding.evidence["original_key"] == out.key


def test_a_near_copy_seen_before_its_original_gets_a_late_finding(builtin_engine: Engine) -> None:
    original, copy = CASES["near_copy"]
    store = MemoryStore()
    builtin_engine.process(load(copy), store)
    [late] = builtin_engine.process(load(original), store).late
    assert late.id == copy["id"]
    assert late.finding.kind in {"near-duplicate", "exact-duplicate"}


def test_no_late_finding_for_a_later_article_or_a_different_story(
    builtin_engine: Engine,
) -> None:
    for case in ("paraphrase_uncredited", "same_event_independent", "market_wraps"):
        store = MemoryStore()
        outs = [builtin_engine.process(load(a), store) for a in CASES[case]]  # in order
        assert [o.late for o in outs] == [[], []], case
        store = MemoryStore()
        second, first = CASES[case][1], CASES[case][0]
        builtin_engine.process(load(second), store)
        late = builtin_engine.process(load(first), store).late
        assert bool(late) == (case == "paraphrase_uncredited"), case


def test_an_excerpt_of_a_longer_original_is_an_excerpt(builtin_engine: Engine) -> None:
    original = CASES["paraphrase_uncredited"][0]
    sentences = split_sentences(original["text"])
    part = " ".join(sentences[4:9])
    store = MemoryStore()
    builtin_engine.process(load(original), store)
    out = builtin_engine.process(
        load(original, id="part", url="https://excerpts.example/1", text=part), store
    )
    [finding] = [f for f in out.findings if f.rule == "duplicates"]
    assert finding.kind == "excerpt"
    assert finding.evidence["original_coverage"] < 0.6
    assert finding.evidence["original_id"] == original["id"]


def test_a_long_article_holding_a_short_earlier_one_is_an_expansion(
    builtin_engine: Engine,
) -> None:
    # A brief, then a longer article that copies it whole and pads it out with other text:
    # the brief is under a fifth of the later article's sentences, so only the share of the
    # brief it holds tells.
    original = CASES["paraphrase_uncredited"][0]
    brief = load(original, id="brief", text=" ".join(split_sentences(original["text"])[:6]))
    padding = [CASES[case][0]["text"] for case in ("same_event_independent", "sports_results")]
    padded = load(
        original,
        id="padded",
        url="https://farm.example/1",
        text="\n\n".join([brief.text or "", *padding]),
    )

    def findings(engine: Engine) -> list[Finding]:
        store = MemoryStore()
        engine.process(brief, store)
        return [f for f in engine.process(padded, store).findings if f.rule == "duplicates"]

    [finding] = findings(builtin_engine)
    assert finding.kind == "expansion"
    assert finding.evidence["original_id"] == "brief"
    assert finding.evidence["original_coverage"] == 1.0
    assert finding.evidence["score"] < 0.2  # the share of the later article's sentences
    assert findings(engine_for(rule("duplicates", id="duplicates", contained_share=0))) == []


def test_a_brief_held_behind_an_introduction_is_found_on_every_sentence(
    builtin_engine: Engine,
) -> None:
    # Of a long article only its first 8 and 24 longest sentences are compared first; a brief
    # of shorter sentences behind an introduction of the article's own lies mostly among the
    # others, and is found when the article is compared again on all of them.
    original = CASES["paraphrase_uncredited"][0]
    part = split_sentences(original["text"])[7:12]
    brief = load(original, id="brief", text=" ".join(part))
    intro, *rest = (
        CASES[case][0]["text"]
        for case in ("same_event_independent", "paraphrase_credited", "same_topic_followup")
    )
    rest.append(CASES["market_wraps"][0]["text"])
    padded = load(
        original,
        id="padded",
        url="https://farm.example/1",
        text="\n\n".join([intro, brief.text or "", *rest]),
    )
    store = MemoryStore()
    builtin_engine.process(brief, store)
    [finding] = [
        f for f in builtin_engine.process(padded, store).findings if f.rule == "duplicates"
    ]
    assert finding.kind == "expansion"
    assert finding.evidence["sentences"] > 32  # compared on every sentence
    assert finding.evidence["original_coverage"] == 1.0
    assert [a["text"] for a in finding.evidence["aligned"]] == part


def test_hard_wrapped_text_keeps_its_sentences() -> None:
    paragraph = (
        "Nordvik Energi said on Friday that Halverstad, Bergen, Stavanger, Trondheim, Tromso,"
        " Bodo, Alesund, Molde and Kristiansund would get underground cables. Chief Executive"
        " Anna Lindqvist said Oslo, Helsinki, Stockholm and Copenhagen were watching. Energy"
        " Minister Terje Aasland, Transport Minister Jon-Ivar Nygard and Finance Minister"
        " Trygve Slagsvold Vedum welcomed the plan."
    )
    text = paragraph + "\n\n" + paragraph.replace("Friday", "Monday")
    wrapped = "\n\n".join(textwrap.fill(p, 60) for p in text.split("\n\n"))
    assert any(line[:1].isupper() for line in wrapped.splitlines()[1:])  # the hard case
    assert split_sentences(wrapped) == split_sentences(text)
    assert len(split_sentences(text)) == 6


def test_a_hard_wrapped_copy_is_flagged(builtin_engine: Engine) -> None:
    original = CASES["paraphrase_uncredited"][0]
    wrapped = "\n\n".join(textwrap.fill(p, 70) for p in original["text"].split("\n\n"))
    store = MemoryStore()
    builtin_engine.process(load(original), store)
    out = builtin_engine.process(
        load(original, id="wrapped", url="https://mail.example/1", text=wrapped), store
    )
    assert kinds(out) in (["exact-duplicate"], ["near-duplicate"])


def test_text_written_a_line_per_link_keeps_its_sentences() -> None:
    # As a scraper that writes a line per text node gives it: a break where each link starts
    # and ends.
    text = (
        "Nordvik Energi said on Friday that the\nHalverstad line\nwould get underground cables,"
        " according to\nThe Coast Gazette\n. Chief Executive Anna Lindqvist\nsaid the work"
        " would start in May, after a vote of the\nregional council\n."
    )
    assert split_sentences(text) == split_sentences(text.replace("\n", " "))
    assert len(split_sentences(text)) == 2


def test_a_copy_the_strip_rules_shorten_is_compared_before_stripping() -> None:
    original = CASES["near_copy"][0]
    sentences = split_sentences(original["text"])[:4]
    # A strip rule that takes every line but the last: what is left is too short to compare.
    engine = engine_for(
        rule("line-pattern", id="cut-lines", match="prefix", patterns=["@@"]),
        rule("duplicates", id="duplicates"),
    )
    copy_text = "\n".join(f"@@ {s}" for s in sentences[:-1]) + "\n" + sentences[-1]
    store = MemoryStore()
    engine.process(load(original, text=" ".join(sentences)), store)
    out = engine.process(
        load(original, id="short", url="https://short.example/1", text=copy_text), store
    )
    assert out.text.strip() == sentences[-1]
    assert kinds(out) != []


def test_a_repeated_title_line_does_not_make_two_stories_one() -> None:
    # The duplicates rule alone: the built-in strip rules would take the repeated lines out.
    engine = engine_for(rule("duplicates", id="duplicates"))
    title = "Festival jury honours independent film makers from northern regions"
    first, second = (split_sentences(a["text"])[:3] for a in CASES["same_event_independent"])
    store = MemoryStore()
    engine.process(load(CASES["near_copy"][0], text="\n".join([title] * 3 + first)), store)
    out = engine.process(load(CASES["near_copy"][1], text="\n".join([title] * 3 + second)), store)
    assert kinds(out) == []


def test_the_worker_sends_a_late_finding_keyed_by_the_copy(builtin_engine: Engine) -> None:
    original, rewrite = CASES["paraphrase_uncredited"]
    strip_state, flag_state = MemoryStore(), MemoryStore()
    sent = []
    for n, article in enumerate((rewrite, original)):
        [stripped] = strip_message(
            builtin_engine,
            strip_state,
            None,
            json.dumps(article).encode(),
            Origin("articles.raw", 0, n),
            1 << 20,
        )
        [candidates] = flag_message(
            builtin_engine,
            flag_state,
            stripped.key,
            stripped.value,
            stripped.headers,
            Origin("articles.stripped", 0, n),
        )
        sent += align_message(
            builtin_engine,
            candidates.key,
            candidates.value,
            candidates.headers,
            Origin("articles.candidates", 0, n),
        )
    late = [o for o in sent if (LATE_HEADER, b"1") in o.headers]
    [record] = late
    assert record.destination == "findings"
    assert record.key == article_key(rewrite["id"], rewrite["url"]).encode()
    body = json.loads(record.value)
    assert body["late"] is True and body["finding"]["evidence"]["original_id"] == original["id"]
    assert all(o.headers.count((LATE_HEADER, b"1")) == 0 for o in sent if o not in late)


def test_copydesk_filter_writes_a_late_finding_as_a_line_of_its_own(tmp_path: Path) -> None:
    original, rewrite = CASES["paraphrase_uncredited"]
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(rewrite) + "\n" + json.dumps(original) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["filter", str(source)])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("late", False) for line in lines] == [False, False, True]
    assert lines[2]["key"] == lines[0]["key"]
    assert lines[2]["finding"]["evidence"]["original_key"] == lines[1]["key"]
    assert "late findings 1" in result.stderr
    schemas = {
        w: json.loads(CliRunner().invoke(main, ["schema", w]).stdout) for w in ("output", "late")
    }
    for line in lines:
        jsonschema.validate(line, schemas["late" if line.get("late") else "output"])
    assert "late" not in schemas["output"]["properties"]


@pytest.mark.parametrize(("common_sentence", "flagged"), [(8, False), (1000, True)])
def test_sentences_many_articles_carry_do_not_count(common_sentence: int, flagged: bool) -> None:
    """A sign-off every article of a site carries is not reuse once the index has seen it in
    `common_sentence` articles (before that, it counts: the table learns from the stream)."""
    engine = engine_for(rule("duplicates", id="duplicates", common_sentence=common_sentence))
    sign_off = [
        "Subscribe to our morning newsletter for the latest regional headlines and analysis.",
        "Our reporters follow local government, business and culture across the valley daily.",
        "Send tips and corrections to the newsroom editors through the contact page anytime.",
    ]
    bodies = [case[0] for case in CASES.values()] + [CASES["same_event_independent"][1]]
    store = MemoryStore()
    outs = [
        engine.process(
            load(body, text="\n".join(split_sentences(body["text"])[:6] + sign_off)), store
        )
        for body in bodies
    ]
    assert bool(kinds(outs[-1])) == flagged


def test_a_rewrite_names_the_first_published_of_equal_originals(builtin_engine: Engine) -> None:
    original, rewrite = CASES["paraphrase_uncredited"]
    copy = load(
        original,
        id="copy",
        url="https://copies.example/1",
        published_at=rewrite["published_at"][:11] + "12:00:00Z",
    )
    store = MemoryStore()
    builtin_engine.process(copy, store)  # seen first, published after the original
    builtin_engine.process(load(original), store)
    out = builtin_engine.process(load(rewrite), store)
    [finding] = [f for f in out.findings if f.rule == "duplicates"]
    assert finding.kind == "paraphrase"
    assert finding.evidence["original_id"] == original["id"]


def test_a_three_sentence_rewrite_of_a_long_original_is_found(builtin_engine: Engine) -> None:
    """No shared 5-grams to speak of and few anchors: the sentence keys bring the candidate."""
    original, rewrite = CASES["paraphrase_uncredited"]
    sentences = split_sentences(rewrite["text"])
    short = " ".join(sentences[n] for n in (6, 8, 10))  # the quote, the financing, the tariff
    store = MemoryStore()
    builtin_engine.process(load(original), store)
    out = builtin_engine.process(load(rewrite, text=short), store)
    [finding] = [f for f in out.findings if f.rule == "duplicates"]
    assert finding.kind == "paraphrase"
    assert finding.evidence["original_id"] == original["id"]


def test_titles_and_initialisms_end_no_sentence() -> None:
    text = (
        "A man pleaded guilty to threatening U.S. Rep. Ilhan Omar, prosecutors said. He was"
        " taken to St. Brendan Medical Center by Dr. Lee. Shares fell 2.3 percent. The U.S."
        " Attorney's Office said so."
    )
    assert split_sentences(text) == [
        "A man pleaded guilty to threatening U.S. Rep. Ilhan Omar, prosecutors said.",
        "He was taken to St. Brendan Medical Center by Dr. Lee.",
        "Shares fell 2.3 percent.",
        "The U.S. Attorney's Office said so.",
    ]


@pytest.mark.skipif(
    not (SHARED / "data" / "clough").exists(), reason="the Clough corpus is not in ../shared/data"
)
def test_clough_answers_written_independently_are_not_flagged_and_reuse_is_found() -> None:
    """The built-in packs on the Clough & Stevenson corpus (each answer against the five
    sources): no answer written independently on the same topic is flagged (short ones, of a
    few long sentences, once aligned through sentences of the source joined two by two), and
    the reuse levels stay at the issue's targets (cut: 17 of 19 are findable)."""
    from bench import reuse

    sources, answers = reuse.clough()
    found = reuse.tally(answers, reuse.clough_outcomes(reuse.engine_with({}), sources, answers))
    assert found["non"] == 0
    assert found["cut"] >= 17 and found["light"] >= 17 and found["heavy"] >= 12
