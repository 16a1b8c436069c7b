"""Every output of the engine over a fixed stream, one line each, to tell whether a change that
should not change any output (a speed-up) changed one: run it before and after, then compare.

    .venv/bin/python -m bench.outputs FILE [--html]

The stream: 2,000 ``bench.corpus`` articles with, after the first 1,000, a copy, a copy with
chrome added, a light edit and a rewrite of each of the 111 real bodies, a rewrite of each
body's first remix, and rewrites published before the remixes they retell (late findings);
then the 111 pages' visible text in text mode; 400 of the articles through the worker's record
path (the stripped records with their headers and the align stage's outputs; the flag stage's
candidates records in between are not written, so that two designs of the stages compare); with
``--html``, the 111 pages in HTML mode. Every record is processed at one fixed time, so two
runs of the same code write the same bytes.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from datetime import timedelta

from bench.common import aeb_pages
from bench.corpus import START, stream
from bench.duplicates import CHROME, edit_lightly, rewrite
from copydesk.rules.engine import Engine
from copydesk.rules.loader import load_rules
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore
from copydesk.streams.processing import Origin, align_message, flag_message, strip_message

NOW = START + timedelta(days=3)
ORIGIN = Origin("articles.raw", 0, 0)


def articles(bodies: list[str]) -> list[ArticleIn]:
    corpus = [ArticleIn.model_validate_json(a.record()) for a in stream(bodies, 2000)]
    rng = random.Random(5)
    reused: list[ArticleIn] = []
    for n, body in enumerate(bodies):
        published = START + timedelta(minutes=3000 + n)
        retold = [
            body,
            "\n".join([*rng.sample(CHROME, 2), body]),
            edit_lightly(body, rng),
            rewrite(body, rng),
            rewrite(corpus[len(bodies) + n].text or "", rng),
        ]
        reused += [
            ArticleIn(
                id=f"reuse-{n}-{k}",
                url=f"https://copy{k}.example/{n}",
                source=f"Copy {k}",
                text=text,
                published_at=published,
            )
            for k, text in enumerate(retold)
        ]
    for n in range(0, len(bodies), 3):
        reused.append(
            ArticleIn(
                id=f"late-{n}",
                url=f"https://late.example/{n}",
                source="Late",
                text=rewrite(corpus[1000 + n].text or "", rng),
                published_at=START - timedelta(minutes=5),
            )
        )
    rng.shuffle(reused)
    return corpus[:1000] + reused + corpus[1000:]


def outputs(html: bool) -> Iterator[str]:
    pages = list(aeb_pages())
    stream_ = articles([p.article_body for p in pages])
    engine = Engine(load_rules())
    store = MemoryStore()
    for article in stream_:
        yield engine.process(article, store, NOW).model_dump_json()
    store = MemoryStore()
    for page in pages:
        article = ArticleIn(id=page.id, url=page.url, text=page.page_text)
        yield engine.process(article, store, NOW).model_dump_json()
    strip_store, flag_store = MemoryStore(), MemoryStore()
    for article in stream_[900:1300]:
        raw = article.model_dump_json().encode()
        for out in strip_message(engine, strip_store, None, raw, ORIGIN, 10**7):
            yield repr((out.destination, out.value, sorted(out.headers)))
            for flagged in flag_message(engine, flag_store, None, out.value, out.headers, ORIGIN):
                for judged in align_message(engine, None, flagged.value, flagged.headers, ORIGIN):
                    yield repr((judged.destination, judged.value, sorted(judged.headers)))
    if html:
        store = MemoryStore()
        for page in pages:
            article = ArticleIn(id=page.id, url=page.url, html=page.html())
            yield engine.process(article, store, NOW).model_dump_json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", help="where the outputs go, one line each")
    parser.add_argument("--html", action="store_true", help="the pages in HTML mode too")
    args = parser.parse_args()
    count = 0
    with open(args.file, "w", encoding="utf-8") as out:
        for line in outputs(args.html):
            out.write(line + "\n")
            count += 1
    print(f"{count:,} outputs written to {args.file}")


if __name__ == "__main__":
    main()
