"""How well rules/line_joins.py finds the line breaks that cut a sentence, against the markup
of both dev sets' pages.

No hand labels: each page is read as a scraper that writes a line per text node reads it
(``node_text``: every text node stripped, the blank ones dropped, as BeautifulSoup's
``get_text("\\n", strip=True)``), and a break between two text nodes is inside a paragraph
when rules/page_text.py, which writes a line per block element, puts both on one line. Printed
per set: the joins' precision and recall among the breaks next to a paragraph (a page_text line
of 100 characters or more on either side, where a missed join cuts prose into fragments), the
share of the other breaks joined (menus, lists: harmless either way), and the share of the
breaks of page_text.py's own text joined (all of them end a block: each join is a mistake).

    .venv/bin/python -m bench.line_joins
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from lxml import etree
from lxml.html import HtmlElement

from bench.common import AEB, L3S_GN1, dataset_pages
from copydesk.rules.html_tree import load_page
from copydesk.rules.line_joins import sentence_breaks
from copydesk.rules.page_text import _ACTIONS, page_text

BLOCK, UNSEEN = _ACTIONS["div"], _ACTIONS["script"]
PARAGRAPH_CHARS = 100


def text_nodes(tree: HtmlElement) -> Iterator[tuple[str, int]]:
    """Each non-blank text node of the page's body, stripped, with the number of the line
    page_text.py puts it on (its walk: a block element's start and end end a line; table
    cells, links and other inline elements do not)."""
    body = tree.find("body")
    line, line_has_text = 0, False
    walk = etree.iterwalk(body if body is not None else tree, ("start", "end"))
    for event, element in walk:
        action = _ACTIONS.get(element.tag) if isinstance(element.tag, str) else None
        if event == "start":
            if action == UNSEEN:
                walk.skip_subtree()
                continue
            piece = element.text if isinstance(element.tag, str) else None
        else:
            piece = element.tail
        if action == BLOCK and line_has_text:  # the piece after the tag starts a new line
            line, line_has_text = line + 1, False
        if piece and piece.strip():
            yield piece.strip(), line
            line_has_text = True


def node_text(html: str) -> str:
    """The page as a scraper writing a line per text node gives it."""
    tree = load_page(html)
    return "" if tree is None else "\n".join(text for text, _ in text_nodes(tree))


@dataclass
class Tally:
    joined: Counter[str]
    breaks: Counter[str]

    def share(self, kind: str) -> str:
        return f"{self.joined[kind] / max(self.breaks[kind], 1):.4f} of {self.breaks[kind]}"


def tally(pages_html: list[str]) -> Tally:
    """Joins against the markup's labels, over pages given by their HTML."""
    joined: Counter[str] = Counter()
    breaks: Counter[str] = Counter()
    for html in pages_html:
        tree = load_page(html)
        if tree is None:
            continue
        nodes = list(text_nodes(tree))
        line_chars: Counter[int] = Counter()
        for text, line in nodes:
            line_chars[line] += len(text) + 1
        cuts = sentence_breaks([text for text, _ in nodes])
        for ((_, line), (_, next_line)), cut in zip(pairwise(nodes), cuts, strict=True):
            inside = line == next_line
            if max(line_chars[line], line_chars[next_line]) < PARAGRAPH_CHARS:
                kind = "other"
            else:
                kind = "paragraph, inside" if inside else "paragraph, between"
            breaks[kind] += 1
            joined[kind] += cut
        lines = [line for line in page_text(tree).split("\n") if line.strip()]
        breaks["page_text"] += len(lines) - 1
        joined["page_text"] += sum(sentence_breaks(lines))
    return Tally(joined, breaks)


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(
        "| set | next to a paragraph: precision | recall | other breaks joined |"
        " page_text.py's breaks joined |"
    )
    print("|---|---|---|---|---|")
    for name, folder in (("AEB dev", AEB), ("L3S-GN1 dev", L3S_GN1)):
        t = tally([page.html() for page in dataset_pages(folder)])
        right = t.joined["paragraph, inside"]
        precision = right / max(right + t.joined["paragraph, between"], 1)
        recall = right / max(t.breaks["paragraph, inside"], 1)
        print(
            f"| {name} | {precision:.4f} | {recall:.4f} | {t.share('other')} |"
            f" {t.share('page_text')} |"
        )


if __name__ == "__main__":
    main()
