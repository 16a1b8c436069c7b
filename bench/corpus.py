"""A stream of distinct articles shaped like real ones, for speed runs.

The article-extraction benchmark has 111 real bodies (median about 530 words); a speed run
needs thousands of articles that are not copies of each other, or the duplicate stage would
stop at its cheapest check (exact copy) for all but the first 111. Round 0 is the real
bodies. In each later round every content word is swapped for another word of the corpus (one
fixed permutation per round) and every digit for another digit, so line structure, lengths,
punctuation, function words ("said", "according to") and capitalisation stay real while no two
articles share their content.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import regex

from copydesk.rules.fingerprint import STOPWORDS, words

_TOKEN = regex.compile(r"\p{L}+|\d")
FUNCTION_WORDS = 300  # the most frequent words of the corpus stay as they are
SOURCES = 20
START = datetime(2026, 11, 20, tzinfo=UTC)


@dataclass(frozen=True)
class Article:
    id: str
    url: str
    source: str
    published_at: datetime
    text: str

    def record(self, **extra: object) -> bytes:
        """The article as a raw-topic record (JSON), with ``extra`` fields."""
        fields = {
            "id": self.id,
            "url": self.url,
            "source": self.source,
            "published_at": self.published_at.isoformat(),
            "text": self.text,
            **extra,
        }
        return json.dumps(fields).encode()


def _case_like(model: str, word: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


class Remixer:
    def __init__(self, bodies: list[str]) -> None:
        counts = Counter(w for body in bodies for w in words(body) if w.isalpha())
        keep = {w for w, _ in counts.most_common(FUNCTION_WORDS)} | STOPWORDS
        self.bodies = bodies
        self.content = sorted(w for w in counts if w not in keep)

    @lru_cache(maxsize=2)  # noqa: B019 - one remixer per run, rounds come in order
    def _swaps(self, round_: int) -> tuple[dict[str, str], list[str]]:
        rng = random.Random(round_)
        # Words swap with words of the same script and length, so texts stay plausible.
        groups: dict[tuple[bool, int], list[str]] = {}
        for word in self.content:
            groups.setdefault((word.isascii(), min(len(word), 12)), []).append(word)
        swap: dict[str, str] = {}
        for group in groups.values():
            shuffled = group[:]
            rng.shuffle(shuffled)
            swap.update(zip(group, shuffled, strict=True))
        digits = list("0123456789")
        rng.shuffle(digits)
        return swap, digits

    def body(self, round_: int, n: int) -> str:
        text = self.bodies[n]
        if round_ == 0:
            return text
        swap, digits = self._swaps(round_)

        def replace(match: regex.Match[str]) -> str:
            token = match.group(0)
            if token.isdigit():
                return digits[int(token)]
            new = swap.get(token.casefold())
            return token if new is None else _case_like(token, new)

        return str(_TOKEN.sub(replace, text))


def stream(bodies: list[str], count: int) -> Iterator[Article]:
    """``count`` articles: rounds of the bodies, one minute apart, from ``SOURCES`` sources."""
    remixer = Remixer(bodies)
    for i in range(count):
        round_, n = divmod(i, len(bodies))
        yield Article(
            id=f"bench-{i}",
            url=f"https://source{i % SOURCES}.example/news/{i}",
            source=f"Source {i % SOURCES}",
            published_at=START + timedelta(minutes=i),
            text=remixer.body(round_, n),
        )
