"""The whole visible page as plain text, as a scraper gives it: one line per block element or
``<br>``, whitespace collapsed as a browser shows it; head, scripts, styles and other unseen
elements dropped. The text rules can then judge a page that arrived as HTML."""

from __future__ import annotations

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


def page_text(tree: HtmlElement) -> str:
    """The visible text of ``tree``, one line per block. ``tree`` is not changed."""
    lines: list[str] = []
    current: list[str] = []

    def end_line() -> None:
        line = " ".join("".join(current).split())
        if line:
            lines.append(line)
        current.clear()

    body = tree.find("body")
    skipping: HtmlElement | None = None  # the unseen element being walked through
    # Iterative: some pages nest deeper than Python's recursion limit.
    for event, element in etree.iterwalk(body if body is not None else tree, ("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""  # comments have no name
        if skipping is not None:
            if event == "end" and element is skipping:
                skipping = None
                if element.tail:
                    current.append(element.tail)
            continue
        if event == "start":
            if tag in _UNSEEN:
                skipping = element
                continue
            if tag in _BLOCKS:
                end_line()
            elif tag in _CELLS:
                current.append(" ")
            if element.text and tag:
                current.append(element.text)
        else:
            if tag in _BLOCKS:
                end_line()
            if element.tail:
                current.append(element.tail)
    end_line()
    return "\n".join(lines)
