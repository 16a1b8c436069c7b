"""What a line's words say, learned from the dev sets' labelled lines for the line model and
the block model (rules/words.py reads them): each word's log-odds of standing in an article
line rather than a chrome line.

Counted in pages (a word once per page and side, so that one long menu or comment thread counts
once) and smoothed by ``PRIOR`` pages each side; only words met on ``MIN_SITES`` sites or more,
so that a site's own name or menu is not learned as chrome everywhere. A model's trees learn
from odds counted without the page's own site (``odds_without_own_site``), as they will meet
them on a user's pages; the shipped file holds the odds from every page."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np

from bench.common import Page
from copydesk.rules.words import line_terms

MIN_SITES = 5  # chosen on the line model's folds against 10
PRIOR = 2.0
SITE_GROUPS = 5


@dataclass(frozen=True)
class Labelled:
    """A page's lines and whether each is article text."""

    site: str
    lines: Sequence[str]
    labels: Sequence[bool]
    # Per line, other marked terms that speak for it (the block model's class and id names).
    markup: Sequence[frozenset[str]] = ()


def site_of(page: Page) -> str:
    host = urlsplit(page.url).hostname or page.id
    return host.removeprefix("www.")


def learned(pages: Sequence[Labelled]) -> dict[str, float]:
    """Each word's log-odds of standing in article lines rather than chrome."""
    article: Counter[str] = Counter()
    chrome: Counter[str] = Counter()
    sites: dict[str, set[str]] = {}
    for page in pages:
        # The words as the models read them (rules/words.py), each once per page and side.
        words = line_terms("\n".join(page.lines), len(page.lines))
        in_article = np.asarray(page.labels, dtype=bool)[words.line]
        on_chrome = {words.names[t] for t in words.term[~in_article].tolist()}
        on_article = {words.names[t] for t in words.term[in_article].tolist()}
        for terms, label in zip(page.markup, page.labels, strict=False):
            (on_article if label else on_chrome).update(terms)
        chrome.update(on_chrome)
        article.update(on_article)
        for word in on_chrome | on_article:
            sites.setdefault(word, set()).add(page.site)
    # In the words' order, not the sets': a refit of the same pages writes the same file.
    return {
        word: round(math.log((article[word] + PRIOR) / (chrome[word] + PRIOR)), 2)
        for word, found in sorted(sites.items())
        if len(found) >= MIN_SITES
    }


def odds_without_own_site(pages: Sequence[Labelled]) -> list[dict[str, float]]:
    """For each page, the odds learned from the other pages' sites: the sites dealt into
    ``SITE_GROUPS`` groups, each group's odds learned from the others."""
    group = {site: i % SITE_GROUPS for i, site in enumerate(sorted({p.site for p in pages}))}
    odds = [learned([p for p in pages if group[p.site] != g]) for g in range(SITE_GROUPS)]
    return [odds[group[page.site]] for page in pages]
