"""``copydesk filter --processes N``: the strip and align stages in N processes; the flag stage
in the filter's own, in input order, as the worker splits its agents.

The strip stage (extraction, the strip rules, credits, quotations, the duplicate sketches) is
most of an article's work and needs no state that every article shares: the one state it
keeps, the lines a site repeats (learned chrome), is kept per publisher. So each article goes
to the process that owns its publisher (``identity.publisher``; articles without one take the
processes in turn), which sees that publisher's articles in input order as a single process
would. The flag stage (the duplicate index, which every article must meet in order) runs in
the filter's process; the align stage (scoring the candidates the index gave, no state) in
the processes again, in turn. The output is the same as with one process, in input order.

Each process builds its own engine from the same settings, and keeps what its rules write in
memory (``OverlayStore``) over the ``--state`` file as earlier runs left it; when the run ends
it hands that back for the run's store. A process that dies (killed, out of memory) takes with
it what it learned in this run; a new process takes its place, and each article it held is
sent there once more (an article that kills that one too is rejected with the reason).
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TypeVar

import xxhash

from copydesk.rules.engine import Engine
from copydesk.rules.identity import publisher
from copydesk.rules.loader import PackError
from copydesk.rules.records import ArticleIn, ArticleOut
from copydesk.rules.state import OverlayStore, SqliteStore
from copydesk.streams.settings import Settings

Done = tuple[ArticleOut, dict[str, float]]  # the article, and the seconds spent by rule
T = TypeVar("T")


class _Process:
    """A pool process's engine and store, made by ``_start`` (the pool's initializer); or why
    the rules did not load (the filter, which loads them too, says so and stops)."""

    engine: Engine | PackError
    store: OverlayStore

    @classmethod
    def ready(cls) -> Engine:
        if isinstance(cls.engine, PackError):
            raise RuntimeError(f"the rules did not load in a filter process: {cls.engine}")
        return cls.engine


def _start(settings: Settings, state: Path | None) -> None:
    from copydesk.streams.rulesets import build_engine

    try:
        _Process.engine = build_engine(settings)
    except PackError as exc:  # not raised here: a pool prints what its initializer raises
        _Process.engine = exc
    _Process.store = OverlayStore(SqliteStore(state, read_only=True) if state else None)


def _strip(article: ArticleIn) -> Done:
    engine = _Process.ready()
    return engine.strip(article, _Process.store), engine.take_rule_seconds()


def _align(out: ArticleOut) -> Done:
    engine = _Process.ready()
    return engine.align(out), engine.take_rule_seconds()


def _written() -> list[tuple[str, str, bytes | None]]:
    return _Process.store.written()


class StagePool:
    """``processes`` single-process pools: an article is stripped by the one its publisher
    hashes to, and aligned by the next in turn."""

    def __init__(self, settings: Settings, processes: int, state: Path | None) -> None:
        """Starts the processes, each loading the rules (about a second)."""
        self._args = (settings, state)
        self._pools = [self._pool() for _ in range(processes)]
        for pool in self._pools:
            pool.submit(int)  # a pool starts its process at the first task
        self._turn = 0

    def _pool(self) -> ProcessPoolExecutor:
        # Not forked from this process, whose pools run threads (a fork copies their locks), but
        # from a server that imports the engine once for all of them.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return ProcessPoolExecutor(1, context, initializer=_start, initargs=self._args)

    def strip(self, article: ArticleIn) -> Callable[[], Done]:
        """Sends the article to be stripped; the call returned waits for it (and raises what
        stripping it raised)."""
        site = publisher(article.source, article.url)
        n = self._next() if site is None else xxhash.xxh32_intdigest(site.encode()) % len(self)
        return self._submit(n, _strip, article)

    def align(self, out: ArticleOut) -> Callable[[], Done]:
        """Sends a flagged article to be aligned; the call returned waits for it."""
        return self._submit(self._next(), _align, out)

    def __len__(self) -> int:
        return len(self._pools)

    def _next(self) -> int:
        self._turn = (self._turn + 1) % len(self._pools)
        return self._turn

    def _submit(self, n: int, work: Callable[[T], Done], arg: T) -> Callable[[], Done]:
        future = self._sent(n, work, arg)

        def result() -> Done:
            try:
                return future.result()
            except BrokenProcessPool:  # it died with the article in hand: once more, anew
                return self._sent(n, work, arg).result()

        return result

    def _sent(self, n: int, work: Callable[[T], Done], arg: T) -> Future[Done]:
        try:
            return self._pools[n].submit(work, arg)
        except BrokenProcessPool:  # its process died: a new one takes its place
            self._pools[n] = self._pool()
            return self._pools[n].submit(work, arg)

    def close(self) -> list[tuple[str, str, bytes | None]]:
        """Stops the processes; returns what their rules wrote to the state (None: deleted)."""
        written: list[tuple[str, str, bytes | None]] = []
        for pool in self._pools:
            with contextlib.suppress(BrokenProcessPool):  # died: what it learned is lost
                written += pool.submit(_written).result()
            pool.shutdown()
        return written
