"""Markdown read as the text it shows, character for character: what the line rules judge when
a scraper hands over a page as Markdown (markdownify, html2text, the crawlers that feed language
model pipelines), while the output keeps the Markdown as it came.

Read raw, a Markdown page's lines are not the shapes the rules know: a menu entry is
``* [World](/world/)``, a link in a sentence adds its address to the line, a heading starts with
``#`` and a bold phrase with ``**``. So the syntax is read as spaces: a link keeps its text
(moved to the link's end) and loses its brackets, address and title; an image goes whole (its
alt text is not shown); list bullets, heading and quote marks at a line's start, emphasis
marks, code ticks, escapes and horizontal rules go. Every other character stays where it was,
so offsets into the reading are offsets into the Markdown. (AEB dev's pages written as
Markdown by markdownify: text mode 0.890 read raw, 0.946 read so, against 0.975 on their page
text; bench.boilerplate, the shipped line model: training scores. L3S-GN1 dev's pages, laid out
in tables that markdownify writes a row to a line, 0.684 and 0.706: docs/benchmarks.md.)

Only a text with ``MIN_LINKS`` inline links or more is read so: plain text has none, and its
"* " and "_" are left as they are.
"""

from __future__ import annotations

import regex

MIN_LINKS = 3
# An inline link or image: [text](address "title"), the address with balanced parentheses.
_LINK = regex.compile(
    r"(!?)\[([^\[\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'))?[ \t]*\)"
)
_LINE_MARKS = regex.compile(
    r"(?m)^[ \t]*(?:(?:[*+-][ \t]+)+|#{1,6}[ \t]+|(?:>[ \t]?)+)"
    r"|(?m)^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$"  # a horizontal rule
)
# Emphasis marks at a word's edge (not "snake_case" or "5 * 3"), code ticks and escapes.
_INLINE_MARKS = regex.compile(
    r"(?<![\w*_])[*_]+(?=[^\s*_])|(?<=[^\s*_])[*_]+(?![\w*_])|`+|\\(?=[\\`*_{}\[\]()#+\-.!|<>])"
)


def markdown_read(text: str) -> str:
    """``text`` with its Markdown syntax read as spaces, if it is Markdown; else ``text``."""
    if "](" not in text or len(_LINK.findall(text)) < MIN_LINKS:
        return text
    return shown(text)


def shown(markdown: str) -> str:
    """The text that ``markdown`` shows, its syntax as spaces."""
    # Twice: a link around an image ([![alt](src)](href)) matches once the image is spaces.
    read = _LINK.sub(_link_text, _LINK.sub(_link_text, markdown))
    read = _LINE_MARKS.sub(_spaces, read)
    return str(_INLINE_MARKS.sub(_spaces, read))


def _link_text(link: regex.Match[str]) -> str:
    image, text = link.group(1), link.group(2)
    if image:
        return " " * len(link.group())
    # The spaces go before the text: what follows a link is mostly its sentence's punctuation,
    # which stays beside it ("[Reuters](…)," reads "        Reuters,").
    return " " * (len(link.group()) - len(text)) + text


def _spaces(marks: regex.Match[str]) -> str:
    return " " * len(marks.group())
