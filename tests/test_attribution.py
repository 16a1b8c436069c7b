"""Attribution: credits found, uncredited rewrites and stripped wire copy warned, quotes without
a speaker reported — on the rewrite fixtures and on single sentences."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import regex
from pydantic import ValidationError

from copydesk.rules.engine import Engine
from copydesk.rules.quotations import quotations
from copydesk.rules.quote_lexicon import builtin_lexicon
from copydesk.rules.records import ArticleIn, ArticleOut
from copydesk.rules.sentences import sentence_spans
from copydesk.rules.state import MemoryStore
from tests.conftest import SHARED, engine_for, rule

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


def test_a_padded_wire_brief_without_its_credit_owes_the_wire(builtin_engine: Engine) -> None:
    # A content farm takes a Reuters brief whole, drops the dateline and the credit line, and
    # pads it out to a page: the brief is a small part of the page, and the wire is owed.
    original = CASES["paraphrase_uncredited"][0]
    paragraphs = original["text"].split("\n\n")
    brief = {**original, "id": "brief", "text": "\n\n".join([*paragraphs[:4], paragraphs[-1]])}
    taken = paragraphs[0].split(" - ", 1)[1]  # without "HALVERSTAD, Norway, Nov 20 (Reuters)"
    padding = [CASES[case][0]["text"] for case in ("same_event_independent", "sports_results")]
    padded = {
        "id": "farm-1",
        "source": "Daily Buzz",
        "url": "https://buzz.example/energy/1",
        "published_at": "2026-11-20T15:00:00Z",
        "text": "\n\n".join([taken, *paragraphs[1:4], *padding]),
    }
    store = MemoryStore()
    first = builtin_engine.process(ArticleIn.model_validate_json(json.dumps(brief)), store)
    assert ("Reuters", "dateline") in [(c.source, c.where) for c in first.credits]
    out = builtin_engine.process(ArticleIn.model_validate_json(json.dumps(padded)), store)
    assert [f.kind for f in out.findings if f.rule == "duplicates"] == ["expansion"]
    assert warnings(out) == ["Reuters"]


def test_a_rewrite_of_wire_copy_signed_only_by_its_house_style_owes_the_wire(
    builtin_engine: Engine,
) -> None:
    # A news site reprints a Reuters story without its dateline: only Reuters' sign-off, which
    # names no source, says where it came from. A content farm's rewrite owes Reuters, not the
    # site that reprinted it.
    wire, rewrite = CASES["paraphrase_uncredited"]
    reprint = {
        **wire,
        "id": "reprint",
        "source": "Harbor Daily",
        "text": wire["text"].split(" - ", 1)[1],
    }
    store = MemoryStore()
    first = builtin_engine.process(ArticleIn.model_validate_json(json.dumps(reprint)), store)
    assert [(c.source, c.where, c.text) for c in first.credits] == [
        ("Reuters", "house-style", "(Reporting by Kari Lunde; Editing by Mark Heller)")
    ]
    assert warnings(first) == ["Reuters"]  # wire copy that names its wire nowhere
    out = builtin_engine.process(ArticleIn.model_validate_json(json.dumps(rewrite)), store)
    assert warnings(out) == ["Reuters"]


def test_a_house_style_must_belong_to_a_source_of_the_registry() -> None:
    with pytest.raises(ValidationError, match="house style of 'Reutres': not a source's name"):
        engine_for(
            rule(
                "credits",
                sources=[{"name": "Reuters"}],
                house_styles=[{"source": "Reutres", "patterns": [r"^\(Reporting by "]}],
            )
        )


def test_a_wire_style_rule_written_with_its_own_styles_says_where_they_went() -> None:
    styles = [{"source": "Reuters", "patterns": [r"^\(Reporting by "]}]
    with pytest.raises(ValidationError, match="moved to the `credits` rule, as `house_styles`"):
        engine_for(rule("wire-style", styles=styles))


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
        # A service or a second agency beside the name in the dateline's parentheses.
        (
            "WIEN (dpa-AFX) - Der Haushalt ist beschlossen.",
            [("dpa", "dateline", "WIEN (dpa-AFX) -")],
        ),
        (
            "DHAKA, Jan 5 (BSS/Xinhua) - The budget passed.",
            [("Xinhua", "dateline", "DHAKA, Jan 5 (BSS/Xinhua) -")],
        ),
        (
            "PARIS (AP, Reuters) - The strike went on.",
            [("Associated Press", "dateline", "PARIS (AP, Reuters) -")],
        ),
        ("BERLIN (Lokales) - Der Haushalt ist beschlossen.", []),
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
        (
            "The budget passed.\n(Reporting by Reuters; Editing by Tom Hale)",
            [("Reuters", "credit-line", "(Reporting by Reuters")],
        ),
        # A wire's house style names no source, and is a credit of it all the same.
        (
            "The budget passed.\n(Additional reporting by Bo Lind; Editing by Tom Hale)",
            [("Reuters", "house-style", "(Additional reporting by Bo Lind; Editing by Tom Hale)")],
        ),
        (
            "The budget passed.\nTo contact the reporter on this story: Jo Doe in Oslo",
            [("Bloomberg", "house-style", "To contact the reporter on this story:")],
        ),
        ("The council met and the app was updated in April.", []),
        # Receiving forms: the source got a statement; listed apart from credits of the story.
        ("The deal is off, the minister told Reuters.", [("Reuters", "interview", "told Reuters")]),
        (
            "In an interview with the AP, she said the deal is off.",
            [("Associated Press", "interview", "interview with the AP")],
        ),
        (
            "The minister told Reuters news agency the deal is off.",
            [("Reuters", "interview", "told Reuters")],
        ),
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


# A wire story as scraped with its site's chrome: headline, section line, date line and photo
# caption above the dateline; share prompt and headline lists below the credit line.
WIRE_PAGE = """Orlavian energy minister quits over cancelled grid contract
• World
November 23, 2026 4:12 PM UTC Updated 2 hours ago
FILE PHOTO: Orlavian Energy Minister Piet Halvorsen speaks at a news conference in Velsk, Orlavia, \
May 3, 2026. REUTERS/Ana Voss/File Photo
VELSK, Nov 23 (Reuters) - The Orlavian energy minister resigned on Monday after a 3.4 billion \
crown contract with Nordvik Energi was cancelled, Interfax news agency reported.
Minister Piet Halvorsen said the deal had been signed in good faith.
Parliament will debate the contract on December 2, speaker Ana Voss said.
The opposition demanded an inquiry into the 3.4 billion crown deal.
(Reporting by Reuters; Editing by Tom Hale)
Share this article
More from World
Nordvik Energi shares fall after contract scrapped
Velsk council approves new harbour bridge
Orlavia's central bank holds rates steady
Most read
Storm closes Baltic ports for a second day
Grain prices climb on export worries
"""
WIRE_PAGE_REWRITE = (
    "Orlavia's energy minister Piet Halvorsen quit on Monday after the 3.4 billion crown Nordvik"
    " Energi contract was scrapped, according to Interfax. Halvorsen insisted that the deal had"
    " been signed in good faith. Speaker Ana Voss said parliament would debate the contract on"
    " December 2. Opposition lawmakers called for an inquiry into the 3.4 billion crown deal."
)


def test_a_wire_story_in_its_page_chrome_keeps_its_credits_and_its_rewrite_owes_the_wire(
    builtin_engine: Engine,
) -> None:
    store = MemoryStore()
    page = builtin_engine.process(
        ArticleIn(id="page", source="World News Site", text=WIRE_PAGE), store
    )
    signed = [(c.source, c.where, c.text) for c in page.credits if c.where != "text"]
    assert signed == [
        ("Reuters", "dateline", "VELSK, Nov 23 (Reuters) -"),
        ("Reuters", "credit-line", "(Reporting by Reuters"),
    ]
    for credit in page.credits:
        assert WIRE_PAGE[credit.start : credit.end] == credit.text
    rewrite = builtin_engine.process(
        ArticleIn(id="rewrite", source="Content Farm", text=WIRE_PAGE_REWRITE), store
    )
    assert [(c.source, c.where) for c in rewrite.credits] == [("Interfax", "text")]
    assert warnings(rewrite) == ["Reuters"]
    # Naming the wire only as the one a statement went to does not credit it with the story.
    store = MemoryStore()
    builtin_engine.process(ArticleIn(id="page", source="World News Site", text=WIRE_PAGE), store)
    told = builtin_engine.process(
        ArticleIn(
            id="told",
            source="Other Farm",
            text=WIRE_PAGE_REWRITE.replace("insisted", "told Reuters"),
        ),
        store,
    )
    assert ("Reuters", "interview") in [(c.source, c.where) for c in told.credits]
    assert warnings(told) == ["Reuters"]


def test_a_dateline_under_a_kept_headline_section_date_and_caption_is_still_a_dateline() -> None:
    # Nothing stripped (a pack without strip rules; gold conventions that keep headline and
    # captions): four lines stand above the dateline, none of them a sentence.
    engine = engine_for(rule("credits", sources=[{"name": "Reuters"}]))
    signed = [(source, where) for source, where, _ in credits(engine, WIRE_PAGE)]
    assert ("Reuters", "dateline") in signed
    # Counted in sentences, the head still ends within the story's first paragraphs: a
    # dateline-shaped line further down is not taken for the article's.
    late = WIRE_PAGE.replace(
        "(Reporting by Reuters", "BERLIN, Nov 24 (Reuters) - More.\n(Reporting by Reuters"
    )
    assert [where for source, where, _ in credits(engine, late) if where == "dateline"] == [
        "dateline"
    ]


@pytest.mark.parametrize(
    ("body", "wire"),
    [
        (
            "The budget passed on Friday after a long debate in parliament over its cost.\n"
            "(Reporting by Ana Silva; Editing by Tom Hale)",
            "Reuters",
        ),
        (
            "The budget passed on Friday after a long debate in parliament over its cost.\n"
            "(Additional reporting by Bo Lind in Oslo; Editing by Tom Hale)",
            "Reuters",
        ),
        (
            "10 Things to Know for Today\n\nYour daily look at late-breaking news, upcoming"
            " events and the stories that will be talked about today:\n\n1. BUDGET PASSES.",
            "Associated Press",
        ),
    ],
)
def test_stripped_wire_copy_is_warned(builtin_engine: Engine, body: str, wire: str) -> None:
    out = builtin_engine.process(
        ArticleIn(id="w", source="Daily Aggregator", text=body), MemoryStore()
    )
    assert [(c.source, c.where) for c in out.credits] == [(wire, "house-style")]
    assert warnings(out) == [wire]
    signed = builtin_engine.process(ArticleIn(id="r", source=wire, text=body), MemoryStore())
    assert warnings(signed) == []


@pytest.mark.parametrize(
    "pattern",
    [r"^\W*\(Reporting by [^)]*\)", r"\(Reporting by [^)]*\)"],  # tried at line starts; anywhere
)
def test_a_house_style_is_found_where_a_search_of_the_text_finds_it(pattern: str) -> None:
    text = "The budget passed.\n(REPORTING by Bo)\n\n(Reporting by Ana)\n"
    styles = [{"source": "Reuters", "patterns": [pattern]}]
    engine = engine_for(rule("credits", sources=[{"name": "Reuters"}], house_styles=styles))
    [credit] = engine.process(ArticleIn(id="w", text=text), MemoryStore()).credits
    expected = regex.search(pattern, text, regex.MULTILINE)
    assert expected is not None
    assert (credit.where, credit.text) == ("house-style", expected.group(0))


@pytest.mark.parametrize(
    "sentence",
    [
        '"We will build this bridge whatever it costs," the mayor said.',
        '"We will build this bridge whatever it costs," she told reporters.',
        'It will be built, according to the mayor: "We will build this bridge whatever it costs."',
        'The Gazette quoted the mayor as saying "we will build this bridge whatever it costs".',
        # cue words learned from annotated news, not only "said"
        '"We will build this bridge whatever it costs," the crowd chanted.',
        '"We will build this bridge whatever it costs," adding that work starts in May.',
        # colon, comma, dash and transcript labels tie a quote to its speaker
        'Voss: "We will build this bridge whatever it costs."',
        'The mayor shot back, "We will build this bridge whatever it costs."',
        '"We will build this bridge whatever it costs," Voss barked.',
        '"We will build this bridge whatever it costs." ― Ana Voss',
        '"VOSS: We will build this bridge whatever it costs.',
        # the speaker in the paragraph before
        'Mayor Ana Voss said on Tuesday the town would borrow.\n"We will build it whatever."',
        'The mayor, who fought for the bridge for years, put it this way:\n\n"We will build it."',
        '"We will build it," the mayor said.\n"It will cost what it costs."\n"Nobody can stop it."',
        # mixed curly and straight marks still pair
        '“We will build this bridge whatever it costs," the mayor said. "It is time."',
        '"We will build this bridge whatever it costs." [Gazette]',
        '"We will build it," the mayor said. She smiled. Then came the rest. "We start in May."',
        # titles, scare quotes and partial quotes woven into the writer's sentence: not judged
        'The museum opens "Timber Town: Crestview and the River" on Friday.',
        'The plan is "very fine" for now.',
        'In May the council attacked "the hateful idea of building a bridge at any cost."',
        # a speaker's quotation going on in the next paragraph, after a verb no cue list
        # holds; left open, or closed with the paragraphs apart
        '"We were fantastic, particularly the new striker," gushed the coach Ana Voss.\n'
        '"He is a phenomenon and he proved it even though he was not in great shape.\n'
        '"He started training on January 2 after six months of injuries. I am happy for him."',
        '"Winning this cup would matter for the team and the new manager," stressed Cole.\n\n'
        '"It would be a great way to move forward. This club gets judged on what we win."',
        # a form that attributes where its stem mostly does not ("state" is mostly the noun)
        'Rosie O\'Donnell stated "Some people do not like me, but my fans still like me."',
        # a broadcast transcript labels its speaker with a name and an organisation
        "The port has closed its oldest crane until engineers can find the fault.\n"
        'Anna Berg - Harbor Port Authority "We have been fixing this crane for two years and we'
        ' will fix it for good."',
        # a scraper's line breaks around a link cut the speaker's sentence
        '"The pier will close in June," Mayor Ana Voss told\nthe Gazette\n. \n'
        '"It is time the town built a new one at last."',
        '"The pier will close in June," said Ana Voss, the mayor of\nCrestview\n, on Tuesday.\n'
        '"It is time the town built a new one at last."',
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


def test_quotes_in_another_language_are_not_judged(builtin_engine: Engine) -> None:
    # The same story in German: the cues and the model know English news, and would take
    # "sagte" for no cue at all.
    text = (
        "Der Stadtrat hat am Dienstag nach einer langen Debatte die neue Brücke genehmigt.\n"
        "„Wir werden diese Brücke bauen, was immer sie kostet.“\nDie Arbeiten beginnen im Mai.\n"
        '"Es ist ein historischer Tag für die ganze Stadt", sagte der Bürgermeister am Dienstag.'
    )
    out = builtin_engine.process(ArticleIn(id="q", text=text), MemoryStore())
    assert [f for f in out.findings if f.rule == "unattributed-quotes"] == []


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        # an embedded tweet whose author is only in the markup
        (
            'Rubio held a rally in Hialeah on Wednesday.\n\n<tweet author="@reporter">'
            '"Stands empty; crowd in one end zone at the rally tonight." pic.twitter.com/abc'
            "</tweet>",
            ['"Stands empty; crowd in one end zone at the rally tonight."'],
        ),
        # a digest of links: headlines and leads nobody in the text is said to have said
        (
            'NOW OPEN—"Council approves the new bridge after a long debate," by the Gazette\'s'
            ' Ana Voss: "The council voted 5-2 on Tuesday to approve the bridge."'
            " http://bit.ly/abc",
            [
                '"Council approves the new bridge after a long debate,"',
                '"The council voted 5-2 on Tuesday to approve the bridge."',
            ],
        ),
        # a link beside a quotation does not hide its speaker
        (
            'The mayor spoke on Tuesday.\n\n"We will build this bridge whatever it costs," she'
            " said. Read more at http://example.com/bridge",
            [],
        ),
    ],
)
def test_the_model_reports_quoted_tweets_and_digest_entries_with_no_speaker(
    builtin_engine: Engine, text: str, quoted: list[str]
) -> None:
    out = builtin_engine.process(ArticleIn(id="q", text=text), MemoryStore())
    found = [f.evidence for f in out.findings if f.kind == "unattributed-quote"]
    assert [text[e["start"] : e["end"]] for e in found] == quoted


def test_a_quote_span_indexes_the_body_the_engine_started_from(builtin_engine: Engine) -> None:
    body = (
        "Home\nWorld\nBusiness\n\n"
        "The council voted on Tuesday to approve the bridge after a long debate.\n"
        '"We will build this bridge whatever it costs."\nWork starts in May.'
    )
    out = builtin_engine.process(ArticleIn(id="q", text=body), MemoryStore())
    assert out.removed  # the menu is chrome: text and body differ
    [finding] = [f for f in out.findings if f.kind == "unattributed-quote"]
    quote = '"We will build this bridge whatever it costs."'
    assert body[finding.evidence["start"] : finding.evidence["end"]] == quote


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ('“Mixed marks," he said. "Straight ones.”', ['“Mixed marks,"', '"Straight ones.”']),
        ("”Backwards opening” mark.", ["”Backwards opening”"]),
        ('He is 6\'3" tall and said "not tall enough."', ['"not tall enough."']),
        ('Deals on 70"+ TV sets and 55" monitors all week.', []),
        ('The "70" in its name is its size: 70"+ screens.', ['"70"']),
        (
            '"A quote going on\n"into the next paragraph."',
            ['"A quote going on', '"into the next paragraph."'],
        ),
    ],
)
def test_quote_marks_pair_by_where_they_stand(text: str, quoted: list[str]) -> None:
    assert [text[q.start : q.end] for q in quotations(text)] == quoted


def test_a_quotation_opening_the_next_paragraph_goes_on_from_an_open_one() -> None:
    text = '"It will cost what it costs.\n\n"And we will pay for it."\n"A new one."'
    assert [q.goes_on for q in quotations(text)] == [False, True, False]


def test_sentences_do_not_end_after_abbreviations_initials_or_inside_addresses() -> None:
    text = (
        "It was said by Sen. Jeff Merkley at 3 p.m. Monday on Example.com. Then George W. Bush"
        " spoke. The U.S. Senate voted."
    )
    spans = sentence_spans(text, builtin_lexicon().abbreviations)
    assert [text[a:b].strip() for a, b in spans] == [
        "It was said by Sen. Jeff Merkley at 3 p.m. Monday on Example.com.",
        "Then George W. Bush spoke.",
        "The U.S. Senate voted.",
    ]


@pytest.mark.skipif(
    not (SHARED / "data" / "polnear").exists(), reason="PolNeAR is not in ../shared/data"
)
def test_the_shipped_quote_lexicon_is_what_its_script_learns_from_polnear_train() -> None:
    from bench.quote_lexicon import MIN_CUES, MIN_SHARE, OUT, build

    assert json.loads(OUT.read_text(encoding="utf-8")) == build(MIN_CUES, MIN_SHARE)


@pytest.mark.skipif(
    not (SHARED / "data" / "polnear").exists(), reason="PolNeAR is not in ../shared/data"
)
def test_the_shipped_quote_model_is_what_its_script_learns_from_polnear_train() -> None:
    from bench.quote_model import OUT, build

    assert json.loads(OUT.read_text(encoding="utf-8")) == build()


@pytest.mark.skipif(
    not (SHARED / "data" / "polnear").exists(), reason="PolNeAR is not in ../shared/data"
)
def test_the_reader_audit_reads_train_quotations_where_they_stand() -> None:
    from bench import polnear

    articles = {article.name: article for article in polnear.articles("train")}
    raw = json.loads(polnear.AUDIT.read_text(encoding="utf-8"))
    audit = polnear.audit()
    for part, audited in audit.items():
        for quotation, row in zip(audited, raw[part]["quotations"], strict=True):
            text = articles[quotation.article].text
            span = text[quotation.start : quotation.end].encode()
            assert hashlib.sha256(span).hexdigest()[:16] == row["span_sha256"]
    # every quotation the mapping calls unattributed, as the report says
    unattributed = [
        (name, start, end)
        for name, article in articles.items()
        for start, end in polnear.quotations(article.text)
        if not article.attributed(start, end)
    ]
    assert sorted(unattributed) == sorted(
        (q.article, q.start, q.end) for q in audit["unattributed"]
    )


def test_an_audit_with_an_unknown_reading_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench import polnear

    row = {"article": "a", "start": 0, "end": 9, "quote": '"a b c d"', "reading": "maybe"}
    path = tmp_path / "audit.json"
    path.write_text(
        json.dumps({"unattributed": {"quotations": [row]}, "flags": {"quotations": []}})
    )
    monkeypatch.setattr(polnear, "AUDIT", path)
    with pytest.raises(ValueError, match="unknown readings \\['maybe'\\]"):
        polnear.audit()
