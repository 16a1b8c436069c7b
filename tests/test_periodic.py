"""Tables and lists read a cell per line (rules/periodic.py): found, and kept with the article
they sit in; menus, lists of other stories, galleries and a story's own paragraphs are none."""

from __future__ import annotations

from copydesk.rules.engine import Engine
from copydesk.rules.loader import load_rules
from copydesk.rules.periodic import periodic_runs
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore

HEADER = ["Pos", "Player", "Plays", "%"]
ROWS = [
    ["DL", "Larry Ogun", "63", "85%"],
    ["DL", "Myles Garr", "57", "77%"],
    ["DL", "Chad Tomas", "57", "77%"],
    ["LB", "Joe Schobe", "70", "100%"],
    ["LB", "Mack Wils", "41", "58%"],
    ["CB", "Denzel Ward", "68", "96%"],
]
TABLE = [cell for row in ROWS for cell in row]
PARAGRAPHS = [
    "The defense is dealing with a bunch of suspensions and injuries right now, and the snap"
    " counts from Thursday's game show who carried the load up front.",
    "There is a lot to sort through here. As a unit, the line had eleven hits on the"
    " quarterback, and eight of those came from the two starters.",
    "Both starters have played a ton of snaps all season. The backups are good for depth,"
    " but as starters that is a hefty downgrade for the coming weeks.",
    "Ideally the veteran would come back from his knee injury this week, but when he will"
    " return is still a question mark, the coach said on Monday.",
]
MENU = ["Home", "Scores", "Teams", "Players", "Standings", "Podcast", "Shop"]
FOOTER = ["About us", "Contact", "Privacy policy", "Terms of use", "Cookie settings"]


def test_a_table_read_a_cell_per_line_is_one_run() -> None:
    lines = tuple([PARAGRAPHS[0], *HEADER, *TABLE, PARAGRAPHS[1]])
    start = 1 + len(HEADER)
    assert periodic_runs(lines) == [(start, start + len(TABLE) - 1)]


def test_a_list_whose_items_each_hold_a_paragraph_is_one_run() -> None:
    # A year's best gadgets: a brand, the product and its price, a link to a shop, and a
    # paragraph of a few sentences about it.
    items = [
        [
            "Harbour",
            f"Harbour Buds {n} for ${20 * n}",
            "See it now:",
            "Amazon",
            f"{paragraph} It ships in {n + 1} colours.",
        ]
        for n, paragraph in enumerate(PARAGRAPHS, start=1)
    ]
    lines = tuple(line for item in items for line in item)
    assert periodic_runs(lines) == [(0, len(lines) - 1)]


def test_menus_feeds_galleries_and_paragraphs_are_no_runs() -> None:
    menu = [
        line
        for section in ["NEWS", "SPORT", "CULTURE", "TRAVEL"]
        for line in [
            section,
            f"Latest {section.title()}",
            f"{section.title()} Video",
            f"RSS {section}",
        ]
    ]
    teasers = [
        line
        for n, paragraph in enumerate(PARAGRAPHS, start=1)
        for line in [
            f"Other story number {n} in the list",
            "Ana Voss",
            f"Tuesday November {n}, 2019",
            paragraph,
        ]
    ]
    gallery = [
        line
        for n in range(1, 6)
        for line in [str(n), f"Fishermen mend their nets on the old pier at dawn, picture {n}."]
    ]
    story = [paragraph for paragraph in PARAGRAPHS * 3]
    for lines in (menu, teasers, gallery, story):
        assert periodic_runs(tuple(lines)) == []


def _node_text(lines: list[str]) -> str:
    return "\n".join([*MENU, "Snap counts: the line carried the load", *lines, *FOOTER])


def test_text_mode_keeps_a_table_between_paragraphs_and_at_the_end() -> None:
    # A scraper that writes a line per text node gives the cells a line each: scored cell by
    # cell as chrome they split the story, and the shorter part was cut; a table ending the
    # story went with the footer.
    engine = Engine(load_rules())
    middle = [*PARAGRAPHS[:2], *TABLE, *PARAGRAPHS[2:]]
    end = [*PARAGRAPHS, *TABLE]
    for lines in (middle, end):
        out = engine.process(ArticleIn(id="a", text=_node_text(lines)), MemoryStore())
        assert "\n".join(lines) in out.text
        assert not any(entry in out.text.split("\n") for entry in MENU + FOOTER)
