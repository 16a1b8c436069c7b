"""Each boilerplate rule kind on its own: what it removes, and the prose it must leave alone."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from copydesk.rules.kinds.base import Context
from copydesk.rules.kinds.section_cutoff import SectionCutoffSpec
from copydesk.rules.lines import split_lines
from copydesk.rules.loader import load_rules
from copydesk.rules.records import ArticleIn, ArticleOut
from copydesk.rules.state import MemoryStore
from tests.conftest import engine_for, rule

PROSE = [
    "The council voted 5-2 on Tuesday to approve the new bridge, ending years of delay.",
    "The mayor called it a historic day for the town and its commuters, and said work starts soon.",
    "The state will pay two thirds of the cost under a deal struck last year, officials said.",
]
STORY = "\n".join(PROSE)


def run(text: str, *rules: dict[str, object], **fields: object) -> ArticleOut:
    article = ArticleIn.model_validate({"id": "a", "text": text, **fields})
    return engine_for(*rules).process(article, MemoryStore())


def removed(out: ArticleOut) -> list[str]:
    return [span.text for span in out.removed]


# section-cutoff


def test_block_cutoff_takes_heading_and_headlines_and_keeps_the_prose_after() -> None:
    text = f"{STORY}\n\nNext In World\nFloods hit coastal towns\nMarkets rally\n\n{PROSE[0]}"
    out = run(text, rule("section-cutoff", headings=[r"next in .+"], after_prose_words=10))
    assert removed(out) == ["Next In World\nFloods hit coastal towns\nMarkets rally\n\n"]
    assert out.text.endswith(PROSE[0])


def test_block_cutoff_takes_teasers_but_stops_at_two_prose_lines() -> None:
    teaser = "The operator blamed fuel costs for the rise, its first in years."
    text = f"{STORY}\nMore from Harbor\nFerry fares rise\n{teaser}\nLighthouse reopens\n{STORY}"
    out = run(text, rule("section-cutoff", headings=[r"more from .+"], after_prose_words=10))
    assert removed(out) == [f"More from Harbor\nFerry fares rise\n{teaser}\nLighthouse reopens\n"]


def test_rest_cutoff_takes_everything_after_the_heading() -> None:
    text = f"{STORY}\n3 Comments\njoe says:\nGreat news, finally, I have waited for years for this."
    out = run(
        text,
        rule("section-cutoff", headings=[r"\d+ comments"], remove="rest", after_prose_words=10),
    )
    assert out.text == STORY


STORY_BELOW = [
    "The harbour board met on Thursday to decide the future of the old ferry pier, which has"
    " stood empty since the storm of 2019 tore away half of its deck.",
    "Engineers told the board that repairs would cost about four million dollars, twice the"
    " estimate of last spring, because the piles had rotted further than expected.",
    "Several members said the money would be better spent on the new breakwater, while the"
    " fishermen asked for the pier to be kept for their boats.",
    "The board will vote in March, after a public hearing at the town hall.",
]
COMMENTS = rule("section-cutoff", headings=[r"\d+ comments"], remove="rest", after_prose_words=10)


def test_a_comment_count_above_the_story_does_not_cut_the_story() -> None:
    teaser = "Ferry fares will rise in spring, the operator said on Monday night."
    text = "\n".join([teaser, "Harbor pier: a decision at last", "11 Comments", *STORY_BELOW])
    out = run(text, COMMENTS)
    assert removed(out) == []


def test_a_comment_count_under_teasers_does_not_cut_the_story_below_it() -> None:
    """A page read a line per text node: a comment count between the sidebar's teasers and the
    story, and blurbs under the story in as many runs of prose as a thread has posts."""
    teasers = [
        line
        for n in range(4)
        for line in (
            f"Ferry fares to rise, part {n}",
            f"The operator blamed fuel costs for the rise, its first in {n + 3} years, and said"
            " more would follow.",
        )
    ]
    blurbs = [
        line
        for n in range(4)
        for line in (f"Advertisement {n}", "A lovely book, light and easy to read, says a fan.")
    ]
    story = [*STORY_BELOW, *PROSE, *STORY_BELOW[:2]]  # 202 words
    text = "\n".join([*teasers, "0 Comments", *story, *blurbs])
    out = run(text, COMMENTS)
    assert removed(out) == []


def test_a_thread_longer_than_the_story_is_still_cut() -> None:
    post = "I have fished from that pier for forty years and I would hate to see it go, {}."
    thread = [line for n in range(5) for line in (f"reader{n} says:", post.format(n))]
    text = "\n".join([*STORY_BELOW[:2], "5 Comments", *thread])
    out = run(text, COMMENTS)
    assert out.text == "\n".join(STORY_BELOW[:2])


def test_one_post_longer_than_the_story_goes_when_a_signature_follows_the_heading() -> None:
    """One reader's post, longer than the story, in one block: neither the words nor the posts
    say thread, but a signature right under the comment form's heading does."""
    post = " ".join(STORY_BELOW + STORY_BELOW[:2]).replace("The harbour board", "Our board")
    posted = [r"add\s+comment", r"posted\s+by:\s+.{1,60}\s+on\s+\S{0,12}\d.{0,40}"]
    signature = "Posted by: Al Spade, Harbor on 5:17pm Thu 17 Jan 08"
    text = "\n".join([*PROSE, "Add Comment", signature, post])
    spec = rule(
        "section-cutoff", headings=posted, remove="rest", after_prose_words=10, max_heading_words=20
    )
    assert run(text, spec).text == STORY
    # The same post under the heading alone stays: it may be the story under a comment link.
    alone = "\n".join([*PROSE, "Add Comment", post])
    assert removed(run(alone, spec)) == []


def test_a_heading_before_the_article_starts_cuts_nothing() -> None:
    text = f"Home\nRelated\nWorld\n{STORY}"
    out = run(text, rule("section-cutoff", headings=["related"], after_prose_words=10))
    assert removed(out) == []


def test_prose_that_starts_like_a_heading_survives() -> None:
    text = f"{STORY}\nRelated to that, the mayor said the old bridge would close next year."
    out = run(text, rule("section-cutoff", headings=[r"related\W*"], after_prose_words=10))
    assert removed(out) == []


BUILT_IN_CUTOFFS = [
    spec.build() for spec in load_rules().rules if isinstance(spec, SectionCutoffSpec)
]
HEADINGS = [
    "3 Comments",
    "Leave a Reply",
    "More from Harbor Daily",
    "Related",
    "Read next:",
    "Posted by: Al Spade, Harbor on 5:17pm Thu 17 Jan 08",
    "by",
    "Comments are now closed for this story",
]


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.text(" \t\x1c\x1f\u2003\xa0", max_size=3),
            st.sampled_from([*HEADINGS, *PROSE, ""]) | st.text(max_size=20),
            st.text(" \t\x1d\u3000", max_size=3),
        ),
        max_size=12,
    )
)
def test_the_headings_found_by_one_scan_are_the_lines_that_match_one_in_full(
    padded: list[tuple[str, str, str]],
) -> None:
    """The short lines are scanned together, stripped and joined, and only the lines a match
    touches are matched on their own: the same lines as matching each short line in full."""
    text = "\n".join("".join(parts) for parts in padded)
    lines = split_lines(text)
    ctx = Context(MemoryStore(), datetime.now(UTC), 1.0, deadline=time.monotonic() + 60)
    assert BUILT_IN_CUTOFFS
    for cutoff in BUILT_IN_CUTOFFS:
        each = {
            line.index
            for line in lines
            if 0 < line.words <= cutoff.spec.max_heading_words
            and cutoff._heading.fullmatch(line.text.strip())
        }
        assert cutoff.headings(lines, ctx) == each


# menu-block


def test_a_run_of_short_unpunctuated_lines_is_a_menu() -> None:
    text = f"Home\nWorld\nBusiness\nSports\n\n{STORY}"
    out = run(text, rule("menu-block", max_words=3, min_lines=3))
    assert removed(out) == ["Home\nWorld\nBusiness\nSports\n\n"]


def test_short_sentences_and_short_runs_are_not_menus() -> None:
    text = f"Home\nWorld\n{STORY}\nIt rained.\nWe stayed in.\nThen we left."
    out = run(text, rule("menu-block", max_words=3, min_lines=3))
    assert removed(out) == []


# content-region


def test_region_drops_navigation_above_and_footer_below() -> None:
    text = f"Home\nWorld\n\n{STORY}\nSubheading\n{PROSE[1]}\n\nPrivacy\nTerms\nContact"
    out = run(text, rule("content-region"))
    assert out.text == f"{STORY}\nSubheading\n{PROSE[1]}"


def test_region_keeps_credit_lines_matching_keep() -> None:
    text = f"{STORY}\n\nTerms of use\nAbout us\n(Reporting by Ana Silva; Editing by Tom Hale)"
    out = run(text, rule("content-region", keep=[r"^\(reporting by"]))
    assert out.text == f"{STORY}\n\n(Reporting by Ana Silva; Editing by Tom Hale)"


def test_region_keeps_everything_when_there_is_no_prose() -> None:
    out = run("Home\nWorld\nBusiness", rule("content-region"))
    assert out.text == "Home\nWorld\nBusiness"


def test_region_works_on_text_without_latin_words() -> None:
    body = (
        "市议会周二以五比二的票数批准了新桥的建设计划，结束了多年的拖延和争论，"
        "市长称这是历史性的一天。"
    )
    out = run(
        f"首页\n国际\n财经\n{body}\n{body}\n联系我们", rule("content-region", prose_min_chars=20)
    )
    assert out.text == f"{body}\n{body}"


def test_a_whole_article_on_one_line_in_chinese_is_too_long_for_a_short_line_pattern() -> None:
    # Chinese writes no spaces between words: the whole article is one whitespace "word".
    body = (
        "市议会周二以五比二的票数批准了新桥的建设计划，结束了多年的拖延和争论，"
        "市长称这是历史性的一天。州政府将承担三分之二的费用，其余由市政府借款支付。"
        "工程预计五月开工，旧桥将继续向行人和骑车人开放。© 2026 港口日报"
    )
    notice = rule("line-pattern", patterns=[r"©\s*\d{4}"], max_words=40)
    assert run(body, notice).text == body
    assert removed(run(f"{body}\n© 2026 港口日报", notice)) == ["\n© 2026 港口日报"]


# line-pattern captures


def test_captions_move_to_metadata() -> None:
    caption = "FILE PHOTO: A worker walks past the plant, May 3, 2026. REUTERS/Piet Jansen"
    out = run(
        f"{caption}\n{STORY}", rule("line-pattern", patterns=["^file photo"], keep_as="captions")
    )
    assert out.text == STORY
    assert out.metadata == {"captions": [caption]}


def test_a_capture_keeps_the_text_and_records_the_match() -> None:
    text = f"LISBON, Nov 21 (Reuters) - {STORY}"
    out = run(
        text,
        rule(
            "line-pattern",
            patterns=[r"^[A-Z, 0-9a-z]+\(Reuters\) -"],
            remove=False,
            keep_as="dateline",
            ignore_case=False,
        ),
    )
    assert out.text == text
    assert out.metadata == {"dateline": ["LISBON, Nov 21 (Reuters) -"]}


def test_applies_to_limits_a_rule_to_text_or_html_bodies() -> None:
    html = f"<html><body><article><p>{STORY}</p><p>Share this</p></article></body></html>"
    share = rule("line-pattern", patterns=["^share this$"], applies_to=["text"])
    assert removed(run("Share this\n" + STORY, share)) == ["Share this\n"]
    out = engine_for(share).process(ArticleIn(id="h", html=html), MemoryStore())
    assert "Share this" in out.text


def test_region_keeps_a_numbered_list_inside_the_article() -> None:
    items = "\n".join(f"{n}) Lego set number {n}" for n in range(1, 6))
    text = f"Home\nWorld\n{STORY}\n{items}\n{PROSE[0]}\n\nPrivacy\nTerms"
    out = run(text, rule("content-region"))
    assert out.text == f"{STORY}\n{items}\n{PROSE[0]}"


def test_region_keeps_a_numbered_table_indented_by_a_text_browser_s_margin() -> None:
    # links and w3m indent every line by a margin: a standings table's rows, "   1    Kyle
    # Busch    5040", are a numbered list all the same.
    rows = "\n".join(f"   {n}    Driver {n}        {5100 - 40 * n}    {n % 3}" for n in range(1, 7))
    text = f"Home\nWorld\n{STORY}\n{rows}\n{PROSE[0]}\n\nPrivacy\nTerms"
    out = run(text, rule("content-region"))
    assert out.text == f"{STORY}\n{rows}\n{PROSE[0]}"


def test_region_does_not_stretch_to_a_lone_teaser_after_the_footer() -> None:
    teaser = (
        "Ferry fares will rise in spring, the operator said on Monday, blaming fuel costs and"
        " the price of the two new boats it ordered last year."
    )
    # The footer costs 90; the teaser (140 characters) counts half, being far from other prose.
    text = f"{STORY}\nPrivacy\nTerms\nContact\n{teaser}"
    out = run(text, rule("content-region"))
    assert out.text == STORY


def test_region_keeps_a_last_paragraph_that_trails_off_but_not_a_cut_teaser() -> None:
    trailing = (
        "The old bridge will close in May. Cyclists will use the ferry. Nobody asked the"
        " ferry's crew what they thought of that. Sigh..."
    )
    teaser = "Ferry fares will rise in spring. The operator, blaming fuel costs and the two new..."
    out = run(f"{STORY}\n{trailing}\nPrivacy\nTerms", rule("content-region"))
    assert out.text == f"{STORY}\n{trailing}"
    out = run(f"{STORY}\n{teaser}\nPrivacy\nTerms", rule("content-region"))
    assert out.text == STORY


def test_region_reads_a_sentence_ending_on_its_source_in_brackets_as_prose() -> None:
    """A newsletter's items end with their source ("… the avian world." [Quartz]): read as
    headlines, they lost the whole newsletter but its last list (a HuffPost morning email in
    PolNeAR). A bracketed tag after no sentence is a headline's ("… bridge opens [Video]")."""
    items = [f"{line} [Harbor Daily]" for line in PROSE]
    menu = ["Home", "Watch the bridge open [Video]"]
    text = "\n".join([*menu, *items, "Privacy", "Terms"])
    out = run(text, rule("content-region"))
    assert out.text == "\n".join(items)


def test_region_reads_paragraphs_run_together_as_prose_and_a_glued_menu_as_not() -> None:
    """A page's text as its source holds it: blocks meet without a space between them, so
    paragraphs glue at their full stops ("… in Bolton.The …") and a menu's entries into one
    long line. Read line by line, the story failed as prose (its line ended on a glued
    "Story continues ADVERTISEMENT") and the region went to the footer; counted as sentences,
    the glued menu (two of its entries end "!") passed as prose. The glued label, read as a
    line of its own, goes with the chrome."""
    story = "".join(PROSE) + "Story continues ADVERTISEMENT"
    menu = (
        "HomeNewsWorldBusinessSportWeatherRecipes!Browse RecipesGamesWin a Car!Local News"
        "Traffic CamsContact UsAdvertise With Us"
    )
    footer = "Please read our Terms and Conditions and Privacy Statement before using this site."
    links = "Top |\nBack |\nE-mail to a friend | Printable version\nCopyright and Trade Mark Notice"
    out = run(f"{menu}\n{story}\n{links}\n{footer}", rule("content-region"))
    assert out.text == "".join(PROSE)


def test_hashtags_and_site_names_do_not_make_a_sentence_run_together() -> None:
    line = (
        "The listing moved from GunBroker.com to UnitedGunGroup.com, and the #GirlIGuessImWithHer"
        " hashtag followed it."
    )
    out = run(f"Home\nWorld\n{line}\n{PROSE[0]}\nPrivacy\nTerms", rule("content-region"))
    assert out.text == f"{line}\n{PROSE[0]}"
