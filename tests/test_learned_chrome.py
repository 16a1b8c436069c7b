"""Per-source learning on a synthetic stream: a site's recurring lines go once they pass the
threshold; its article lines, and other sites, are untouched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from copydesk.rules.engine import Engine
from copydesk.rules.kinds.learned_chrome import LineCounts
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore
from tests.conftest import engine_for, rule

FOOTER = "Harbor Daily has served the coast since 1921. Tips: news@harbor.example"
START = datetime(2026, 11, 1, tzinfo=UTC)


def article(n: int, source: str = "Harbor Daily", when: datetime | None = None) -> ArticleIn:
    body = (
        f"Story {n}: the council met for the {n}th time this year and voted on item {n * 7}.\n"
        f"Residents said item {n * 7} mattered to {n * 13} households in the district.\n"
        f"{FOOTER}"
    )
    return ArticleIn(id=f"a{n}", source=source, text=body, published_at=when or START)


def engine(**params: object) -> Engine:
    return engine_for(rule("learned-chrome", min_articles=5, **params))


def test_a_recurring_line_is_removed_after_the_threshold_and_article_lines_stay() -> None:
    store, eng = MemoryStore(), engine()
    outs = [eng.process(article(n), store) for n in range(30)]
    assert all(FOOTER in out.text for out in outs[:5])
    assert all(FOOTER not in out.text for out in outs[5:])
    assert all(f"Story {n}:" in out.text for n, out in enumerate(outs))
    assert {span.rule for out in outs for span in out.removed} == {"test-rule"}


def test_sources_learn_separately() -> None:
    store, eng = MemoryStore(), engine()
    for n in range(10):
        eng.process(article(n), store)
    other = eng.process(article(99, source="Millbrook Ledger"), store)
    assert FOOTER in other.text


def test_counts_fade_so_old_chrome_is_forgotten() -> None:
    store, eng = MemoryStore(), engine(half_life_days=1)
    for n in range(10):
        eng.process(article(n), store)
    later = eng.process(article(11, when=START + timedelta(days=30)), store)
    assert FOOTER in later.text


def test_the_table_is_bounded_and_keeps_frequent_lines() -> None:
    store, eng = MemoryStore(), engine(capacity=16)
    for n in range(200):
        eng.process(article(n), store)
    [(_key, raw)] = list(store.items())
    table = LineCounts.decode(raw)
    assert len(table.hashes) == 16
    assert len(raw) == 16 + 12 * 16
    assert FOOTER not in eng.process(article(201), store).text


def test_without_source_the_url_host_is_the_source() -> None:
    store, eng = MemoryStore(), engine()
    for n in range(8):
        a = article(n)
        eng.process(
            a.model_copy(update={"source": None, "url": f"https://harbor.example/{n}"}), store
        )
    assert [k for (k, _) in store.items()] == [("learned-chrome", "harbor.example")]


def test_with_every_built_in_pack_a_site_blurb_that_reads_as_prose_goes(
    builtin_engine: Engine,
) -> None:
    # The line model learned from pages read one by one, where learned chrome never fires: it
    # kept this sentence back until learned chrome's cuts were made final for it.
    blurb = "Harbor Daily has served the coast of Maine since 1921."
    store, texts = MemoryStore(), []
    for n in range(8):
        body = "\n".join(
            f"Paragraph {k} of story {n}: the council met for the {n}th time this year and voted"
            f" on item {n * 7 + k}, which residents said mattered to {n * 13 + k} households."
            for k in range(8)
        )
        article = ArticleIn(id=f"s{n}", source="Harbor Daily", text=f"{body}\n{blurb}")
        texts.append(
            builtin_engine.process(article.model_copy(update={"published_at": START}), store).text
        )
    assert [blurb in text for text in texts] == [True] * 5 + [False] * 3
    assert all(f"Paragraph 7 of story {n}:" in text for n, text in enumerate(texts))
