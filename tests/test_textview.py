from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from copydesk.rules.lines import split_lines
from copydesk.rules.textview import TextView


def test_cuts_in_current_text_are_recorded_in_original_offsets() -> None:
    view = TextView("0123456789")
    view.remove(2, 4, "a")  # removes "23"
    assert view.text == "01456789"
    view.remove(2, 4, "b")  # "45" in current text
    assert view.text == "016789"
    assert [(s.rule, s.start, s.end, s.text) for s in view.removed] == [
        ("a", 2, 4, "23"),
        ("b", 4, 6, "45"),
    ]


def test_a_cut_across_an_earlier_cut_yields_two_spans() -> None:
    view = TextView("abcdefgh")
    view.remove(3, 5, "first")  # "de"
    spans = view.remove(1, 5, "second")  # "bcfg" in current text "abcfgh"
    assert [(s.start, s.end, s.text) for s in spans] == [(1, 3, "bc"), (5, 7, "fg")]
    assert view.text == "ah"


@given(
    text=st.text(max_size=200),
    cuts=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), max_size=12),
)
def test_spans_never_overlap_and_map_back_to_the_original(
    text: str, cuts: list[tuple[float, float]]
) -> None:
    view = TextView(text)
    for n, (a, b) in enumerate(cuts):
        length = len(view.text)
        lo, hi = sorted((int(a * length), int(b * length)))
        view.remove(lo, hi, f"r{n}")
    previous_end = 0
    for span in view.removed:
        assert span.start >= previous_end
        assert text[span.start : span.end] == span.text
        previous_end = span.end
    kept, pos = [], 0
    for span in view.removed:
        kept.append(text[pos : span.start])
        pos = span.end
    kept.append(text[pos:])
    assert "".join(kept) == view.text
    for pos in range(len(view.text)):
        assert text[view.to_original(pos)] == view.text[pos]


@given(
    text=st.text(max_size=200),
    cuts=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), max_size=12),
)
def test_a_view_rebuilt_from_text_and_removed_spans_maps_like_the_strip_stages(
    text: str, cuts: list[tuple[float, float]]
) -> None:
    view = TextView(text)
    for n, (a, b) in enumerate(cuts):
        length = len(view.text)
        lo, hi = sorted((int(a * length), int(b * length)))
        view.remove(lo, hi, f"r{n}")
    rebuilt = TextView.after_removals(view.text, view.removed)
    assert rebuilt.original == text
    assert rebuilt.text == view.text
    assert [rebuilt.to_original(p) for p in range(len(view.text))] == [
        view.to_original(p) for p in range(len(view.text))
    ]


@given(
    text=st.text(alphabet="ab \n\u200b", max_size=60),
    cuts=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=8),
)
def test_lines_carried_over_a_cut_are_the_lines_of_the_text_after_it(
    text: str, cuts: list[tuple[float, float]]
) -> None:
    view = TextView(text)
    for a, b in cuts:
        assert view.lines == split_lines(view.text)
        length = len(view.text)
        lo, hi = sorted((int(a * length), int(b * length)))
        view.remove(lo, hi, "r")
    assert view.lines == split_lines(view.text)
    # The original's lines, whose split the first lines read shared, stay the original's.
    assert view.original_lines == split_lines(text)
    view = TextView.cut(text.upper(), view.removed)
    assert view.original_lines == split_lines(text.upper())


def test_kept_back_text_returns_to_its_place_and_leaves_the_rest_of_a_cut() -> None:
    view = TextView("one\ntwo\nthree\nfour")
    view.remove(4, 14, "chrome")  # "two\nthree\n"
    assert view.text == "one\nfour"
    view.keep_back(8, 14)  # "three\n"
    assert view.text == "one\nthree\nfour"
    assert [(s.rule, s.start, s.end, s.text) for s in view.removed] == [("chrome", 4, 8, "two\n")]
    assert [line.text for line in view.lines] == ["one", "three", "four"]


@given(
    text=st.text(max_size=200),
    cuts=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), max_size=8),
    backs=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), max_size=4),
)
def test_keeping_back_is_undoing_the_cuts_over_a_stretch_of_the_body(
    text: str, cuts: list[tuple[float, float]], backs: list[tuple[float, float]]
) -> None:
    view = TextView(text)
    for n, (a, b) in enumerate(cuts):
        lo, hi = sorted((int(a * len(view.text)), int(b * len(view.text))))
        view.remove(lo, hi, f"r{n}")
    gone = [False] * len(text)
    for span in view.removed:
        gone[span.start : span.end] = [True] * (span.end - span.start)
    for a, b in backs:
        lo, hi = sorted((int(a * len(text)), int(b * len(text))))
        view.keep_back(lo, hi)
        gone[lo:hi] = [False] * (hi - lo)
    assert view.text == "".join(ch for ch, g in zip(text, gone, strict=True) if not g)
    assert all(text[s.start : s.end] == s.text for s in view.removed)
    assert sum(s.end - s.start for s in view.removed) == sum(gone)
    for lo, hi in view.current_spans(0, len(text)):
        assert view.text[lo:hi] == text[view.to_original(lo) : view.to_original(lo) + hi - lo]
    assert sum(hi - lo for lo, hi in view.current_spans(0, len(text))) == len(view.text)


def test_a_claim_puts_the_removed_part_it_covers_down_to_its_rule_and_changes_no_text() -> None:
    view = TextView("nav\ncaption\nstory")
    view.remove(0, 12, "region")  # "nav\ncaption\n"
    view.claim(4, 11, "captions")  # "caption"
    assert view.text == "story"
    assert [(s.rule, s.text) for s in view.removed] == [
        ("region", "nav\n"),
        ("captions", "caption"),
        ("region", "\n"),
    ]
    view.claim(12, 17, "captions")  # kept text: nothing to claim
    assert view.text == "story"
    assert len(view.removed) == 3


def test_removing_a_stretch_of_the_original_takes_only_what_is_still_kept() -> None:
    view = TextView("aaa bbb ccc ddd")
    view.remove(4, 8, "first")  # "bbb "
    view.remove_original(2, 13, "second")  # "a bbb ccc d", across the first cut
    assert view.text == "aadd"
    assert [(s.rule, s.text) for s in view.removed] == [
        ("second", "a "),
        ("first", "bbb "),
        ("second", "ccc d"),
    ]
