"""Every kind of pack mistake is refused with file:line:col and a message an author understands."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from copydesk.rules.loader import MAX_PACK_BYTES, PackError, load_rules
from tests.conftest import SHARE_PROMPT_RULE


def write(tmp_path: Path, text: str, name: str = "pack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(*paths: Path) -> list[str]:
    with pytest.raises(PackError) as caught:
        load_rules(paths, builtin=False)
    return [str(p) for p in caught.value.problems]


def test_a_good_pack_loads(tmp_path: Path) -> None:
    ruleset = load_rules(
        [write(tmp_path, "pack: mine\nrules:\n" + SHARE_PROMPT_RULE)], builtin=False
    )
    assert [r.id for r in ruleset.rules] == ["share-prompt"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "pack: mine\nrules:\n  - id: x\n    kind: [unclosed\n",
            "pack.yaml:5:1: YAML error: while parsing a flow sequence expected ',' or ']'",
            id="yaml-syntax",
        ),
        pytest.param(
            "pack: mine\nrules:\n"
            + SHARE_PROMPT_RULE.replace("kind: line-pattern", "kind: line-regex"),
            "pack.yaml:3:5: share-prompt: unknown rule kind 'line-regex'; known kinds:",
            id="unknown-kind",
        ),
        pytest.param(
            "pack: mine\nrules:\n"
            + SHARE_PROMPT_RULE.replace("    message: Share prompt removed\n", ""),
            "pack.yaml:3:5: share-prompt: missing required field `message`",
            id="missing-field",
        ),
        pytest.param(
            "pack: mine\nrules:\n" + SHARE_PROMPT_RULE.replace("patterns:", "pattern:"),
            "pack.yaml:7:5: share-prompt: unknown field `pattern` (did you mean `patterns`?)",
            id="typo-field",
        ),
        pytest.param(
            "pack: mine\nrules:\n"
            + SHARE_PROMPT_RULE.replace("id: share-prompt", "id: Share_Prompt"),
            "pack.yaml:3:9: Share_Prompt: `rules[0].id` must be kebab-case",
            id="bad-id",
        ),
        pytest.param(
            "pack: mine\nrules:\n" + SHARE_PROMPT_RULE.replace("'^share this$'", "'share (this'"),
            "pack.yaml:7:16: share-prompt: `rules[0].patterns[0]`: invalid regex 'share (this'",
            id="bad-regex",
        ),
        pytest.param(
            "pack: mine\nrules:\n"
            + SHARE_PROMPT_RULE.replace("    kind:", "    severity: fatal\n    kind:"),
            "pack.yaml:4:15: share-prompt: `rules[0].severity` must be one of 'info', 'warning' or"
            " 'error', got 'fatal'",
            id="bad-severity",
        ),
        pytest.param(
            "pack: mine\nrules:\n" + SHARE_PROMPT_RULE.replace('ignore: ["body"]', "ignore: []"),
            "pack.yaml:10:15: share-prompt: `rules[0].examples.ignore`: List should have at least"
            " 1 item",
            id="no-negative-example",
        ),
        pytest.param(
            "pack: mine\nrules:\n"
            + SHARE_PROMPT_RULE.replace("    message:", "    within: -3\n    message:"),
            "pack.yaml:5:13: share-prompt: `rules[0].within`: Input should be greater than or"
            " equal to 1",
            id="out-of-range",
        ),
        pytest.param(
            "pack: mine\nrules:\n" + SHARE_PROMPT_RULE + "    kind: line-pattern\n",
            "pack.yaml:11:5: key `kind` appears twice in this mapping",
            id="duplicate-key",
        ),
        pytest.param("", "pack.yaml:1:1: pack is empty", id="empty"),
        pytest.param(
            "pack: mine\x1f\n",
            "pack.yaml:1:11: YAML error: special characters are not allowed",
            id="control-character",
        ),
        pytest.param(
            "- a\n- b\n", "pack.yaml:1:1: a pack is a mapping with `pack` and `rules`", id="list"
        ),
        pytest.param(
            "pack: mine\nrules: !!python/object/apply:os.system ['true']\n",
            "pack.yaml:2:8: YAML error: could not determine a constructor for the tag",
            id="python-tag",
        ),
    ],
)
def test_pack_mistakes_are_pinned_to_file_line_and_column(
    tmp_path: Path, text: str, expected: str
) -> None:
    found = problems(write(tmp_path, text))
    assert any(p.startswith(f"{tmp_path}/{expected}") for p in found), found


def test_every_problem_in_every_pack_is_reported_at_once(tmp_path: Path) -> None:
    one = write(
        tmp_path,
        "pack: one\nrules:\n"
        + SHARE_PROMPT_RULE.replace("kind: line-pattern", "kind: nope")
        + SHARE_PROMPT_RULE.replace("id: share-prompt", "id: other").replace(
            "    message: Share prompt removed\n", ""
        ),
        "one.yaml",
    )
    two = write(tmp_path, "pack: two\nrules: [\n", "two.yaml")
    found = problems(one, two)
    assert [p.split(": ", 1)[0].rsplit("/", 1)[1] for p in found] == [
        "one.yaml:3:5",
        "one.yaml:11:5",
        "two.yaml:3:1",
    ]


def test_a_rule_id_used_in_two_packs_is_refused_where_it_is_redefined(tmp_path: Path) -> None:
    first = write(tmp_path, "pack: one\nrules:\n" + SHARE_PROMPT_RULE, "a.yaml")
    second = write(tmp_path, "pack: two\n\nrules:\n" + SHARE_PROMPT_RULE, "b.yaml")
    found = problems(first, second)
    assert found == [
        f"{second}:4:9: share-prompt: duplicate rule id (first defined at {first}:3:9)"
    ]


def test_alias_bombs_are_refused_before_expansion(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    path = write(tmp_path, "\n".join(lines) + "\npack: bomb\nrules: *a9\n")
    started = time.perf_counter()
    found = problems(path)
    assert time.perf_counter() - started < 2
    assert found == [f"{path}:1:1: aliases expand to more than 100000 nodes; refused"]


def test_packs_that_are_not_utf8_or_too_big_are_refused(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("pack: caf\xe9\n".encode("latin-1"))
    big = write(tmp_path, "# " + "x" * MAX_PACK_BYTES, "big.yaml")
    assert problems(latin) == [f"{latin}:1:1: pack is not UTF-8 (byte 9)"]
    assert problems(big)[0].startswith(f"{big}:1:1: pack is {MAX_PACK_BYTES + 2} bytes")


def test_a_missing_pack_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope.yaml") == [
        f"{tmp_path}/nope.yaml:1:1: cannot read pack: No such file or directory"
    ]


def test_a_folder_loads_its_yaml_files_in_name_order(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pack: b\nrules:\n" + SHARE_PROMPT_RULE.replace("share-prompt", "second"),
        "b.yaml",
    )
    write(tmp_path, "pack: a\nrules:\n" + SHARE_PROMPT_RULE, "a.yml")
    write(tmp_path, "not a pack", "notes.txt")
    ruleset = load_rules([tmp_path], builtin=False)
    assert [r.id for r in ruleset.rules] == ["share-prompt", "second"]


def test_rules_version_follows_content_not_formatting(tmp_path: Path) -> None:
    base = "pack: mine\nrules:\n" + SHARE_PROMPT_RULE
    v1 = load_rules([write(tmp_path, base, "a.yaml")], builtin=False).version
    v2 = load_rules(
        [write(tmp_path, "# a comment\n" + base + "\n\n", "b.yaml")], builtin=False
    ).version
    v3 = load_rules(
        [write(tmp_path, base.replace("Share prompt removed", "Share prompt cut"), "c.yaml")],
        builtin=False,
    ).version
    assert v1 == v2
    assert v1 != v3
