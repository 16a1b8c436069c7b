"""HTML extraction: the repairs on the parsed page and the plain-text tables, on invented pages."""

from __future__ import annotations

from copydesk.rules.extract import extract_html

PROSE = (
    "The council voted on Tuesday to approve a new bridge over the river, a project that had"
    " been delayed for years by arguments over its cost and its route through the old town."
)


def page(body: str) -> str:
    return f"<html><head><title>Bridge vote</title></head><body>{body}</body></html>"


def paragraphs(topic: str, n: int = 4) -> str:
    return "".join(f"<p>{topic} paragraph {i}. {PROSE}</p>" for i in range(n))


def test_an_embedded_tweet_in_a_social_box_is_kept() -> None:
    tweet = (
        "<div class='social-media-embed'><blockquote class='twitter-tweet'>"
        "<p>Finally a bridge for the old town, and about time too.</p>"
        "&mdash; Jane Roe (@janeroe) November 18, 2026</blockquote></div>"
    )
    html = page(f"<article>{paragraphs('Before')}{tweet}{paragraphs('After')}</article>")
    text = extract_html(html).text
    assert "Finally a bridge for the old town" in text
    assert "After paragraph 3." in text


def test_an_article_split_into_chunks_is_extracted_whole() -> None:
    chunk = "<div class='story-body'>{}</div>"
    html = page(
        "<main>"
        + chunk.format(paragraphs("First"))
        + "<aside class='ad'>Buy a boat</aside>"
        + chunk.format(paragraphs("Second"))
        + "</main>"
    )
    text = extract_html(html).text
    assert "First paragraph 0." in text
    assert "Second paragraph 3." in text


def test_table_rows_are_plain_text_with_tab_separated_cells() -> None:
    table = (
        "<table><thead><tr><th>Team</th><th>Points</th></tr></thead>"
        "<tbody><tr><td>Harbor | FC</td><td>31</td></tr><tr><td>Lakeside</td><td>28</td></tr>"
        "</tbody></table>"
    )
    html = page(f"<article>{paragraphs('Intro', 3)}{table}{paragraphs('Outro', 2)}</article>")
    lines = extract_html(html).text.split("\n")
    assert "Team\tPoints" in lines
    assert "Harbor | FC\t31" in lines
    assert not any(line.startswith("|") for line in lines)


def test_the_headline_is_the_title_not_a_line_of_the_body() -> None:
    html = page(
        "<article><h1>Council approves  the bridge</h1>"
        f"{paragraphs('Body', 3)}<p>The bridge vote was close.</p></article>"
    ).replace("<title>Bridge vote</title>", "<title>Council approves the bridge</title>")
    extracted = extract_html(html)
    assert extracted.title == "Council approves the bridge"
    assert "Council approves" not in extracted.text
    assert "Body paragraph 0." in extracted.text


def test_a_hover_card_in_a_sentence_is_dropped_and_the_name_kept() -> None:
    card = (
        "<span class='card'><img src='mayor.jpg'><a href='/people/roe'>Jane Roe</a>"
        "<a href='/a/1'>Roe opens the ferry terminal</a> <a href='/a/2'>Roe on the budget</a>"
        "</span>"
    )
    caption = (
        "<span><img src='bridge.jpg'>The old bridge at dawn, seen from the harbour wall"
        " (<a href='/photo'>Photo</a>, <a href='/licence'>licence</a>)</span>"
    )
    html = page(
        f"<article><p>Mayor <a href='/people/roe'>Jane Roe</a>{card} said the vote was close.</p>"
        f"<p>{caption} {PROSE}</p>{paragraphs('Body', 3)}</article>"
    )
    text = extract_html(html).text
    assert "Mayor Jane Roe said the vote was close." in text
    assert "ferry terminal" not in text
    assert "The old bridge at dawn" in text
