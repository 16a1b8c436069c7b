"""Text from a scraper that writes a line per text node: the sentences its line breaks cut are
joined before the rules judge lines, and the output keeps the line breaks that came in."""

from __future__ import annotations

import textwrap

from copydesk.rules.engine import Engine
from copydesk.rules.line_joins import joined_lines, sentences_joined, single_spaced
from copydesk.rules.loader import load_rules
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore

# Each paragraph as a scraper gives it when links and emphasis in it are text nodes of their
# own: "\n" wherever one starts or ends.
STORY = [
    "The harbour board met on Thursday evening to decide the future of the\nold ferry pier\n,"
    " which has stood empty since the\nstorm of 2019\ntore away half of its deck and both of"
    " its cranes.",
    "Engineers told the\nharbour board\nthat repairs would cost about four million dollars,"
    " twice the estimate of last spring, because the piles under the north end had rotted"
    " further than anyone expected when\ndivers\nfirst looked at them.",
    "Several members said the money would be better spent on the new breakwater, according"
    " to\nThe Coast Gazette\n, while the fishermen's association asked for the pier to be"
    " kept, since its boats have nowhere else to land their catch.",
    "The board will vote in March, after a public hearing at the\ntown hall\n, and the chair"
    " said she expected the meeting to run late into the night.",
]
MENU = ["Home", "News", "Sport", "Weather", "Opinion", "Business", "Culture"]
FOOTER = ["Contact us", "Privacy policy", "Terms of use", "© 2026 The Coast Gazette"]


def test_sentences_cut_by_line_breaks_are_joined() -> None:
    text = "\n".join(STORY)
    joined = sentences_joined(text)
    assert len(joined) == len(text)
    assert joined.split("\n") == [paragraph.replace("\n", " ") for paragraph in STORY]


def test_menus_headlines_and_paragraphs_stay_apart() -> None:
    text = "\n".join(
        [
            *MENU,
            "Storm-hit pier faces the axe",
            "By Ana Voss",
            "The harbour board met on Thursday. It will vote in March.",
            "Engineers spoke first.",
            "",
            "and the rest followed the next day, a paragraph after a blank line.",
            "Follow us on",
            "The board will vote in March, after a public hearing at the town hall, and the"
            " chair said she expected the meeting to run late.",
            "July 19 -- Harbour Hall, Toronto, ON",
            "July 22 -- Pier Theatre, Crestview, IN",
            "iPhone 11 review",
            "The review ends here.",
            "3 Comments",
            "joe says: great news, finally.",
            "Posted by ana at 9:15 pm",
            "i have waited for years for this",
        ]
    )
    assert sentences_joined(text) == text


def test_a_line_ending_in_a_link_arrow_is_not_joined_to_the_next() -> None:
    # After a line that ends no sentence, a line starting small would go on with it; an
    # arrow ("»", "›", "→", ">>") ends a link. A guillemet that closes a quotation opened on
    # its line does not.
    for link in ["7 Comments »", "More related articles ›", "Go to Complete List →", "Next >>"]:
        text = f"Filed under: Courts, Harbour\n{link}\ncould always be worse, she might have paid."
        assert sentences_joined(text) == text
    quoted = "Le maire a parlé d'un « jour historique »\net la séance a été levée."
    assert sentences_joined(quoted) == quoted.replace("\n", " ")


def test_a_line_ending_in_a_timestamp_is_not_joined_to_the_next() -> None:
    # A post's signature over its post: the post starts its own sentence, however small its
    # first letter. A time in a sentence that goes on ("at 6:30\np.m.", "the 8:31\nmark of")
    # is still joined: no date stands beside it at the line's end.
    for signature in [
        "Posted by: tom3465, Farnworth on 8:21pm Tue 1 Jan 08",
        "Posted By: blackzappy | December 13 2007 at 11:25 AM",
        "Comment by k — January 7, 2008 @ 10:20 pm",
        "12:03 GMT, Nov 20, 2019",
    ]:
        text = f"{signature}\nas long as he does not take advice from his cousin, fine."
        assert sentences_joined(text) == text
    for going_on in [
        "Clemson plays Auburn in the Chick-fil-A Bowl at 6:30\np.m. Monday, January 1.",
        "Backes lit the lamp on Jan. 3 at the 8:31\nmark of the opening frame.",
        "He left on Tuesday, Jan 1 at 8:21 with his\nbrother and two friends.",
    ]:
        assert sentences_joined(going_on) == going_on.replace("\n", " ")


def test_a_link_between_two_parts_of_a_sentence_is_joined_to_both() -> None:
    # A name linked mid-sentence starts with a capital, as a heading would; it is inline when
    # the paragraph line before it goes on (its last word small, or a sentence begun on it)
    # and the line after it goes on too. A title above a paragraph, a label over a reader's
    # post and a link with an arrow stay on their own lines.
    for going_on in [
        "Both have played a ton of snaps all season. Since\nOlivier Vernon's\ninjury a couple"
        " of weeks ago, the backups have filled in.",
        "Here are some figures from the latest poll by the\nHarbour Gazette\n, which asked"
        " 1,130 adults on the quay.",
    ]:
        assert sentences_joined(going_on) == going_on.replace("\n", " ")
    for apart in [
        "Race, Sex and the Battle for the Harbour Nod\nRace and gender are this week's"
        "\nflash-points in the race.",
        'Re: the story "Pier board keeps its eye on the prize"\nGazette Reader\nsaid:\nthis is'
        " real good news for the kids.",
        "Filed under: Courts, Harbour, the Pier and the Ferry\n7 Comments »\ncould always be"
        " worse, she might have paid.",
    ]:
        first = apart.split("\n", 1)[0]
        assert sentences_joined(apart).split("\n", 1)[0] == first


def test_a_comment_count_ending_in_an_arrow_cuts_the_thread_that_starts_small() -> None:
    story = [paragraph.replace("\n", " ") for paragraph in STORY]
    thread = [
        "could always be worse, the board might have sold the pier outright.",
        "Comment by Dee — March 7, 2026 @ 8:21 pm",
        "i grew up fishing off that pier and would pay to keep it.",
        "Comment by Sam — March 7, 2026 @ 9:04 pm",
    ]
    head = ["Storm-hit pier faces the axe", *story, "Filed under: Harbour, Council"]
    text = "\n".join([*head, "7 Comments »", *thread])
    out = Engine(load_rules()).process(ArticleIn(id="a", text=text), MemoryStore())
    assert "\n".join(story) in out.text
    assert not any(post in out.text for post in thread)


def test_text_mode_keeps_a_story_whose_links_cut_its_sentences() -> None:
    text = "\n".join([*MENU, "Storm-hit pier faces the axe", *STORY, *FOOTER])
    out = Engine(load_rules()).process(ArticleIn(id="a", text=text), MemoryStore())
    assert "\n".join(STORY) in out.text  # every fragment kept, the line breaks as they came
    assert not any(entry in out.text.split("\n") for entry in MENU[:-1] + FOOTER)


RELATED = ["Next In World", "Floods hit coastal towns", "Markets rally on rate hopes"]


def test_double_spaced_text_is_read_single_spaced() -> None:
    lines = ["Home", "News", "Sport", "Storm-hit pier faces the axe", "By Ana Voss"]
    text = "\n\n".join(lines)
    assert single_spaced(text) == " \n".join(lines)
    paragraphs = "\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:])  # single breaks too
    assert single_spaced(paragraphs) is paragraphs


def test_text_mode_reads_a_double_spaced_hard_wrapped_page_as_a_single_spaced_one() -> None:
    # A press release wrapped at 70 columns, then written a blank line after each line: the
    # wrap is only found once the blank lines are read as line breaks.
    story = [paragraph.replace("\n", " ") for paragraph in STORY]
    wrapped = [line for paragraph in story for line in textwrap.wrap(paragraph, 70)]
    lines = [*MENU, "Storm-hit pier faces the axe", *wrapped, *RELATED, *FOOTER]
    engine = Engine(load_rules())
    single = engine.process(ArticleIn(id="a", text="\n".join(lines)), MemoryStore())
    double = engine.process(ArticleIn(id="a", text="\n\n".join(lines)), MemoryStore())
    assert " ".join(story) in " ".join(single.text.split())  # the story kept whole
    assert double.text.split() == single.text.split()
    assert "\n\n".join(wrapped) in double.text  # the line breaks as they came


def test_a_text_with_nothing_to_join_comes_back_itself_even_when_seen_before() -> None:
    # The engine restores the body's own line breaks only where the joined text is another
    # object: an equal text read earlier must not hand back that earlier object.
    first = "\n".join([*MENU, "The story goes on here."])
    again = "".join(list(first))
    assert again == first and again is not first
    assert joined_lines(first) is first
    assert joined_lines(again) is again
