from __future__ import annotations

import pytest

from copydesk.rules.identity import article_key, canonical_url


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://www.Example.com/a/b/", "https://example.com/a/b"),
        ("http://example.com:80/a?utm_source=x&b=2&a=1#top", "https://example.com/a?a=1&b=2"),
        ("https://example.com:8443/a?fbclid=1", "https://example.com:8443/a"),
        ("https://example.com", "https://example.com/"),
    ],
)
def test_canonical_url_removes_what_does_not_name_the_article(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(
    "url", ["not a url", "/relative/path", "https://host:99999/x", "https://11-19T10:]0:00Z"]
)
def test_canonical_url_refuses_non_urls(url: str) -> None:
    assert canonical_url(url) is None


def test_the_same_article_linked_differently_gets_one_key() -> None:
    a = article_key("id-1", "https://www.example.com/story/?utm_campaign=mail")
    b = article_key("id-2", "http://example.com/story")
    assert a == b
    assert a.startswith("u")


def test_without_a_usable_url_the_key_comes_from_the_id() -> None:
    assert article_key("id-1", None) == article_key("id-1", "garbage")
    assert article_key("id-1", None) != article_key("id-2", None)
    assert article_key("id-1", None).startswith("i")
