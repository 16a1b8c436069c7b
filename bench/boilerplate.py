"""Boilerplate stripping on both development sets, copydesk beside its peers in one run.

Sets: the article-extraction benchmark's dev split (``../shared/data/aeb``) and the L3S-GN1 dev
split (``../shared/data/l3s-gn1``), scored against its full gold (headline, text, captions) and
against ``article_body_only``. Systems: the untouched page text, copydesk on the page text (text
mode), on the same text hard-wrapped at 70 columns, with a blank line after each line, on the
page's text as its source holds it (line breaks and indentation kept), on the page written a
line per text node (bench/line_joins.py, as a scraper that puts each link on a
line gives it), on the page written as Markdown (by markdownify and by html-to-markdown; its
output scored on the text its Markdown shows) and as laid out on a screen (by inscriptis, and
by w3m, links and elinks where installed: a table's columns side by side), copydesk on the HTML,
trafilatura with its defaults and as copydesk configures it, readability-lxml, and jusText
and boilerpy3 when installed. Metric: the benchmark's bags of lower-cased word 4-grams, per
page, averaged.

A figure is only honest beside what it was tuned on: say which set a change was chosen on and
read the other set's figure as the check.

Last, text mode on article bodies that are already clean (PolNeAR's train and dev articles, as
their publishers ran them: headline, then the story): what share of their words it keeps, how
many lose more than a tenth, and which rules took the rest. Ideally it keeps all but chrome
the publishers left in (photo credits, "Follow X on Twitter" lines), and a headline that
AEB's gold convention drops.

    .venv/bin/python -m bench.boilerplate [--sets aeb,l3s-gn1] [--only SUBSTRING] [--worst N]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import regex
import trafilatura
from lxml import html as lxml_html
from lxml.html import HtmlElement

from bench import polnear
from bench.common import AEB, L3S_GN1, Page, Score, average, dataset_pages, score
from bench.line_joins import node_text
from copydesk.rules.block_model import MODEL_VARIABLE
from copydesk.rules.engine import Engine
from copydesk.rules.html_tree import load_page
from copydesk.rules.loader import load_rules
from copydesk.rules.markdown import shown
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore

SETS: dict[str, tuple[str, Path]] = {"aeb": ("AEB dev", AEB), "l3s-gn1": ("L3S-GN1 dev", L3S_GN1)}
WRAP_COLUMNS = 70
# Text mode on the page as a scraper writing a line per text node gives it (bench/line_joins.py).
NODE_TEXT_MODE = "copydesk, text mode, a line per text node"
# ... and as a scraper that writes each block as a paragraph gives it: a blank line after each.
DOUBLE_SPACED_MODE = "copydesk, text mode, a blank line between lines"
# ... and as a scraper that takes the page's text as its markup holds it gives it: the source's
# line breaks and indentation kept, blocks with no line break between them in the source run
# together (a check: no reading was written for it).
SOURCE_TEXT_MODE = "copydesk, text mode, the page's text as its source holds it"
# ... and as Markdown (markdownify), scored on the text its Markdown shows.
MARKDOWN_MODE = "copydesk, text mode, Markdown"
# ... and as another converter writes it, whose output no reading rule was written on but two
# (front matter, addresses in angle brackets: ``rules/markdown.py``): the check that the
# Markdown reading is not markdownify's alone.
OTHER_MARKDOWN_MODE = "copydesk, text mode, Markdown by html-to-markdown"
# ... and as the tools that render a page as a screen shows it write it: a page laid out in a
# table with its columns side by side (rules/columns.py). inscriptis (the reading was chosen on
# its pages) and, where they are installed (Debian's packages), three text browsers at their 80
# columns, the checks: w3m and links (on whose pages one guard and the reading of borders were
# revised), and elinks (justified lines, borders drawn; nothing was revised on its pages).
INSCRIPTIS_MODE = "copydesk, text mode, laid out by inscriptis"
W3M_MODE = "copydesk, text mode, laid out by w3m"
LINKS_MODE = "copydesk, text mode, laid out by links"
ELINKS_MODE = "copydesk, text mode, laid out by elinks"
LAYOUT_MODES = (INSCRIPTIS_MODE, W3M_MODE, LINKS_MODE, ELINKS_MODE)
_DUMPS = {
    W3M_MODE: ["w3m", "-dump", "-T", "text/html", "-I", "UTF-8", "-O", "UTF-8", "-cols", "80"],
    LINKS_MODE: [
        "links", "-dump", "-codepage", "utf-8", "-html-assume-codepage", "utf-8",
        "-html-hard-assume", "1",
    ],
    # Without its link numbers and list of addresses, as a scraper would ask for it.
    ELINKS_MODE: [
        "elinks", "-dump", "-dump-width", "80", "-dump-charset", "utf-8", "-no-numbering",
        "-no-references",
    ],
}  # fmt: skip
WARM_UP_PAGES = 10
# A page collapses when the system keeps almost nothing of an article the untouched page
# text already scores well on: the failure a user notices first.
COLLAPSE_F1 = 0.2
COLLAPSE_PAGE_TEXT_F1 = 0.5
_BLOCK_END = regex.compile(r"(?i)(</(?:p|div|h[1-6]|li|tr|blockquote|pre|section)>|<br\s*/?>)")

System = Callable[[Page], str]


def hard_wrapped(text: str, columns: int = WRAP_COLUMNS) -> str:
    """The text as a plain-text feed or an e-mail gives it: every line cut at ``columns``."""
    return "\n".join(
        "\n".join(textwrap.wrap(line, columns, break_long_words=False, break_on_hyphens=False))
        for line in text.split("\n")
    )


def _shown_body(html: str) -> HtmlElement | None:
    """The page's body (or the page, where it has none), scripts and styles left out."""
    tree = load_page(html)
    if tree is None:
        return None
    for unseen in tree.xpath("//script | //style | //noscript | //template"):
        unseen.drop_tree()
    body = tree.find("body")
    return body if body is not None else tree


def source_text(html: str) -> str:
    """The page's body as its text nodes hold it, whitespace and all (lxml's ``text_content``,
    BeautifulSoup's ``get_text()`` without a separator)."""
    body = _shown_body(html)
    return "" if body is None else str(body.text_content())


def markdown_page(html: str) -> str:
    """The page's body as a scraper that writes Markdown gives it (markdownify: links with
    their addresses, list bullets, ``#`` headings)."""
    from markdownify import markdownify

    body = _shown_body(html)
    if body is None:
        return ""
    return str(markdownify(lxml_html.tostring(body, encoding="unicode"), heading_style="ATX"))


def other_markdown_page(html: str) -> str:
    """The page as html-to-markdown writes it (a converter in Rust, its defaults: front matter
    with the page's metadata, ``-`` bullets, tables as rows)."""
    from html_to_markdown import convert

    return str(convert(html).content)


def inscriptis_page(html: str) -> str:
    """The page as inscriptis renders it (its strict CSS profile): blocks on lines of their
    own, a table's cells side by side, padded to their columns' widths."""
    from inscriptis import get_text
    from inscriptis.css_profiles import CSS_PROFILES
    from inscriptis.model.config import ParserConfig

    return str(get_text(html, ParserConfig(css=CSS_PROFILES["strict"])))


def dumped(command: list[str], html: str) -> str:
    """The page as a text browser's ``-dump`` renders it: a table's columns side by side, each
    cell's text wrapped to its width. (From a file: links cannot read a pipe.)"""
    with tempfile.NamedTemporaryFile("w", suffix=".html", encoding="utf-8") as page:
        page.write(html)
        page.flush()
        done = subprocess.run([*command, page.name], capture_output=True, timeout=60, check=True)
    return done.stdout.decode("utf-8", "replace")


def _html_text(fragment: str) -> str:
    """Text of an HTML fragment, one line per block, so words of two blocks never touch."""
    if not fragment.strip():
        return ""
    return str(lxml_html.fromstring(_BLOCK_END.sub(r"\1\n", fragment)).text_content())


def _readability(page: Page) -> str:
    from readability import Document

    return _html_text(Document(page.html()).summary(html_partial=True))


def _justext(page: Page) -> str:
    import justext

    paragraphs = justext.justext(page.html().encode(), justext.get_stoplist("English"))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def _boilerpy3(page: Page) -> str:
    from boilerpy3 import extractors

    return str(extractors.ArticleExtractor(raise_on_failure=False).get_content(page.html()))


def systems(engine: Engine) -> dict[str, System]:
    def copydesk(text: Callable[[Page], str]) -> System:
        def run(page: Page) -> str:
            article = ArticleIn(id=page.id, url=page.url, text=text(page))
            return engine.process(article, MemoryStore()).text

        return run

    def copydesk_html(page: Page) -> str:
        article = ArticleIn(id=page.id, url=page.url, html=page.html())
        return engine.process(article, MemoryStore()).text

    def laid_out(render: Callable[[str], str]) -> Callable[[Page], str]:
        # Rendered once per page: bench.line_model runs each mode again in every fold.
        rendered: dict[str, str] = {}

        def text(page: Page) -> str:
            if page.id not in rendered:
                rendered[page.id] = render(page.html())
            return rendered[page.id]

        return text

    markdown = copydesk(lambda page: markdown_page(page.html()))
    other_markdown = copydesk(lambda page: other_markdown_page(page.html()))
    found: dict[str, System] = {
        "page text, untouched": lambda page: page.page_text,
        "copydesk, text mode": copydesk(lambda page: page.page_text),
        f"copydesk, text mode, hard-wrapped at {WRAP_COLUMNS}": copydesk(
            lambda page: hard_wrapped(page.page_text)
        ),
        NODE_TEXT_MODE: copydesk(lambda page: node_text(page.html())),
        DOUBLE_SPACED_MODE: copydesk(lambda page: page.page_text.replace("\n", "\n\n")),
        SOURCE_TEXT_MODE: copydesk(lambda page: source_text(page.html())),
        # The output keeps the Markdown; the gold is plain text.
        MARKDOWN_MODE: lambda page: shown(markdown(page)),
        OTHER_MARKDOWN_MODE: lambda page: shown(other_markdown(page)),
        INSCRIPTIS_MODE: copydesk(laid_out(inscriptis_page)),
        "trafilatura defaults (HTML)": lambda page: trafilatura.extract(page.html()) or "",
        "trafilatura as copydesk sets it (HTML)": lambda page: (
            trafilatura.extract(
                page.html(),
                favor_precision=True,
                include_comments=False,
                include_tables=True,
                fast=True,
            )
            or ""
        ),
        "copydesk, HTML mode": copydesk_html,
    }
    for mode, command in _DUMPS.items():
        if shutil.which(command[0]):
            found[mode] = copydesk(laid_out(partial(dumped, command)))
    peers = {"readability": _readability, "justext": _justext, "boilerpy3": _boilerpy3}
    names = {"readability": "readability-lxml (HTML)", "justext": "jusText (HTML)"}
    for module, system in peers.items():
        if importlib.util.find_spec(module) is not None:
            found[names.get(module, f"{module} (HTML)")] = system
    return found


@dataclass
class Run:
    """One system's output on every page of one set, and the time it took."""

    outputs: list[str]
    seconds: float


def run_all(pages: list[Page], chosen: dict[str, System]) -> dict[str, Run]:
    runs: dict[str, Run] = {}
    for name, system in chosen.items():
        # Untimed first pages: some libraries load data on first use (htmldate's date parser
        # takes seconds), a cost a long-running worker pays once.
        for page in pages[:WARM_UP_PAGES]:
            system(page)
        started = time.perf_counter()
        outputs = [system(page) for page in pages]
        runs[name] = Run(outputs, time.perf_counter() - started)
    return runs


def scores(run: Run, golds: list[str]) -> list[Score]:
    return [score(out, gold) for out, gold in zip(run.outputs, golds, strict=True)]


def collapsed(mine: list[Score], untouched: list[Score]) -> int:
    return sum(
        1
        for s, u in zip(mine, untouched, strict=True)
        if s.f1 < COLLAPSE_F1 and u.f1 >= COLLAPSE_PAGE_TEXT_F1
    )


def table(title: str, runs: dict[str, Run], golds: list[str], pages: int) -> dict[str, float]:
    print(f"\n{title}: {pages} pages\n")
    print("| system | precision | recall | F1 | collapsed | pages/s |")
    print("|---|---|---|---|---|---|")
    untouched = scores(runs["page text, untouched"], golds)
    f1s: dict[str, float] = {}
    texts = runs["page text, untouched"].outputs
    with_text = [i for i, text in enumerate(texts) if text.strip()]
    without_empty: list[str] = []
    for name, run in runs.items():
        per_page = scores(run, golds)
        without_empty.append(f"{name} {average([per_page[i] for i in with_text]).f1:.4f}")
        avg = average(per_page)
        # The untouched page text costs nothing: no rate to show.
        rate = f"{pages / run.seconds:.0f}" if run.seconds > 0.01 else "–"
        f1s[name] = avg.f1
        print(
            f"| {name} | {avg.precision:.4f} | {avg.recall:.4f} | {avg.f1:.4f} |"
            f" {collapsed(per_page, untouched)} | {rate} |"
        )
    if len(with_text) < len(texts):
        # Such pages score 0 in text mode whatever the rules do: say what that costs.
        print(
            f"\n{len(texts) - len(with_text)} pages have an empty page text in the data set;"
            " F1 over the other pages: " + ", ".join(without_empty)
        )
    return f1s


def clean_bodies(engine: Engine) -> None:
    """Text mode on article bodies with nothing to strip: the share of words it keeps."""
    kept: list[float] = []
    by_rule: Counter[str] = Counter()
    for split in ("train", "dev"):
        for article in polnear.articles(split):
            body = article.text
            out = engine.process(ArticleIn(id=article.name, text=body), MemoryStore())
            kept.append(len(out.text.split()) / max(len(body.split()), 1))
            for span in out.removed:
                by_rule[span.rule] += len(span.text.split())
    removed = ", ".join(f"{rule} {words:,}" for rule, words in by_rule.most_common())
    print(
        f"\nAlready-clean bodies (PolNeAR train and dev, {len(kept)} articles), text mode: words"
        f" kept {sum(kept) / len(kept):.4f}; articles losing more than a tenth:"
        f" {sum(k < 0.9 for k in kept)}; words removed by rule: {removed}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", default="aeb,l3s-gn1", help="comma-separated: aeb, l3s-gn1")
    parser.add_argument("--only", default="", help="run only systems whose name holds this")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages per system")
    parser.add_argument(
        "--no-clean", action="store_true", help="skip text mode on already-clean bodies"
    )
    args = parser.parse_args()
    engine = Engine(load_rules())
    for command in _DUMPS.values():
        if not shutil.which(command[0]):
            print(f"{command[0]} is not installed (Debian's package): its layout is not measured")
    chosen = {
        name: system
        for name, system in systems(engine).items()
        if name == "page text, untouched" or args.only in name
    }
    pooled: dict[str, Run] = {name: Run([], 0.0) for name in chosen}
    pooled_golds: list[str] = []
    summary: dict[str, dict[str, float]] = {}
    per_set: list[tuple[str, list[Page], dict[str, Run]]] = []
    for key in args.sets.split(","):
        title, folder = SETS[key]
        pages = list(dataset_pages(folder))
        runs = run_all(pages, chosen)
        per_set.append((title, pages, runs))
        golds = [page.article_body for page in pages]
        summary[title] = table(title, runs, golds, len(pages))
        if all(page.article_body_only is not None for page in pages):
            only = [page.article_body_only or "" for page in pages]
            summary[f"{title}, body only"] = table(
                f"{title}, gold without headline and captions", runs, only, len(pages)
            )
        for name, run in runs.items():
            pooled[name].outputs.extend(run.outputs)
            pooled[name].seconds += run.seconds
        pooled_golds.extend(golds)
    if len(per_set) > 1:
        summary["both"] = table("both sets pooled", pooled, pooled_golds, len(pooled_golds))
    print("\nF1 per set\n")
    print("| system | " + " | ".join(summary) + " |")
    print("|---|" + "---|" * len(summary))
    for name in chosen:
        print(f"| {name} | " + " | ".join(f"{f1s[name]:.4f}" for f1s in summary.values()) + " |")
    wrapped = f"copydesk, text mode, hard-wrapped at {WRAP_COLUMNS}"
    for title, f1s in summary.items():
        for other, how in (
            (wrapped, "hard-wrapped text"),
            (NODE_TEXT_MODE, "a line per text node"),
            (DOUBLE_SPACED_MODE, "a blank line between lines"),
            (SOURCE_TEXT_MODE, "the text as its source holds it"),
            (MARKDOWN_MODE, "Markdown"),
            (OTHER_MARKDOWN_MODE, "Markdown by html-to-markdown"),
            (INSCRIPTIS_MODE, "a layout by inscriptis"),
            (W3M_MODE, "a layout by w3m"),
            (LINKS_MODE, "a layout by links"),
            (ELINKS_MODE, "a layout by elinks"),
        ):
            if other in f1s and "copydesk, text mode" in f1s:
                drop = f1s["copydesk, text mode"] - f1s[other]
                print(f"\n{title}: F1 drop on {how} {drop:+.4f}", end="")
    traf, mine = "trafilatura defaults (HTML)", "copydesk, HTML mode"
    if mine in chosen and not os.environ.get(MODEL_VARIABLE):
        # The shipped block model learned from these very pages.
        print(
            f"\n\n{mine}: training scores (its block model is trained on both dev sets);"
            " out of fold: python -m bench.block_model --folds 5 --html",
            end="",
        )
    if traf in pooled and mine in pooled and pooled[mine].seconds:
        ratio = pooled[traf].seconds / pooled[mine].seconds
        print(f"\n\nHTML mode speed / trafilatura defaults alone: {ratio:.2f}")
    for title, pages, runs in per_set if args.worst else ():
        golds = [page.article_body for page in pages]
        for name, run in runs.items():
            if name.startswith("copydesk"):
                print(f"\nworst pages, {title}, {name}:")
                ranked = sorted(zip(scores(run, golds), pages, strict=True), key=lambda x: x[0].f1)
                for s, page in ranked[: args.worst]:
                    print(f"  F1 {s.f1:.2f}  P {s.precision:.2f}  R {s.recall:.2f}  {page.url}")
    if not args.no_clean and "copydesk, text mode" in chosen:
        clean_bodies(engine)
    print()


if __name__ == "__main__":
    main()
