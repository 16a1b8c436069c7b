"""Run a rule's examples through the engine, with that rule alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from copydesk.rules.engine import Engine
from copydesk.rules.kinds.base import ExampleCase, RuleSpec
from copydesk.rules.loader import RuleSet
from copydesk.rules.records import ArticleIn
from copydesk.rules.schema import Pack
from copydesk.rules.state import MemoryStore


@dataclass(frozen=True)
class ExampleFailure:
    rule_id: str
    text: str
    problem: str

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.problem}: {self.text[:80]!r}"


def example_engine(spec: RuleSpec, companions: Sequence[RuleSpec] = ()) -> Engine:
    """The rule alone, with the rules of the kinds it reads (``Rule.needs``) from ``companions``."""
    needs = spec.build().needs
    rules = [c for c in companions if c.kind in needs and c.id != spec.id] + [spec]
    return Engine(RuleSet((Pack(pack="examples", rules=rules),), ()))


def check_case(
    spec: RuleSpec, case: ExampleCase, trigger: bool, engine: Engine | None = None
) -> ExampleFailure | None:
    """Run one case; None when the rule behaves as the case says."""
    engine = engine or example_engine(spec)
    store = MemoryStore()
    for n, earlier in enumerate(case.after):
        engine.process(ArticleIn(id=f"earlier-{n}", source="example", text=earlier), store)
    out = engine.process(ArticleIn(id="example", source="example", text=case.text), store)
    removed = [span.text for span in out.removed if span.rule == spec.id]
    if spec.mode == "shadow":  # what it would have removed
        removed = [f.evidence["text"] for f in out.findings if f.kind == "shadow-removal"]
    triggered = (
        bool(removed)
        or bool(out.metadata)
        or any(f.rule == spec.id for f in out.findings)
        or (spec.kind == "credits" and bool(out.credits))
    )
    if trigger and not triggered:
        return ExampleFailure(spec.id, case.text, "did not trigger")
    if trigger and case.removed is not None and removed != case.removed:
        return ExampleFailure(spec.id, case.text, f"removed {removed!r}, expected {case.removed!r}")
    if not trigger and triggered:
        return ExampleFailure(spec.id, case.text, f"triggered (removed {removed!r})")
    return None


def check_examples(spec: RuleSpec, companions: Sequence[RuleSpec] = ()) -> list[ExampleFailure]:
    """Every inline example of a rule: ``trigger`` cases must trigger, ``ignore`` ones not.
    ``companions``: the rule set it belongs to, for rules that read other rules' results."""
    engine = example_engine(spec, companions)
    cases = [(case, True) for case in spec.examples.trigger_cases()]
    cases += [(ExampleCase(text=text), False) for text in spec.examples.ignore]
    results = (check_case(spec, case, trigger, engine) for case, trigger in cases)
    return [failure for failure in results if failure is not None]
