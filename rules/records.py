"""Article records: what copydesk reads and what it writes.

Input parsing is strict (``id`` must be a string, not a number) so that a producer bug is reported
on the dead-letter topic instead of being guessed around; unknown input fields are kept and
carried to the output under ``extra``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Severity = Literal["info", "warning", "error"]
RuleMode = Literal["enforce", "shadow"]
CreditWhere = Literal["dateline", "byline", "credit-line", "house-style", "text", "interview"]
# The forms that say the story came from the source; "text" cites it, "interview" quotes it.
AUTHOR_CREDITS: tuple[CreditWhere, ...] = ("dateline", "byline", "credit-line", "house-style")


class ArticleIn(BaseModel):
    """One raw article as producers send it (JSON object)."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)

    id: str = Field(min_length=1, max_length=1024, description="Producer's article id.")
    url: str | None = Field(default=None, max_length=8192, description="Article URL.")
    source: str | None = Field(default=None, max_length=512, description="Publisher or site.")
    title: str | None = Field(default=None, description="Headline.")
    published_at: datetime | None = Field(
        default=None, description="Publication time (ISO 8601; naive times are taken as UTC)."
    )
    text: str | None = Field(default=None, description="Body as plain text.")
    html: str | None = Field(default=None, description="Page HTML (used when `text` is absent).")

    @field_validator("published_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    @model_validator(mode="after")
    def _has_body(self) -> ArticleIn:
        if self.text is None and self.html is None:
            raise ValueError("an article needs `text` or `html`")
        return self

    @property
    def extra(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Span(BaseModel):
    """A piece of the body that a rule removed. ``body[start:end] == text``."""

    rule: str
    start: int = Field(ge=0, description="Offset into the body the engine started from.")
    end: int = Field(ge=0)
    text: str


class Finding(BaseModel):
    """A flag or warning raised by a rule."""

    rule: str
    kind: str
    severity: Severity
    message: str
    evidence: dict[str, Any] = Field(default_factory=dict)
    shadow: bool = Field(
        default=False, description="From a rule in shadow mode: reported, not acted on."
    )


class Credit(BaseModel):
    """A source that the article credits, where, and the words that do it. ``start``/``end`` are
    offsets into the body the engine started from, like those of removed spans: a credit may
    stand in a footer that the strip rules took out of ``text``."""

    source: str
    where: CreditWhere = Field(
        description="dateline, byline, credit-line: the story came from the source, which the"
        " text names; house-style: the story came from it, as lines only it writes show (its"
        " sign-off), though the text names it nowhere; text: the article cites it; interview:"
        " it received a statement the article quotes."
    )
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class LateFinding(BaseModel):
    """A finding for an article seen earlier, raised when an article published before it
    arrived later and turned out to be its original (crawl order is not publication order).
    Written as a record of its own: on ``articles.findings`` with the header ``copydesk.late``,
    and as a line of ``copydesk filter``'s output."""

    late: Literal[True] = True
    key: str = Field(description="Key of the earlier-seen article the finding is about.")
    id: str
    url: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    finding: Finding = Field(description="As if it had been raised on that article.")
    raised_by: str = Field(description="Key of the article whose arrival raised it: the original.")
    rules_version: str


class ArticleOut(BaseModel):
    """A cleaned article with everything copydesk found in it."""

    key: str = Field(description="Stable article key (hash of the canonical URL, else of the id).")
    id: str
    url: str | None = None
    source: str | None = None
    title: str | None = None
    published_at: datetime | None = None
    text: str = Field(description="Cleaned body: the original body minus the `removed` spans.")
    body_from: Literal["text", "html"] = Field(
        default="text", description="Where the body came from: the input `text`, or `html`."
    )
    removed: list[Span] = Field(default_factory=list)
    metadata: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Text that rules kept aside: captions, photo credits, bylines, the dateline"
        " and credit line, and extraction results such as author.",
    )
    credits: list[Credit] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    rules_version: str = Field(description="Content hash of the rule packs that produced this.")
    late: list[LateFinding] = Field(
        default_factory=list,
        exclude=True,  # records of their own, about other articles: not part of this one
        description="Findings this article's arrival raised on articles seen before it.",
    )
    extra: dict[str, Any] = Field(
        default_factory=dict, description="Input fields copydesk does not know, unchanged."
    )
    prepared: dict[str, Any] = Field(
        default_factory=dict,
        exclude=True,  # from the strip agent to the flag agent only, in a header of its own
        description="What the strip stage prepared for the flag stage's rules, by rule id.",
    )
    looked_up: dict[str, Any] = Field(
        default_factory=dict,
        exclude=True,  # from the flag agent to the align agent only, in a header of its own
        description="What the flag stage's rules found in the shared state, by rule id.",
    )
