"""Main-text extraction from HTML, with trafilatura, and the other readings of the page that
the engine weighs it against: the whole visible page as text (for the text rules), the lines
of it that the block model keeps and, read only when asked for, readability-lxml's main text.

The page is parsed once (``html_tree``; again only for readability-lxml, which changes the tree
it reads); once the other readings are taken, repairs on that tree recover article text that
trafilatura's precision settings would drop (embedded tweets, an article split into chunks) and
take out hover cards that it would read into sentences, then trafilatura extracts from the
repaired tree. Lines that repeat the headline are left to the title.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import lxml.html
import regex
import trafilatura
from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement
from readability import Document
from readability.readability import Unparseable
from trafilatura.metadata import examine_meta, extract_meta_json, extract_title
from trafilatura.settings import Document as TrafilaturaDocument
from trafilatura.settings import set_date_params

from copydesk.rules.block_model import builtin_model
from copydesk.rules.html_tree import load_page
from copydesk.rules.page_text import Block, joined, page_blocks, page_text

# Twitter's embed code marks the quoted tweet this way on every site that embeds one.
_TWEET_XPATH = (
    '//blockquote[contains(concat(" ", normalize-space(@class), " "), " twitter-tweet ")]'
)
_CELL_BAR = regex.compile(r"(?<!\\)\|")
# An inline box in a paragraph with a picture and several links: a hover card (a person's or a
# company's photo and latest stories), shown on hover, whose text would run into the sentence.
_CARD_XPATH = "//p//*[self::span or self::div][.//img][count(.//a) >= 2]"
# Share of a card's text that is link text; a captioned picture in a paragraph has far less.
_CARD_MIN_LINK_SHARE = 0.8
# A container with fewer paragraphs is a teaser card, a widget or a form, not a chunk of text.
_CHUNK_MIN_PARAGRAPHS = 3
# The containers that may be chunks, in page order: found by libxml2 in one call, where
# walking every div and section in Python took nearly twice as long.
_CHUNKS = etree.XPath(f"(//div | //section)[@class != ''][count(p) >= {_CHUNK_MIN_PARAGRAPHS}]")


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str  # trafilatura's main text, one line per paragraph
    title: str | None
    author: str | None
    date: str | None  # as found in the page's markup (YYYY-MM-DD)
    page: str = ""  # the whole visible page, one line per block
    html: str = ""  # the page's markup, parsed again for readability-lxml's reading
    blocks: tuple[Block, ...] = ()  # the lines of ``page`` with their markup

    def metadata(self) -> dict[str, list[str]]:
        """Author and date for the output's ``metadata``, where the page gave them."""
        found = {"author": self.author, "date": self.date}
        return {name: [value] for name, value in found.items() if value}

    def readings(self) -> Iterator[tuple[str, Literal["text", "html"]]]:
        """The page's readings in the order the vote takes them (``agreement.vote``), each
        with how the text rules see it; the costly ones made only when asked for."""
        yield self.text, "html"
        yield self.page, "text"
        yield self.modelled(), "html"
        yield self.readable(), "html"

    def modelled(self) -> str:
        """The lines of the page that the block model keeps (``block_model``)."""
        return builtin_model().reading(self.blocks)

    def readable(self) -> str:
        """readability-lxml's main text; empty where it finds none or cannot read the page.
        It costs as much as trafilatura's, so it is read only when asked for."""
        # Parsed again rather than copied: few pages are read by readability-lxml, and the
        # copy that would keep the tree as it was for them would be made on every page.
        tree = load_page(self.html) if self.html else None
        if tree is None:
            return ""
        try:
            summary = Document(tree).summary(html_partial=True)
        except (Unparseable, ValueError):
            return ""
        if not summary.strip():
            return ""
        return page_text(lxml.html.fromstring(summary))


def extract_html(html: str) -> Extracted:
    """The page's main text (paragraphs separated by newlines), title, author and date, and the
    page's visible text; readability-lxml's reading on demand."""
    tree = load_page(html)
    if tree is None:
        return Extracted("", None, None, None)
    meta = _metadata(tree)
    blocks = tuple(page_blocks(tree))
    # Repaired in place: the other readings have been taken, and trafilatura reads a copy.
    _unwrap_tweets(tree)
    _drop_hover_cards(tree)
    _join_chunks(tree)
    doc = trafilatura.bare_extraction(
        tree,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        # Without trafilatura's own fallback (its copies of readability and jusText): where its
        # reading is in doubt, readability-lxml's is read anyway.
        fast=True,
        as_dict=False,
    )
    found = "" if doc is None else (doc.text or "")  # type: ignore[union-attr]
    text = _without_headline(_plain_tables(found), meta.title)
    return Extracted(text, meta.title, meta.author, meta.date, joined(blocks), html, blocks)


def _metadata(tree: HtmlElement) -> TrafilaturaDocument:
    """Title, author and date as the page's markup states them (meta tags, JSON-LD, the URL).
    trafilatura's full search (bylines and dates in the text) took longer than its extraction."""
    found = extract_meta_json(tree, examine_meta(tree))
    if found.author and " " not in found.author:
        found.author = None  # a user name, not a person's (as trafilatura judges it)
    found.title = found.title or extract_title(tree)
    found.date = find_date(tree, url=found.url, **set_date_params(extensive=False))
    return found


def _unwrap_tweets(tree: HtmlElement) -> None:
    """Put each embedded tweet in the place of the wrappers that hold only it. Sites wrap
    tweets in "social" or "widget" boxes, which trafilatura discards as share bars, yet the
    tweet is a quote the article is built on."""
    for tweet in tree.xpath(_TWEET_XPATH):
        text = tweet.text_content().strip()
        outer = tweet
        for ancestor in tweet.iterancestors():
            if ancestor.text_content().strip() != text:
                break
            outer = ancestor
        parent = outer.getparent()
        if outer is not tweet and parent is not None:
            tweet.tail = outer.tail
            parent.replace(outer, tweet)


def _drop_hover_cards(tree: HtmlElement) -> None:
    """Remove hover cards from paragraphs (the innermost box that is one, keeping the name it
    hangs on). trafilatura keeps inline elements, so the card's headlines would be read as
    part of the sentence."""
    boxes = set(tree.xpath(_CARD_XPATH))
    for box in boxes:
        if any(inner in boxes for inner in box.iterdescendants()):
            continue
        text = _squashed(box.text_content())
        links = sum(len(_squashed(link.text_content())) for link in box.iter("a"))
        if text and links >= _CARD_MIN_LINK_SHARE * len(text):
            box.drop_tree()  # keeps the text that follows it


def _join_chunks(tree: HtmlElement) -> None:
    """Move into the first of them the content of containers that share its tag and class and
    each hold several paragraphs: one article split into chunks (between ads, say).
    trafilatura takes the first container that looks like an article body and would keep
    only the first chunk."""
    groups: defaultdict[tuple[str, str], list[HtmlElement]] = defaultdict(list)
    for element in _CHUNKS(tree):
        groups[(element.tag, element.get("class"))].append(element)
    for first, *rest in groups.values():
        for chunk in rest:
            if not any(ancestor is first for ancestor in chunk.iterancestors()):
                first.extend(list(chunk))


def _without_headline(text: str, title: str | None) -> str:
    """The text without lines that are the page's headline. trafilatura keeps an ``h1`` that
    sits inside the article container (and teaser lists repeat it), but the headline is the
    output's ``title``, not a paragraph of the body."""
    if not title or not title.strip():
        return text
    headline = _squashed(title)
    return "\n".join(line for line in text.split("\n") if _squashed(line) != headline)


def _squashed(line: str) -> str:
    return " ".join(line.split()).casefold()


def _plain_tables(text: str) -> str:
    """Table rows as plain text, cells separated by tabs. trafilatura draws tables in Markdown
    (``| a | b |`` and a ``|---|`` rule under the head), which would put bars among the words
    of a plain-text body."""
    lines: list[str] = []
    for line in text.split("\n"):
        row = line.strip()
        if len(row) > 1 and row.startswith("|") and row.endswith("|"):
            cells = [cell.strip().replace("\\|", "|") for cell in _CELL_BAR.split(row[1:-1])]
            if all(set(cell) <= {"-"} for cell in cells):
                continue  # the rule under the head row
            lines.append("\t".join(cell for cell in cells if cell))
        else:
            lines.append(line)
    return "\n".join(lines)
