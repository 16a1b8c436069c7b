"""The shape of a line: prose (sentences) or chrome (menus, headlines, labels). Language-free:
it looks at length and sentence punctuation only, so it works on any script."""

from __future__ import annotations

import regex

# Sentence end, possibly followed by closing quotes or brackets.
_SENTENCE_END = regex.compile(r"[.!?。！？…:;][\"'”’»)\]]*\s*$")
_SENTENCE_BREAK = regex.compile(r"[.!?。！？][\"'”’»)\]]*(?:\s|$)")


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
