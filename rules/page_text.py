"""The whole visible page as plain text, as a scraper gives it: one line per block element or
``<br>``, whitespace collapsed as a browser shows it; head, scripts, styles and other unseen
elements dropped. The text rules can then judge a page that arrived as HTML."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

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


class Block(NamedTuple):
    """One line of the page text and what the markup says about it. (A named tuple: a page
    makes some 170, and one is made in a third of the time a frozen dataclass takes.)"""

    text: str
    link_chars: int  # characters of the line inside links
    tag: str  # the innermost block element holding the line's start
    parent: str  # that element's parent's tag
    depth: int  # that element's depth in the tree
    names: tuple[str, ...]  # class and id names of that element and its ancestors, outermost first


# What the walk does at an element, by its tag: one dict look-up per element, where set
# membership tests took three (the walk meets some 600 elements a page).
_TEXT, _BLOCK, _CELL, _LINK, _UNSEEN_ELEMENT, _NAMELESS = range(6)
_ACTIONS: dict[object, int] = {
    **dict.fromkeys(_BLOCKS, _BLOCK),
    **dict.fromkeys(_CELLS, _CELL),
    "a": _LINK,
    **dict.fromkeys(_UNSEEN, _UNSEEN_ELEMENT),
}


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
    lines.walk(body if body is not None else tree)
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

    def walk(self, root: HtmlElement) -> None:
        """Read the text under ``root`` into lines. The per-element work stays in this loop
        (text and tails appended here, not through a method call): it runs some 1,200 times
        a page."""
        current = self._current
        holders = self._holders
        # Iterative: some pages nest deeper than Python's recursion limit.
        walk = etree.iterwalk(root, ("start", "end"))
        for event, element in walk:
            tag = element.tag
            action = _ACTIONS.get(tag)
            if action is None:
                action = _TEXT if isinstance(tag, str) else _NAMELESS  # comments have no name
            if event == "start":
                if action == _UNSEEN_ELEMENT:
                    walk.skip_subtree()  # not walked at all; its end (and tail) still comes
                    continue
                text = element.text if action != _NAMELESS else None
                if action == _BLOCK:
                    if current:  # most block boundaries come in pairs with nothing between
                        self.end_line()
                    holders.append((element, self._names(element)))
                elif action == _CELL:
                    text = " " + (text or "")  # a row's cells apart
                elif action == _LINK:
                    self._links_open += 1
            else:
                if action == _BLOCK:
                    if current:
                        self.end_line()
                    if holders and holders[-1][0] is element:
                        holders.pop()
                elif action == _LINK and self._links_open:
                    self._links_open -= 1
                text = element.tail
            if text:
                if not current:
                    self._first = holders[-1] if holders else None
                current.append(text)
                if self._links_open:
                    self._link_chars += len(text.strip())
        self.end_line()

    def _names(self, element: HtmlElement) -> tuple[str, ...]:
        """The names of ``element`` and its ancestors: the enclosing block element's, and
        those of the elements from it down to ``element``."""
        outer, known = self._holders[-1] if self._holders else (None, ())
        found: list[str] = []
        current: HtmlElement | None = element
        while current is not None and current is not outer:
            css_class, css_id = current.get("class"), current.get("id")
            names = f"{css_class} {css_id}" if css_class and css_id else css_class or css_id
            if names:
                found.append(names)
            current = current.getparent()
        return (*known, *reversed(found)) if found else known

    def end_line(self) -> None:
        if not self._current:
            return
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
