"""``section-cutoff``: a heading such as "Related", "Next In World" or "Comments" that opens a
block of chrome. ``remove: block`` takes the heading and the headline-like lines under it and
stops at the first line of prose; ``remove: rest`` takes the heading and everything after it
(comment threads, reader forms). Both only fire once the article has begun, so a heading in a
navigation bar above the story never cuts the story."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from itertools import accumulate
from typing import Literal

import regex
from pydantic import Field

from copydesk.rules.kinds.base import (
    Context,
    Cut,
    Document,
    RegexPattern,
    Rule,
    RuleSpec,
    Stage,
    any_of,
)
from copydesk.rules.line_search import AtLineStarts, sees_past_its_line
from copydesk.rules.lines import Line, block_cut
from copydesk.rules.prose import is_headline_like, is_prose, is_question_headline

# A longest run of prose before a rest heading counts as at least this many words: beside a few
# words of teasers, a reader's long post would read as the story.
_LEAST_STORY_WORDS = 40


def _heading_follows(lines: list[Line], heading: int, headings: set[int]) -> bool:
    """Whether the next line after ``heading`` with text is a heading too: a comment count over
    the form's title, a form's title over a post's signature ("Posted by: … on 4:05pm"). A
    thread starts so; a story does not."""
    following = next((line.index for line in lines[heading + 1 :] if not line.blank), None)
    return following in headings


class SectionCutoffSpec(RuleSpec):
    kind: Literal["section-cutoff"]
    headings: list[RegexPattern] = Field(
        min_length=1, description="Patterns a heading line must match in full (case-insensitive)."
    )
    remove: Literal["block", "rest"] = "block"
    max_heading_words: int = Field(default=8, ge=1, description="Longer lines are not headings.")
    block_max_words: int = Field(
        default=20, ge=1, description="block: lines of the block have at most this many words."
    )
    block_teasers: bool = Field(
        default=True,
        description="block: also take a prose line that is followed by a headline-like line"
        " (a teaser's summary); two prose lines in a row end the block.",
    )
    after_prose_words: int = Field(
        default=50, ge=0, description="Only fire after this many words of prose."
    )
    prose_min_chars: int = Field(default=40, ge=1, description="What counts as a prose line.")
    thread_min_posts: int = Field(
        default=4,
        ge=1,
        description="rest: when more prose follows the heading than precedes it, cut only if"
        " it comes in this many blocks or more (a thread of posts, not an article), or if the"
        " next line is a heading too (a post's signature under the form's title).",
    )
    story_ratio: float = Field(
        default=4.0,
        ge=0,
        description="rest: never cut when the longest run of prose after the heading is this"
        " many times the longest before it (the story itself, under a comment count that only"
        " teasers stand above); 0 turns the check off.",
    )

    def build(self) -> SectionCutoffRule:
        return SectionCutoffRule(self)


class SectionCutoffRule(Rule):
    stage = Stage.STRIP
    finds_region = True
    spec: SectionCutoffSpec

    def __init__(self, spec: SectionCutoffSpec) -> None:
        super().__init__(spec)
        self._heading = any_of(spec.headings)
        # The headings at line starts, for one scan of the short lines stripped and joined
        # (where no heading can see past its line): a timed regex call costs some 6 us of
        # set-up, and matching each short line on its own made 22 of them an article. The
        # scan looks for the newline before a line (``AtLineStarts``) rather than trying ``^``
        # at every character: half the time on a page's text. Not where the regex module's
        # WORD flag makes other characters end lines too.
        self._heading_lines = (
            None
            if any(sees_past_its_line(p) for p in spec.headings) or self._heading.flags & regex.WORD
            else AtLineStarts(rf"(?:{self._heading.pattern})$", self._heading.flags)
        )

    def headings(self, lines: list[Line], ctx: Context) -> set[int]:
        """The indices of ``lines`` that are headings: short enough, their stripped text
        matching a heading in full. A line that does so matches the scan at its start in the
        joined text, or lies inside an earlier match: only the lines a match touches are
        matched one by one."""
        short = [line for line in lines if 0 < line.words <= self.spec.max_heading_words]
        texts = [line.text.strip() for line in short]
        touched: Iterable[int] = range(len(short))
        if self._heading_lines is not None and short:
            starts = list(accumulate((len(text) + 1 for text in texts[:-1]), initial=0))
            joined = "\n".join(texts)
            matches = self._heading_lines.spans(joined, 0, len(joined), ctx.regex_budget())
            touched = sorted(
                {
                    n
                    for start, end in matches
                    for n in range(bisect_right(starts, start) - 1, bisect_right(starts, end))
                }
            )
        return {
            short[n].index
            for n in touched
            if self._heading.fullmatch(texts[n], timeout=ctx.regex_budget()) is not None
        }

    def _headline(self, text: str) -> bool:
        # Listed headlines are often questions ("Did the council ...?"): those count too.
        return is_headline_like(text, self.spec.block_max_words) or is_question_headline(text)

    def _block_end(self, lines: list[Line], heading: int) -> int:
        """Index of the last line of the block that a heading opens."""
        content = [line for line in lines[heading + 1 :] if not line.blank]
        last = heading
        for n, line in enumerate(content):
            if self._headline(line.text):
                last = line.index
                continue
            following = content[n + 1] if n + 1 < len(content) else None
            teaser = following is not None and self._headline(following.text)
            if not (self.spec.block_teasers and teaser):
                break
            last = line.index
        return last

    def _prose_after(self, lines: list[Line]) -> list[tuple[int, int]]:
        """For each line, the prose words from it to the end, and the blocks they come in
        (runs of prose lines, blank lines aside): ``[n]`` is for lines ``n`` on."""
        found = [(0, 0)] * (len(lines) + 1)
        words = blocks = 0
        in_block = False
        for n in range(len(lines) - 1, -1, -1):
            line = lines[n]
            if not line.blank:
                prose = is_prose(line.text, self.spec.prose_min_chars)
                if prose:
                    words += line.words
                    blocks += not in_block
                in_block = prose
            found[n] = (words, blocks)
        return found

    def _longest_run(self, lines: list[Line]) -> int:
        """Words of the longest run of prose lines (blank lines aside)."""
        longest = run = 0
        for line in lines:
            if line.blank:
                continue
            run = run + line.words if is_prose(line.text, self.spec.prose_min_chars) else 0
            longest = max(longest, run)
        return longest

    def _story_after(self, lines: list[Line], heading: int) -> bool:
        """Whether the story itself follows a rest heading: a run of prose far longer than any
        before it. Seen where each text node is a line ("0 Comments" under the headline, the
        sidebar's teasers above it, each its own short run), where the thread checks in
        ``apply`` read the teasers as the article and the sidebar's blurbs as a thread."""
        if not self.spec.story_ratio:
            return False
        before = max(self._longest_run(lines[:heading]), _LEAST_STORY_WORDS)
        return self._longest_run(lines[heading + 1 :]) >= self.spec.story_ratio * before

    def apply(self, doc: Document, ctx: Context) -> Iterator[Cut]:
        spec = self.spec
        lines = doc.lines
        headings = self.headings(lines, ctx)
        if not headings:
            return  # what most texts have: nothing below can cut, so nothing else is read
        # rest: a heading above the story ("53 Comments" under the headline) must not take
        # the story with it. The cut needs most of the prose to stand before the heading, or
        # what follows to be thread-shaped: posts, each a block of its own, or a heading straight
        # under the heading.
        after = self._prose_after(lines) if spec.remove == "rest" else []
        before = prose_words = 0
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.blank:
                i += 1
                continue
            begun = prose_words >= spec.after_prose_words
            prose = is_prose(line.text, spec.prose_min_chars)
            before += line.words if prose else 0
            if begun and i in headings:
                if spec.remove == "rest":
                    words_after, blocks_after = after[i + 1]
                    thread = (
                        before >= words_after
                        or blocks_after >= spec.thread_min_posts
                        or _heading_follows(lines, i, headings)
                    )
                    if thread and not self._story_after(lines, i):
                        yield Cut(*block_cut(lines, i, len(lines) - 1))
                        return
                    i += 1
                    continue
                last = self._block_end(lines, i)
                yield Cut(*block_cut(lines, i, last))
                i = last + 1
                continue
            if not begun and prose:
                prose_words += line.words  # counted until the article has begun
            i += 1
