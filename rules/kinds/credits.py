"""``credits``: which sources an article credits, and where — its dateline ("LISBON, Nov 21
(Reuters) -"), its byline ("By Jane Roe, AFP"), its closing credit line ("© AFP", "Associated
Press writer … contributed to this report"), its house style (lines only one wire writes:
Reuters' "(Reporting by …; Editing by …)") or its text ("Interfax reported", "according to
Reuters", "Xinhua quoted … as saying"). The sources and their aliases are a registry in YAML,
and so are the house styles; the other forms a credit takes are built in. Fills the output's
``credits``; raises no finding.

Runs after the strip stage, on the body as it came: datelines and bylines are looked for from
the top of the page down to the ``head_lines``-th line of the article the strip kept that ends
a sentence, closing credit lines from its ``tail_lines``-th last line to the bottom of the page
— so a headline, section line, date line and photo caption above a dateline (cut by the strip
or, as some gold conventions have it, kept as the article's), or a share prompt and headline
lists below a credit line, do not hide them, and a credit line the strip removed still counts.

A source that *received* a statement ("told Reuters", "in an interview with the AP", "a
statement to AFP") is listed apart, as ``where: interview``: the article uses its reporting,
but that is no sign the story came from it (no dateline, byline or credit line).

A house style is a credit although it names no source: a wire's sign-off says where the story
came from as surely as its dateline (every line the default pack's styles match in PolNeAR,
AEB dev, L3S-GN1 dev and SemEval-8's English pairs stands in that wire's copy: 16 of 16, by
``bench.attribution``). It is looked for anywhere in the body, so a sign-off the strip removed
still counts; the ``wire-style`` rule warns when it is the only credit the wire gets.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import regex
from pydantic import BaseModel, ConfigDict, Field, model_validator

from copydesk.rules.kinds.base import (
    Context,
    CreditHit,
    Document,
    RegexPattern,
    Rule,
    RuleSpec,
    Stage,
    any_of,
)
from copydesk.rules.line_search import (
    AtLineStarts,
    anchored_at_start,
    sees_past_its_line,
    within_line,
)
from copydesk.rules.lines import split_lines
from copydesk.rules.prose import ends_sentence

Where = Literal["dateline", "credit-line", "byline", "interview", "text"]  # the built-in forms

# The forms a credit takes; {name} stands for the source's names. Keywords ignore case, names
# do not ("AP" is a credit, "ap" is not). A run before a line's first letter is possessive
# ("*+"): given back a space at a time, it tried every name after each of a line's leading
# spaces (an indented page's text: 43 ms for one form).
FORMS: dict[Where, tuple[str, ...]] = {
    # The parentheses may hold a service or a second agency beside the name: "(dpa-AFX)",
    # "(dpa/lnw)", "(BSS/Xinhua)", "(AP, Reuters)".
    "dateline": (
        r"^\s*+\p{Lu}[^\n]{0,80}?\((?:[^()\n]{0,30}?[\s/,-])??(?:{name})"
        r"(?:\s*[-/,]\s*[^()\n/,]{1,20}){0,3}\s*\)\s*[-—–]",
    ),
    "byline": (
        r"^\W*+(?i:by)\b[^\n]{1,80}?[,|·/–—-]\s*(?:(?i:the)\s+)?(?:{name})\b",
        r"^\W*+(?:(?i:the)\s+)?(?:{name})(?:\s+(?i:staff|reporters?|correspondents?))?\W*$",
    ),
    "credit-line": (
        r"(?:©|\((?i:c)\)|(?i:copyright))\s*(?:\d{4}\s*)?(?:(?i:the)\s+)?(?:{name})\b",
        r"\b(?:{name})\s+(?i:writers?|reporters?|correspondents?|staff)\b[^\n]{0,160}"
        r"\b(?i:contributed)\b",
        r"\b(?:{name})\s+(?i:contributed)\b",
        # A wire's own closing line: "(Reporting by Reuters; Editing by Tom Hale)".
        r"\(\s*(?i:(?:additional\s+)?(?:reporting|writing)\s+by)\s[^)\n]{0,200}?\b(?:{name})\b",
        r"\b(?:{name})\s+(?i:photo)\s*/",
        r"(?:^|[.!?]\s+)(?:{name})\s*$",  # the agency's name closing the story: "… the US. PTI"
        r"\[\s*(?:{name})\s*\]",  # a bracketed source link: "[ Bloomberg ]"
    ),
    # The source received a statement rather than supplied the story ("told Reuters", "in an
    # interview with the AP"): listed apart, before the text forms claim the same words.
    "interview": (
        r"\b(?i:told|tells|telling|said to|speaking to|spoke to|talking to|interview with|"
        r"interviewed by|e-?mail to|statement to|letter to|comment to)\s+(?:(?i:the)\s+)?"
        r"(?:{name})\b",
    ),
    "text": (
        r"\b(?:{name})\s+(?i:reported|reports|said|says|quoted|cited|wrote|news agency|"
        r"agency reported|has reported|had reported|was told|learned)\b",
        r"\b(?i:according to)\s+(?:(?i:the)\s+)?(?:{name})\b",
        r"\b(?i:reported by|quoted by|cited by)\s+(?:(?i:the)\s+)?(?:{name})\b",
        r"\b(?:{name})\s+(?i:journalists?|reporters?|photographers?|correspondents?|poll|"
        r"survey|tally|count|calculations|analysis|investigation|data)\b",
        r"\((?:{name})\)",
    ),
}

# How a form that can only match where a name starts begins, and how one whose matches end
# where a name does ends.
_OPENS_WITH_NAME = r"\b(?:{name})"
_CLOSES_WITH_NAME = r"(?:{name})\b"


@dataclass(frozen=True)
class _Form:
    where: Where
    pattern: regex.Pattern[str]
    opens_with_name: bool
    closes_with_name: bool


def _finditer_at(
    pattern: regex.Pattern[str], text: str, starts: list[int], lo: int, hi: int, ctx: Context
) -> Iterator[regex.Match[str]]:
    """``pattern.finditer(text, lo, hi)`` for a pattern that can only match at ``starts``
    (sorted): the pattern matched at each of those in turn, past the previous match. A scan
    of the text would try it at every position (150 us an article for one form, against a
    few microseconds)."""
    end = lo
    for start in starts[bisect_left(starts, lo) :]:
        if start >= hi:
            break
        if start < end:
            continue
        match = pattern.match(text, start, hi, timeout=ctx.regex_budget())
        if match is not None:
            yield match
            end = match.end()


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="Canonical name reported in `credits`.")
    aliases: list[str] = Field(default_factory=list, description="Other names and abbreviations.")


class HouseStyle(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1, description="The registry name of the wire it belongs to.")
    patterns: list[RegexPattern] = Field(
        min_length=1, description="Lines only that wire writes; searched line by line."
    )


class _StyleSearch:
    """Finds the first place a house style's patterns match a text (``regex.MULTILINE``).
    Patterns that all start with ``^`` (the default pack's do) are tried at line starts only,
    in a quarter of the time."""

    def __init__(self, patterns: list[str]) -> None:
        self._anywhere = any_of(patterns, regex.MULTILINE)
        fast = all(anchored_at_start(p) and not sees_past_its_line(p) for p in patterns)
        self._at_line_starts = (
            AtLineStarts(self._anywhere.pattern, self._anywhere.flags) if fast else None
        )

    def first(self, text: str, timeout: float) -> tuple[int, int] | None:
        if self._at_line_starts is not None:
            return next(self._at_line_starts.spans(text, 0, len(text), timeout), None)
        match = self._anywhere.search(text, timeout=timeout)
        return None if match is None else match.span()


class CreditsSpec(RuleSpec):
    kind: Literal["credits"]
    sources: list[Source] = Field(min_length=1, description="The registry of sources.")
    house_styles: list[HouseStyle] = Field(
        default_factory=list,
        description="Lines only one source writes (a wire's sign-off): a credit of it.",
    )
    head_lines: int = Field(
        default=4,
        ge=1,
        description="Where datelines and bylines stand: the first lines ending a sentence.",
    )
    tail_lines: int = Field(default=5, ge=1, description="Where closing credit lines stand.")

    @model_validator(mode="after")
    def _styles_name_sources(self) -> CreditsSpec:
        names = {source.name for source in self.sources}
        for style in self.house_styles:
            if style.source not in names:
                raise ValueError(
                    f"house style of {style.source!r}: not a source's name in the registry"
                    f" ({', '.join(sorted(names))})"
                )
        return self

    def build(self) -> CreditsRule:
        return CreditsRule(self)


class CreditsRule(Rule):
    stage = Stage.CREDITS
    spec: CreditsSpec

    def __init__(self, spec: CreditsSpec) -> None:
        super().__init__(spec)
        # One regex per form over every name; the matched name tells the source.
        self._source_of: dict[str, str] = {}
        for source in spec.sources:
            for name in (source.name, *source.aliases):
                self._source_of.setdefault(name, source.name)
        names = sorted(self._source_of, key=len, reverse=True)
        alternation = "(?P<name>" + "|".join(regex.escape(n) for n in names) + ")"
        # Every name holds a name that holds no other ("AP" in "AAP", "Associated Press" in
        # "The Associated Press"): where none of those occurs, no name does.
        least = [n for n in names if not any(m != n and m in n for m in names)]
        self._holders = {m: [n for n in names if m in n] for m in least}
        self._forms = [
            _Form(
                where,
                # A credit stands on one line: a form runs on into no other (within_line).
                regex.compile(
                    within_line(form).replace("(?:{name})", alternation), regex.MULTILINE
                ),
                form.startswith(_OPENS_WITH_NAME),
                form.endswith(_CLOSES_WITH_NAME),
            )
            for where, forms in FORMS.items()
            for form in forms
        ]
        self._styles = [(style.source, _StyleSearch(style.patterns)) for style in spec.house_styles]

    def _names(self, text: str) -> tuple[list[int], int]:
        """Where a name starts in ``text``, in order, and where the last name ends. (Substring
        tests: the regex engine takes half again as long to search for the names'
        alternation.)"""
        present = [m for m in self._holders if m in text]
        starts: set[int] = set()
        last_end = 0
        for name in {n for m in present for n in self._holders[m]}:
            at = text.find(name)
            while at >= 0:
                starts.add(at)
                last_end = max(last_end, at + len(name))
                at = text.find(name, at + 1)
        return sorted(starts), last_end

    def apply(self, doc: Document, ctx: Context) -> Iterator[CreditHit]:
        named = list(self._named(doc, ctx))
        yield from named
        for source, search in self._styles:
            span = search.first(doc.body.original, ctx.regex_budget())
            if span is None:
                continue
            start, end = span
            # "(Reporting by Reuters; Editing by …)" names its source: one credit, a credit line.
            if not any(c.source == source and c.start < end and start < c.end for c in named):
                yield CreditHit(source, "house-style", start, end)

    def _named(self, doc: Document, ctx: Context) -> Iterator[CreditHit]:
        """The credits that name their source, in the built-in forms."""
        body = doc.body.original
        # Every form holds a name: most articles name no source, and a look for the names
        # spares them a scan per form.
        name_starts, last_name_end = self._names(body)
        if not name_starts:
            return
        lines = self._article_lines(doc)
        if not lines:
            return
        # Counted in sentences: a headline, a section line, a date line or a caption kept above
        # the story's first paragraph ends none.
        head = [(a, b) for a, b in lines if ends_sentence(body[a:b])] or lines
        head_end = head[min(self.spec.head_lines, len(head)) - 1][1]
        tail_start = lines[max(len(lines) - self.spec.tail_lines, 0)][0]
        regions: dict[Where, tuple[int, int]] = {
            "dateline": (0, head_end),
            "byline": (0, head_end),
            "credit-line": (tail_start, len(body)),
            "interview": (0, len(body)),
            "text": (0, len(body)),
        }
        found: list[tuple[str, int, int]] = []
        for form in self._forms:
            where, pattern = form.where, form.pattern
            lo, hi = regions[where]
            if form.closes_with_name:
                # Its matches end by the last name; the character after that is all the
                # regex engine needs to see past it (for the closing \b).
                hi = min(hi, last_name_end + 1)
            if form.opens_with_name:
                matches = list(_finditer_at(pattern, body, name_starts, lo, hi, ctx))
            else:
                matches = list(pattern.finditer(body, lo, hi, timeout=ctx.regex_budget()))
            for match in matches:
                # One credit per place: the forms go from the most specific (dateline) to the
                # least (text), and a later form's match inside an earlier one is the same credit.
                source = self._source_of[match.group("name")]
                start, end = match.span()
                if any(s == source and start < e and b < end for s, b, e in found):
                    continue
                found.append((source, start, end))
                yield CreditHit(source, where, start, end)

    @staticmethod
    def _article_lines(doc: Document) -> list[tuple[int, int]]:
        """The non-blank lines of the article the strip stage kept, as spans of the body; the
        body's own lines when it kept none."""
        kept = doc.content_lines
        if not kept:
            return [
                (line.start, line.end) for line in split_lines(doc.body.original) if not line.blank
            ]
        to_body = doc.body.to_original
        return [(to_body(line.start), to_body(line.end - 1) + 1) for line in kept]
