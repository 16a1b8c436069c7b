"""Broken markup read as a browser shows it, on invented pages: every reading of the page sees
the article, and a page that parses well is left as it is."""

from __future__ import annotations

import pytest

from copydesk.rules.extract import extract_html
from copydesk.rules.html_tree import load_page
from copydesk.rules.page_text import page_text

STORY = "".join(
    f"<p>Paragraph {i}. The council voted on Tuesday to approve a new bridge over the river,"
    " a project delayed for years by arguments over its cost and its route.</p>"
    for i in range(5)
)


def visible(html: str) -> str:
    tree = load_page(html)
    assert tree is not None
    return page_text(tree)


@pytest.mark.parametrize(
    "broken",
    [
        # The closing title tag was lost when the page was cut: the title takes the page.
        f"<html><head><title>Bridge vote<script>x()</script></head><body>{STORY}</body></html>",
        # An unknown element in the head holding a table row: lxml keeps the page in the head.
        f"<html><head><title>Bridge vote</title><mbox><tr><td>{STORY}</td></tr></head></html>",
        # A mangled start tag: lxml parses nothing.
        f'<!DOCTYPE html>\n<html xmogo.jpg" alt="Logo &amp; more" />{STORY}</html>',
    ],
    ids=["unclosed-title", "body-in-head", "mangled-html-tag"],
)
def test_broken_markup_does_not_hide_the_article(broken: str) -> None:
    assert "Paragraph 0." in visible(broken)
    assert "Paragraph 4." in visible(broken)
    extracted = extract_html(broken)
    assert "Paragraph 4." in extracted.text
    assert "Paragraph 4." in extracted.readable()


def test_a_page_that_parses_well_keeps_its_head_and_body() -> None:
    html = (
        "<html><head><title>Bridge vote</title><meta name='x' content='y'>"
        f"<style>p {{}}</style></head><body><h1>Bridge vote</h1>{STORY}</body></html>"
    )
    tree = load_page(html)
    assert tree is not None
    assert tree.findtext(".//title") == "Bridge vote"
    assert [child.tag for child in tree.find("head")] == ["title", "meta", "style"]
    assert page_text(tree).split("\n")[0] == "Bridge vote"


def test_a_long_title_without_markup_is_a_title() -> None:
    title = "Bridge vote " * 60
    tree = load_page(f"<html><head><title>{title}</title></head><body>{STORY}</body></html>")
    assert tree is not None
    assert tree.findtext(".//title") == title
