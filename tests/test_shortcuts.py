"""The duplicate rule's speed-ups give what the plain computation gives: the candidates of an
article scored in one matrix, MinHash over shingle hashes with repeats, words' stems and codes
kept in memos, the strip stage's sketch taken back by the flag stage of the same process, the
standard library's regex engine on ASCII text, the line features' look-ups, names looked for
only when the anchors have room for them, a sentence's sketch and keys from one pass, pairs
scored alone, pairs bounded before they are scored."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import regex
import xxhash

from copydesk.rules import fingerprint, line_features, quote_lexicon, sentence_scorer
from copydesk.rules.engine import Engine
from copydesk.rules.fingerprint import SentenceSketch, _Memo, sketch, split_sentences
from copydesk.rules.kinds.duplicates import align
from copydesk.rules.loader import load_rules
from copydesk.rules.minhash import signature
from copydesk.rules.records import ArticleIn, ArticleOut
from copydesk.rules.sentence_scorer import similarity_matrix
from copydesk.rules.state import MemoryStore

CASES = json.loads((Path(__file__).parent / "fixtures" / "duplicates.json").read_text())


def sketches(case: str, n: int) -> list[SentenceSketch]:
    return [sketch(s) for s in split_sentences(CASES[case][n]["text"])]


def test_a_pair_scores_the_same_whatever_other_candidates_it_is_scored_with() -> None:
    """The rule scores all of an article's candidates in one matrix, from each candidate's
    bitmaps stacked, and reads each candidate's columns from it."""
    ours = sketches("paraphrase_uncredited", 1)
    first, second = sketches("paraphrase_uncredited", 0), sketches("near_copy", 0)
    together = similarity_matrix(ours, first, second)
    assert np.array_equal(together, similarity_matrix(ours, [*first, *second]))
    assert np.array_equal(together[:, : len(first)], similarity_matrix(ours, first))
    assert np.array_equal(together[:, len(first) :], similarity_matrix(ours, second))


def test_repeated_shingles_do_not_change_a_signature() -> None:
    distinct = np.array([3, 99, 12345, 1 << 31], np.uint32)
    repeated = np.array([99, 3, 99, 12345, 3, 1 << 31, 99], np.uint32)
    assert signature(repeated, 64, 1).tolist() == signature(distinct, 64, 1).tolist()


def test_a_memo_gives_the_function_s_values_once_emptied() -> None:
    memo = _Memo(len, limit=2)
    found = [memo[word] for word in ["a", "bb", "ccc", "bb", "dddd"]]
    assert found == [1, 2, 3, 2, 4]
    assert len(memo) <= 2


def near_copy_with_another_between() -> tuple[Engine, MemoryStore, ArticleIn, ArticleIn, ArticleIn]:
    """An engine whose store holds the near copy's original; the copy, and an unrelated
    article to run through a stage between the copy's stages."""
    engine = Engine(load_rules())
    original, copy = (ArticleIn.model_validate_json(json.dumps(a)) for a in CASES["near_copy"])
    other = ArticleIn(id="other", text="An unrelated note on the weather. " * 12)
    store = MemoryStore()
    engine.align(engine.flag(engine.strip(original, store), store))
    return engine, store, original, copy, other


def check_judged_as_in_one_call(
    engine: Engine, original: ArticleIn, copy: ArticleIn, judged: ArticleOut
) -> None:
    expected_store = MemoryStore()
    engine.process(original, expected_store)
    expected = engine.process(copy, expected_store)
    assert any(f.kind == "near-duplicate" for f in judged.findings)
    assert judged.findings == expected.findings


def test_the_flag_stage_judges_the_article_it_is_given_not_the_last_one_stripped() -> None:
    """In one process the flag stage takes back the sketch the strip stage just made; an
    article stripped before the last one must still be judged by its own sketch."""
    engine, store, original, copy, other = near_copy_with_another_between()
    stripped_copy = engine.strip(copy, store)
    engine.strip(other, store)
    judged = engine.align(engine.flag(stripped_copy, store))
    check_judged_as_in_one_call(engine, original, copy, judged)


def test_the_align_stage_judges_the_article_it_is_given_not_the_last_one_looked_up() -> None:
    """Likewise the align stage takes back what the flag stage just looked up; an article
    looked up before the last one must still be judged from its own candidates."""
    engine, store, original, copy, other = near_copy_with_another_between()
    looked_up_copy = engine.flag(engine.strip(copy, store), store)
    engine.flag(engine.strip(other, store), store)
    judged = engine.align(looked_up_copy)
    check_judged_as_in_one_call(engine, original, copy, judged)


def test_a_rewrite_seen_first_gets_its_late_finding_after_the_index_is_rebuilt() -> None:
    """Late findings are looked for only when the index may hold an article published after
    the one arriving; what it rebuilds from the store counts."""
    original, copy = (ArticleIn.model_validate_json(json.dumps(a)) for a in CASES["near_copy"])
    store = MemoryStore()
    Engine(load_rules()).process(copy.model_copy(update={"published_at": later(original)}), store)
    # A new engine: its duplicate index is rebuilt from the store.
    out = Engine(load_rules()).process(original, store)
    assert [finding.id for finding in out.late] == [copy.id]


def later(article: ArticleIn) -> datetime:
    assert article.published_at is not None
    return article.published_at + timedelta(hours=1)


ASCII_TEXTS = [
    *(case["text"] for cases in CASES.values() for case in cases if case["text"].isascii()),
    "Shares of U.S. Steel rose 3.5% to $1,234.50 at 10:30 a.m.; it's the firm's best day.",
    "snake_case words, 'quoted' o'clock rock'n'roll ... 1,2,3 -- x.y.z and trailing'",
]


def test_ascii_text_gives_the_words_the_general_pattern_gives() -> None:
    assert all(text.isascii() for text in ASCII_TEXTS)
    for text in ASCII_TEXTS:
        assert fingerprint.words(text) == fingerprint._WORD.findall(text.casefold())
        general = [w.lower() for w in quote_lexicon._WORD.findall(text)]
        assert quote_lexicon.stem_words(text) == quote_lexicon._STEMMER.stemWords(general)


PLAIN_TEXTS = [
    *(
        case["text"]
        for cases in CASES.values()
        for case in cases
        if fingerprint.plain(case["text"])
    ),
    "“Don’t,” she said — 3,500 £ in ‘cash’… «Oui» • 20 € © 2024 ® 5° U.S.\u00a0Rep. Omar x„y",
    "He left.\u00a0She stayed. U.S.\u00a0Steel rose. A.B.\x1cCorp fell.\x1c Then\x0bmore.",
    "Mrs.’ Green left.\x0c Mr.\u00a0Brown came. I. Then\t2 more. Dr.\x1f X.",
    'He left?! "Yes." (Then) 3 more. U.S. Rep. Omar spoke. J. Smith said so.) Next',
    "Wait... Really?” “Yes!” ‘No.’ [Fine.] End.  Two  spaces. Prof. X left. Capt. Y. Z came.",
    "A.B. Corp. rose. St. Louis won. Mr. X. left. e.g. this. Dr.No. Tail. MR. Big. Dr. 5 o.",
]


def test_text_ascii_but_for_plain_punctuation_is_read_with_the_ascii_patterns() -> None:
    """The plain punctuation holds no word character and has no case, and text ASCII but for
    it gets the words and sentences the general patterns give (as the patterns were first
    written: without the possessive quantifier, looking behind for any initialism)."""
    word = regex.compile(r"\w", regex.V1)
    for char in fingerprint.PLAIN_PUNCTUATION:
        assert not word.match(char)
        assert char.casefold() == char.lower() == char
    general_words = regex.compile(r"\w+(?:[.,']\w+)*", regex.V1)
    assert all(fingerprint.plain(text) for text in PLAIN_TEXTS)
    assert not any(fingerprint.plain(text) for text in ["café", "Über", "a\u0301", "x\u2028y"])
    for text in PLAIN_TEXTS:
        assert fingerprint.words(text) == general_words.findall(text.casefold())
        for line in fingerprint.paragraphs(text):
            general = fingerprint._SENTENCE_END.split(line)
            assert fingerprint._PLAIN_SENTENCE_END.split(line) == general


def test_the_address_feature_searches_every_text_the_pattern_could_match() -> None:
    texts = [
        "no address here, only a window\nand a w w",
        "See WWW.Example.org or\nwWw.example.net for more",
        "https://example.com/a and\nHTTP://EXAMPLE.COM",
        "swwwing www-less\nftp://host",
        "Ww. not one\nhttp// nor this",
    ]
    for text in texts:
        starts = np.array([0, text.index("\n") + 1])
        every = np.minimum(line_features._per_line(line_features._ADDRESS, text, starts), 1.0)
        assert line_features._addresses(text, starts).tolist() == every.tolist()


def test_line_counts_class_characters_as_python_does() -> None:
    """Each character's classes are looked up once met: the first count fills the table in,
    the second reads it."""
    text = "Ünïcode ½ ² ٣ ǅ ﬁ _x\u200b\u0301 ‘quoted’ — 42 Straße"
    words = "".join(ch if ch.isalnum() or ch == "_" else " " for ch in text).split()
    expected = [
        len(words),
        sum(word[0].isupper() for word in words),
        sum(ch.isdecimal() for ch in text),
        sum(not (ch.isalnum() or ch == "_") and not ch.isspace() for ch in text),
    ]
    for _ in range(2):
        counts = line_features._char_counts(text, np.array([0]), np.array([len(text)]))
        assert counts[0].tolist() == expected


def weighted_anchors(text: str, sentences: list[str], limit: int) -> list[int]:
    """Anchors as first defined: every candidate weighed (quotations 4, figures 3, names 1 to
    2 by length), the heaviest kept."""
    found: dict[str, float] = {}
    for token in fingerprint._NUMBER.findall(text):
        number = fingerprint.normalise_number(token)
        if len(number.replace(".", "")) >= 2:
            found["#" + number] = 3.0
    for sentence in sentences:
        capitalised = fingerprint._CAPITALISED.findall(sentence)
        opens = bool(capitalised) and sentence.startswith(capitalised[0])
        for name in capitalised[1:] if opens else capitalised:
            found["@" + name.casefold()] = 1.0 + min(len(name.casefold()), 12) / 12
    for quote in fingerprint._QUOTED.findall(text):
        key = " ".join(w for w in fingerprint.words(quote) if w not in fingerprint.STOPWORDS)
        if key[:40]:
            found['"' + key[:40]] = 4.0
    ranked = sorted(found, key=lambda k: (-found[k], k))[:limit]
    return [xxhash.xxh3_64_intdigest(k.encode()) for k in ranked]


def test_anchors_keep_the_heaviest_whether_or_not_names_are_looked_for() -> None:
    """Names weigh least: they are looked for only when quotations and figures leave room."""
    texts = [case["text"] for cases in CASES.values() for case in cases]
    figures = " ".join(f"Unit {n} sold {n * 7}.{n} tonnes to Acme Corp." for n in range(10, 30))
    for text in [*texts, figures, f'He said "{figures}" and Maria Gonzalez-Smith agreed.']:
        sentences = split_sentences(text)
        for limit in (1, 3, 12, 40):
            assert fingerprint.anchors(text, sentences, limit) == weighted_anchors(
                text, sentences, limit
            )


def test_a_sentence_s_keys_are_pairs_of_its_lowest_ranked_stems() -> None:
    text = CASES["paraphrase_uncredited"][0]["text"]
    for sentence in split_sentences(text):
        tokens = fingerprint.words(sentence)
        stems = {stem for stem in map(fingerprint._content_stem, tokens) if stem is not None}
        low = sorted(stems, key=fingerprint._rank)[:4]
        pairs = [f"{a} {b}" for i, a in enumerate(low) for b in low[i + 1 :]]
        expected = [xxhash.xxh3_64_intdigest(p.encode()) for p in pairs] if len(stems) >= 4 else []
        found, keys = fingerprint.sketch_words(tokens, fingerprint.quoted(sentence), 4)
        assert keys == expected
        assert found == sketch(sentence)


def test_pairs_scored_alone_score_what_the_whole_matrix_gives_them() -> None:
    """The joined sentences are scored only for the pairs that can count: the same numbers."""
    ours = sketches("paraphrase_uncredited", 1)
    theirs = [*sketches("paraphrase_uncredited", 0), *sketches("near_copy", 0)]
    a, b = (
        sentence_scorer._sketch_bitmaps(tuple(ours)),
        sentence_scorer._sketch_bitmaps(tuple(theirs)),
    )
    model = sentence_scorer.builtin_model()
    every = model.pair_probabilities(a, b)
    rows, columns = np.nonzero(every >= 0.05)
    assert len(rows) and len(rows) < every.size
    assert model.probabilities_at(a, b, rows, columns).tolist() == every[rows, columns].tolist()


def test_pairs_bounded_first_score_what_the_whole_matrix_gives_them_above_a_threshold() -> None:
    """The rule scores only the pairs whose bound reaches its threshold: the same numbers at
    and above it, 0 below, for the built-in model and for weights of any sign."""
    ours = sketches("paraphrase_uncredited", 1) + sketches("near_copy", 1)
    theirs = [*sketches("paraphrase_uncredited", 0), *sketches("near_copy", 0)]
    a, b = (
        sentence_scorer._sketch_bitmaps(tuple(ours)),
        sentence_scorer._sketch_bitmaps(tuple(theirs)),
    )
    builtin = sentence_scorer.builtin_model()
    draw = np.random.default_rng(3)
    models = [builtin] + [
        sentence_scorer.SentenceModel(
            draw.normal(0, 2, len(builtin.weights)), float(draw.normal(0, 2)), 0.5
        )
        for _ in range(20)
    ]
    for model in models:
        every = model.pair_probabilities(a, b)
        for threshold in (0.05, 0.3, 0.5, 0.9, 1.0):
            expected = np.where(every >= threshold, every, 0.0)
            assert model.pair_probabilities_above(a, b, threshold).tolist() == expected.tolist()
    every = builtin.pair_probabilities(a, b)
    assert 0 < np.count_nonzero(every >= 0.3) < every.size


def test_sentences_end_where_a_look_behind_for_the_mark_ends_them() -> None:
    """The sentence pattern starts at the end mark it keeps; first written as a look-behind."""
    behind = regex.compile(
        rf"(?<=[.!?。！？][\"'”’)\]]?)(?<!\b(?:\p{{Lu}}\.)+|\b(?:{fingerprint._TITLES})\.)\s+"
        r"(?=[\"'“‘(\[]?\p{Lu}|\d)",
        regex.V1,
    )
    texts = [
        *(case["text"] for cases in CASES.values() for case in cases),
        'He left?! "Yes." (Then) 3 more. U.S. Rep. Omar spoke. J. Smith said so.) Next',
        "Wait... Really?” “Yes!” ‘No.’ [Fine.] End.  Two  spaces. Über alles. 。Ja。 Nein！ Gut",
        "A.B. Corp. rose. St. Louis won. Mr. X. left. e.g. this. Dr.No. Tail.",
    ]
    for text in texts:
        expected = [
            s.strip()
            for line in fingerprint.paragraphs(text)
            for s in behind.split(line)
            if s.strip()
        ]
        assert split_sentences(text) == expected


def test_fewer_than_two_pairs_at_the_threshold_align_as_they_are() -> None:
    scores = np.array([[0.1, 0.2, 0.05], [0.1, 0.65, 0.2]])
    assert align(scores, 0.7) == []
    assert align(scores, 0.3) == [(1, 1, 0.65)]
    scores[0, 0] = 0.5  # two pairs: the general path
    assert align(scores, 0.3) == [(0, 0, 0.5), (1, 1, 0.65)]
