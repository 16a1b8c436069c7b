"""Stable article keys (the same story URL gives the same key however it was linked) and the
publisher an article is counted under."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import xxhash

_TRACKING_PREFIXES = ("utm_", "mc_", "pk_")
_TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "igshid", "ref", "cmpid"})


def canonical_url(url: str) -> str | None:
    """Lower-case scheme and host, drop ``www.``, default ports, fragments, tracking parameters
    and a trailing slash; sort the remaining query. Returns None for something that is no URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # e.g. a malformed IPv6 host or port
        return None
    if not parts.scheme or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.")
    if port is not None and (parts.scheme.lower(), port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING_PARAMS
    )
    path = parts.path.rstrip("/") or "/"
    # http and https copies of a page are the same article.
    return urlunsplit(("https", host, path, urlencode(query), ""))


def article_key(article_id: str, url: str | None) -> str:
    """``u`` + hash of the canonical URL, else ``i`` + hash of the producer's id."""
    canonical = canonical_url(url) if url else None
    if canonical is not None:
        return "u" + xxhash.xxh3_128_hexdigest(canonical.encode())
    return "i" + xxhash.xxh3_128_hexdigest(article_id.encode())


def source_name(source: str) -> str:
    """A source's name as names are compared: runs of spaces as one, case folded
    ("The  Associated Press" and "the associated press" are one name)."""
    return " ".join(source.split()).casefold()


def publisher(source: str | None, url: str | None) -> str | None:
    """Who published an article: its ``source``, else its URL's host; None when it has
    neither. What a rule that learns per site (learned chrome) keys its state on, and what
    ``copydesk filter --processes`` routes by, so that one process sees all of a site."""
    if source and source.strip():
        return source_name(source)
    canonical = canonical_url(url) if url else None
    return canonical.split("/")[2] if canonical else None
