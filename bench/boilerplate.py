"""Boilerplate stripping on the article-extraction benchmark (dev split in ../shared).

Side by side, in one run: the untouched page text, copydesk on the page text (text mode),
trafilatura alone on the HTML, and copydesk on the HTML (trafilatura + the text rules).

    .venv/bin/python -m bench.boilerplate [--worst N]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import trafilatura

from bench.common import Page, Score, aeb_pages, average, score
from rules.engine import Engine
from rules.loader import load_rules
from rules.records import ArticleIn
from rules.state import MemoryStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages per system")
    args = parser.parse_args()
    pages = list(aeb_pages())
    engine = Engine(load_rules())

    def copydesk_text(page: Page) -> str:
        return engine.process(ArticleIn(id=page.id, url=page.url, text=page.page_text), MemoryStore()).text

    def copydesk_html(page: Page) -> str:
        return engine.process(ArticleIn(id=page.id, url=page.url, html=page.html()), MemoryStore()).text

    def trafilatura_alone(page: Page) -> str:
        return trafilatura.extract(page.html()) or ""

    systems: dict[str, Callable[[Page], str]] = {
        "page text, untouched": lambda page: page.page_text,
        "copydesk, text mode": copydesk_text,
        "trafilatura alone (HTML)": trafilatura_alone,
        "copydesk, HTML mode": copydesk_html,
    }
    print(f"article-extraction benchmark, dev split: {len(pages)} pages\n")
    print(f"| system | precision | recall | F1 | pages/s |")
    print("|---|---|---|---|---|")
    results: dict[str, list[tuple[Score, Page]]] = {}
    for name, system in systems.items():
        started = time.perf_counter()
        scored = [(score(system(page), page.article_body), page) for page in pages]
        elapsed = time.perf_counter() - started
        results[name] = scored
        avg = average([s for s, _ in scored])
        print(f"| {name} | {avg.precision:.3f} | {avg.recall:.3f} | {avg.f1:.3f} | {len(pages) / elapsed:.0f} |")
    for name, scored in results.items():
        if args.worst:
            print(f"\nworst pages, {name}:")
            for s, page in sorted(scored, key=lambda x: x[0].f1)[: args.worst]:
                print(f"  F1 {s.f1:.2f} P {s.precision:.2f} R {s.recall:.2f}  {page.id[:12]}  {page.url}")


if __name__ == "__main__":
    main()
