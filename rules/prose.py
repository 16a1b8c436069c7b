"""The shape of a line: prose (sentences) or chrome (menus, headlines, labels). Language-free:
it looks at length and sentence punctuation only, so it works on any script."""

from __future__ import annotations

import regex

# Sentence end, possibly followed by closing quotes or brackets.
_SENTENCE_END = regex.compile(r"[.!?。！？…:;][\"'”’»)\]]*\s*$")
_SENTENCE_BREAK = regex.compile(r"[.!?。！？][\"'”’»)\]]*(?:\s|$)")


# A line cut short with an ellipsis: the summary of a teaser, not a paragraph of the story.
_TRUNCATED = regex.compile(r"(?:\.\.\.|…)[\"'”’»)\]]*\s*$")
# A question or exclamation: headlines end like this too.
_QUESTION_END = regex.compile(r"[?!？！][\"'”’»)\]]*\s*$")
# A leading item number: "1.", "2)", "[3]", "4 ".
_ITEM_NUMBER = regex.compile(r"^\W{0,2}(\d{1,3})(?:[.)\]:]|\s)")


def ends_sentence(line: str) -> bool:
    return _SENTENCE_END.search(line) is not None


def is_prose(line: str, min_chars: int) -> bool:
    """At least ``min_chars`` characters, ending like a sentence or holding two sentences."""
    text = line.strip()
    if len(text) < min_chars:
        return False
    return ends_sentence(text) or len(_SENTENCE_BREAK.findall(text)) >= 2


def is_headline_like(line: str, max_words: int) -> bool:
    """Short and not ending like a sentence: menu entries, headline lists, labels."""
    text = line.strip()
    return bool(text) and len(text.split()) <= max_words and not _SENTENCE_END.search(text)


def is_truncated(line: str) -> bool:
    """Ends with an ellipsis: a teaser cut off mid-text."""
    return _TRUNCATED.search(line) is not None


def is_question_headline(line: str, max_words: int = 15) -> bool:
    """Short and ending in a question or exclamation mark: a headline in a teaser list."""
    text = line.strip()
    return bool(text) and len(text.split()) <= max_words and _QUESTION_END.search(text) is not None


def item_number(line: str) -> int | None:
    found = _ITEM_NUMBER.match(line)
    return int(found.group(1)) if found else None
