from __future__ import annotations

from pathlib import Path

import pytest

from copydesk.streams.settings import Settings


def test_defaults_work_locally() -> None:
    settings = Settings()
    assert settings.broker_url() == "127.0.0.1:9092"
    assert settings.topic_raw == "articles.raw"


def test_environment_overrides_with_the_copydesk_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPYDESK_BROKER", "kafka://k1:9092,kafka://k2:9092")
    monkeypatch.setenv("COPYDESK_RULES", "site.yaml, packs/")
    monkeypatch.setenv("COPYDESK_TOPIC_PARTITIONS", "8")
    settings = Settings()
    assert settings.broker_url() == "k1:9092,k2:9092"
    assert settings.rules == [Path("site.yaml"), Path("packs")]
    assert settings.topic_partitions == 8


def test_a_bad_setting_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPYDESK_TOPIC_PARTITIONS", "zero")
    with pytest.raises(ValueError, match="topic_partitions"):
        Settings()
