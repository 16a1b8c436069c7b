"""The worker's rule set: built from the settings at start, and reloaded when packs change.

The worker checks the files of ``COPYDESK_RULES`` every ``COPYDESK_RULES_RELOAD_SECONDS``. When
one changed, the packs are loaded again: a good set replaces the engine between two messages
(nothing is lost or processed twice; every output names its ``rules_version``), a broken one is
refused — its problems logged, ``copydesk_rules_reloads_total{result="refused"}`` counted — and
the running rules stay. Each worker watches its own files: workers that share a folder switch
within one interval of each other, and each record says which version it got.
"""

from __future__ import annotations

import logging

from copydesk.rules.engine import Engine, Limits
from copydesk.rules.loader import PackError, load_rules, pack_paths
from copydesk.streams import metrics
from copydesk.streams.settings import Settings

log = logging.getLogger(__name__)

Stamp = tuple[tuple[str, int, int], ...]


def build_engine(settings: Settings) -> Engine:
    """The engine for these settings (built-in packs, then ``COPYDESK_RULES``)."""
    ruleset = load_rules(settings.rules, builtin=settings.builtin_rules)
    engine = Engine(
        ruleset,
        Limits(
            max_body_chars=settings.max_body_chars,
            regex_timeout_seconds=settings.regex_timeout_seconds,
        ),
    )
    metrics.RULES.info({"version": engine.version, "packs": str(len(ruleset.packs))})
    metrics.RULE_COUNT.set(len(engine.rules))
    return engine


class RulesWatcher:
    """Holds the current engine and replaces it when the pack files change."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self._stamp = self._files_stamp()

    def _files_stamp(self) -> Stamp:
        stamp = []
        for path in pack_paths(p for p in self.settings.rules if p.exists()):
            try:
                info = path.stat()
            except OSError:
                continue
            stamp.append((str(path), info.st_mtime_ns, info.st_size))
        # A folder's own time changes when a pack is added or removed.
        for folder in (p for p in self.settings.rules if p.is_dir()):
            stamp.append((str(folder), folder.stat().st_mtime_ns, 0))
        return tuple(sorted(stamp))

    def check(self) -> bool:
        """Reload if the files changed; True when a new rule set took over."""
        stamp = self._files_stamp()
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        try:
            engine = build_engine(self.settings)
        except PackError as exc:
            for problem in exc.problems:
                log.error("rule pack refused, keeping rules %s: %s", self.engine.version, problem)
            metrics.RULE_RELOADS.labels(result="refused").inc()
            return False
        log.info("rules reloaded: %s -> %s", self.engine.version, engine.version)
        self.engine = engine
        metrics.RULE_RELOADS.labels(result="loaded").inc()
        return True
