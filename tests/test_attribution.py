"""Attribution: credits found, uncredited rewrites and stripped wire copy warned, quotes without
a speaker reported — on the rewrite fixtures and on single sentences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import regex

from copydesk.rules.engine import Engine
from copydesk.rules.records import ArticleIn, ArticleOut
from copydesk.rules.state import MemoryStore
from tests.conftest import engine_for, rule

CASES = json.loads((Path(__file__).parent / "fixtures" / "duplicates.json").read_text())


def run_case(engine: Engine, name: str) -> list[ArticleOut]:
    store = MemoryStore()
    return [
        engine.process(ArticleIn.model_validate_json(json.dumps(a)), store) for a in CASES[name]
    ]


def warnings(out: ArticleOut) -> list[str]:
    return [
        f.evidence["uncredited_source"] for f in out.findings if f.kind == "missing-attribution"
    ]


def credits(engine: Engine, text: str, source: str = "Harbor Daily") -> list[tuple[str, str, str]]:
    out = engine.process(ArticleIn(id="c", source=source, text=text), MemoryStore())
    return [(c.source, c.where, c.text) for c in out.credits]


@pytest.mark.parametrize(
    ("case", "owed"),
    [
        ("paraphrase_uncredited", ["Reuters"]),
        ("paraphrase_cites_secondary", ["Reuters"]),  # naming only Interfax does not count
        ("near_copy", ["Harbor Daily"]),  # no wire credit: the publisher is owed
        ("paraphrase_credited", []),  # credits the Associated Press
    ],
)
def test_rewrites_owe_the_original_its_credit(
    builtin_engine: Engine, case: str, owed: list[str]
) -> None:
    original, rewrite = run_case(builtin_engine, case)
    assert warnings(original) == []  # an original is never warned for itself
    assert warnings(rewrite) == owed
    if owed:
        [warning] = [f for f in rewrite.findings if f.kind == "missing-attribution"]
        assert warning.evidence["original_id"] == CASES[case][0]["id"]
        assert warning.evidence["duplicate"]["kind"] in {"near-duplicate", "paraphrase"}


def test_the_cited_source_is_a_text_credit_not_an_author(builtin_engine: Engine) -> None:
    original, rewrite = run_case(builtin_engine, "paraphrase_cites_secondary")
    assert ("Reuters", "dateline") in [(c.source, c.where) for c in original.credits]
    assert ("Interfax", "text") in [(c.source, c.where) for c in rewrite.credits]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "LISBON, Nov 21 (Reuters) - The budget passed.",
            [("Reuters", "dateline", "LISBON, Nov 21 (Reuters) -")],
        ),
        (
            "OAKRIDGE, Ore. (AP) — A fire spread.",
            [("Associated Press", "dateline", "OAKRIDGE, Ore. (AP) —")],
        ),
        ("By Jane Roe, AFP\nThe budget passed on Friday.", [("AFP", "byline", "By Jane Roe, AFP")]),
        ("The budget passed.\n© AFP 2026", [("AFP", "credit-line", "© AFP")]),
        (
            "A fire spread.\nCopyright 2026 The Associated Press. All rights reserved.",
            [("Associated Press", "credit-line", "Copyright 2026 The Associated Press")],
        ),
        (
            "A fire spread.\nAssociated Press writer Jo Doe in Helena contributed to this report.",
            [
                (
                    "Associated Press",
                    "credit-line",
                    "Associated Press writer Jo Doe in Helena contributed",
                )
            ],
        ),
        ("The minister resigned, Interfax reported.", [("Interfax", "text", "Interfax reported")]),
        ("The deal is off, according to Reuters.", [("Reuters", "text", "according to Reuters")]),
        (
            "Xinhua quoted the minister as saying the deal is off.",
            [("Xinhua", "text", "Xinhua quoted")],
        ),
        ("The council met and the app was updated in April.", []),
    ],
)
def test_credit_forms(
    builtin_engine: Engine, text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert credits(builtin_engine, text) == expected


def test_credits_in_removed_chrome_still_count_and_point_into_the_body(
    builtin_engine: Engine,
) -> None:
    text = (
        "Home\nWorld\nBusiness\n\nThe council voted on Tuesday to approve the new bridge after"
        " years of delay.\n\n© 2026 AFP. All rights reserved."
    )
    out = builtin_engine.process(ArticleIn(id="c", text=text), MemoryStore())
    assert "AFP" not in out.text  # the footer is chrome
    [credit] = out.credits
    assert (credit.source, credit.where) == ("AFP", "credit-line")
    assert text[credit.start : credit.end] == credit.text == "© 2026 AFP"


def test_stripped_wire_copy_is_warned(builtin_engine: Engine) -> None:
    body = (
        "The budget passed on Friday after a long debate in parliament over its cost.\n"
        "(Reporting by Ana Silva; Editing by Tom Hale)"
    )
    out = builtin_engine.process(
        ArticleIn(id="w", source="Daily Aggregator", text=body), MemoryStore()
    )
    assert warnings(out) == ["Reuters"]
    signed = builtin_engine.process(ArticleIn(id="r", source="Reuters", text=body), MemoryStore())
    assert warnings(signed) == []


@pytest.mark.parametrize(
    "pattern",
    [r"^\W*\(Reporting by [^)]*\)", r"\(Reporting by [^)]*\)"],  # tried at line starts; anywhere
)
def test_a_house_style_is_found_where_a_search_of_the_text_finds_it(pattern: str) -> None:
    text = "The budget passed.\n(REPORTING by Bo)\n\n(Reporting by Ana)\n"
    engine = engine_for(rule("wire-style", styles=[{"source": "Reuters", "patterns": [pattern]}]))
    [finding] = engine.process(ArticleIn(id="w", text=text), MemoryStore()).findings
    expected = regex.search(pattern, text, regex.MULTILINE)
    assert expected is not None
    assert finding.evidence["style"] == expected.group(0)


@pytest.mark.parametrize(
    "sentence",
    [
        '"We will build this bridge whatever it costs," the mayor said.',
        '"We will build this bridge whatever it costs," she told reporters.',
        'It will be built, according to the mayor: "We will build this bridge whatever it costs."',
        'The Gazette quoted the mayor as saying "we will build this bridge whatever it costs".',
    ],
)
def test_quotes_with_a_speaker_are_attributed(builtin_engine: Engine, sentence: str) -> None:
    out = builtin_engine.process(ArticleIn(id="q", text=sentence), MemoryStore())
    assert [f for f in out.findings if f.kind == "unattributed-quote"] == []


def test_a_quote_without_a_speaker_is_reported_with_its_span(builtin_engine: Engine) -> None:
    text = (
        "The council voted on Tuesday to approve the bridge after a long debate.\n"
        '"We will build this bridge whatever it costs."\nWork starts in May.\n'
        '"It is a historic day for the whole town," the mayor said on Tuesday.'
    )
    out = builtin_engine.process(ArticleIn(id="q", text=text), MemoryStore())
    [finding] = [f for f in out.findings if f.kind == "unattributed-quote"]
    evidence = finding.evidence
    assert (
        out.text[evidence["start"] : evidence["end"]]
        == '"We will build this bridge whatever it costs."'
    )
    assert (evidence["attributed_quotes"], evidence["unattributed_quotes"]) == (1, 1)
