"""Boilerplate stripping on the article-extraction benchmark (../shared/data/aeb).

Side by side, in one run: the untouched page text, copydesk on the page text (text mode),
trafilatura alone on the HTML (default settings), and copydesk on the HTML.

    .venv/bin/python -m bench.boilerplate [--split dev] [--worst N]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import trafilatura

from bench.common import Page, Score, aeb_pages, average, score
from copydesk.rules.engine import Engine
from copydesk.rules.loader import load_rules
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore


def systems(engine: Engine) -> dict[str, Callable[[Page], str]]:
    def copydesk_text(page: Page) -> str:
        article = ArticleIn(id=page.id, url=page.url, text=page.page_text)
        return engine.process(article, MemoryStore()).text

    def copydesk_html(page: Page) -> str:
        article = ArticleIn(id=page.id, url=page.url, html=page.html())
        return engine.process(article, MemoryStore()).text

    return {
        "page text, untouched": lambda page: page.page_text,
        "copydesk, text mode": copydesk_text,
        "trafilatura alone (HTML)": lambda page: trafilatura.extract(page.html()) or "",
        "copydesk, HTML mode": copydesk_html,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="dev", help="benchmark split file name (dev)")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages per system")
    args = parser.parse_args()
    pages = list(aeb_pages(args.split))
    print(f"article-extraction benchmark, {args.split} split: {len(pages)} pages\n")
    print("| system | precision | recall | F1 | pages/s |")
    print("|---|---|---|---|---|")
    results: dict[str, list[tuple[Score, Page]]] = {}
    for name, system in systems(Engine(load_rules())).items():
        started = time.perf_counter()
        scored = [(score(system(page), page.article_body), page) for page in pages]
        rate = len(pages) / (time.perf_counter() - started)
        results[name] = scored
        avg = average([s for s, _ in scored])
        print(f"| {name} | {avg.precision:.3f} | {avg.recall:.3f} | {avg.f1:.4f} | {rate:.0f} |")
    for name, scored in results.items() if args.worst else ():
        print(f"\nworst pages, {name}:")
        for s, page in sorted(scored, key=lambda x: x[0].f1)[: args.worst]:
            print(f"  F1 {s.f1:.2f}  P {s.precision:.2f}  R {s.recall:.2f}  {page.url}")


if __name__ == "__main__":
    main()
