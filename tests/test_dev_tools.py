"""Every tool of the `dev` extra starts in the venv that `make test` builds."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
DEV = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["optional-dependencies"][
    "dev"
]
BIN = Path(sys.executable).parent

# How each dev requirement is seen to work: a command run with --version, or a module imported
# (libraries and type stubs). A requirement added to the extra without a line here fails below.
COMMANDS = {
    "pytest": "pytest",
    "ruff": "ruff",
    "mypy": "mypy",
    "check-jsonschema": "check-jsonschema",
}
MODULES = {
    "pytest-timeout": "pytest_timeout",
    "hypothesis": "hypothesis",
    "types-PyYAML": "yaml-stubs",
    "types-regex": "regex-stubs",
    "types-jsonschema": "jsonschema-stubs",
    "types-tqdm": "tqdm-stubs",
    "jsonschema": "jsonschema",
    "setuptools": "setuptools",
    "datasketch": "datasketch",
    "justext": "justext",
    "boilerpy3": "boilerpy3",
    "scikit-learn": "sklearn",
    "markdownify": "markdownify",
    "html-to-markdown": "html_to_markdown",
    "inscriptis": "inscriptis",
}


def name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return match.group(0)


def test_every_dev_requirement_is_checked() -> None:
    assert sorted(name(r) for r in DEV) == sorted([*COMMANDS, *MODULES])


@pytest.mark.parametrize("tool", sorted(COMMANDS))
def test_each_dev_command_starts(tool: str) -> None:
    result = subprocess.run(
        [BIN / COMMANDS[tool], "--version"], check=False, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-800:]
    assert result.stdout.strip()


@pytest.mark.parametrize("package", sorted(MODULES))
def test_each_dev_library_is_importable(package: str) -> None:
    module = MODULES[package]
    if module.endswith("-stubs"):  # stubs are read by mypy, never imported
        assert (Path(sysconfig.get_paths()["purelib"]) / module).is_dir()
    else:
        importlib.import_module(module)
