"""Load YAML rule packs safely and explain every mistake as ``file:line:col: rule-id: message``.

Packs are parsed with PyYAML's safe loader (no Python tags), refused when larger than
``MAX_PACK_BYTES`` or when aliases would expand past ``MAX_PACK_NODES`` (a "billion laughs" pack is
refused before it is expanded), then validated by the pydantic models in ``rules.schema``.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, cast

import yaml
from pydantic import ValidationError

from copydesk.rules.kinds.base import RuleSpec
from copydesk.rules.schema import Pack, effective_rules, field_vocabulary

MAX_PACK_BYTES = 1 << 20
MAX_PACK_NODES = 100_000


@dataclass(frozen=True)
class PackProblem:
    path: str
    line: int  # 1-based
    column: int  # 1-based
    rule_id: str | None
    message: str

    def __str__(self) -> str:
        rule = f"{self.rule_id}: " if self.rule_id else ""
        return f"{self.path}:{self.line}:{self.column}: {rule}{self.message}"


class PackError(Exception):
    """One or more rule packs are invalid; ``problems`` lists every mistake found."""

    def __init__(self, problems: Sequence[PackProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class RuleSet:
    """Validated packs in load order, the rules in force, and the content hash that tags every
    output record."""

    packs: tuple[Pack, ...]
    sources: tuple[str, ...]

    @cached_property
    def rules(self) -> list[RuleSpec]:
        return effective_rules(self.packs)

    @property
    def version(self) -> str:
        # Hash the rules in force, so that comments and formatting do not change the version.
        payload = json.dumps([r.model_dump(mode="json") for r in self.rules], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]


def builtin_pack_paths() -> list[Path]:
    packs = resources.files("copydesk.rules") / "packs"
    return sorted(Path(str(p)) for p in packs.iterdir() if p.name.endswith((".yaml", ".yml")))


def pack_paths(paths: Iterable[Path]) -> list[Path]:
    """Expand directories into the ``*.yaml``/``*.yml`` files they hold, sorted by name."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            found.append(path)
    return found


def load_rules(extra: Iterable[Path] = (), builtin: bool = True) -> RuleSet:
    """Load the built-in packs, then ``extra`` packs (files or folders); raise ``PackError``
    listing every problem in every pack."""
    files = (builtin_pack_paths() if builtin else []) + pack_paths(extra)
    packs: list[Pack] = []
    problems: list[PackProblem] = []
    first_seen: dict[str, str] = {}
    for path in files:
        try:
            pack, positions = _load_one(path)
        except PackError as exc:
            problems.extend(exc.problems)
            continue
        for rule, (line, column) in zip(pack.rules, positions, strict=True):
            if rule.id in first_seen:
                problems.append(
                    PackProblem(
                        str(path),
                        line,
                        column,
                        rule.id,
                        f"duplicate rule id (first defined at {first_seen[rule.id]})",
                    )
                )
            else:
                first_seen[rule.id] = f"{path}:{line}:{column}"
        packs.append(pack)
    if problems:
        raise PackError(problems)
    # Resolve disable/override now, pack by pack, so that a mistake names its file.
    for n, path in enumerate(files):
        try:
            effective_rules(packs[: n + 1])
        except ValueError as exc:
            raise PackError([PackProblem(str(path), 1, 1, None, str(exc))]) from None
    return RuleSet(tuple(packs), tuple(str(p) for p in files))


def _load_one(path: Path) -> tuple[Pack, list[tuple[int, int]]]:
    """Parse and validate one pack; also return the position of each rule's ``id``."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PackError(
            [PackProblem(name, 1, 1, None, f"cannot read pack: {exc.strerror}")]
        ) from None
    if len(raw) > MAX_PACK_BYTES:
        raise PackError(
            [
                PackProblem(
                    name, 1, 1, None, f"pack is {len(raw)} bytes; the limit is {MAX_PACK_BYTES}"
                )
            ]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackError(
            [PackProblem(name, 1, 1, None, f"pack is not UTF-8 (byte {exc.start})")]
        ) from None
    root, data = _parse_yaml(name, text)
    problems = _duplicate_keys(name, root)
    if problems:
        raise PackError(problems)
    if not isinstance(data, dict):
        raise PackError([_at(name, root, None, "a pack is a mapping with `pack` and `rules`")])
    try:
        pack = Pack.model_validate(data)
    except ValidationError as exc:
        problems = [_problem_for(name, root, error) for error in exc.errors(include_url=False)]
        # A value that fits no member of a union yields one error per member: report it once.
        unique = {(p.line, p.column): p for p in reversed(problems)}
        raise PackError(sorted(unique.values(), key=lambda p: (p.line, p.column))) from None
    rule_nodes = _child(root, "rules")
    positions: list[tuple[int, int]] = []
    for i in range(len(pack.rules)):
        node = _child(rule_nodes, i) if rule_nodes is not None else None
        id_node = _child(node, "id") if node is not None else None
        mark = (id_node or node or root).start_mark
        positions.append((mark.line + 1, mark.column + 1))
    return pack, positions


def _parse_yaml(name: str, text: str) -> tuple[yaml.Node, Any]:
    """The pack's node tree and its data. A good pack is read with libyaml when PyYAML has it
    (eight times faster); anything else with PyYAML's own parser, whose messages and positions
    the errors report."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            loader = fast(text)
            try:
                root = loader.get_single_node()
                if root is not None and _expanded_size(root, {}) <= MAX_PACK_NODES:
                    return root, loader.construct_document(root)
            finally:
                loader.dispose()
        except yaml.YAMLError:
            pass
    return _parse_yaml_reporting_errors(name, text)


def _parse_yaml_reporting_errors(name: str, text: str) -> tuple[yaml.Node, Any]:
    try:
        loader = yaml.SafeLoader(text)  # checks the characters already
    except yaml.reader.ReaderError as exc:
        line, column = _position(text, exc.position)
        raise PackError(
            [
                PackProblem(
                    name,
                    line,
                    column,
                    None,
                    f"YAML error: {exc.reason} (character {exc.character!r})",
                )
            ]
        ) from None
    try:
        root = loader.get_single_node()
        if root is None:
            raise PackError([PackProblem(name, 1, 1, None, "pack is empty")])
        size = _expanded_size(root, {})
        if size > MAX_PACK_NODES:
            raise PackError(
                [
                    _at(
                        name,
                        root,
                        None,
                        f"aliases expand to more than {MAX_PACK_NODES} nodes; refused",
                    )
                ]
            )
        return root, loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(x for x in (exc.context, exc.problem) if x)
        raise PackError([PackProblem(name, line, column, None, f"YAML error: {what}")]) from None
    except yaml.YAMLError as exc:
        raise PackError([PackProblem(name, 1, 1, None, f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Node count once aliases are expanded; the memo keeps this linear in the file size."""
    if id(node) in memo:
        return memo[id(node)]
    memo[id(node)] = 1  # guards against recursive aliases
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    memo[id(node)] = min(size, MAX_PACK_NODES + 1)
    return memo[id(node)]


def _duplicate_keys(name: str, node: yaml.Node, seen: set[int] | None = None) -> list[PackProblem]:
    seen = set() if seen is None else seen
    if id(node) in seen:
        return []
    seen.add(id(node))
    problems: list[PackProblem] = []
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in keys:
                    problems.append(
                        _at(name, key, None, f"key `{key.value}` appears twice in this mapping")
                    )
                keys.add(key.value)
            problems.extend(_duplicate_keys(name, value, seen))
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            problems.extend(_duplicate_keys(name, child, seen))
    return problems


def _child(node: yaml.Node | None, step: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(step, str):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == step:
                return cast(yaml.Node, value)
    if (
        isinstance(node, yaml.SequenceNode)
        and isinstance(step, int)
        and 0 <= step < len(node.value)
    ):
        return cast(yaml.Node, node.value[step])
    return None


def _key_node(node: yaml.Node, step: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == step:
                return cast(yaml.Node, key)
    return None


def _at(name: str, node: yaml.Node, rule_id: str | None, message: str) -> PackProblem:
    return PackProblem(name, node.start_mark.line + 1, node.start_mark.column + 1, rule_id, message)


def _problem_for(name: str, root: yaml.Node, error: Any) -> PackProblem:
    """Follow the pydantic error location through the YAML nodes to a line and column."""
    loc: tuple[str | int, ...] = error["loc"]
    rule_id = None
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        id_node = _child(_child(_child(root, "rules"), loc[1]), "id")
        if isinstance(id_node, yaml.ScalarNode):
            rule_id = str(id_node.value)
    node, parent = root, root
    path = ""
    for n, step in enumerate(loc):
        nxt = _child(node, step)
        if nxt is None:
            if error["type"] == "missing" and n == len(loc) - 1:
                path = f"{path}.{step}" if path else str(step)
            continue  # a union member's tag (the rule kind, `str`...), not part of the document
        parent, node = node, nxt
        path = f"{path}[{step}]" if isinstance(step, int) else (f"{path}.{step}" if path else step)
    if error["type"] == "extra_forbidden" and isinstance(loc[-1], str):
        key = _key_node(parent, loc[-1])
        node = key if key is not None else node
    return _at(name, node, rule_id, _describe(error, path))


def _describe(error: Any, path: str) -> str:
    """Turn a pydantic error into a sentence a rule author understands."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    field = path.rsplit(".", 1)[-1]
    if kind == "missing":
        return f"missing required field `{field}`"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(field, sorted(field_vocabulary()), n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return f"unknown field `{field}`{hint}"
    if kind == "union_tag_invalid":
        return f"unknown rule kind {ctx.get('tag')!r}; known kinds: {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return "missing required field `kind`"
    if kind == "string_pattern_mismatch":
        return (
            f"`{path}` must be kebab-case (lower-case letters and digits joined by '-'),"
            f" got {error['input']!r}"
        )
    if kind == "literal_error":
        return f"`{path}` must be one of {ctx.get('expected')}, got {error['input']!r}"
    msg = str(error["msg"]).removeprefix("Value error, ")
    return f"`{path}`: {msg}" if path else msg
