"""``copydesk filter`` and ``copydesk schema`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from copydesk.streams.cli import EXIT_REJECTED, main

GOOD = [
    {"id": "one", "text": "Share this article\nFirst story body."},
    {"id": "two", "text": "Second story body."},
    {"id": "three", "text": ""},
]


def jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_output_is_in_input_order_and_bad_lines_go_to_rejects(tmp_path: Path) -> None:
    source = jsonl(
        tmp_path / "in.jsonl",
        [
            json.dumps(GOOD[0]),
            "{not json",
            json.dumps(GOOD[1]),
            "",
            '{"id": 5}',
            json.dumps(GOOD[2]),
        ],
    )
    out = tmp_path / "out.jsonl"
    code, _, err = run("filter", str(source), "-o", str(out))
    assert code == EXIT_REJECTED
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["one", "two", "three"]
    assert records[0]["text"] == "First story body."
    rejects = [json.loads(line) for line in Path(f"{out}.rejects.jsonl").read_text().splitlines()]
    assert [(r["where"], r["reason"]) for r in rejects] == [
        (f"{source}:2", "invalid-json"),
        (f"{source}:5", "invalid-record"),
    ]
    assert rejects[0]["raw"] == "{not json"
    assert "read 5, written 3, flagged 1, rejected 2" in err


def test_a_clean_run_exits_zero_and_findings_only_filters(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", [json.dumps(g) for g in GOOD])
    code, out, _ = run("filter", str(source), "--findings-only")
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["three"]


def test_stdin_to_stdout_with_rejects_on_stderr() -> None:
    code, out, err = run("filter", "-", stdin=json.dumps(GOOD[1]) + "\n[1]\n")
    assert code == EXIT_REJECTED
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["two"]
    assert '"reason": "not-an-object"' in err


def test_txt_and_html_files(tmp_path: Path) -> None:
    txt = tmp_path / "story.txt"
    txt.write_text(
        "\n  Council backs bridge\n\nThe council voted on Tuesday.\nShare this article\n"
    )
    html = tmp_path / "page.html"
    html.write_text(
        "<html><body><article><p>The council voted on Tuesday to approve a new bridge over the"
        " river, a project delayed for years.</p></article></body></html>"
    )
    code, out, _ = run("filter", str(txt), str(html))
    assert code == 0
    first, second = (json.loads(line) for line in out.splitlines())
    assert (first["id"], first["title"], first["text"]) == (
        "story.txt",
        "Council backs bridge",
        "The council voted on Tuesday.\n",
    )
    assert second["id"] == "page.html"
    assert "approve a new bridge" in second["text"]
    code, out, _ = run("filter", str(txt), "--no-title-line")
    assert json.loads(out)["title"] is None


def test_a_bad_rule_pack_stops_the_run_with_its_location(tmp_path: Path) -> None:
    pack = tmp_path / "mine.yaml"
    pack.write_text("pack: mine\nrules:\n  - id: x\n    kind: nope\n")
    source = jsonl(tmp_path / "in.jsonl", [json.dumps(GOOD[1])])
    code, _, err = run("filter", str(source), "--rules", str(pack))
    assert code == 1
    assert f"{pack}:3:5: x: unknown rule kind 'nope'" in err


def test_extra_rules_apply_and_builtin_can_be_switched_off(tmp_path: Path) -> None:
    pack = tmp_path / "mine.yaml"
    pack.write_text(
        "pack: mine\nrules:\n  - id: drop-second\n    kind: line-pattern\n    message: m\n"
        "    description: d\n    patterns: ['^second']\n"
        "    examples: {trigger: ['second'], ignore: ['first']}\n"
    )
    source = jsonl(tmp_path / "in.jsonl", [json.dumps(GOOD[0]), json.dumps(GOOD[1])])
    _, out, _ = run("filter", str(source), "--rules", str(pack), "--no-builtin")
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["text"] == GOOD[0]["text"]  # the built-in share rule is off
    assert second["text"] == ""
    assert second["removed"][0]["rule"] == "drop-second"


def test_metrics_textfile(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", [json.dumps(GOOD[0])])
    metrics = tmp_path / "copydesk.prom"
    run("filter", str(source), "--metrics-file", str(metrics))
    written = metrics.read_text()
    assert 'copydesk_removed_characters_total{rule="share-follow-prompts"}' in written
    assert 'copydesk_rule_seconds_total{rule="share-follow-prompts"}' in written


def test_a_missing_input_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("filter", str(tmp_path / "nope.jsonl"))
    assert code == 2
    assert "no such file" in err


@pytest.mark.parametrize("which", ["input", "output", "late", "pack"])
def test_schemas_are_valid_json_schema(which: str) -> None:
    code, out, _ = run("schema", which)
    assert code == 0
    jsonschema.Draft202012Validator.check_schema(json.loads(out))


def test_output_records_validate_against_the_printed_schema(tmp_path: Path) -> None:
    schema = json.loads(run("schema", "output")[1])
    source = jsonl(tmp_path / "in.jsonl", [json.dumps(g) for g in GOOD])
    for line in run("filter", str(source))[1].splitlines():
        jsonschema.validate(json.loads(line), schema)


def test_the_installed_command_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "copydesk.streams", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "filter" in result.stdout and "worker" in result.stdout


def test_a_clean_run_to_a_file_leaves_no_rejects_file(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", [json.dumps(g) for g in GOOD])
    out = tmp_path / "out.jsonl"
    assert run("filter", str(source), "-o", str(out))[0] == 0
    assert len(out.read_text().splitlines()) == len(GOOD)
    assert not Path(f"{out}.rejects.jsonl").exists()


def test_explain_and_filter_read_a_txt_file_the_same_way(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("Bridge vote passes\n\nThe council voted 5-2 on Tuesday.\n", encoding="utf-8")
    for flag, title in (("--title-line", "Bridge vote passes"), ("--no-title-line", None)):
        filtered = json.loads(run("filter", str(story), flag)[1])
        code, explained, _ = run("explain", str(story), "--json", flag)
        assert code == 0
        assert filtered["title"] == json.loads(explained)["title"] == title
        assert filtered["text"] == json.loads(explained)["text"]


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert out.startswith("copydesk, version ")
