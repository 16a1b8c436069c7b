"""The wheel adds one name to site-packages: `copydesk`, never top-level `rules` or `streams`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIP_WHEEL = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a copy: a build writes build/ and *.egg-info/ beside the sources.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("copydesk", "rules", "streams"):
        shutil.copytree(
            ROOT / name, source / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
        )
    subprocess.run(
        [*PIP_WHEEL, "--wheel-dir", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("copydesk-*.whl"))


def test_the_wheel_holds_only_the_copydesk_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"copydesk"}
    assert "copydesk/rules/packs/boilerplate.yaml" in names
    assert "copydesk/streams/data/sample-feed.jsonl" in names


def test_installed_copydesk_imports_by_its_namespace_only(wheel: Path, tmp_path: Path) -> None:
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel],
        check=True,
        capture_output=True,
    )
    # The dependencies come from this venv's site-packages, added by path only: its .pth files
    # (among them the editable install of this checkout) are not read for a path added so.
    site = Path(sysconfig.get_paths()["purelib"])
    env_site = next((env / "lib").glob("python*/site-packages"))
    (env_site / "deps.pth").write_text(f"{site}\n", encoding="utf-8")
    probe = (
        "import importlib.util as u, copydesk.rules.engine, copydesk.streams.cli;"
        "print(u.find_spec('rules'), u.find_spec('streams'), copydesk.rules.engine.__file__)"
    )
    out = subprocess.run(
        [python, "-c", probe], cwd=tmp_path, check=True, capture_output=True, text=True
    ).stdout.split()
    assert out[:2] == ["None", "None"]
    assert out[2].startswith(str(env_site / "copydesk" / "rules"))
    version = subprocess.run(
        [env / "bin" / "copydesk", "--version"],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
    )
    assert version.returncode == 0, version.stderr
    assert "copydesk" in version.stdout
    # The built-in packs and the sample feed are found inside the installed package.
    story = tmp_path / "story.txt"
    story.write_text("Bridge vote\n\nThe council voted 5-2.\nShare this article\n", "utf-8")
    filtered = subprocess.run(
        [env / "bin" / "copydesk", "filter", story],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
    )
    assert filtered.returncode == 0, filtered.stderr
    assert json.loads(filtered.stdout)["text"].rstrip() == "The council voted 5-2."
    feed = subprocess.run(
        [python, "-c", "from copydesk.streams.feed import sample_feed_path as p; print(p())"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    )
    assert Path(feed.stdout.strip()).is_file()
