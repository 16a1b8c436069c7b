"""The whole page as text, for the text rules to judge in HTML mode."""

from __future__ import annotations

import lxml.html

from copydesk.rules.page_text import page_text


def test_one_line_per_block_and_nothing_unseen() -> None:
    html = (
        "<html><head><title>T</title><style>p {color: red}</style></head><body>"
        "<nav><a href='/'>Home</a><a href='/n'>News</a></nav>"
        "<p>The board <b>met</b>  on\n Thursday.<br>It voted.</p>"
        "<script>var x = 1;</script><!-- hidden -->"
        "<table><tr><td>Pier</td><td>4 million</td></tr></table>"
        "<div>Contact us</div></body></html>"
    )
    assert page_text(lxml.html.fromstring(html)).split("\n") == [
        "HomeNews",
        "The board met on Thursday.",
        "It voted.",
        "Pier 4 million",
        "Contact us",
    ]
