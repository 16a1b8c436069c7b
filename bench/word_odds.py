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

import regex

from bench.common import Page

MIN_SITES = 5  # chosen on the line model's folds against 10
PRIOR = 2.0
SITE_GROUPS = 5
_WORD = regex.compile(r"\w{4,}")  # the words rules/words.py reads


@dataclass(frozen=True)
class Labelled:
    """A page's lines and whether each is article text."""

    site: str
    lines: Sequence[str]
    labels: Sequence[bool]


def site_of(page: Page) -> str:
    host = urlsplit(page.url).hostname or page.id
    return host.removeprefix("www.")


def learned(pages: Sequence[Labelled]) -> dict[str, float]:
    """Each word's log-odds of standing in article lines rather than chrome."""
    article: Counter[str] = Counter()
    chrome: Counter[str] = Counter()
    sites: dict[str, set[str]] = {}
    for page in pages:
        sides: tuple[set[str], set[str]] = (set(), set())
        for line, label in zip(page.lines, page.labels, strict=True):
            sides[int(label)].update(_WORD.findall(line.lower()))
        chrome.update(sides[0])
        article.update(sides[1])
        for word in sides[0] | sides[1]:
            sites.setdefault(word, set()).add(page.site)
    return {
        word: round(math.log((article[word] + PRIOR) / (chrome[word] + PRIOR)), 2)
        for word, found in sites.items()
        if len(found) >= MIN_SITES
    }


def odds_without_own_site(pages: Sequence[Labelled]) -> list[dict[str, float]]:
    """For each page, the odds learned from the other pages' sites: the sites dealt into
    ``SITE_GROUPS`` groups, each group's odds learned from the others."""
    group = {site: i % SITE_GROUPS for i, site in enumerate(sorted({p.site for p in pages}))}
    odds = [learned([p for p in pages if group[p.site] != g]) for g in range(SITE_GROUPS)]
    return [odds[group[page.site]] for page in pages]
