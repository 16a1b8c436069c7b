"""How large an article goes through whole with the default limits (the producer's 8 MiB
request, the broker's 1,048,588-byte message, zstd, the 1,000,000-character body limit).

Each article is real text of one language, unique paragraphs joined up to the body limit: the
AEB and L3S-GN1 development bodies (English) and the SemEval-8 training texts per language.
The three stages of the built-in engine run on it and ``SizeLimit`` measures the largest of
their outputs as the producer sends it (compressed batch). Where a language has fewer than
1,000,000 characters of unique text, the largest whole article is extrapolated from the
compressed bytes per character (marked ~). Nothing here is tuned: the limits are the defaults.

    .venv/bin/python -m bench.delivery
"""

from __future__ import annotations

import csv
import json
import random
import sys
from collections import defaultdict

from bench.common import SHARED, aeb_pages, require
from copydesk.rules.engine import Engine
from copydesk.rules.loader import load_rules
from copydesk.rules.state import MemoryStore
from copydesk.streams.delivery import SizeLimit
from copydesk.streams.processing import Origin, align_message, flag_message, strip_message
from copydesk.streams.settings import Settings

LANGUAGES = ("zh", "ar", "ru", "de", "pl")
ORIGIN = Origin("articles.raw", 0, 0)


def texts() -> dict[str, list[str]]:
    english = [p.article_body for p in aeb_pages()]
    with require(SHARED / "data" / "l3s-gn1" / "dev.jsonl").open(encoding="utf-8") as f:
        english += [json.loads(line)["article_body"] for line in f]
    by_language: dict[str, list[str]] = {"en (AEB + L3S-GN1)": english}
    csv.field_size_limit(sys.maxsize)
    seen: dict[str, set[str]] = defaultdict(set)
    with require(SHARED / "data" / "semeval8" / "train.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for lang, text in ((row["lang1"], row["text1"]), (row["lang2"], row["text2"])):
                if lang in LANGUAGES and text not in seen[lang]:
                    seen[lang].add(text)
                    by_language.setdefault(f"{lang} (SemEval-8)", []).append(text)
    rng = random.Random(0)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
    by_language["random base64-like text"] = ["".join(rng.choices(letters, k=1_000_000))]
    han = [chr(0x4E00 + i) for i in range(20_000)]
    by_language["random Chinese characters"] = ["".join(rng.choices(han, k=1_000_000))]
    return by_language


def main() -> None:
    settings = Settings()
    limit = SizeLimit.from_settings(settings)
    engine = Engine(load_rules())
    body_limit = settings.max_body_chars
    print(
        f"limits: producer request {limit.producer_max_request_bytes:,} B (uncompressed),"
        f" broker message {limit.broker_max_message_bytes:,} B ({limit.compression}),"
        f" body {body_limit:,} characters"
    )
    print("| text | body chars | body MB | output MB | on the broker MB | largest whole article |")
    print("|---|---|---|---|---|---|")
    for name, paragraphs in texts().items():
        body = "\n\n".join(paragraphs)[:body_limit]
        raw = json.dumps({"id": "big", "title": name, "text": body}, ensure_ascii=False).encode()
        [stripped] = strip_message(engine, MemoryStore(), b"k", raw, ORIGIN, 64 * 1024 * 1024)
        [looked_up] = flag_message(
            engine, MemoryStore(), stripped.key, stripped.value, stripped.headers, ORIGIN
        )
        judged = align_message(engine, looked_up.key, looked_up.value, looked_up.headers, ORIGIN)
        # The largest of the three stages' outputs, as sent, decides.
        outputs = [stripped, looked_up, *judged]
        largest_out = max(outputs, key=limit.batch_bytes)
        request = limit.request_bytes(largest_out)
        batch = limit.batch_bytes(largest_out)
        fits = all(limit.refusal(out) is None for out in outputs)
        per_char = batch / len(body)
        if fits and len(body) >= body_limit:
            largest = f"{body_limit:,} chars (the body limit)"
        else:  # extrapolated from the compressed bytes per character
            chars = min(body_limit, int(limit.broker_max_message_bytes / per_char))
            megabytes = chars * len(body.encode()) / len(body) / 1e6
            largest = f"~{chars:,} chars ({megabytes:.2f} MB)"
        print(
            f"| {name} | {len(body):,} | {len(body.encode()) / 1e6:.2f} | {request / 1e6:.2f}"
            f" | {batch / 1e6:.2f} | {largest} |"
        )


if __name__ == "__main__":
    main()
