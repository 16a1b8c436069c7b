"""What every rule kind builds on: the YAML spec base class, the document a rule reads, and the
two things a rule can return (a cut out of the text, or a hit that becomes a finding).

A rule kind is one module holding a ``*Spec`` (pydantic, validated from YAML) whose ``build()``
returns a ``Rule``. The engine does all bookkeeping (span offsets, findings, ordering); a rule
only looks at the document and says what it found.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Annotated, Any, ClassVar, Literal

import regex
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from rules.lines import Line
from rules.records import ArticleIn, Credit, Finding, Severity
from rules.state import StateStore
from rules.textview import TextView

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


def anchored_at_start(pattern: str) -> bool:
    """True when every top-level branch of ``pattern`` starts with ``^`` (conservatively: it
    starts with ``^`` and has no ``|`` outside groups and classes)."""
    if not pattern.startswith("^"):
        return False
    depth, in_class, escaped = 0, False, False
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            # A "]" right after "[" or "[^" is a literal, not the end of the class.
            in_class = ch != "]" or pattern[i - 1] == "[" or pattern[i - 2 : i] == "[^"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return False
    return True


# \A, \Z or \z, not escaped.
_TEXT_ENDS = regex.compile(r"(?<!\\)(?:\\\\)*\\[AZz]")


class LineSearch:
    """Finds the lines that any of the patterns matches, as one alternation searched line by
    line would, in 60% of the time on the default packs (measured in one process):

    - patterns anchored at the line start (``^…``) are tried at line starts only, as one
      alternation matched per line (in one alternation with floating patterns the regex engine
      would try them at every position);
    - every other pattern scans the whole text once, compiled on its own: the regex engine's
      literal-prefix optimisations work on one pattern but not across an alternation, and a
      time-budgeted call costs about a microsecond of set-up, more than the matching of a line;
    - only the lines these find are searched line by line, for the exact match.
    """

    def __init__(self, patterns: Sequence[str], flags: int) -> None:
        flags |= regex.V0
        self._each = [(regex.compile(p, flags), anchored_at_start(p)) for p in patterns]
        anchored = [p for p in patterns if anchored_at_start(p)]
        floating = [p for p in patterns if not anchored_at_start(p)]
        self._anchored = any_of(anchored, flags) if anchored else None
        # A scan of the text cannot stand in for \A or \Z: there they mean the text's ends.
        per_line = [p for p in floating if _TEXT_ENDS.search(p)]
        self._per_line = any_of(per_line, flags) if per_line else None
        self._scans = [
            regex.compile(p, flags | regex.MULTILINE) for p in floating if not _TEXT_ENDS.search(p)
        ]

    def search(self, line: str, budget: Callable[[], float]) -> str | None:
        """The leftmost match in one line (of those starting at the same place, the first
        pattern's); None if no pattern matches. ``budget()`` gives the seconds left for regex
        work (``Context.regex_budget``), read anew for each call."""
        best: regex.Match[str] | None = None
        for pattern, anchored in self._each:
            if anchored:
                found = pattern.match(line, timeout=budget())
            else:
                found = pattern.search(line, timeout=budget())
            if found is not None and (best is None or found.start() < best.start()):
                best = found
                if best.start() == 0:
                    break  # nothing starts further left
        return None if best is None else str(best.group(0))

    def matching_lines(
        self, text: str, lines: Sequence[Line], budget: Callable[[], float]
    ) -> dict[int, str]:
        """``search`` over ``lines`` (lines of ``text``, in order): line index -> matched text.

        A match inside a line is also a match of the multi-line scan, at the same place or
        inside an earlier match that reaches into the line, so the lines the scans touch are
        a superset of the lines that match."""
        if not lines:
            return {}
        found: set[int] = set()
        for n, line in enumerate(lines):
            if (
                self._anchored is not None and self._anchored.match(line.text, timeout=budget())
            ) or (
                self._per_line is not None and self._per_line.search(line.text, timeout=budget())
            ):
                found.add(n)
        starts = [line.start for line in lines]
        for pattern in self._scans:
            for match in pattern.finditer(text, starts[0], lines[-1].end, timeout=budget()):
                first = bisect_right(starts, match.start()) - 1
                last = bisect_right(starts, max(match.end() - 1, match.start())) - 1
                found.update(range(max(first, 0), last + 1))
        matched = {}
        for n in sorted(found):
            text_found = self.search(lines[n].text, budget)
            if text_found is not None:
                matched[lines[n].index] = text_found
        return matched


class Stage(IntEnum):
    """Rules run stage by stage, in pack order within a stage."""

    CREDITS = 1  # on the body as it came: a credit in a footer the strip stage removes still counts
    STRIP = 2
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
class CreditHit:
    """The article credits ``source`` at ``text[start:end]`` of the current text."""

    source: str
    where: Literal["dateline", "credit-line", "byline", "text"]
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

    @property
    def text(self) -> str:
        return self.body.text

    @property
    def lines(self) -> list[Line]:
        return self.body.lines

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

    def __init__(self, spec: RuleSpec) -> None:
        self.spec = spec

    @abstractmethod
    def apply(self, doc: Document, ctx: Context) -> Iterable[Cut | Capture | CreditHit | Hit]:
        """Look at the document; yield cuts and captures (strip rules) or hits (flag rules)."""
