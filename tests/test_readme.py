"""The rule examples in the README are real: each YAML block loads and its examples hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from copydesk.rules.examples import check_examples
from copydesk.rules.loader import load_rules

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.split(":", 1)[-1].split()[0])
def test_readme_rule_examples_load_and_hold(block: str, tmp_path: Path) -> None:
    # A whole pack is layered on the built-in ones, as a user's pack is; a rule stands alone.
    whole = block.startswith("pack:")
    pack = tmp_path / "readme.yaml"
    pack.write_text(block if whole else "pack: readme\nrules:\n" + block, encoding="utf-8")
    ruleset = load_rules([pack], builtin=whole)
    assert ruleset.rules
    for spec in ruleset.rules:
        assert [str(f) for f in check_examples(spec, ruleset.rules)] == []


def test_the_readme_has_rule_examples() -> None:
    assert len(BLOCKS) >= 5
