"""The shipped packs, linted as a corpus: they load, ids are unique, every example holds."""

from __future__ import annotations

import pytest

from copydesk.rules.examples import check_examples
from copydesk.rules.loader import builtin_pack_paths, load_rules

RULESET = load_rules()


def test_there_are_builtin_packs() -> None:
    assert [p.name for p in builtin_pack_paths()] == [
        "attribution.yaml",
        "boilerplate.yaml",
        "duplicates.yaml",
    ]


@pytest.mark.parametrize("spec", RULESET.rules, ids=lambda spec: spec.id)
def test_every_example_of_every_shipped_rule_holds(spec: object) -> None:
    from copydesk.rules.kinds.base import RuleSpec

    assert isinstance(spec, RuleSpec)
    assert [str(f) for f in check_examples(spec, RULESET.rules)] == []


def test_an_example_that_fails_is_reported() -> None:
    share = next(r for r in RULESET.rules if r.id == "share-follow-prompts")
    spec = share.model_copy(
        update={"examples": share.examples.model_copy(update={"ignore": ["Share this"]})}
    )
    failures = check_examples(spec)
    assert [f.problem for f in failures] == ["triggered (removed ['Share this'])"]
