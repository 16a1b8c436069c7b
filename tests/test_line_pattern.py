from __future__ import annotations

import string

import pytest
import regex

from copydesk.rules.engine import Engine
from copydesk.rules.kinds.base import any_of
from copydesk.rules.kinds.line_pattern import LinePatternSpec
from copydesk.rules.line_search import (
    LineSearch,
    anchored_at_start,
    leading_alternatives,
    lowered,
    required_literal,
    within_line,
    without_lookarounds,
)
from copydesk.rules.lines import split_lines
from copydesk.rules.loader import load_rules
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore
from tests.conftest import engine_for, rule

STORY = "The council met on Tuesday.\nIt voted 5-2.\n\nRelated\n\n© 2026 Harbor Daily"
BODY = "Home\nWorld\n\nShare this article\n\n" + STORY


def clean(text: str, **params: object) -> tuple[str, list[str]]:
    out = engine_for(rule("line-pattern", **params)).process(
        ArticleIn(id="a", text=text), MemoryStore()
    )
    return out.text, [span.text for span in out.removed]


def test_regex_removes_the_whole_line_and_the_gap_it_leaves() -> None:
    text, removed = clean(BODY, patterns=[r"^share this"])
    assert removed == ["Share this article\n\n"]
    assert text == "Home\nWorld\n\n" + STORY


def test_exact_match_ignores_case_and_spacing_but_not_other_words() -> None:
    _, removed = clean(BODY, match="exact", patterns=["related"])
    assert removed == ["Related\n\n"]
    _, removed = clean("Related coverage of the vote\nbody", match="exact", patterns=["related"])
    assert removed == []


def test_exact_match_can_be_case_sensitive() -> None:
    _, removed = clean(BODY, match="exact", patterns=["related"], ignore_case=False)
    assert removed == []


def test_prefix_match() -> None:
    _, removed = clean(BODY, match="prefix", patterns=["© 2026"])
    assert removed == ["\n\n© 2026 Harbor Daily"]


def test_head_scope_only_looks_at_the_first_lines() -> None:
    text = "World\nBody line one.\nBody line two.\nWorld"
    _, removed = clean(text, match="exact", patterns=["world"], where="head", within=1)
    assert removed == ["World\n"]
    _, removed = clean(text, match="exact", patterns=["world"], where="tail", within=1)
    assert removed == ["\nWorld"]


def test_max_words_keeps_long_lines_that_mention_the_pattern() -> None:
    prose = "Readers were told to share this article widely, the editor said in a long statement."
    _, removed = clean(f"Share this article\n{prose}", patterns=["share this article"], max_words=5)
    assert removed == ["Share this article\n"]


def test_consecutive_matching_lines_go_as_one_block() -> None:
    text, removed = clean(BODY, match="exact", patterns=["home", "world"])
    assert removed == ["Home\nWorld\n\n"]
    assert text.startswith("Share this article")


def test_a_text_with_no_match_is_unchanged() -> None:
    text, removed = clean(BODY, patterns=["nothing like this"])
    assert (text, removed) == (BODY, [])


def test_only_patterns_anchored_in_every_branch_count_as_anchored() -> None:
    assert anchored_at_start(r"^\W*file photo\b")
    assert anchored_at_start(r"^(photo|image)\s*:")  # the | is inside a group
    assert anchored_at_start(r"^[|]x")  # and here inside a class
    assert not anchored_at_start(r"^photo|credit")  # "credit" may match anywhere
    assert not anchored_at_start(r"^[]]|x")  # the first ] of a class is a literal
    assert not anchored_at_start(r"^[^](]|x")
    assert not anchored_at_start(r"^\(|x")
    assert not anchored_at_start(r"photo$")


def test_a_pattern_opening_with_alternatives_splits_into_one_pattern_each() -> None:
    assert leading_alternatives(r"\b(getty|ap\s+photo)\W*$") == [
        r"\b(?:getty)\W*$",
        r"\b(?:ap\s+photo)\W*$",
    ]
    assert leading_alternatives(r"(?:[|)]x|(a|b)c)d") == [r"(?:[|)]x)d", r"(?:(a|b)c)d"]
    assert leading_alternatives(r"(a|b)+c") is None  # "abc" matches, neither "a+c" nor "b+c"
    assert leading_alternatives(r"(a|b)c\1") is None  # the group's number is gone
    assert leading_alternatives(r"x(a|b)") is None
    assert leading_alternatives(r"(?i:a|b)") is None


def one_alternation_per_line(patterns: list[str], flags: int, text: str) -> dict[int, str]:
    """The reference: every pattern in one regex, searched line by line."""
    single = any_of(patterns, flags)
    found = {n: single.search(line) for n, line in enumerate(text.split("\n")) if line.strip()}
    return {n: match.group(0) for n, match in found.items() if match is not None}


def test_line_search_finds_what_one_alternation_finds_on_every_example() -> None:
    texts = [
        text
        for spec in load_rules().rules
        for text in [*(c.text for c in spec.examples.trigger_cases()), *spec.examples.ignore]
    ]
    regex_specs = [
        s for s in load_rules().rules if isinstance(s, LinePatternSpec) and s.match == "regex"
    ]
    assert len(regex_specs) > 5 and len(texts) > 50
    # Every example as it is, and all of them as one text (matches then start mid-text).
    for text in [*texts, "\n\n".join(texts)]:
        lines = [line for line in split_lines(text) if not line.blank]
        for spec in regex_specs:
            flags = regex.IGNORECASE if spec.ignore_case else 0
            search = LineSearch(spec.patterns, flags)
            expected = one_alternation_per_line(spec.patterns, flags, text)
            assert search.matching_lines(text, lines, lambda: 1.0) == expected, (spec.id, text)


def test_line_search_reads_text_anchors_as_line_anchors() -> None:
    text = "The council met.\nfoo bar\nbar foo"
    lines = split_lines(text)
    found = LineSearch([r"\Afoo", r"foo\Z"], 0).matching_lines(text, lines, lambda: 1.0)
    assert found == one_alternation_per_line([r"\Afoo", r"foo\Z"], 0, text) == {1: "foo", 2: "foo"}


def test_line_search_finds_the_lines_a_scan_of_the_text_would_miss() -> None:
    # An empty line; a lookbehind at a line start, where the text has a newline before it; a
    # line whose newline the match on the line above takes.
    text = "x\n\ny\n-\nfoo"
    patterns = [r"^$", r"(?<!\s)y", r"^-\W*", r"^foo"]
    found = LineSearch(patterns, 0).matching_lines(text, split_lines(text), lambda: 1.0)
    assert found == {1: "", 2: "y", 3: "-", 4: "foo"}


def test_a_lookaround_that_would_see_past_its_line_in_the_text_still_finds_the_line() -> None:
    # Each lookaround, read in the whole text, would look into the line above or below.
    text = "the\npress\nsaid the\npress\nx\ny\nx y"
    patterns = [r"(?<!the\s)press$", r"^x(?!\s*y)", r"(?<=^|\n)x\b(?=\W*$)"]
    found = LineSearch(patterns, 0).matching_lines(text, split_lines(text), lambda: 1.0)
    assert found == one_alternation_per_line(patterns, 0, text) == {1: "press", 3: "press", 4: "x"}


def test_lookarounds_come_out_only_where_the_rest_matches_wherever_the_pattern_does() -> None:
    assert without_lookarounds(r"(?<!\w\W+the\s+)\b(getty|ap)\W*$") == r"\b(getty|ap)\W*$"
    assert without_lookarounds(r"(?<=a)b(?!c(?=d))e[(?=]") == r"be[(?=]"
    assert without_lookarounds(r"\(?=x") == r"\(?=x"  # an optional "(" then "=x"
    # A repeated lookaround; text anchors; a path committed to by what a lookaround ruled out.
    for pattern in [r"x(?=y)*", r"\Afoo(?!x)", r"(?>(?!ab)a|ab)c", r"a++(?=b)", r"(a)(?=b)\1"]:
        assert without_lookarounds(pattern) is None, pattern


def test_a_scan_runs_only_where_the_text_holds_the_literal_its_matches_start_with() -> None:
    assert required_literal(r"\bno spam\b") == "no spam"
    assert required_literal(r"\b(?:getty\s+images)\s*\W*$") == "getty"
    assert required_literal(r"newsletters?\W*$") == "newsletter"  # the "s" may be missing
    assert required_literal(r"(?:ab)+c") == "ab"
    # Nothing every match starts with: an alternation, an optional group, inline flags.
    for pattern in [r"abc|x", r"(?:a|b)c", r"(?:abc)?d", r"(?i)abc", r"x{2}y", r"(ab)c"]:
        assert required_literal(pattern) == "", pattern
    # Characters that match an ASCII letter ignoring case without lower-casing to it.
    text = "The council met.\nNO ſPAM, İNBOX ıNBOX\nUnsubscribe at any time"
    patterns = [r"\bno spam\b", r"\binbox\s+inbox\b", r"\bunsubscribe at any time\b"]
    found = LineSearch(patterns, regex.IGNORECASE).matching_lines(
        text, split_lines(text), lambda: 1.0
    )
    assert found == one_alternation_per_line(patterns, regex.IGNORECASE, text)
    assert sorted(found) == [1, 2]


def test_every_character_matching_an_ascii_letter_ignoring_case_lowers_to_it() -> None:
    """What ``lowered`` relies on, over every code point."""
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for letter in string.ascii_letters + string.digits + " ":
        pattern = regex.compile(regex.escape(letter), regex.IGNORECASE | regex.V0)
        for match in pattern.finditer(everything):
            assert lowered(match[0]) == letter.lower(), (letter, match[0])


def test_a_pattern_opening_with_a_run_of_characters_is_found_by_what_follows() -> None:
    text = "ab x\nabcdef x\n.x"
    found = LineSearch([r"^[^.]{0,3}\bx"], 0).matching_lines(text, split_lines(text), lambda: 1.0)
    assert found == {0: "ab x"}


def test_a_claiming_rule_takes_over_the_removal_of_lines_an_earlier_rule_removed() -> None:
    """``claim_removed``: what an earlier rule removed whole and this one matches is put down
    to this one, without going to ``metadata`` (a caption in a sidebar is not the article's)."""
    region = rule("line-pattern", id="region", patterns=["^(home|photo by jane roe)$"])
    captions = rule("line-pattern", id="captions", patterns=["^photo by"], keep_as="captions")
    captions["claim_removed"] = True
    body = "Home\nPhoto by Jane Roe\n\nThe council met on Tuesday.\nPhoto by Ann Lee"
    out = engine_for(region, captions).process(ArticleIn(id="a", text=body), MemoryStore())
    assert out.text == "The council met on Tuesday."
    assert [(s.rule, s.text) for s in out.removed] == [
        ("region", "Home\n"),
        ("captions", "Photo by Jane Roe"),
        ("region", "\n\n"),
        ("captions", "\nPhoto by Ann Lee"),
    ]
    assert out.metadata["captions"] == ["Photo by Ann Lee"]


def test_claiming_lines_needs_a_rule_that_removes_and_looks_everywhere() -> None:
    for params in ({"remove": False, "keep_as": "captions"}, {"where": "head"}):
        with pytest.raises(ValueError, match="claim_removed needs"):
            LinePatternSpec.model_validate(
                rule("line-pattern", patterns=["a"], claim_removed=True, **params)
            )


@pytest.mark.parametrize(
    "pattern",
    [r"^\W*(photo|image)\s*:", r"[^.]{0,12}\bcredit", r"[^]a]+\D", r"\(\s*[\w\s]+\)", r"\\W\s"],
)
def test_within_line_matches_a_line_as_the_pattern_does_and_runs_into_no_other(
    pattern: str,
) -> None:
    lines = ["  -- Photo: Jo Doe", "Image credit", "a] b 7 x", "( Jo Doe )", "\\W x", "", "   "]
    original, rewritten = (
        regex.compile(pattern, regex.I),
        regex.compile(within_line(pattern), regex.I),
    )
    for line in lines:
        found, again = original.search(line), rewritten.search(line)
        assert (found and found.span()) == (again and again.span()), (pattern, line)
    text = "\n".join(lines)
    assert all("\n" not in m.group() for m in rewritten.finditer(text, regex.MULTILINE))


def test_an_indented_page_runs_every_rule_within_its_time_budget() -> None:
    """A page's text as its source holds it: thousands of lines of spaces and indented
    entries. Scans for "^\\W*(photo|…)" ran on across every blank line after each line start,
    a square of the lines, and six rules ran out of their 50 ms and were skipped."""
    chrome = "\n".join(
        " " * (8 + n % 90) + ("Menu entry" if n % 7 == 0 else "") for n in range(3000)
    )
    story = "\n".join(" " * 40 + line for line in STORY.split("\n"))
    text = f"{chrome}\n{story}\n{chrome}"
    out = Engine(load_rules()).process(ArticleIn(id="a", text=text), MemoryStore())
    assert [f.evidence for f in out.findings if f.rule == "engine.rule-timeout"] == []


def test_a_pattern_that_needs_the_leading_spaces_still_finds_its_line() -> None:
    """The scan passes over a line's leading spaces once for patterns that open with a run
    taking them ("^\\W*"); one that needs them ("^ {4}") is tried at the line's start."""
    text = "Intro\n    code sample\n   Photo: Jo Doe\nby Ana"
    search = LineSearch([r"^ {4}code", r"^\W*photo\s*:", r"^\s*by\b"], regex.IGNORECASE)
    found = search.matching_lines(text, split_lines(text), lambda: 1.0)
    assert found == {1: "    code", 2: "   Photo:", 3: "by"}
