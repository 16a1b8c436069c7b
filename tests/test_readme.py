"""The README and docs/ stay true: every rule example loads and holds, every `copydesk` command
shown names a real command with real options, every `make` target exists, every link resolves."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from copydesk.rules.examples import check_examples
from copydesk.rules.loader import load_rules
from copydesk.streams.cli import main

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TEXTS = {page.relative_to(ROOT).as_posix(): page.read_text(encoding="utf-8") for page in PAGES}
BLOCKS = [
    block for text in TEXTS.values() for block in re.findall(r"```yaml\n(.*?)```", text, re.S)
]
SHELL = [
    (name, line)
    for name, text in TEXTS.items()
    for block in re.findall(r"```(?:sh|bash|console)\n(.*?)```", text, re.S)
    for line in block.splitlines()
]
COPYDESK_LINES = [
    (name, part.strip())
    for name, line in SHELL
    for part in re.split(r"\||&&", line.split("  #")[0])
    if re.match(r"\s*(\S*/)?copydesk\s", part)
]
MAKE_TARGETS = sorted({t for _, line in SHELL for t in re.findall(r"^\s*make ([a-z-]+)", line)})


def test_the_readme_fits_in_a_few_screens() -> None:
    assert len((ROOT / "README.md").read_bytes()) <= 15_000


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.split(":", 1)[-1].split()[0])
def test_rule_examples_load_and_hold(block: str, tmp_path: Path) -> None:
    # A whole pack is layered on the built-in ones, as a user's pack is; a rule stands alone.
    whole = block.startswith("pack:")
    pack = tmp_path / "readme.yaml"
    pack.write_text(block if whole else "pack: readme\nrules:\n" + block, encoding="utf-8")
    ruleset = load_rules([pack], builtin=whole)
    assert ruleset.rules
    for spec in ruleset.rules:
        assert [str(f) for f in check_examples(spec, ruleset.rules)] == []


def test_the_pages_have_rule_examples_and_commands() -> None:
    assert len(BLOCKS) >= 5
    assert len(COPYDESK_LINES) >= 20


@pytest.mark.parametrize(("page", "line"), COPYDESK_LINES, ids=[line for _, line in COPYDESK_LINES])
def test_each_copydesk_command_shown_exists_with_its_options(page: str, line: str) -> None:
    words = shlex.split(line)[1:]
    command: click.Command = main
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        sub = command.get_command(click.Context(command), words[0])
        assert sub is not None, f"{page}: `{line}`: no command {words[0]!r}"
        command, words = sub, words[1:]
    known = {o for p in command.params for o in [*p.opts, *p.secondary_opts]} | {"--help"}
    if command is main:
        known.add("--version")
    for word in words:
        option = word.split("=")[0]
        if option.startswith("-") and option != "-":
            assert option in known, f"{page}: `{line}`: {command.name} has no option {option}"


@pytest.mark.parametrize("target", MAKE_TARGETS)
def test_each_make_target_shown_exists(target: str) -> None:
    assert re.search(rf"^{target}:", (ROOT / "Makefile").read_text(), re.M)


@pytest.mark.parametrize("page", sorted(TEXTS))
def test_relative_links_resolve(page: str) -> None:
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", TEXTS[page]):
        assert (ROOT / page).parent.joinpath(target).exists(), f"{page}: broken link {target}"
