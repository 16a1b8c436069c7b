"""Poison input through ``copydesk filter``: no traceback, every good record kept, every bad one
reported with its line number."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from copydesk.streams.cli import EXIT_REJECTED, main

GOOD = {"id": "good", "text": "The council voted 5-2 on Tuesday to approve the new bridge."}


def test_poison_lines_are_rejected_and_good_ones_kept(tmp_path: Path) -> None:
    poison = [
        b'{"id": "x", "text": ',  # truncated JSON
        b'{"id": 12345, "text": ["not", "a", "string"]}',  # wrong types
        b'{"title": "no id and no body"}',  # missing fields
        b"\xff\xfe\xfa binary \x00\x01",  # not UTF-8
        b"[" * 5000 + b"]" * 5000,  # deeply nested
        b'"a string"',  # not an object
        json.dumps({"id": "huge", "text": "word " * 4_000_000}).encode(),  # 20 MB
    ]
    lines = [json.dumps(GOOD).encode()]
    for n, raw in enumerate(poison):
        lines += [raw, json.dumps({**GOOD, "id": f"good-{n}"}).encode()]
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["filter", str(source), "-o", str(out)])
    assert result.exit_code == EXIT_REJECTED
    assert "Traceback" not in result.output + result.stderr
    kept = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert kept == ["good"] + [f"good-{n}" for n in range(len(poison))]
    rejects = [json.loads(line) for line in Path(f"{out}.rejects.jsonl").read_text().splitlines()]
    assert [r["reason"] for r in rejects] == [
        "invalid-json",
        "invalid-record",
        "invalid-record",
        "not-utf8",
        "invalid-json",
        "not-an-object",
        "too-large",
    ]
    assert [int(r["where"].rsplit(":", 1)[1]) for r in rejects] == list(range(2, 16, 2))


def test_regex_hostile_and_pathological_bodies_finish(tmp_path: Path) -> None:
    hostile = [
        "a" * 50_000 + "!",
        "\n".join(["Share this"] * 20_000),
        "(" * 30_000,
        "<div>" * 20_000 + "text" + "</div>" * 20_000,
    ]
    source = tmp_path / "in.jsonl"
    records = [{"id": f"h{n}", "text": t} for n, t in enumerate(hostile)]
    records.append(
        {"id": "nested-html", "html": "<div>" * 5000 + "<p>Body text.</p>" + "</div>" * 5000}
    )
    source.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    result = CliRunner().invoke(main, ["filter", str(source)])
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [
        r["id"] for r in records
    ]
