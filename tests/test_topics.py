"""The topics ``copydesk topics create`` and the worker create are the ones the Faust app uses."""

from __future__ import annotations

from pathlib import Path

from copydesk.rules.engine import Engine
from copydesk.streams.app import create_app
from copydesk.streams.settings import Settings
from copydesk.streams.topics import required_topics


def test_the_changelogs_are_the_apps_tables_with_their_partitions(
    builtin_engine: Engine, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, topic_partitions=3, app_id="site-a")
    app = create_app(settings, builtin_engine)
    specs = {spec.name: spec for spec in required_topics(settings)}
    assert len(app.tables) == 2
    for table in app.tables.values():
        changelog = table.changelog_topic
        spec = specs[changelog.get_topic_name()]
        assert spec.partitions == table.partitions
        assert spec.compacted


def test_the_data_and_candidates_topics_have_the_settings_partitions_and_stripped_one() -> None:
    settings = Settings(topic_partitions=6)
    specs = {spec.name: spec for spec in required_topics(settings)}
    assert {
        specs[name].partitions for name in ("articles.raw", "articles.candidates", "articles.clean")
    } == {6}
    assert specs["articles.stripped"].partitions == 1
    assert not specs["articles.raw"].compacted
