"""Where the quotations of a text stand. Quote marks are paired by where they stand, not by
their shape: scraped text mixes curly and straight marks (“…", "…”, ”…”), so a mark opens
when it stands before a word and closes when it stands after one (a straight mark after a
figure is an inch mark, and never opens). Pairs never cross a
paragraph: a quotation still open at its paragraph's end runs to it, and one that opens the
next paragraph goes on with it (the news style for a quotation of several paragraphs)."""

from __future__ import annotations

from dataclasses import dataclass

import regex

_MARK = regex.compile(r"[“”\"«»\n]")
_CLOSING_PUNCTUATION = ".,;:!?…—–-)]"


@dataclass(frozen=True, slots=True)
class Quotation:
    start: int  # at the opening mark
    end: int  # past the closing mark, or at the end of the paragraph
    goes_on: bool  # opens its paragraph and goes on from a quotation left open before it

    def inner(self, text: str) -> str:
        return text[self.start : self.end].strip('“”"«» \t')


def _opens(text: str, at: int) -> bool:
    after = text[at + 1 : at + 2]
    # A straight mark right after a figure is an inch mark (a 70"+ TV, 6'3" tall), not a
    # quotation opening: an opening mark follows a space or punctuation.
    inch = text[at] == '"' and text[at - 1 : at].isdecimal()
    return bool(after) and not after.isspace() and not inch


def _closes(text: str, at: int) -> bool:
    before = text[at - 1 : at] if at else ""
    return bool(before) and (not before.isspace() or text[at] in "”»")


def quotations(text: str) -> list[Quotation]:
    found: list[Quotation] = []
    opened: int | None = None
    left_open = False  # the paragraph before ended inside a quotation
    paragraph_start = 0

    def opens_at(start: int) -> bool:
        return not text[paragraph_start:start].strip()

    for match in _MARK.finditer(text + "\n"):
        at = match.start()
        if match.group() == "\n":
            if opened is not None:
                found.append(Quotation(opened, at, left_open and opens_at(opened)))
            if at > paragraph_start:  # blank lines keep the paragraph before in view
                left_open = opened is not None
            opened, paragraph_start = None, at + 1
            continue
        if opened is not None and _closes(text, at) and at > opened + 1:
            found.append(Quotation(opened, at + 1, left_open and opens_at(opened)))
            opened = None
        elif _opens(text, at) and text[at + 1] not in _CLOSING_PUNCTUATION:
            opened = at  # an opening mark inside an open quotation starts it again
    return found
