"""Main-text extraction from HTML, with trafilatura."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str
    title: str | None
    author: str | None


def extract_html(html: str) -> Extracted:
    """The page's main text (paragraphs separated by newlines), title and author."""
    doc = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        as_dict=False,
    )
    if doc is None:
        return Extracted("", None, None)
    assert not isinstance(doc, dict)  # as_dict=False gives a Document
    return Extracted(doc.text or "", doc.title, doc.author)
