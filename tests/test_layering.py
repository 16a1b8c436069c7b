"""Packs layered on the built-in ones: disable and override by id, shadow mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from copydesk.rules.engine import Engine
from copydesk.rules.loader import PackError, load_rules
from copydesk.rules.records import ArticleIn
from copydesk.rules.state import MemoryStore

BODY = (
    "The council met on Tuesday and voted 5-2 to approve the bridge.\nShare this article\n"
    "The mayor called it a historic day for the town and its commuters."
)


def site_pack(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text("pack: site\n" + text, encoding="utf-8")
    return path


def clean(engine: Engine, text: str = BODY) -> tuple[str, list[tuple[str, str, bool]]]:
    out = engine.process(ArticleIn(id="a", text=text), MemoryStore())
    return out.text, [(f.rule, f.kind, f.shadow) for f in out.findings]


def test_a_later_pack_disables_a_builtin_rule(tmp_path: Path) -> None:
    ruleset = load_rules([site_pack(tmp_path, "disable: [share-follow-prompts]\n")])
    assert "share-follow-prompts" not in [r.id for r in ruleset.rules]
    assert clean(Engine(ruleset))[0] == BODY


def test_a_later_pack_overrides_parameters_and_the_version_follows(tmp_path: Path) -> None:
    builtin = load_rules()
    ruleset = load_rules(
        [site_pack(tmp_path, "override:\n  duplicates: {window_days: 2, severity: error}\n")]
    )
    duplicates = next(r for r in ruleset.rules if r.id == "duplicates")
    assert duplicates.model_dump()["window_days"] == 2
    assert duplicates.severity == "error"
    assert ruleset.version != builtin.version


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("disable: [no-such-rule]\n", "`disable` names no earlier rule 'no-such-rule'"),
        ("override:\n  no-such-rule: {severity: error}\n", "`override` names no earlier rule"),
        ("override:\n  duplicates: {window_days: -1}\n", "`override` of duplicates: `window_days`"),
        ("override:\n  duplicates: {kind: menu-block}\n", "cannot change id or kind"),
    ],
)
def test_bad_overrides_are_refused_with_the_pack_named(
    tmp_path: Path, text: str, says: str
) -> None:
    path = site_pack(tmp_path, text)
    with pytest.raises(PackError) as caught:
        load_rules([path])
    [problem] = caught.value.problems
    assert problem.path == str(path)
    assert says in problem.message


def test_shadow_mode_reports_and_changes_nothing(tmp_path: Path) -> None:
    ruleset = load_rules(
        [site_pack(tmp_path, "override:\n  share-follow-prompts: {mode: shadow}\n")]
    )
    text, findings = clean(Engine(ruleset))
    assert text == BODY
    assert findings == [("share-follow-prompts", "shadow-removal", True)]
