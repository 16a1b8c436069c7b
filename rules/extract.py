"""Main-text extraction from HTML, with trafilatura."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str
    title: str | None
    author: str | None
    date: str | None  # as trafilatura finds it in the page (YYYY-MM-DD)

    def metadata(self) -> dict[str, list[str]]:
        """Author and date for the output's ``metadata``, where the page gave them."""
        found = {"author": self.author, "date": self.date}
        return {name: [value] for name, value in found.items() if value}


def extract_html(html: str) -> Extracted:
    """The page's main text (paragraphs separated by newlines), title, author and date."""
    doc = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        as_dict=False,
    )
    if doc is None:
        return Extracted("", None, None, None)
    assert not isinstance(doc, dict)  # as_dict=False gives a Document
    return Extracted(doc.text or "", doc.title, doc.author, doc.date)
