"""Fuzz the record parser and the engine behind it with atheris (coverage-guided).

    .venv/bin/pip install atheris
    mkdir -p /tmp/corpus
    .venv/bin/python fuzz/fuzz_parse.py -max_total_time=60 /tmp/corpus fuzz/seeds

Any exception other than ``RecordError`` from the parser, or any exception from the engine on a
parsed article, is a bug: the worker would dead-letter the record as a processing error.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from copydesk.rules.engine import Engine
    from copydesk.rules.loader import load_rules
    from copydesk.rules.parse import RecordError, parse_article
    from copydesk.rules.state import MemoryStore

ENGINE = Engine(load_rules())


def one_input(data: bytes) -> None:
    try:
        article = parse_article(data, max_bytes=1 << 20)
    except RecordError:
        return
    out = ENGINE.process(article, MemoryStore())
    assert out.id == article.id


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
