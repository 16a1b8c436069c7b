"""What the rule authors' commands do (``copydesk rules check``, ``rules test``, ``explain``);
the commands themselves are in ``cli``, which imports this module only when one of them runs."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import click
import regex

from copydesk.rules.engine import Engine
from copydesk.rules.examples import ExampleFailure, check_case, check_examples, example_engine
from copydesk.rules.kinds.base import ExampleCase, RuleSpec
from copydesk.rules.loader import RuleSet, load_rules, pack_paths
from copydesk.rules.parse import MAX_RECORD_BYTES, RecordError, parse_article
from copydesk.rules.records import ArticleIn, ArticleOut
from copydesk.rules.state import MemoryStore
from copydesk.streams.offline import read_document

# Inputs that make a backtracking regex slow: long runs and near-misses.
_PROBES = ("a" * 3000 + "!", " " * 3000 + "x", "aaaa bbbb " * 300 + "\u0000", "1" * 3000 + "a")
_PROBE_BUDGET_SECONDS = 0.02


@dataclass(frozen=True)
class Lint:
    rule_id: str
    message: str

    def __str__(self) -> str:
        return f"warning: {self.rule_id}: {self.message}"


def _patterns(spec: RuleSpec) -> list[tuple[str, bool]]:
    """A rule's regexes, each with whether the kind matches it against the whole line."""
    data = spec.model_dump()
    if data.get("match", "regex") != "regex":
        return []
    found: list[tuple[str, bool]] = []
    for field, whole_line in (("patterns", False), ("headings", True), ("keep", False)):
        value = data.get(field)
        if isinstance(value, list):
            found.extend((str(p), whole_line) for p in value)
    return found


def lint(ruleset: RuleSet) -> list[Lint]:
    """What loads but deserves a second look: slow regexes and patterns two rules share."""
    warnings: list[Lint] = []
    owners: dict[str, str] = {}
    for spec in ruleset.rules:
        for pattern, whole_line in _patterns(spec):
            if pattern in owners and owners[pattern] != spec.id:
                warnings.append(
                    Lint(
                        spec.id,
                        f"pattern {pattern!r} is also in rule {owners[pattern]}:"
                        " the later rule never sees what the first removed",
                    )
                )
            owners.setdefault(pattern, spec.id)
            compiled = regex.compile(pattern, regex.IGNORECASE)
            apply = compiled.fullmatch if whole_line else compiled.search
            for probe in _PROBES:
                try:
                    apply(probe, timeout=_PROBE_BUDGET_SECONDS)
                except TimeoutError:
                    warnings.append(
                        Lint(
                            spec.id,
                            f"regex {pattern!r} takes over"
                            f" {_PROBE_BUDGET_SECONDS * 1000:.0f} ms on a"
                            f" {len(probe)}-character line (catastrophic backtracking?)",
                        )
                    )
                    break
    return warnings


def fixture_cases(pack: Path) -> list[tuple[str, bool, ExampleCase]]:
    """``NAME.fixtures.jsonl`` beside ``NAME.yaml``: one case a line,
    ``{"rule": id, "text": ..., "trigger": true|false, "removed": [...], "after": [...]}``."""
    path = pack.with_name(pack.stem + ".fixtures.jsonl")
    if not path.exists():
        return []
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            case = ExampleCase(
                text=row["text"], removed=row.get("removed"), after=row.get("after", [])
            )
            cases.append((str(row["rule"]), bool(row.get("trigger", True)), case))
        except (ValueError, KeyError, TypeError) as exc:
            raise click.ClickException(f"{path}:{number}: bad fixture: {exc}") from None
    return cases


def run_pack_tests(files: list[Path]) -> tuple[int, list[ExampleFailure]]:
    """Every rule's inline examples, and the fixtures in NAME.fixtures.jsonl beside each pack:
    (cases passed, failures). Raises PackError when the packs do not load."""
    ruleset = load_rules(files, builtin=False)
    specs = {spec.id: spec for spec in ruleset.rules}
    passed = 0
    failures: list[ExampleFailure] = []
    for spec in ruleset.rules:
        found = check_examples(spec, ruleset.rules)
        failures.extend(found)
        passed += len(spec.examples.trigger) + len(spec.examples.ignore) - len(found)
    for pack in pack_paths(files):
        for rule_id, trigger, case in fixture_cases(pack):
            if rule_id not in specs:
                failures.append(ExampleFailure(rule_id, case.text, "fixture names no loaded rule"))
                continue
            spec = specs[rule_id]
            failure = check_case(spec, case, trigger, example_engine(spec, ruleset.rules))
            if failure is None:
                passed += 1
            else:
                failures.append(failure)
    return passed, failures


def _read_article(source: str, title_line: bool) -> ArticleIn:
    """A .txt or .html file as ``copydesk filter`` reads it, else one JSON record from the
    file or stdin."""
    path = Path(source)
    if source != "-" and path.suffix.lower() in (".txt", ".html", ".htm"):
        item = read_document(path, title_line=title_line, max_bytes=MAX_RECORD_BYTES)
        if item.article is not None:
            return item.article
        assert item.error is not None
        raise click.ClickException(f"{source}: {item.error.reason}: {item.error.message}")
    raw = sys.stdin.buffer.read() if source == "-" else path.read_bytes()
    try:
        return parse_article(raw)
    except RecordError as exc:
        raise click.ClickException(f"{source}: {exc.reason}: {exc.message}") from None


def render(out: ArticleOut, body: str, colour: bool) -> str:
    """The body with each removed span shown in place as [-rule: text-]."""
    pieces: list[str] = []
    pos = 0
    for span in out.removed:
        pieces.append(body[pos : span.start])
        core = span.text.strip("\n")
        lead = span.text[: len(span.text) - len(span.text.lstrip("\n"))]
        trail = span.text[len(span.text.rstrip("\n")) :]
        marked = f"[-{span.rule}: {core}-]"
        pieces.append(lead + (click.style(marked, fg="red") if colour else marked) + trail)
        pos = span.end
    pieces.append(body[pos:])
    lines = ["".join(pieces).rstrip(), ""]
    for finding in out.findings:
        head = f"{finding.severity.upper()} {finding.rule} ({finding.kind}): {finding.message}"
        lines.append(click.style(head, fg="yellow", bold=True) if colour else head)
        for name, value in finding.evidence.items():
            lines.append(f"    {name}: {json.dumps(value, ensure_ascii=False)[:300]}")
    for name, values in out.metadata.items():
        lines.append(f"metadata.{name}: {json.dumps(values, ensure_ascii=False)}")
    lines.append(f"rules version {out.rules_version}")
    return "\n".join(lines)


def explain_article(
    source: str, title_line: bool, rules: tuple[Path, ...], as_json: bool, colour: bool
) -> str:
    """What the rules do to one article: the output record as JSON, or the original body with
    each removed span marked in place, then the findings. Raises PackError."""
    engine = Engine(load_rules(rules))
    out = engine.process(_read_article(source, title_line), MemoryStore())
    if as_json:
        return out.model_dump_json(indent=2)
    body = out.text
    # The original body: the cleaned text with the removed spans put back.
    for span in sorted(out.removed, key=lambda s: s.start):
        body = body[: span.start] + span.text + body[span.start :]
    return render(out, body, colour)
