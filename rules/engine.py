"""The engine: runs every rule of a rule set over one article, stage by stage, and keeps the
books (removed spans in original offsets, findings). Pure: no Kafka, no I/O besides the state
store it is handed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from copydesk.rules.agreement import vote
from copydesk.rules.columns import ColumnReading, column_reading
from copydesk.rules.identity import article_key
from copydesk.rules.kinds.base import (
    Capture,
    Claim,
    Context,
    CreditHit,
    Cut,
    Document,
    Hit,
    KeepBack,
    LateHit,
    Rule,
    RuleSpec,
    Stage,
)
from copydesk.rules.line_joins import joined_lines
from copydesk.rules.loader import RuleSet
from copydesk.rules.markdown import broken_rows, is_markdown
from copydesk.rules.records import ArticleIn, ArticleOut, Credit, Finding, LateFinding
from copydesk.rules.run_together import SplitReading, split_reading
from copydesk.rules.state import MemoryStore, NoState, StateStore
from copydesk.rules.textview import TextView

if TYPE_CHECKING:  # trafilatura is a third of the import time; text streams never need it
    from copydesk.rules.extract import Extracted


@dataclass(frozen=True)
class Limits:
    """Bounds that keep one article from stalling a partition (documented in the README)."""

    max_body_chars: int = 1_000_000
    regex_timeout_seconds: float = 0.05  # per rule and article, over all lines


class Engine:
    def __init__(self, ruleset: RuleSet, limits: Limits | None = None) -> None:
        self.ruleset = ruleset
        self.version = ruleset.version
        self.limits = limits or Limits()
        self._rule_seconds: dict[str, float] = {}
        # A stable sort keeps pack order within a stage.
        self.rules: list[Rule] = sorted(
            (spec.build() for spec in ruleset.rules), key=lambda rule: rule.stage
        )
        # The worker's flag agent (one partition: it sees every article) looks each article up
        # in the state every article shares and remembers it there (``Rule.look_up``); the
        # align agent judges from what was found: the rules with that state and those that
        # read their results. The strip agent runs the rest. Strip and align agents are spread
        # over N partitions, and so over every worker.
        shared = {rule.spec.kind for rule in self.rules if rule.shared_state}
        self.flag_rules = [rule for rule in self.rules if rule.shared_state]
        self.align_rules = [
            rule for rule in self.rules if rule.shared_state or shared & set(rule.needs)
        ]
        self.strip_rules = [rule for rule in self.rules if rule not in self.align_rules]
        # The cutting rules that HTML mode's vote runs on each reading.
        self.region_rules = [
            rule for rule in self.strip_rules if rule.stage == Stage.STRIP and rule.finds_region
        ]

    def process(
        self, article: ArticleIn, state: StateStore, now: datetime | None = None
    ) -> ArticleOut:
        """Every stage. The worker runs the three in three agents (see ``streams.agents``)."""
        return self.align(self.flag(self.strip(article, state, now), state, now), now)

    def strip(
        self, article: ArticleIn, state: StateStore, now: datetime | None = None
    ) -> ArticleOut:
        """Extraction, the strip stage, the credits and every later rule that needs no state
        shared by all articles: the cleaned text, what was taken out of it, the sources the
        article credits, findings, and what the flag stage's look-ups could prepare."""
        title = article.title
        origin: Literal["text", "html"] = "text" if article.text is not None else "html"
        seen_as = origin  # the candidate from HTML read as page text runs the text rules
        metadata: dict[str, list[str]] = {}
        if article.text is not None:
            body = article.text
        else:
            assert article.html is not None  # ArticleIn guarantees text or html
            # trafilatura is a third of the engine's import time; text streams never need it.
            from copydesk.rules.extract import extract_html

            extracted = extract_html(article.html)
            title = title or extracted.title
            metadata = extracted.metadata()
            body, seen_as = self._most_agreed(article, extracted, now)
        findings: list[Finding] = []
        if len(body) > self.limits.max_body_chars:
            findings.append(
                _engine_finding(
                    "body-truncated",
                    f"body of {len(body)} characters truncated to {self.limits.max_body_chars}",
                    {"chars": len(body), "limit": self.limits.max_body_chars},
                )
            )
            body = body[: self.limits.max_body_chars]
        if not body.strip():
            findings.append(_engine_finding("body-empty", "article has no body text", {}))
        # The rules judge lines by their shape: they read the body with the line breaks inside
        # its paragraphs joined, a column at a time where its lines stand in columns, a line
        # break where its blocks ran together, and the output keeps the text that came in.
        reading = _reading(body) if origin == "text" and not is_markdown(body) else None
        seen = joined_lines(body if reading is None else reading.text)
        doc = Document(
            article,
            article_key(article.id, article.url),
            TextView(seen),
            seen_as,
            findings,
            metadata,
        )
        self._run_all(self.strip_rules, doc, state, now)
        if seen is not body and is_markdown(body):
            rules = [span.rule for span in doc.body.removed]
            pieces = broken_rows(body, [(span.start, span.end) for span in doc.body.removed])
            # From the last: each piece taken leaves the offsets of those before it as they were.
            for start, end, n in reversed(pieces):
                doc.body.remove_original(start, end, rules[n])
        if reading is not None or seen is not body:  # cuts and credits carried back to the body
            removed, place = doc.body.removed, _same_place
            if reading is not None:
                removed, place = reading.removed_in_original(body, removed), reading.to_original
            doc.body = TextView.cut(body, removed)
            doc.credits = [
                _placed(credit, body, *place(credit.start, credit.end)) for credit in doc.credits
            ]
        prepared: dict[str, Any] = {}
        for rule in self.flag_rules:
            if rule.prepares and origin in rule.spec.applies_to:
                started = time.perf_counter()
                prepared[rule.spec.id] = rule.prepare(doc)
                self._spent(rule.spec.id, started)
        return ArticleOut(
            key=doc.key,
            id=article.id,
            url=article.url,
            source=article.source,
            title=title,
            published_at=article.published_at,
            text=doc.text,
            body_from=origin,
            removed=doc.body.removed,
            metadata=doc.metadata,
            credits=doc.credits,
            findings=doc.findings,
            rules_version=self.version,
            extra=article.extra,
            prepared=prepared,
        )

    def _most_agreed(
        self, article: ArticleIn, extracted: Extracted, now: datetime | None
    ) -> tuple[str, Literal["text", "html"]]:
        """Of the readings of an HTML page, the one the others agree with most
        (``agreement.vote``: the costly readings made only where the cheap ones leave the page
        in doubt). Each is weighed as the rules that find where the article lies or ends leave
        it (the page text's navigation, footer and comment thread go): the rules that trim
        lines within it change the choice too little to pay for on every reading
        (docs/benchmarks-history.md). Run on a scratch store: only the chosen reading goes
        through the strip stage for real, so rules that learn from a source learn once."""
        read: list[tuple[str, Literal["text", "html"]]] = []

        def weighed() -> Iterator[str]:
            for body, seen_as in extracted.readings():
                read.append((body, seen_as))
                yield self._region(article, body, seen_as, now)

        return read[vote(weighed())]

    def _region(
        self, article: ArticleIn, body: str, seen_as: Literal["text", "html"], now: datetime | None
    ) -> str:
        if not any(seen_as in rule.spec.applies_to for rule in self.region_rules):
            return body
        doc = Document(article, "", TextView(body), seen_as)
        self._run_all(self.region_rules, doc, MemoryStore(), now)
        return doc.text

    def flag(self, out: ArticleOut, state: StateStore, now: datetime | None = None) -> ArticleOut:
        """The look-ups in the state every article shares (the duplicate index), which also
        remember the article there: what they found goes on in ``looked_up`` for ``align``.
        Nothing is judged here, so the one partition that sees every article does little."""
        # Prepared under other rules (a reload between the stages) would not match these.
        prepared = out.prepared if out.rules_version == self.version else {}
        doc = _document(out, prepared=prepared)
        ctx = Context(state, now or datetime.now(UTC), self.limits.regex_timeout_seconds)
        looked_up: dict[str, Any] = {}
        for rule in self.flag_rules:
            if doc.origin in rule.spec.applies_to:
                started = time.perf_counter()
                looked_up[rule.spec.id] = rule.look_up(doc, ctx)
                self._spent(rule.spec.id, started)
        return out.model_copy(update={"prepared": {}, "looked_up": looked_up})

    def align(self, out: ArticleOut, now: datetime | None = None) -> ArticleOut:
        """The rules that judge from what the flag stage looked up, and those that read their
        findings, on a stripped article. They compare and annotate; they never cut the text,
        and they read no state (a rule whose look-up the record lacks finds nothing)."""
        doc = _document(out, looked_up=out.looked_up)
        self._run_all(self.align_rules, doc, NoState(), now)
        return out.model_copy(
            update={
                "findings": doc.findings,
                "metadata": doc.metadata,
                "late": doc.late,
                "looked_up": {},
            }
        )

    def _run_all(
        self, rules: list[Rule], doc: Document, state: StateStore, now: datetime | None
    ) -> None:
        ctx = Context(state, now or datetime.now(UTC), self.limits.regex_timeout_seconds)
        for rule in rules:
            if doc.origin in rule.spec.applies_to:
                self._run(rule, doc, ctx)

    @staticmethod
    def _apply_within_budget(
        rule: Rule, doc: Document, ctx: Context
    ) -> list[Cut | KeepBack | Claim | Capture | CreditHit | Hit | LateHit]:
        """The rule's results within its regex budget, given a second try: the budget is wall
        time, so a pause of the whole process (a full garbage collection, a loaded machine)
        can use it up without any fault of the rule's. A backtracking pattern runs out twice.
        Only regex calls raise TimeoutError, so a try that did not finish changed nothing."""
        ctx.deadline = time.monotonic() + ctx.regex_timeout
        try:
            return list(rule.apply(doc, ctx))
        except TimeoutError:
            ctx.deadline = time.monotonic() + ctx.regex_timeout
            return list(rule.apply(doc, ctx))

    def take_rule_seconds(self) -> dict[str, float]:
        """The wall-clock seconds spent in each rule's own code (its ``apply``, and for a
        duplicates rule its ``prepare`` and ``look_up``) since the last call, by rule id; the
        count then starts again. The engine's bookkeeping of a rule's results (cuts applied,
        findings recorded) is the engine's time, not the rule's."""
        spent, self._rule_seconds = self._rule_seconds, {}
        return spent

    def _spent(self, rule_id: str, started: float) -> None:
        seconds = time.perf_counter() - started
        self._rule_seconds[rule_id] = self._rule_seconds.get(rule_id, 0.0) + seconds

    def _run(self, rule: Rule, doc: Document, ctx: Context) -> None:
        spec = rule.spec
        started = time.perf_counter()
        try:
            results = self._apply_within_budget(rule, doc, ctx)
        except TimeoutError:  # raised by the regex module past ctx.regex_budget()
            doc.findings.append(
                _engine_finding(
                    "rule-timeout",
                    f"rule {spec.id} ran out of its regex time budget and was skipped",
                    {"rule": spec.id, "budget_seconds": ctx.regex_timeout},
                )
            )
            return
        finally:
            self._spent(spec.id, started)
        if not results:
            return  # what most rules find in most articles: no bookkeeping to do
        cuts = [r for r in results if isinstance(r, Cut)]
        captures = [r for r in results if isinstance(r, Capture)]
        kept_back = [r for r in results if isinstance(r, KeepBack)]
        if spec.mode == "shadow":
            text, body = doc.text, doc.body.original
            _report_shadow(
                spec, doc, "shadow-removal", [text[c.start : c.end] for c in merge_cuts(cuts)]
            )
            _report_shadow(
                spec, doc, "shadow-keep-back", [body[k.start : k.end] for k in kept_back]
            )
        else:
            _apply_cuts(spec.id, doc, cuts, captures)
            for keep in kept_back:  # in the body's offsets, so after the cuts
                doc.body.keep_back(keep.start, keep.end)
            for claim in (r for r in results if isinstance(r, Claim)):
                doc.body.claim(claim.start, claim.end, spec.id)
        body = doc.body.original
        for credit in (r for r in results if isinstance(r, CreditHit)):
            doc.credits.append(
                Credit(
                    source=credit.source,
                    where=credit.where,
                    start=credit.start,
                    end=credit.end,
                    text=body[credit.start : credit.end],
                )
            )
        for hit in (r for r in results if isinstance(r, Hit)):
            doc.findings.append(_finding(spec, hit))
        for late in (r for r in results if isinstance(r, LateHit)):
            doc.late.append(
                LateFinding(
                    key=late.key,
                    id=late.id,
                    url=late.url,
                    source=late.source,
                    published_at=late.published_at,
                    finding=_finding(spec, late.hit),
                    raised_by=doc.key,
                    rules_version=self.version,
                )
            )


def _document(
    out: ArticleOut, prepared: dict[str, Any] | None = None, looked_up: dict[str, Any] | None = None
) -> Document:
    """A stripped article as the later stages' rules read it."""
    article = ArticleIn.model_validate(
        {
            **out.extra,
            "id": out.id,
            "url": out.url,
            "source": out.source,
            "title": out.title,
            "published_at": out.published_at,
            "text": out.text,
        }
    )
    return Document(
        article,
        out.key,
        TextView.after_removals(out.text, out.removed),
        out.body_from,
        list(out.findings),
        {name: list(values) for name, values in out.metadata.items()},
        list(out.credits),
        prepared=prepared or {},
        looked_up=looked_up or {},
    )


def _finding(spec: RuleSpec, hit: Hit) -> Finding:
    return Finding(
        rule=spec.id,
        kind=hit.kind or spec.kind,
        severity=spec.severity,
        message=hit.message or spec.message,
        evidence=hit.evidence,
        shadow=spec.mode == "shadow",
    )


def _apply_cuts(rule_id: str, doc: Document, cuts: list[Cut], captures: list[Capture]) -> None:
    text = doc.text
    for cut in cuts:
        if cut.keep_as:
            doc.metadata.setdefault(cut.keep_as, []).append(text[cut.start : cut.end].strip())
    for cut in reversed(merge_cuts(cuts)):  # back to front, so earlier offsets stay valid
        doc.body.remove(cut.start, cut.end, rule_id)
    for capture in captures:
        doc.metadata.setdefault(capture.name, []).append(capture.text)


def _report_shadow(spec: RuleSpec, doc: Document, kind: str, texts: list[str]) -> None:
    """Shadow mode: say what the rule would remove or keep back, change nothing."""
    for text in texts:
        doc.findings.append(
            Finding(
                rule=spec.id,
                kind=kind,
                severity=spec.severity,
                message=spec.message,
                evidence={"text": text},
                shadow=True,
            )
        )


def merge_cuts(cuts: list[Cut]) -> list[Cut]:
    """Sort cuts and merge those that overlap."""
    merged: list[Cut] = []
    for cut in sorted(cuts, key=lambda c: c.start):
        if merged and cut.start < merged[-1].end:
            if cut.end > merged[-1].end:
                merged[-1] = Cut(merged[-1].start, cut.end)
        else:
            merged.append(cut)
    return merged


def _reading(body: str) -> ColumnReading | SplitReading | None:
    """The body read otherwise than line by line, where its lines are not lines of it: read by
    columns, or split where its blocks ran together."""
    return column_reading(body) or split_reading(body)


def _same_place(start: int, end: int) -> tuple[int, int]:
    """Where joined lines put a stretch of the body: where it was (they keep its length)."""
    return start, end


def _placed(credit: Credit, body: str, start: int, end: int) -> Credit:
    """``credit`` at ``body[start:end]``: where the rules found it, in the body that came in."""
    return credit.model_copy(update={"start": start, "end": end, "text": body[start:end]})


def _engine_finding(name: str, message: str, evidence: dict[str, object]) -> Finding:
    # Engine checks use a dotted id, which no pack rule can take (pack ids are kebab-case).
    return Finding(
        rule=f"engine.{name}", kind=name, severity="warning", message=message, evidence=evidence
    )
