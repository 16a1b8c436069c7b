"""What the duplicate rules remember of an article, in under 1 KiB on average.

- ``exact``: a 64-bit hash of the body with case, whitespace and punctuation normalised away;
- ``minhash``: the lowest 4 bits of each MinHash value over word shingles, two to a byte
  (b-bit MinHash still estimates Jaccard similarity, see ``estimate_jaccard``);
- ``sentences``: per sentence (of a long article, ``MAX_SENTENCES`` of them), 8-bit hashes
  of its stemmed content words in their order and of its numbers, and one bit for each of
  ``FUNCTION_WORD_BITS`` it has: enough to score a later rewrite's sentences against this one
  (``rules.sentence_scorer``; two sentences compare ten or so words, so chance collisions
  barely move the score), not enough to rebuild the text;
- the identity the flags report (id, source, url, time; the key is derived from id and url),
  and the sources it credits as its author (for the missing-attribution rule);
- ``buckets``: the 32-bit keys of the index buckets the article is in (its exact hash, its LSH
  bands, its anchor terms, one key per sentence), from which the in-memory bucket index is
  rebuilt (``rules.duplicate_index``). The full MinHash signature, the anchor terms and the
  sentences' words are computed from the text when an article arrives and are not stored.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import NamedTuple, TypeVar

import numpy as np
import regex
import Stemmer
import xxhash

from copydesk.rules.line_joins import joined_lines
from copydesk.rules.minhash import signature

# Of a longer article, the sentences sketched and remembered: its first LEAD_SENTENCES and the
# longest of the rest (``rules.kinds.duplicates``).
MAX_SENTENCES = 32
LEAD_SENTENCES = 8
MAX_TERMS_PER_SENTENCE = 16
MIN_KEY_STEMS = 4
SENTENCE_KEY_SEED = 17
# Set in the sentence count of an encoded fingerprint whose sentences carry function-word bits
# and their terms in order; the sentences of the earlier layout are not compared.
SENTENCE_LAYOUT = 0x80
# Also set in it where the article had more sentences than it remembers (an encoding without
# the bit reads as one that had not): such an article is no short one that a later article
# could hold whole.
TRUNCATED = 0x40
QUOTED_FLAG = 0x80  # in a sentence's term count (at most MAX_TERMS_PER_SENTENCE)

# Possessive (``*+``): nothing follows the group, so no match gives back a part of it; the engines
# then keep no states to go back to, a sixth of their time.
_WORD = regex.compile(r"\w+(?:[.,']\w+)*+", regex.V1)
# The same words in ASCII text, where the standard library's engine finds them a fifth faster
# (elsewhere it tells word characters apart differently: combining marks, some numerals).
_ASCII_WORD = re.compile(r"\w+(?:[.,']\w+)*+", re.ASCII)
# Characters outside ASCII that English text is full of (curly quotes, dashes, the no-break
# space, currency and legal signs): no word characters, and without case, so a text whose only
# non-ASCII characters they are has the words the ASCII pattern finds in it (checked in
# tests/test_shortcuts.py). A third of the 582 bodies in ../shared are such text, three in five
# ASCII.
PLAIN_PUNCTUATION = (
    "\u00a0\u00a3\u00a9\u00ab\u00ae\u00b0\u00bb"  # no-break space £ © « ® ° »
    "\u2013\u2014\u2018\u2019\u201c\u201d\u201e\u2022\u2026\u20ac"  # – — ‘ ’ “ ” „ • … €
)
_NOT_PLAIN = re.compile(f"[^\\x00-\\x7f{PLAIN_PUNCTUATION}]")
_NUMBER = regex.compile(r"\d+(?:[.,]\d+)*")
# A period after an initial or an initialism ("J.", "U.S.") or a title that comes before a name
# ("Rep.", "Dr.") ends no sentence: "U.S. Rep. Ilhan Omar" split there made fragments ("Attorney's
# Office for the Western District of New York said in a statement.") that two reports of one
# release share.
_TITLES = "Mr|Mrs|Ms|Dr|Prof|Rev|Rep|Sen|Gov|Gen|Adm|Capt|Col|Lt|Maj|Sgt|St|Mt|Ft"
# It starts at the mark that ends the sentence (captured, to stay with it): the engine looks
# for those few characters, where a look-behind for them was tried at every character.
_SENTENCE_END = regex.compile(
    rf"([.!?。！？][\"'”’)\]]?)(?<!\b(?:\p{{Lu}}\.)+|\b(?:{_TITLES})\.)\s+"
    r"(?=[\"'“‘(\[]?\p{Lu}|\d)",
    regex.V1,
)
# The same ends in text that is ``plain`` (no capitals, digits or spaces outside ASCII but the
# no-break space), for the standard library's engine, which looks behind only by a fixed width:
# an initialism ends in an initial (``\b(?:\p{Lu}\.)+`` ends where ``\b\p{Lu}\.`` does), and
# the titles go by length. The spaces are the Unicode ones the general pattern's ``\s`` takes.
_TITLE_LOOK_BEHINDS = "".join(
    rf"(?<!\b(?:{'|'.join(titles)})\.)"
    for length in sorted({len(title) for title in _TITLES.split("|")})
    if (titles := [title for title in _TITLES.split("|") if len(title) == length])
)
_PLAIN_SENTENCE_END = re.compile(
    rf"([.!?][\"'”’)\]]?)(?<!\b[A-Z]\.){_TITLE_LOOK_BEHINDS}[\t\n\x0b\x0c\r \u00a0]+"
    r"(?=[\"'“‘(\[]?[A-Z]|[0-9])",
    re.ASCII,
)
_CAPITALISED = regex.compile(r"\p{Lu}[\p{Ll}\p{Lu}'’.-]+", regex.V1)
_QUOTED = regex.compile(r"[\"“]([^\"”]{12,300})[\"”]")
_QUOTE_MARK = regex.compile(r"[\"“”]")
QUOTED_SHARE = 0.5  # of a sentence's characters, from which it is a quotation
_STEMMER = Stemmer.Stemmer("english")

# Function words carry no content; numbers are handled on their own.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    said says say told tell according would could may might must shall one two new mr mrs ms
    year years week day days monday tuesday wednesday thursday friday saturday sunday
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# The 32 most frequent STOPWORDS in MSRP train's sentences (bench.sentence_model prints them),
# one bit each in a sentence sketch: which function words two sentences share or not tells an
# added clause ("and", "but"), a negation or a change of tense, which content words miss.
FUNCTION_WORD_BITS = """
    the to of in a and said on for that was at is with by he
    from it be were as has or will an have his not had but are year
    """.split()  # noqa: SIM905 - a word list reads better as text
_FUNCTION_BIT = {word: 1 << n for n, word in enumerate(FUNCTION_WORD_BITS)}


T = TypeVar("T")


class _Memo(dict[str, T]):
    """A function of a word, its results kept: word frequencies are Zipfian, so nearly every
    word of an article was seen before. Called as ``_Memo(f).__getitem__``, a dict look-up, it
    costs about half an ``lru_cache`` hit; it is emptied when full instead of evicting the
    least recent."""

    def __init__(self, compute: Callable[[str], T], limit: int = 1 << 17) -> None:
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, word: str) -> T:
        if len(self) >= self.limit:
            self.clear()
        value = self[word] = self.compute(word)
        return value


def plain(text: str) -> bool:
    """Whether ``text`` is ASCII but for ``PLAIN_PUNCTUATION``."""
    return text.isascii() or _NOT_PLAIN.search(text) is None


def words(text: str) -> list[str]:
    if plain(text):
        return _ASCII_WORD.findall(text.lower())
    found: list[str] = _WORD.findall(text.casefold())
    return found


def exact_hash(tokens: list[str]) -> int:
    """Hash of the body's ``words``: case, whitespace and punctuation normalised away."""
    return xxhash.xxh3_64_intdigest(" ".join(tokens).encode())


_token_hash = _Memo(lambda token: xxhash.xxh32_intdigest(token.encode())).__getitem__


def shingle_hashes(tokens: list[str], shingle: int) -> np.ndarray:
    """32-bit hashes of the word ``shingle``-grams, a repeated shingle as often as it occurs
    (a MinHash minimum is the same over the set): each word is hashed once (cached) and the
    hashes of a window are folded together with numpy, instead of hashing every joined n-gram
    string."""
    hashes = np.fromiter(map(_token_hash, tokens), np.uint64, len(tokens))
    windows = max(len(tokens) - shingle + 1, 1)
    folded = np.zeros(windows, np.uint64)
    for k in range(min(shingle, len(tokens))):
        # A polynomial fold keeps word order: "a b" and "b a" differ.
        folded = (folded * np.uint64(0x9E3779B1) + hashes[k : k + windows]) & np.uint64(0xFFFFFFFF)
    return folded


def minhash(tokens: list[str], shingle: int, permutations: int, seed: int) -> np.ndarray:
    """MinHash values (uint32) over word ``shingle``-grams."""
    return signature(shingle_hashes(tokens, shingle).astype(np.uint32), permutations, seed)


def band_hashes(signature: np.ndarray, bands: int, rows: int) -> list[int]:
    """One 64-bit hash per LSH band: documents that agree on a whole band are candidates."""
    return [
        xxhash.xxh3_64_intdigest(signature[b * rows : (b + 1) * rows].tobytes() + bytes([b]))
        for b in range(bands)
    ]


def pack_nibbles(signature: np.ndarray) -> bytes:
    """The lowest 4 bits of each MinHash value, two per byte."""
    low = (signature & 0xF).astype(np.uint8)
    if len(low) % 2:
        low = np.append(low, np.uint8(0))
    return bytes((low[0::2] << 4) | low[1::2])


def estimate_jaccard(a: bytes, b: bytes, permutations: int) -> float:
    """Jaccard similarity from two 4-bit MinHash signatures (Li and König, 2010): values agree
    with probability J + (1 - J) / 16."""
    x, y = np.frombuffer(a, np.uint8), np.frombuffer(b, np.uint8)
    matches = np.count_nonzero((x >> 4) == (y >> 4)) + np.count_nonzero((x & 0xF) == (y & 0xF))
    matches -= len(x) * 2 - permutations  # the padding nibble of an odd count always agrees
    share = matches / max(permutations, 1)
    return max((share - 1 / 16) / (1 - 1 / 16), 0.0)


def _hash8(text: str) -> int:
    return xxhash.xxh32_intdigest(text.encode()) & 0xFF


def normalise_number(token: str) -> str:
    number = token.replace(",", "")
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return number or "0"


class SentenceSketch(NamedTuple):
    """A named tuple: the scorer's caches hash tuples of them, which a dataclass's Python-level
    hash made a twentieth of the flag stage."""

    terms: tuple[int, ...]  # distinct, in the sentence's order
    numbers: frozenset[int]
    function_words: int  # a bit per word of FUNCTION_WORD_BITS the sentence has
    quoted: bool = False  # mostly a quotation, which independent reports share too


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs: its lines, with the line breaks inside paragraphs joined
    (rules/line_joins.py), so that a wrapped sentence stays one sentence."""
    return [line.strip() for line in joined_lines(text).split("\n") if line.strip()]


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    # The general pattern took a twentieth of the duplicates rule's time.
    sentence_end = _PLAIN_SENTENCE_END if plain(text) else _SENTENCE_END
    for line in paragraphs(text):
        # The pieces alternate with the end marks split keeps: a sentence is a piece and its mark.
        parts = [*sentence_end.split(line), ""]
        sentences += (s.strip() for s in map(str.__add__, parts[::2], parts[1::2]))
    return [s for s in sentences if s]


def _content_stem(token: str) -> str | None:
    """The stem of a content word; None for a number or a word without content."""
    if _NUMBER.fullmatch(token) or token in STOPWORDS or len(token) < 2:
        return None
    return str(_STEMMER.stemWord(token))


TERM, NUMBER, FUNCTION_WORD = 0, 1, 2


def _code(token: str) -> tuple[int, int, str | None] | None:
    """``(TERM, 8-bit hash of its stem, the stem)``, ``(NUMBER, 8-bit hash, None)``,
    ``(FUNCTION_WORD, its bit, None)`` for a word of ``FUNCTION_WORD_BITS``, or None for
    another word without content."""
    if _NUMBER.fullmatch(token):
        return NUMBER, _hash8(normalise_number(token)), None
    stem = _content_stem(token)
    if stem is not None:
        return TERM, _hash8(stem), stem
    bit = _FUNCTION_BIT.get(token)
    return None if bit is None else (FUNCTION_WORD, bit, None)


_token_code = _Memo(_code).__getitem__
_rank = _Memo(
    lambda stem: xxhash.xxh32_intdigest(stem.encode(), seed=SENTENCE_KEY_SEED)
).__getitem__


def quoted(sentence: str) -> bool:
    """Whether most of the sentence is inside quotation marks (a quotation split into
    sentences opens in one and closes in another)."""
    if '"' not in sentence and "“" not in sentence and "”" not in sentence:
        return False
    marks = [m.start() for m in _QUOTE_MARK.finditer(sentence)]
    if marks and sentence[marks[0]] == "”":
        marks.insert(0, -1)  # it starts inside a quotation
    if len(marks) % 2:
        marks.append(len(sentence))  # it ends inside one
    inside = sum(end - start - 1 for start, end in zip(marks[::2], marks[1::2], strict=True))
    return inside >= QUOTED_SHARE * len(sentence)


def sketch(sentence: str) -> SentenceSketch:
    return sketch_words(words(sentence), quoted(sentence), 0)[0]


def sketch_words(
    tokens: list[str], is_quoted: bool = False, spread: int = 0
) -> tuple[SentenceSketch, list[int]]:
    """The sketch of a sentence given as its ``words``, and its retrieval keys: pairs of its
    content-word stems (none with ``spread`` 0). Both from one look-up per word.

    Stems are ranked by a fixed hash; the first key is the pair of the two lowest ranked (a
    2-row MinHash of the sentence's stem set, so two sentences sharing a share J of their stems
    share it with probability about J squared): that one is stored. The keys after it are the
    other pairs among the ``spread`` lowest ranked: a query with ``spread`` 4 also meets a
    stored sentence whose two lowest stems are among its four lowest, though it has words the
    other lacks.
    Sentences with fewer than ``MIN_KEY_STEMS`` stems give no key: their pairs are too common.
    """
    terms: dict[int, None] = {}  # distinct, in order
    # In order, repeats too: a frozenset iterates in the order it was built (the encoded order).
    numbers: list[int] = []
    function_words = 0
    stems: set[str] = set()
    for code in map(_token_code, tokens):
        if code is None:
            continue
        kind, value, stem = code
        if stem is not None:  # a term
            terms[value] = None
            stems.add(stem)
        elif kind == NUMBER:
            numbers.append(value)
        else:
            function_words |= value
    found = SentenceSketch(
        tuple(terms)[:MAX_TERMS_PER_SENTENCE], frozenset(numbers), function_words, is_quoted
    )
    if len(stems) < MIN_KEY_STEMS or spread < 2:  # no pair to make
        return found, []
    low = sorted(stems, key=_rank)[:spread]
    keys = [
        xxhash.xxh3_64_intdigest(f"{a} {b}".encode())
        for i, a in enumerate(low)
        for b in low[i + 1 :]
    ]
    return found, keys


def anchors(text: str, sentences: list[str], limit: int) -> list[int]:
    """Terms a rewrite keeps: figures, names and quotations. Used to find candidate originals.
    ``sentences`` are the text's ``split_sentences``. The ``limit`` kept are the quotations,
    then the figures, then the names, longer first (each in the order of its key): names are
    looked for only when the others leave room (in about half of the articles they do not)."""
    quotes = set()
    for quote in _QUOTED.findall(text):
        key = " ".join(w for w in words(quote) if w not in STOPWORDS)[:40]
        if key:
            quotes.add('"' + key)
    figures = set()
    for token in _NUMBER.findall(text):
        number = normalise_number(token)
        if len(number.replace(".", "")) >= 2:
            figures.add("#" + number)
    ranked = [*sorted(quotes), *sorted(figures)][:limit]
    if len(ranked) < limit:
        names = sorted(_names(sentences), key=lambda name: (-min(len(name), 12), name))
        ranked += ["@" + name for name in names[: limit - len(ranked)]]
    return [xxhash.xxh3_64_intdigest(k.encode()) for k in ranked]


def _names(sentences: list[str]) -> set[str]:
    """Capitalised words but those opening a sentence (which say nothing about a name),
    casefolded."""
    names: set[str] = set()
    for sentence in sentences:
        capitalised = _CAPITALISED.findall(sentence)
        # The first word found opens the sentence if and only if the sentence starts with it.
        opens = bool(capitalised) and sentence.startswith(capitalised[0])
        names.update(capitalised[1:] if opens else capitalised)
    return {name.casefold() for name in names}


@dataclass(frozen=True)
class Fingerprint:
    id: str
    source: str
    url: str
    credited: str  # sources credited in its dateline, byline or credit line, "|"-separated
    published: float
    exact: int
    minhash_bits: bytes
    sentences: tuple[SentenceSketch, ...]
    buckets: tuple[int, ...]
    truncated: bool = False  # it had more sentences than ``sentences`` (``MAX_SENTENCES``)
    # The bytes it was decoded from or first encoded to: the flag stage stores an article's
    # fingerprint and sends it and the stored ones on, and none is encoded twice. Not an
    # argument, so ``dataclasses.replace`` (a changed fingerprint) leaves it unset.
    encoded: bytes | None = field(default=None, init=False, compare=False, repr=False)

    def encode(self) -> bytes:
        encoded = self.encoded
        if encoded is None:
            encoded = self._encoded()
            object.__setattr__(self, "encoded", encoded)  # frozen: this cache is the exception
        return encoded

    def published_at(self, when: float) -> Fingerprint:
        """This fingerprint published at ``when``; bytes it has are patched, not made again
        (the time comes first in them)."""
        moved = replace(self, published=when)
        if self.encoded is not None:
            patched = struct.pack("<I", int(when)) + self.encoded[4:]
            object.__setattr__(moved, "encoded", patched)
        return moved

    def _encoded(self) -> bytes:
        # Time and buckets first: rebuilding the bucket index reads only those (``index_entry``).
        out = bytearray(
            struct.pack(
                f"<IB{len(self.buckets)}I", int(self.published), len(self.buckets), *self.buckets
            )
        )
        for text in (self.id, self.source, self.url, self.credited):
            raw = text.encode()[:1024]
            out += struct.pack("<H", len(raw)) + raw
        out += struct.pack("<QH", self.exact, len(self.minhash_bits))
        out += self.minhash_bits
        count = len(self.sentences) | SENTENCE_LAYOUT | (TRUNCATED if self.truncated else 0)
        out += struct.pack("<B", count)
        for s in self.sentences:
            flags = len(s.terms) | (QUOTED_FLAG if s.quoted else 0)
            out += struct.pack("<BBI", flags, len(s.numbers), s.function_words)
            out += bytes([*s.terms, *s.numbers])
        return bytes(out)

    def carried(self, sentences: bool) -> bytes:
        """Its bytes less what a comparison does not read: the bucket keys (the index's), and
        the sentences unless ``sentences``. Cut out of the encoded bytes, not encoded again."""
        raw = self.encode()
        pos = start = 5 + 4 * raw[4]
        for _ in range(4):  # id, source, url, credited
            pos += 2 + int.from_bytes(raw[pos : pos + 2], "little")
        pos += 10 + int.from_bytes(raw[pos + 8 : pos + 10], "little")  # exact, MinHash bits
        rest = raw[pos:] if sentences else bytes([SENTENCE_LAYOUT])
        return raw[:4] + b"\0" + raw[start:pos] + rest

    @staticmethod
    def index_entry(raw: bytes) -> tuple[float, tuple[int, ...]]:
        """The publication time and bucket keys of an encoded fingerprint, read without decoding
        the rest."""
        published, count = struct.unpack_from("<IB", raw)
        return float(published), struct.unpack_from(f"<{count}I", raw, 5)

    @classmethod
    def decode(cls, raw: bytes) -> Fingerprint:
        published, buckets = cls.index_entry(raw)
        pos = 5 + 4 * len(buckets)
        texts = []
        for _ in range(4):
            (n,) = struct.unpack_from("<H", raw, pos)
            texts.append(raw[pos + 2 : pos + 2 + n].decode(errors="replace"))
            pos += 2 + n
        exact, nbits = struct.unpack_from("<QH", raw, pos)
        pos += struct.calcsize("<QH")
        bits = raw[pos : pos + nbits]
        pos += nbits
        (count,) = struct.unpack_from("<B", raw, pos)
        pos += 1
        sentences = []
        # A fingerprint of the earlier layout keeps its exact hash and MinHash; its sentences
        # lack what the scorer needs and are left out.
        for _ in range(count & ~(SENTENCE_LAYOUT | TRUNCATED) if count & SENTENCE_LAYOUT else 0):
            flags, nn, function_words = struct.unpack_from("<BBI", raw, pos)
            nt = flags & ~QUOTED_FLAG
            pos += 6
            values = raw[pos : pos + nt + nn]
            pos += nt + nn
            sentences.append(
                SentenceSketch(
                    tuple(values[:nt]),
                    frozenset(values[nt:]),
                    function_words,
                    bool(flags & QUOTED_FLAG),
                )
            )
        id_, source, url, credited = texts
        truncated = bool(count & SENTENCE_LAYOUT and count & TRUNCATED)
        decoded = cls(
            id_, source, url, credited, published, exact, bits, tuple(sentences), buckets, truncated
        )
        object.__setattr__(decoded, "encoded", bytes(raw))  # frozen: set once, here
        return decoded
