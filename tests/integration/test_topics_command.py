"""``copydesk topics create`` creates every topic a worker needs, with its partition count, and
leaves existing ones alone. (The local broker does not report topic configs, so that the
changelogs are created compacted is checked in tests/test_topics.py.)"""

from __future__ import annotations

import uuid

import pytest
from click.testing import CliRunner
from kafka import KafkaAdminClient

from copydesk.streams.broker import LocalBroker
from copydesk.streams.cli import main

pytestmark = pytest.mark.integration


def test_topics_create_makes_every_topic_with_its_partitions(
    broker: LocalBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_id = f"topics-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("COPYDESK_APP_ID", app_id)
    monkeypatch.setenv("COPYDESK_TOPIC_PARTITIONS", "3")
    for topic in ("raw", "clean", "findings", "dlq", "stripped", "candidates"):
        monkeypatch.setenv(f"COPYDESK_TOPIC_{topic.upper()}", f"{topic}-{app_id}")
    expected = {
        f"raw-{app_id}": 3,
        f"clean-{app_id}": 3,
        f"findings-{app_id}": 3,
        f"dlq-{app_id}": 3,
        f"stripped-{app_id}": 1,
        f"candidates-{app_id}": 3,
        f"{app_id}-state-changelog": 3,
        f"{app_id}-flag-state-changelog": 1,
        f"{app_id}-__assignor-__leader": 1,
    }

    first = CliRunner().invoke(main, ["topics", "create", "--broker", broker.bootstrap])
    assert first.exit_code == 0, first.output
    assert first.output.count("created") == len(expected)

    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        topics = admin.describe_topics(list(expected))
    finally:
        admin.close()
    assert {t["name"]: len(t["partitions"]) for t in topics} == expected

    again = CliRunner().invoke(main, ["topics", "create", "--broker", broker.bootstrap])
    assert again.exit_code == 0, again.output
    assert again.output.count("exists") == len(expected)
