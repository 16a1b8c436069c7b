"""Text read one paragraph a line, however its lines were broken, so that the rules that judge a
line by its shape, and those that read sentences and quotations, see paragraphs rather than
fragments of them: ``joined_lines`` is what they read.

- Markdown (a link's address, list bullets, heading and emphasis marks): read as the text it
  shows (rules/markdown.py), first.
- Text with a blank line between every two lines (a scraper that writes each block as a
  paragraph): its blank lines mark nothing, and the rules that end a run of chrome at a blank
  line would stop at each; it is read single-spaced (``single_spaced``).
- Hard-wrapped text (plain-text feeds, e-mails): rules/unwrap.py.
- Sentences cut by a scraper that writes a line per text node of a page (BeautifulSoup's
  ``get_text("\\n")`` and the like), wherever a link, an emphasis or a span starts or ends:
  "… according to the\\nMinistry of Health\\n, which said …". Read so, text mode lost a tenth of
  its F1 on AEB dev and kept a line or two of some stories (bench/line_joins.py).

A single line break cuts a sentence when the line after it starts with punctuation no sentence
starts with; or when the line before it ends with an article, a preposition or a conjunction
and the line after it is a link's few words; or when the line after it starts with a small
letter and the line before it does not end a sentence, unless that line is a short one standing
on its own after a finished sentence — a heading or a label ("3 Comments", "Posted by joe at
9:15 pm") above text that starts small — or ends in a link's arrow ("7 Comments »") or in a
timestamp (a post's signature: "Posted by: tom3465, Farnworth on 8:21pm Tue 1 Jan 08"). A blank
line ends a paragraph (but in double-spaced text, where it is a line break). (Counting as
standing on its own any short line not joined to the one before it, as after a headline, kept
a fifth fewer joins on the dev sets' pages read a line per text node, for a lower F1 there.)

A model was tried in place of these facts: a logistic regression over the two lines' shape,
fitted to every break between the text nodes of the dev sets' pages, labelled by the markup
(one block element or two). Across sets it matched the markup poorly, because most breaks lie
between menu entries, which markup writes as blocks and as inline links alike, and text mode
read its joins worse than these facts' (docs/benchmarks-history.md, Boilerplate: the
fifteenth session).

Each result has the length of the text, character for character, so offsets into it are
offsets into the text."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from copydesk.rules.markdown import markdown_read
from copydesk.rules.prose import ends_sentence, sentence_count
from copydesk.rules.unwrap import unwrapped

_GOES_ON_STARTS = tuple(",.;:)]!?…%")
# Articles, prepositions and conjunctions: an English sentence goes on after them. (Not "said"
# or "says": a headline ends so, "…, minister says", and the story's first line follows.)
_GOES_ON_AFTER = frozenset(
    "a an the of to in on at by for from with into and or but than that according".split()  # noqa: SIM905
)
# The words of a link's text, at most: a longer line after such a word ("Follow us on", then
# the story) is a paragraph, and a longer line standing on its own is not a heading.
_LINK_WORDS = 8
# Spaces between two columns of a page laid out side by side (rules/columns.py).
_GUTTER = "   "
# A line that ends in an arrow ("7 Comments »", "More related articles »", "Go to Complete List
# »") ends in a link, whatever starts the next line. Not a closing guillemet: one opened on the
# same line (« … ») or a German quotation (»…«) is no arrow.
_LINK_ARROW = re.compile(r"(?:\s[»›]|→|>>)\s*$")
# A line that ends in a timestamp ("Posted by: tom, Farnworth on 8:21pm Tue 1 Jan 08", "January
# 14, 2008 10:43 PM") is a post's or a story's signature: the post under it starts a sentence of
# its own, however small its first letter. The timestamp: the line's last words are all a
# date's, a time's or what links them ("at", "on", "@", "|", a dash), and among them a time and a
# date; a time in a sentence ("lit the lamp on Jan. 3 at the 8:31\nmark") has other words
# between it and the date.
_MONTH_OR_DAY = (
    r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|des|dez|mon|tue|wed|thu|fri|sat|sun)"
    r"[a-z]*\.?"
)
_NUMERIC_DATE = r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}"
_TIME = re.compile(r"\d{1,2}[:.]\d{2}(?::\d{2})?(?i:[ap]\.?m\.?)?")
_DATE = re.compile(f"{_MONTH_OR_DAY}|{_NUMERIC_DATE}")
_STAMP_WORD = re.compile(
    rf"{_TIME.pattern}|{_DATE.pattern}|\d{{1,4}}(?:st|nd|rd|th)?|(?i:[ap]\.?m\.?)|[A-Z]{{2,4}}|at|on|@|\||[—–-]"
)


# Double-spaced: at least this many lines, and at most this share of them followed directly by
# another line rather than by a blank one.
_MIN_DOUBLE_SPACED_LINES = 5
_MAX_SINGLE_BREAKS = 0.1
_BLANK_LINE = re.compile(r"\n[ \t\xa0]*\n(?=[ \t\xa0]*\S)")


def single_spaced(text: str) -> str:
    """``text`` with the blank line between two lines turned into the first line's trailing
    spaces, when nearly every line of it is followed by a blank one; else ``text`` itself."""
    if _BLANK_LINE.search(text) is None:
        return text
    lines = text.split("\n")
    filled = sum(1 for line in lines if line.strip())
    if filled < _MIN_DOUBLE_SPACED_LINES:
        return text
    single = sum(1 for a, b in pairwise(lines) if a.strip() and b.strip())
    if single > _MAX_SINGLE_BREAKS * filled:
        return text
    return _BLANK_LINE.sub(lambda blank: " " * (len(blank.group()) - 1) + "\n", text)


def _short(line: str) -> bool:
    return len(line.split(None, _LINK_WORDS)) <= _LINK_WORDS


def sentence_breaks(lines: list[str]) -> list[bool]:
    """For each line but the last, whether the break after it cuts a sentence."""
    cuts: list[bool] = []
    stands_alone = True  # the line before the break opens a paragraph or a sentence
    for n, (before, after) in enumerate(pairwise(lines)):
        filled, following = before.strip(), after.lstrip()
        cut = bool(filled and following) and (
            following.startswith(_GOES_ON_STARTS)
            or (before.rsplit(None, 1)[-1] in _GOES_ON_AFTER and _short(following))
            or _inline_between(before, following, lines[n + 2] if n + 2 < len(lines) else "")
            or (
                _starts_small(following)
                and not ends_sentence(before)
                and not (stands_alone and _short(before))
                and not _ends_in_arrow(before)
                and not _ends_in_timestamp(before)
            )
        )
        cuts.append(cut)
        stands_alone = not cut and (not filled or ends_sentence(before))
    return cuts


def _inline_between(before: str, link: str, after: str) -> bool:
    """Whether ``link``, a line of a link's few words, sits inside the sentence around it: the
    line before it is a paragraph's (longer than a link) and goes on (no sentence end), and
    the line after it goes on the sentence (a small letter, or punctuation no sentence starts
    with). "… all season. Since\nOlivier Vernon's\ninjury a couple of weeks ago, …": a name
    linked mid-sentence. Not a label ("Reader said:") or a link with an arrow above a post."""
    following = after.lstrip()
    return (
        bool(following)
        and _short(link)
        and not _short(before)
        and not ends_sentence(before)
        and _mid_sentence(before)
        and not ends_sentence(link)
        and not _ends_in_arrow(link)
        and not (_short(following) and following.rstrip().endswith(":"))
        and (_starts_small(following) or following.startswith(_GOES_ON_STARTS))
    )


def _mid_sentence(line: str) -> bool:
    """Whether a line that ends in no sentence end stops inside a sentence, not at a title's
    end: its last word starts small ("… from the latest"), or a sentence starts on it ("… all
    season. Since"); and it is one column's text, not a row of columns side by side."""
    text = line.strip()
    if _GUTTER in text:
        return False  # a row of a layout in columns, not a paragraph's line
    last = text.rsplit(None, 1)[-1]
    return _starts_small(last) or sentence_count(text) > 1


def _ends_in_arrow(line: str) -> bool:
    return _LINK_ARROW.search(line) is not None and "«" not in line and "‹" not in line


def _ends_in_timestamp(line: str) -> bool:
    stamp: list[str] = []
    for word in reversed(line.replace(",", " ").split()):
        if _STAMP_WORD.fullmatch(word) is None:
            break
        stamp.append(word)
    return any(_TIME.fullmatch(word) for word in stamp) and any(
        _DATE.fullmatch(word) for word in stamp
    )


def _starts_small(line: str) -> bool:
    # "iPhone", "eMusic": names, not the small letter of a sentence going on.
    first = line.split(None, 1)[0]
    return first[:1].islower() and first == first.lower()


def sentences_joined(text: str) -> str:
    """``text`` with the line breaks that cut its sentences turned into spaces."""
    if "\n" not in text:
        return text
    lines = text.split("\n")
    out: list[str] | None = None
    at = -1
    for line, cut in zip(lines, sentence_breaks(lines), strict=False):
        at += len(line) + 1
        if cut:
            out = out or list(text)
            out[at] = " "
    return text if out is None else "".join(out)


def joined_lines(text: str) -> str:
    """``text`` read as the text it shows if it is Markdown, single-spaced if it is
    double-spaced, with the line breaks inside its
    paragraphs turned into spaces: those of a hard-wrapped text, then those that cut a
    sentence; ``text`` itself when nothing changes (the engine tells so by identity)."""
    joined = _joined_lines(text)
    return text if joined == text else joined


# The strip stage, the duplicates rule and the quote rule each read an article's text so, and
# where the strip rules take nothing out it is one text: remembered, the later two are free.
# (The remembered result of an equal text is another object: ``joined_lines`` hands back the
# caller's own.)
@lru_cache(maxsize=4)
def _joined_lines(text: str) -> str:
    return sentences_joined(unwrapped(single_spaced(markdown_read(text))))
