"""What every rule kind builds on: the YAML spec base class, the document a rule reads, and the
two things a rule can return (a cut out of the text, or a hit that becomes a finding).

A rule kind is one module holding a ``*Spec`` (pydantic, validated from YAML) whose ``build()``
returns a ``Rule``. The engine does all bookkeeping (span offsets, findings, ordering); a rule
only looks at the document and says what it found.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Annotated, Any, ClassVar, Literal

import regex
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from copydesk.rules.lines import Line
from copydesk.rules.records import (
    ArticleIn,
    Credit,
    CreditWhere,
    Finding,
    LateFinding,
    Severity,
)
from copydesk.rules.state import StateStore
from copydesk.rules.textview import TextView

KEBAB_CASE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SNAKE_CASE = r"^[a-z][a-z0-9_]*$"


def _compilable(pattern: str) -> str:
    try:
        regex.compile(pattern)
    except regex.error as exc:
        raise ValueError(f"invalid regex {pattern!r}: {exc}") from None
    return pattern


RegexPattern = Annotated[str, AfterValidator(_compilable)]
"""A regular expression (the ``regex`` module's syntax), checked when the pack loads."""


def any_of(patterns: Sequence[str], flags: int = regex.IGNORECASE) -> regex.Pattern[str]:
    """One regex that matches where any of the patterns does."""
    return regex.compile("|".join(f"(?:{p})" for p in patterns), flags | regex.V0)


class Stage(IntEnum):
    """Rules run stage by stage, in pack order within a stage."""

    STRIP = 1
    # After the strip, which tells where the article starts and ends, but on the body as it
    # came: a credit in a footer the strip stage removes still counts.
    CREDITS = 2
    DUPLICATES = 3
    ATTRIBUTION = 4


class ExampleCase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(description="Article body given to the rule alone.")
    after: list[str] = Field(
        default_factory=list,
        description="For stateful rules: bodies of the same source processed first.",
    )
    removed: list[str] | None = Field(
        default=None, description="For strip rules: exactly the pieces of text it must remove."
    )


class Examples(BaseModel):
    """Inputs that must and must not trigger the rule; checked by ``copydesk rules test``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    trigger: list[str | ExampleCase] = Field(min_length=1)
    ignore: list[str] = Field(min_length=1)

    def trigger_cases(self) -> list[ExampleCase]:
        return [c if isinstance(c, ExampleCase) else ExampleCase(text=c) for c in self.trigger]


class RuleSpec(BaseModel):
    """Fields every rule has. Kind modules subclass it with ``kind: Literal[...]`` and params."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=KEBAB_CASE, max_length=80, description="Unique kebab-case id.")
    kind: str
    severity: Severity = "info"
    message: str = Field(min_length=1, description="Shown with each finding or removed span.")
    description: str = Field(min_length=1, description="Why the rule exists, for reviewers.")
    examples: Examples
    mode: Literal["enforce", "shadow"] = Field(
        default="enforce",
        description="shadow: compute and report what the rule would do (findings marked"
        " `shadow`), change nothing in the output text.",
    )
    applies_to: list[Literal["text", "html"]] = Field(
        default=["text", "html"],
        min_length=1,
        description="Bodies the rule runs on: `text` as given, or text extracted from `html`"
        " (already cut to the main content, so whole-page rules need not run there).",
    )

    def build(self) -> Rule:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Cut:
    """Remove ``text[start:end]`` of the current text; with ``keep_as``, the removed text (less
    surrounding whitespace) is also kept in the output's ``metadata`` under that name."""

    start: int
    end: int
    keep_as: str | None = None


@dataclass(frozen=True, slots=True)
class KeepBack:
    """Keep ``body[start:end]`` of the body the engine started from, where an earlier rule cut
    it (offsets there: the text is not in the current text). Applied after the rule's cuts."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Claim:
    """Put down to this rule the removal of ``body[start:end]`` (the body the engine started
    from), which an earlier rule made: this rule would have cut it too. No text changes; what
    changes is which rule a later one reads as the cause (the line model never keeps back what
    the rules in its ``final`` cut)."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CreditHit:
    """The article credits ``source`` at ``body[start:end]`` of the body the engine started
    from (not of the current text: a credit may stand in chrome the strip stage removed)."""

    source: str
    where: CreditWhere
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Capture:
    """Record ``text`` in the output's ``metadata`` under ``name`` without removing anything."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Hit:
    """Raise a finding. ``kind`` defaults to the rule's kind, ``message`` to the rule's message."""

    evidence: dict[str, Any] = field(default_factory=dict)
    kind: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class LateHit:
    """Raise a finding on an article seen before this one (its identity as remembered), because
    this one, published earlier, turned out to be its original."""

    key: str
    id: str
    url: str | None
    source: str | None
    published_at: datetime
    hit: Hit


@dataclass(slots=True)
class Context:
    """Per-article environment: the state store and the processing time."""

    state: StateStore
    now: datetime
    regex_timeout: float
    deadline: float = 0.0  # set by the engine before each rule runs

    def regex_budget(self) -> float:
        """Seconds left of the rule's regex budget for this article: pass it as ``timeout=`` to
        every regex call. Past it the regex raises TimeoutError and the engine skips the rule
        for this article with an ``engine.rule-timeout`` finding."""
        return max(self.deadline - time.monotonic(), 0.0)


@dataclass(slots=True)
class Document:
    """An article on its way through the engine."""

    article: ArticleIn
    key: str
    body: TextView
    origin: Literal["text", "html"]
    findings: list[Finding] = field(default_factory=list)
    metadata: dict[str, list[str]] = field(default_factory=dict)
    credits: list[Credit] = field(default_factory=list)
    late: list[LateFinding] = field(default_factory=list)
    # Rule id -> what that rule's ``prepare`` made of this article (see ``Rule.prepare``).
    prepared: dict[str, Any] = field(default_factory=dict)
    # Rule id -> what that rule's ``look_up`` found in the shared state (see ``Rule.look_up``).
    looked_up: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.text

    @property
    def lines(self) -> list[Line]:
        return self.body.lines

    @property
    def content_lines(self) -> list[Line]:
        return self.body.content_lines

    def event_time(self, ctx: Context) -> datetime:
        """When the article happened, for windows and decay: ``published_at``, unless it is
        missing, before 1970 or more than a day in the future — then the processing time."""
        published = self.article.published_at
        if published is None or not 0 <= published.timestamp() <= ctx.now.timestamp() + 86400:
            return ctx.now
        return published


class Rule(ABC):
    stage: ClassVar[Stage]
    # Kinds whose results this kind reads (credits, duplicate findings): their rules run with it
    # when its examples are checked.
    needs: ClassVar[tuple[str, ...]] = ()
    # Reads and writes state that spans every article (the duplicate index): such a rule's
    # ``look_up`` runs in the worker's one-partition flag agent, and its ``apply``, with every
    # rule that needs its results, in the align agent, spread over the workers like the strip
    # agent, which runs everything else.
    shared_state: ClassVar[bool] = False
    # Has a ``prepare`` step (below).
    prepares: ClassVar[bool] = False
    # Finds where the article lies in a page's text, or where it ends (rather than trimming
    # lines within it): all of the text rules that HTML mode's vote among a page's readings runs.
    finds_region: ClassVar[bool] = False

    def __init__(self, spec: RuleSpec) -> None:
        self.spec = spec

    def prepare(self, doc: Document) -> Any:
        """For a rule with shared state: the work on the article alone (sketches, hashes),
        as JSON-compatible data. The strip agent runs it, on as many cores as there are
        workers, and ``look_up`` finds the result in ``doc.prepared``, so that the one flag
        agent only does what needs the shared state."""
        raise NotImplementedError

    def look_up(self, doc: Document, ctx: Context) -> Any:
        """For a rule with shared state: everything its ``apply`` will read of that state for
        this article, as JSON-compatible data, and the article added to the state. The one flag
        agent runs it, so it does no more than the look-ups; ``apply``, run after it in the
        align agent (which has no state), finds the result in ``doc.looked_up`` and judges."""
        raise NotImplementedError

    @abstractmethod
    def apply(
        self, doc: Document, ctx: Context
    ) -> Iterable[Cut | KeepBack | Claim | Capture | CreditHit | Hit | LateHit]:
        """Look at the document; yield cuts, keep-backs, claims and captures (strip rules) or hits
        (flag rules; late hits for articles seen before this one)."""
