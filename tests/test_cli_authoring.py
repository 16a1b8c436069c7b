"""``copydesk rules check``, ``copydesk rules test`` and ``copydesk explain``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from copydesk.streams.cli import main
from tests.conftest import SHARE_PROMPT_RULE

PACK = "pack: mine\nrules:\n" + SHARE_PROMPT_RULE


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_check_passes_the_builtin_packs_without_warnings() -> None:
    code, out = run("rules", "check")
    assert code == 0
    assert "0 warning(s)" in out


def test_check_lists_every_error_with_its_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(PACK.replace("'^share this$'", "'(share'").replace("id: share", "id: Share"))
    code, out = run("rules", "check", str(bad))
    assert code == 1
    assert f"{bad}:3:9: Share-prompt: `rules[0].id` must be kebab-case" in out
    assert f"{bad}:7:16: Share-prompt: `rules[0].patterns[0]`: invalid regex '(share'" in out
    assert "2 error(s) in 1 pack(s)" in out


def test_check_warns_about_a_backtracking_regex_and_shared_patterns(tmp_path: Path) -> None:
    pack = tmp_path / "slow.yaml"
    pack.write_text(
        PACK.replace("'^share this$'", "'^(a|aa)+$'").replace('["share this\\nbody"]', '["aa"]')
        + PACK.split("rules:\n")[1]
        .replace("share-prompt", "other")
        .replace("'^share this$'", "'^(a|aa)+$'")
        .replace('["share this\\nbody"]', '["aa"]')
    )
    code, out = run("rules", "check", str(pack))
    assert code == 0
    assert "warning: share-prompt: regex '^(a|aa)+$' takes over 20 ms" in out
    assert "warning: other: pattern '^(a|aa)+$' is also in rule share-prompt" in out


def test_test_runs_examples_and_fixture_files(tmp_path: Path) -> None:
    pack = tmp_path / "mine.yaml"
    pack.write_text(PACK)
    fixtures = tmp_path / "mine.fixtures.jsonl"
    fixtures.write_text(
        json.dumps({"rule": "share-prompt", "text": "Share this\nx", "removed": ["Share this\n"]})
        + "\n"
        + json.dumps({"rule": "share-prompt", "text": "Share this story?", "trigger": False})
        + "\n"
        + json.dumps({"rule": "share-prompt", "text": "nothing here", "trigger": True})
        + "\n"
    )
    code, out = run("rules", "test", str(pack))
    assert code == 1
    assert "FAIL share-prompt: did not trigger: 'nothing here'" in out
    assert out.strip().endswith("4 passed, 1 failed")


def test_test_passes_on_the_builtin_packs() -> None:
    code, out = run("rules", "test")
    assert code == 0
    assert out.strip().endswith(" 0 failed")


def test_explain_marks_removed_spans_and_shows_findings(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(
        "Home\nWorld\nBusiness\n\nLISBON, Nov 21 (Reuters) - The council voted 5-2 on Tuesday to"
        " approve the new bridge, ending years of delay.\nShare this article\nThe mayor called"
        " it a historic day for the town and its commuters.\n"
    )
    # A scraped page has no title line: its first line is navigation.
    code, out = run("explain", str(story), "--no-title-line")
    assert code == 0
    assert "[-main-text-region: Home\nWorld\nBusiness-]" in out
    assert "[-share-follow-prompts: Share this article-]" in out
    assert 'metadata.dateline: ["LISBON, Nov 21 (Reuters) -"]' in out
    code, out = run("explain", str(story), "--json", "--no-title-line")
    assert json.loads(out)["metadata"]["dateline"] == ["LISBON, Nov 21 (Reuters) -"]


def test_explain_reports_an_unreadable_record(tmp_path: Path) -> None:
    record = tmp_path / "bad.json"
    record.write_text('{"id": 5}')
    code, out = run("explain", str(record))
    assert code == 1
    assert "invalid-record" in out
