"""What the benchmarks share: where the shared data lives, and the extraction metric."""

from __future__ import annotations

import gzip
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from copydesk.rules.duplicate_index import NAMESPACE, DuplicateIndex
from copydesk.rules.state import MemoryStore

SHARED = Path(os.environ.get("COPYDESK_SHARED", Path(__file__).resolve().parents[2] / "shared"))
AEB = SHARED / "data" / "aeb"
L3S_GN1 = SHARED / "data" / "l3s-gn1"


def require(path: Path) -> Path:
    if not path.exists():
        sys.exit(f"benchmark data not found at {path} (set COPYDESK_SHARED to the shared folder)")
    return path


@dataclass(frozen=True)
class Page:
    id: str
    url: str
    page_text: str
    article_body: str
    html_path: Path
    # L3S-GN1's second gold: the full text without headline and captions.
    article_body_only: str | None = None

    def html(self) -> str:
        with gzip.open(self.html_path, "rt", encoding="utf-8", errors="replace") as f:
            return f.read()


def aeb_pages(split: str = "dev") -> Iterator[Page]:
    return dataset_pages(AEB, split)


def dataset_pages(folder: Path, split: str = "dev") -> Iterator[Page]:
    """Pages of an extraction data set laid out as ``../shared/data/aeb`` is."""
    with require(folder / f"{split}.jsonl").open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            yield Page(
                row["id"],
                row["url"],
                row["page_text"],
                row["article_body"],
                folder / row["html_file"],
                row.get("article_body_only"),
            )


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    words = text.lower().split()
    return Counter(tuple(words[i : i + n]) for i in range(max(len(words) - n + 1, 0)))


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def score(predicted: str, gold: str) -> Score:
    """The benchmark's metric for one document: bags of lower-cased word 4-grams."""
    pred, true = shingles(predicted), shingles(gold)
    if not pred and not true:
        return Score(1.0, 1.0, 1.0)
    matched = sum((pred & true).values())
    p = matched / sum(pred.values()) if pred else 0.0
    r = matched / sum(true.values()) if true else 0.0
    return Score(p, r, 2 * p * r / (p + r) if p + r else 0.0)


def average(scores: list[Score]) -> Score:
    return Score(
        mean(s.precision for s in scores),
        mean(s.recall for s in scores),
        mean(s.f1 for s in scores),
    )


def index_bytes(store: MemoryStore) -> tuple[int, int]:
    """Bytes the duplicate index holds: in ``store`` (keys included), and in memory for its
    buckets once rebuilt from the store."""
    stored = sum(len(k) + len(v) for (namespace, k), v in store.items() if namespace == NAMESPACE)
    buckets = DuplicateIndex(store, window=float("inf"), bucket_size=1).bucket_bytes()
    return stored, buckets


def best_rates(passes: int, *rates: Callable[[], float]) -> list[float]:
    """Each rate's best of ``passes`` passes, the rates taking their passes in turn: on a shared
    machine one pass of a side can run a third slower than the next, and alternating gives the
    sides of a ratio the same swings."""
    best = [0.0] * len(rates)
    for _ in range(passes):
        for n, rate in enumerate(rates):
            best[n] = max(best[n], rate())
    return best
