"""The whole visible page as plain text, as a scraper gives it: one line per block element or
``<br>``, whitespace collapsed as a browser shows it; head, scripts, styles and other unseen
elements dropped. The text rules can then judge a page that arrived as HTML."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

# Never shown: their text is code, metadata or a fallback.
_UNSEEN = frozenset(["head", "script", "style", "noscript", "template", "svg", "iframe", "object"])
# Table cells: a row is one line, its cells apart (as trafilatura's rows are in HTML mode).
_CELLS = frozenset(["td", "th"])
# Elements that start a line of their own.
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "option",
        "select",
        "caption",
    ]
)


@dataclass(frozen=True, slots=True)
class Block:
    """One line of the page text and what the markup says about it."""

    text: str
    link_chars: int  # characters of the line inside links
    tag: str  # the innermost block element holding the line's start
    parent: str  # that element's parent's tag
    depth: int  # that element's depth in the tree
    names: tuple[str, ...]  # class and id names of that element and its ancestors, outermost first


# Elements that change the line being read or what is known about it.
_MARKED = _BLOCKS | _CELLS | {"a"}


def page_text(tree: HtmlElement) -> str:
    """The visible text of ``tree``, one line per block. ``tree`` is not changed."""
    return joined(page_blocks(tree))


def joined(blocks: Sequence[Block]) -> str:
    """The text of ``blocks``, one line each."""
    return "\n".join(block.text for block in blocks)


def page_blocks(tree: HtmlElement) -> list[Block]:
    """The lines of the page text, each with its markup. ``tree`` is not changed."""
    lines = _Lines()
    body = tree.find("body")
    # Iterative: some pages nest deeper than Python's recursion limit.
    walk = etree.iterwalk(body if body is not None else tree, ("start", "end"))
    for event, element in walk:
        tag = element.tag
        if not isinstance(tag, str):
            tag = ""  # comments have no name
        if event == "start":
            if tag in _UNSEEN:
                walk.skip_subtree()  # not walked at all; its end (and tail) still comes
                continue
            if tag in _MARKED:
                lines.start(element, tag)
            if tag and (text := element.text):
                lines.add(text)
        else:
            if tag in _MARKED:
                lines.end(element, tag)
            if tail := element.tail:
                lines.add(tail)
    lines.end_line()
    return lines.blocks


class _Lines:
    """The lines of a walk through the page, as its text comes."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._current: list[str] = []
        self._link_chars = 0
        self._links_open = 0  # links being walked through (nested in broken markup)
        # The open block elements, innermost last, each with the class and id names of it
        # and its ancestors.
        self._holders: list[tuple[HtmlElement, tuple[str, ...]]] = []
        self._first: tuple[HtmlElement, tuple[str, ...]] | None = None  # as the line began

    def start(self, element: HtmlElement, tag: str) -> None:
        if tag in _BLOCKS:
            self.end_line()
            self._holders.append((element, self._names(element)))
        elif tag in _CELLS:
            self.add(" ")
        elif tag == "a":
            self._links_open += 1

    def _names(self, element: HtmlElement) -> tuple[str, ...]:
        """The names of ``element`` and its ancestors: the enclosing block element's, and
        those of the elements from it down to ``element``."""
        outer, known = self._holders[-1] if self._holders else (None, ())
        found: list[str] = []
        current: HtmlElement | None = element
        while current is not None and current is not outer:
            names = " ".join(filter(None, (current.get("class"), current.get("id"))))
            if names:
                found.append(names)
            current = current.getparent()
        return (*known, *reversed(found)) if found else known

    def end(self, element: HtmlElement, tag: str) -> None:
        if tag in _BLOCKS:
            self.end_line()
            if self._holders and self._holders[-1][0] is element:
                self._holders.pop()
        elif tag == "a" and self._links_open:
            self._links_open -= 1

    def add(self, text: str) -> None:
        if not self._current:
            self._first = self._holders[-1] if self._holders else None
        self._current.append(text)
        if self._links_open:
            self._link_chars += len(text.strip())

    def end_line(self) -> None:
        if not self._current:
            return  # most block boundaries come in pairs with nothing between
        line = " ".join("".join(self._current).split())
        if line:
            link_chars = min(self._link_chars, len(line))
            self.blocks.append(_block(line, link_chars, self._first, len(self._holders)))
        self._current.clear()
        self._link_chars = 0


def _block(
    line: str, link_chars: int, holder: tuple[HtmlElement, tuple[str, ...]] | None, depth: int
) -> Block:
    if holder is None:
        return Block(line, link_chars, "", "", depth, ())
    element, names = holder
    parent = element.getparent()
    return Block(
        line, link_chars, str(element.tag), "" if parent is None else str(parent.tag), depth, names
    )
