"""Run a rule's examples through the engine, with that rule alone."""

from __future__ import annotations

from dataclasses import dataclass

from rules.engine import Engine
from rules.kinds.base import ExampleCase, RuleSpec
from rules.loader import RuleSet
from rules.records import ArticleIn
from rules.schema import Pack
from rules.state import MemoryStore


@dataclass(frozen=True)
class ExampleFailure:
    rule_id: str
    text: str
    problem: str

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.problem}: {self.text[:80]!r}"


def check_case(
    spec: RuleSpec, case: ExampleCase, trigger: bool, engine: Engine | None = None
) -> ExampleFailure | None:
    """Run one case; None when the rule behaves as the case says."""
    engine = engine or Engine(RuleSet((Pack(pack="examples", rules=[spec]),), ()))
    store = MemoryStore()
    for n, earlier in enumerate(case.after):
        engine.process(ArticleIn(id=f"earlier-{n}", source="example", text=earlier), store)
    out = engine.process(ArticleIn(id="example", source="example", text=case.text), store)
    removed = [span.text for span in out.removed]
    if spec.mode == "shadow":  # what it would have removed
        removed = [f.evidence["text"] for f in out.findings if f.kind == "shadow-removal"]
    triggered = bool(removed) or bool(out.metadata) or any(f.rule == spec.id for f in out.findings)
    if trigger and not triggered:
        return ExampleFailure(spec.id, case.text, "did not trigger")
    if trigger and case.removed is not None and removed != case.removed:
        return ExampleFailure(spec.id, case.text, f"removed {removed!r}, expected {case.removed!r}")
    if not trigger and triggered:
        return ExampleFailure(spec.id, case.text, f"triggered (removed {removed!r})")
    return None


def check_examples(spec: RuleSpec) -> list[ExampleFailure]:
    """Every inline example of a rule: ``trigger`` cases must trigger, ``ignore`` ones not."""
    engine = Engine(RuleSet((Pack(pack="examples", rules=[spec]),), ()))
    cases = [(case, True) for case in spec.examples.trigger_cases()]
    cases += [(ExampleCase(text=text), False) for text in spec.examples.ignore]
    results = (check_case(spec, case, trigger, engine) for case, trigger in cases)
    return [failure for failure in results if failure is not None]
