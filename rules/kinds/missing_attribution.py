"""``missing-attribution``: an article that copies or retells an earlier one (a duplicate
finding) but does not credit the earlier article's source S — the source its dateline, byline,
credit line or house style names, else its publisher. Naming only a source that S itself cited
does not count: a rewrite of a Reuters story that says "Interfax reported" still owes Reuters a
credit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from copydesk.rules.identity import source_name
from copydesk.rules.kinds.base import Context, Document, Hit, Rule, RuleSpec, Stage


def _same(a: str, b: str) -> bool:
    return source_name(a) == source_name(b)


class MissingAttributionSpec(RuleSpec):
    kind: Literal["missing-attribution"]
    duplicate_kinds: list[str] = Field(
        default=["exact-duplicate", "near-duplicate", "excerpt", "expansion", "paraphrase"],
        min_length=1,
        description="Duplicate findings that make an article owe its original a credit.",
    )

    def build(self) -> MissingAttributionRule:
        return MissingAttributionRule(self)


class MissingAttributionRule(Rule):
    stage = Stage.ATTRIBUTION
    needs = ("credits", "duplicates")
    spec: MissingAttributionSpec

    def apply(self, doc: Document, ctx: Context) -> Iterator[Hit]:
        # A source that only received a statement ("told Reuters") is not credited with the story.
        credited = [credit.source for credit in doc.credits if credit.where != "interview"]
        publisher = doc.article.source or ""
        for finding in list(doc.findings):
            if finding.kind not in self.spec.duplicate_kinds:
                continue
            evidence = finding.evidence
            owed = list(evidence.get("original_credited") or []) or (
                [evidence["original_source"]] if evidence.get("original_source") else []
            )
            if not owed or any(_same(s, publisher) for s in owed):
                continue  # nothing known to credit, or the same house republishing
            if any(_same(s, c) for s in owed for c in credited):
                continue
            yield Hit(
                {
                    "uncredited_source": owed[0],
                    "original_id": evidence.get("original_id"),
                    "original_key": evidence.get("original_key"),
                    "original_url": evidence.get("original_url"),
                    "duplicate": {"kind": finding.kind, "score": evidence.get("score")},
                    "credited": credited,
                },
                kind="missing-attribution",
                message=f"{finding.kind} of an article by {owed[0]} that does not credit it",
            )
