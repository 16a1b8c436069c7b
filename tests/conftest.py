from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from copydesk.rules.engine import Engine
from copydesk.rules.loader import RuleSet, load_rules
from copydesk.rules.records import Span
from copydesk.rules.schema import Pack
from copydesk.rules.state import MemoryStore
from copydesk.streams.broker import LocalBroker, start_broker

SHARED = Path(__file__).resolve().parents[2] / "shared"

# A valid rule as it stands in a pack's `rules:` list; tests break it one field at a time.
SHARE_PROMPT_RULE = """\
  - id: share-prompt
    kind: line-pattern
    message: Share prompt removed
    description: Share prompts.
    patterns: ['^share this$']
    examples:
      trigger: ["share this\\nbody"]
      ignore: ["body"]
"""

# The property tests assert behaviour, not speed: on a loaded 2-core CI machine Hypothesis'
# timing checks (per-example deadline, slow input generation) fail for no fault of the code.
settings.register_profile("copydesk", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("copydesk")


@pytest.fixture(scope="session")
def builtin_engine() -> Engine:
    return Engine(load_rules())


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


def engine_for(*rules: dict[str, object]) -> Engine:
    """An engine running only the given rule specs (as they would be written in YAML)."""
    return Engine(RuleSet((Pack.model_validate({"pack": "test", "rules": list(rules)}),), ()))


def body_less_removed(body: str, removed: list[Span]) -> str:
    """``body`` without the ``removed`` spans (each checked to hold its own text): what an
    output's ``text`` must be."""
    kept, at = [], 0
    for span in removed:
        assert body[span.start : span.end] == span.text
        kept.append(body[at : span.start])
        at = span.end
    kept.append(body[at:])
    return "".join(kept)


def rule(kind: str, **params: object) -> dict[str, object]:
    """A rule spec with the required boilerplate filled in."""
    return {
        "id": params.pop("id", "test-rule"),
        "kind": kind,
        "message": "test",
        "description": "test",
        "examples": {"trigger": ["x"], "ignore": ["y"]},
        **params,
    }


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    """A real local Kafka-compatible broker for the whole test session."""
    log = tmp_path_factory.mktemp("broker") / "broker.log"
    running = start_broker(log=log)
    yield running
    running.stop()


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"needs the project's shared data at {SHARED} (not part of a clone)")
    return SHARED
