"""The shape of a line: prose (sentences) or chrome (menus, headlines, labels). Language-free:
it looks at length and sentence punctuation only, so it works on any script."""

from __future__ import annotations

from functools import lru_cache

import regex

from copydesk.rules.run_together import is_run_together

# Whitespace as the regex module's \s has it (str.isspace also takes U+001C to U+001F).
_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Closing quotes and brackets that may follow the end of a sentence.
_CLOSING = "\"'”’»)]"
_SENTENCE_ENDS = tuple(".!?。！？…:;")
# A sentence's end before a space, or glued to the next sentence where two paragraphs ran
# together ("... with Bolton.The 23-year-old ...": a page's text as its source holds it; the
# same glued end as ``run_together._glued_sentences`` finds, which reads it as a line break).
_SENTENCE_BREAK = regex.compile(
    r"[.!?。！？][\"'”’»)\]]*(?:\s|$)|(?<=\p{Ll}\p{Ll})[.!?][\"'”’»)\]]*(?=\p{Lu}\p{Ll})"
)
# A line cut short with an ellipsis: the summary of a teaser, not a paragraph of the story.
_ELLIPSES = ("...", "…")
# A teaser's summary is a sentence or two; a line with this many before its ellipsis is a
# paragraph that trails off ("... will probably go unfulfilled though. Sigh...").
_PARAGRAPH_SENTENCES = 3
# A question or exclamation: headlines end like this too.
_QUESTION_ENDS = tuple("?!？！")
# A short bracketed tag ending a line: a source, a note number; not a picture's credit, which
# ends a caption ("… pure oxygen'. (Photo Credit : PTI File Photo )").
_TAG_CLOSING = ("]", ")")
_TRAILING_TAG = regex.compile(
    r"(?i)\s[\[(](?![^\])]*\b(?:photos?|images?|pictures?|pics?|credits?|file|video|foto|bild)\b)"
    r"[^\[\]()\n]{1,40}[\])]\s*$"
)
# A leading item number: "1.", "2)", "[3]", "4 ", after any margin (text browsers indent every
# line: a table's rows, "   1    Kyle Busch    5040").
_ITEM_NUMBER = regex.compile(r"^\s*\W{0,2}(\d{1,3})(?:[.)\]:]|\s)")


def _end(line: str) -> str:
    """The line without the whitespace and closing quotes or brackets it ends with: its last
    character is the one that ends it. (Stripping beats a regex searched from the line's start
    by a factor of ten, and these checks run on every line for several rules.)"""
    return line.rstrip(_SPACE).rstrip(_CLOSING)


def shown_length(line: str) -> int:
    """The characters a line shows: a run of whitespace counts as one space, and none at its
    ends. A Markdown body is read with its syntax as spaces (``rules.markdown``), so a line of
    links holds long runs of them: counted, they made a footer's line of site names the
    page's longest "paragraph" (907 characters where it shows 120)."""
    return len(" ".join(line.split()))


def ends_sentence(line: str) -> bool:
    end = _end(line)
    if end.endswith(_SENTENCE_ENDS):
        return True
    if not line.rstrip(_SPACE).endswith(_TAG_CLOSING):
        return False
    # A sentence followed by its source or a note: "… of the avian world.” [Quartz]", "… in
    # 1998. [3]". A newsletter's items end so, and their prose read as a list of headlines.
    tag = _TRAILING_TAG.search(line)
    return tag is not None and _end(line[: tag.start()]).endswith(_SENTENCE_ENDS)


# The rules that look for prose read the same lines (142 calls an article, 24 lines): each line
# judged once, 110 -> 65 us an article.
@lru_cache(maxsize=4096)
def is_prose(line: str, min_chars: int) -> bool:
    """At least ``min_chars`` characters shown (``shown_length``), ending like a sentence or
    holding two sentences."""
    text = line.strip()
    # The length first: a line too short for it is too short shown, without a split.
    if len(text) < min_chars or shown_length(text) < min_chars:
        return False
    prose = ends_sentence(text) or len(_SENTENCE_BREAK.findall(text)) >= 2
    return prose and not is_run_together(text)  # a menu glued into a line reads as sentences


def sentence_count(line: str) -> int:
    """The sentences a line holds: its sentence ends, and a last sentence left open."""
    text = line.strip()
    ends = len(_SENTENCE_BREAK.findall(text + " "))
    return ends + (not ends_sentence(text) and bool(text))


def is_headline_like(line: str, max_words: int) -> bool:
    """Short and not ending like a sentence: menu entries, headline lists, labels."""
    text = line.strip()
    return bool(text) and len(text.split()) <= max_words and not ends_sentence(text)


def is_truncated(line: str) -> bool:
    """Ends with an ellipsis after at most a sentence or two: a teaser cut off mid-text."""
    end = _end(line)
    if not end.endswith(_ELLIPSES):
        return False
    return len(_SENTENCE_BREAK.findall(end.rstrip(".…"))) < _PARAGRAPH_SENTENCES


def is_question_headline(line: str, max_words: int = 15) -> bool:
    """Short and ending in a question or exclamation mark: a headline in a teaser list."""
    text = line.strip()
    return bool(text) and len(text.split()) <= max_words and _end(text).endswith(_QUESTION_ENDS)


def item_number(line: str) -> int | None:
    found = _ITEM_NUMBER.match(line)
    return int(found.group(1)) if found else None
