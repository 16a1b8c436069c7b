"""Run each rule's inline ``examples`` through the engine, with that rule alone."""

from __future__ import annotations

from dataclasses import dataclass

from rules.engine import Engine
from rules.kinds.base import RuleSpec
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


def check_examples(spec: RuleSpec) -> list[ExampleFailure]:
    engine = Engine(RuleSet((Pack(pack="examples", rules=[spec]),), ()))
    failures: list[ExampleFailure] = []

    def run(text: str, after: list[str] | None = None) -> tuple[list[str], bool]:
        store = MemoryStore()
        for n, earlier in enumerate(after or []):
            engine.process(ArticleIn(id=f"earlier-{n}", source="example", text=earlier), store)
        out = engine.process(ArticleIn(id="example", source="example", text=text), store)
        removed = [span.text for span in out.removed]
        flagged = any(f.rule == spec.id for f in out.findings)
        return removed, bool(removed) or flagged or bool(out.metadata)

    for case in spec.examples.trigger_cases():
        removed, triggered = run(case.text, case.after)
        if not triggered:
            failures.append(ExampleFailure(spec.id, case.text, "did not trigger"))
        elif case.removed is not None and removed != case.removed:
            failures.append(
                ExampleFailure(
                    spec.id, case.text, f"removed {removed!r}, expected {case.removed!r}"
                )
            )
    for text in spec.examples.ignore:
        removed, triggered = run(text)
        if triggered:
            failures.append(ExampleFailure(spec.id, text, f"triggered (removed {removed!r})"))
    return failures
