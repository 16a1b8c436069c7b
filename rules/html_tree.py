"""An HTML page parsed into the tree a browser would show, even where the markup is broken.

lxml (libxml2) parses broken pages differently from a browser in three ways that hide the whole
article from every reading of the page, each seen on real pages whose source was cut or
mangled: a ``<title>`` that is never closed takes the rest of the page as its text; a body
element that turns up inside ``<head>`` (an unknown tag, a stray table row) keeps everything
after it in the head, which no reader looks at; and a mangled ``<html ...>`` start tag can
leave an empty tree. A browser shows the article in the last two cases: the first element that
does not belong in the head starts the body, and a start tag ends at its first ``>``. The
first case is what remains of a page whose markup was cut; its text is the page.
"""

from __future__ import annotations

import regex
from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    fromstring,
)
from trafilatura.utils import is_dubious_html, repair_faulty_html

# What a browser leaves in <head>; any other element starts the body.
_HEAD_TAGS = frozenset(
    [
        "title",
        "meta",
        "link",
        "script",
        "style",
        "base",
        "basefont",
        "bgsound",
        "noscript",
        "noframes",
        "template",
    ]
)
# A title holding this much text and markup is the rest of the page, not a title.
_SWALLOWING_TITLE_CHARS = 500
_MARKUP = regex.compile(r"<[a-zA-Z/!]")
_TITLE_OPEN = regex.compile(r"(?i)<title\b[^>]*>")
_DOCUMENT_OPEN = regex.compile(r"(?i)^\s*(<!doctype[^>]*>\s*)?<html\b[^>]*>")
# A parse with fewer words than this, and than a tenth of the markup's, lost the page.
_FEW_WORDS = 50
_LOST_SHARE = 0.1
_TAG = regex.compile(r"<[^>]*>")


def _parser() -> HTMLParser:
    """trafilatura's parser settings, every element an ``HtmlElement``. lxml.html's own parser
    picks an element's class (forms, inputs and labels have their own) in a Python callback,
    called each time Python code touches an element: 260,000 times on AEB dev's 111 pages, a
    twentieth of HTML mode's time. Nothing that reads these trees uses the form classes."""
    parser = HTMLParser(
        collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True
    )
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement,
            comment=HtmlComment,
            pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    return parser


_PARSER = _parser()


def load_page(html: str) -> HtmlElement | None:
    """The page's tree, repaired where lxml would hide its text; None where there is no HTML."""
    tree = _parsed(html)
    if tree is None:
        return None
    title = tree.find(".//title")
    if title is not None and _swallows(title):
        repaired = _parsed(_TITLE_OPEN.sub("<title></title>", html, count=1))
    elif _lost_text(tree, html):
        repaired = _parsed(_DOCUMENT_OPEN.sub("<html>", html, count=1))
    else:
        repaired = None
    tree = tree if repaired is None else repaired
    _end_head(tree)
    return tree


def _parsed(html: str) -> HtmlElement | None:
    """The tree trafilatura's ``load_html`` makes of a page (after its repairs for libxml2;
    None for text that is not HTML), made with ``_PARSER``."""
    beginning = html[:50].lower()
    markup = repair_faulty_html(html, beginning)
    try:
        tree: HtmlElement | None = fromstring(markup, parser=_PARSER)
    except (ValueError, etree.LxmlError):  # ValueError: a string that declares its encoding
        tree = None
    if tree is None or len(tree) < 1:  # read as bytes, as libxml2 reads a declared encoding
        tree = _parsed_bytes(markup)
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None  # not HTML: text with a tag or two in it
    return tree


def _parsed_bytes(markup: str) -> HtmlElement | None:
    try:
        return fromstring(markup.encode("utf8", "surrogatepass"), parser=_PARSER)
    except (ValueError, etree.LxmlError):
        return None


def _swallows(title: HtmlElement) -> bool:
    text = title.text or ""
    return len(text) >= _SWALLOWING_TITLE_CHARS and _MARKUP.search(text) is not None


def _lost_text(tree: HtmlElement, html: str) -> bool:
    if tree.find("body") is not None:
        return False  # most pages: the markup is not read again
    parsed = len(" ".join(tree.itertext()).split())
    return parsed < _FEW_WORDS and parsed < _LOST_SHARE * len(_TAG.sub(" ", html).split())


def _end_head(tree: HtmlElement) -> None:
    """Move the head's children from the first one that does not belong there into the body,
    as a browser does."""
    head = tree.find("head")
    if head is None:
        return
    strays = (i for i, child in enumerate(head) if _body_element(child))
    stray = next(strays, None)
    if stray is None:
        return
    body = tree.find("body")
    if body is None:
        body = tree.makeelement("body", {})
        head.addnext(body)
    for moved in reversed(head[stray:]):
        body.insert(0, moved)


def _body_element(element: HtmlElement) -> bool:
    return isinstance(element.tag, str) and element.tag not in _HEAD_TAGS  # comments have no name
