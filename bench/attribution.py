"""Credit detection on real articles: the article-extraction benchmark's article bodies
(../shared/data/aeb, dev split), against hand labels of the sources each article credits
(bench/labels/aeb-credits.json: page id -> credited sources, with notes on non-credits).

    .venv/bin/python -m bench.attribution

Counts (page, source) pairs: precision = correct / detected, recall = correct / labelled.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from bench.common import aeb_pages
from copydesk.rules.engine import Engine
from copydesk.rules.loader import load_rules
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore

LABELS = Path(__file__).parent / "labels" / "aeb-credits.json"


def main() -> None:
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    engine = Engine(load_rules())
    pages = [p for p in aeb_pages() if p.id in labels]
    true_pos: Counter[str] = Counter()
    false_pos: Counter[str] = Counter()
    false_neg: Counter[str] = Counter()
    misses: list[str] = []
    started = time.perf_counter()
    for page in pages:
        out = engine.process(
            ArticleIn(id=page.id, url=page.url, text=page.article_body), MemoryStore()
        )
        found = {credit.source for credit in out.credits}
        gold = set(labels[page.id]["credits"])
        for source in found & gold:
            true_pos[source] += 1
        for source in found - gold:
            false_pos[source] += 1
            misses.append(f"  false positive {source:<18} {page.url}")
        for source in gold - found:
            false_neg[source] += 1
            misses.append(f"  missed         {source:<18} {page.url}")
    elapsed = time.perf_counter() - started
    credited = sum(1 for p in pages if labels[p.id]["credits"])
    print(
        f"{len(pages)} article bodies, {credited} crediting at least one source;"
        f" {sum(len(labels[p.id]['credits']) for p in pages)} labelled credits\n"
    )
    print("| source | labelled | detected | correct | precision | recall |")
    print("|---|---|---|---|---|---|")
    for source in sorted(set(true_pos) | set(false_pos) | set(false_neg)):
        tp, fp, fn = true_pos[source], false_pos[source], false_neg[source]
        print(
            f"| {source} | {tp + fn} | {tp + fp} | {tp} | {tp / max(tp + fp, 1):.2f} |"
            f" {tp / max(tp + fn, 1):.2f} |"
        )
    tp, fp, fn = sum(true_pos.values()), sum(false_pos.values()), sum(false_neg.values())
    print(
        f"| **all** | {tp + fn} | {tp + fp} | {tp} | {tp / max(tp + fp, 1):.3f} |"
        f" {tp / max(tp + fn, 1):.3f} |"
    )
    print(f"\n{len(pages) / elapsed:.0f} articles/s through all built-in rules")
    if misses:
        print("\n" + "\n".join(sorted(misses)))


if __name__ == "__main__":
    main()
