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

The processes are forked from the filter once its engine is loaded, so they share its rules
rather than load them again (a second of CPU each), and each talks to the filter over a pair
of pipes of its own: a task is one message each way. ``concurrent.futures`` was measured
against this and dropped: its queues, threads and wake-ups cost about 0.36 ms of CPU a task
(two tasks an article), against 0.07 ms here, and on 2 cores that CPU is taken from the
work. The filter reads each process's results in the order it sent the tasks; a process reads
its pipe in a thread of its own, so the filter's writes never wait on a process that is
itself waiting for the filter to read.

Each process keeps what its rules write in memory (``OverlayStore``) over the ``--state`` file
as earlier runs left it; when the run ends it hands that back for the run's store. A process
that dies (killed, out of memory) takes with it what it learned in this run; a new one takes
its place, and each article it held is sent there again; the article a process was working on
when it died, if the one before it died on that article too, is rejected with the reason.
"""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import pickle
import queue
import signal
import threading
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Literal

import xxhash

from copydesk.rules.engine import Engine
from copydesk.rules.identity import publisher
from copydesk.rules.records import ArticleIn, ArticleOut
from copydesk.rules.state import OverlayStore, SqliteStore

Done = tuple[ArticleOut, dict[str, float]]  # the article, and the seconds spent by rule
Work = Literal["strip", "align", "written"]
Written = list[tuple[str, str, bytes | None]]  # (namespace, key, value or None: deleted)
STOP_SECONDS = 10
PIPE_BYTES = 1 << 20


class ProcessDiedError(RuntimeError):
    """Two filter processes died, one after the other, while working on the same article."""


def _serve(
    tasks: Connection,
    results: Connection,
    engine: Engine,
    state: Path | None,
    inherited: list[Connection],
) -> None:
    """A pool process: each task read, done, and its result (or the exception it raised) sent
    back, in the order read."""
    for connection in inherited:  # the filter's ends: held here, no pipe would ever close
        connection.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the filter's to handle
    store = OverlayStore(SqliteStore(state, read_only=True) if state else None)
    inbox: queue.SimpleQueue[tuple[Work, Any] | None] = queue.SimpleQueue()
    threading.Thread(target=_read, args=(tasks, inbox), daemon=True).start()
    while (task := inbox.get()) is not None:
        try:
            results.send((True, _done(engine, store, *task)))
        except Exception as exc:  # a rule's bug: the filter rejects the article with it
            results.send((False, _sendable(exc)))


def _done(engine: Engine, store: OverlayStore, work: Work, arg: Any) -> Done | Written:
    if work == "written":
        return store.written()
    out = engine.strip(arg, store) if work == "strip" else engine.align(arg)
    return out, engine.take_rule_seconds()


def _read(tasks: Connection, inbox: queue.SimpleQueue[tuple[Work, Any] | None]) -> None:
    """Moves each task from the pipe to ``inbox``; None there ends the process, at the filter's
    word, when the filter has gone, or when a task cannot be read (rather than leave the
    filter waiting for its answer: the filter sees the process end and sends the task again)."""
    try:
        while (task := tasks.recv()) is not None:
            inbox.put(task)
    except (EOFError, OSError):  # the filter has gone
        pass
    finally:
        inbox.put(None)


def _sendable(exc: Exception) -> Exception:
    """``exc`` if the filter can read it back (some exceptions cannot be rebuilt from their
    pickle), else one that says the same."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _widen(pipe: Connection) -> None:
    """A pipe that holds a whole HTML page (1 MiB where Linux allows it, 64 KiB by default):
    a process reads its pipe between the steps of its work, so the filter's write of a page
    need not wait for it."""
    if hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):  # over the system's limit: the default stays
            fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


class _Task:
    __slots__ = ("arg", "ok", "sent", "value", "work")

    def __init__(self, work: Work, arg: object) -> None:
        self.work, self.arg = work, arg
        self.sent = 0  # to how many processes
        self.ok: bool | None = None  # None: no result yet
        self.value: Any = None


class _Process:
    """One forked process, its two pipes, and the tasks sent to it that it has not answered,
    in the order sent."""

    def __init__(self, engine: Engine, state: Path | None, others: list[_Process]) -> None:
        context = multiprocessing.get_context("fork")
        tasks_in, self.tasks = context.Pipe(duplex=False)
        self.results, results_out = context.Pipe(duplex=False)
        for end in (self.tasks, self.results):
            _widen(end)
        inherited = [self.tasks, self.results]
        inherited += [end for other in others for end in (other.tasks, other.results)]
        self.process = context.Process(
            target=_serve, args=(tasks_in, results_out, engine, state, inherited), daemon=True
        )
        self.process.start()
        tasks_in.close()
        results_out.close()
        self.pending: deque[_Task] = deque()

    def send(self, task: _Task) -> None:
        self.pending.append(task)
        task.sent += 1
        self.tasks.send((task.work, task.arg))

    def stop(self) -> None:
        with contextlib.suppress(OSError):  # gone already
            self.tasks.send(None)
        self.process.join(STOP_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.tasks.close()
        self.results.close()


class StagePool:
    """``processes`` forked processes: an article is stripped by the one its publisher hashes
    to, and aligned by the next in turn."""

    def __init__(self, engine: Engine, processes: int, state: Path | None) -> None:
        """Forks the processes, which take ``engine`` as it is."""
        self._engine, self._state = engine, state
        self._processes: list[_Process] = []
        for _ in range(processes):
            self._processes.append(self._start())
        self._turn = 0

    def _start(self) -> _Process:
        return _Process(self._engine, self._state, self._processes)

    @property
    def pids(self) -> list[int | None]:
        """The processes' ids, as they are now (a process that died is replaced on next use)."""
        return [p.process.pid for p in self._processes]

    def __len__(self) -> int:
        return len(self._processes)

    def strip(self, article: ArticleIn) -> Callable[[], Done]:
        """Sends the article to be stripped; the call returned waits for it (and raises what
        stripping it raised)."""
        site = publisher(article.source, article.url)
        n = self._next() if site is None else xxhash.xxh32_intdigest(site.encode()) % len(self)
        return self._submit(n, "strip", article)

    def align(self, out: ArticleOut) -> Callable[[], Done]:
        """Sends a flagged article to be aligned; the call returned waits for it."""
        return self._submit(self._next(), "align", out)

    def _next(self) -> int:
        self._turn = (self._turn + 1) % len(self._processes)
        return self._turn

    def _submit(self, n: int, work: Work, arg: object) -> Callable[[], Any]:
        task = _Task(work, arg)
        try:
            self._processes[n].send(task)
        except OSError:  # its process died: a new one takes its place, and the task with it
            self._replace(n)
        return lambda: self._result(n, task)

    def _result(self, n: int, task: _Task) -> Any:
        while task.ok is None:
            process = self._processes[n]
            try:
                ok, value = process.results.recv()
            except (EOFError, OSError):  # it died: its tasks go to a new one
                self._replace(n)
                continue
            answered = process.pending.popleft()
            answered.ok, answered.value = ok, value
        if not task.ok:
            raise task.value
        return task.value

    def _replace(self, n: int) -> None:
        """A new process in place of the n-th, which died; the tasks it held go to the new
        one, but the one it was working on (it answers in order) if that one was in hand when
        another process died too: that article is taken for the cause."""
        dead = self._processes[n]
        dead.stop()
        self._processes[n] = self._start()
        held = list(dead.pending)
        if held and held[0].sent >= 2:
            cause = held.pop(0)
            cause.ok = False
            cause.value = ProcessDiedError(f"a filter process died twice during its {cause.work}")
        for task in held:
            # The new one died at once: the next look at it replaces it.
            with contextlib.suppress(OSError):
                self._processes[n].send(task)

    def close(self) -> Written:
        """Stops the processes; returns what their rules wrote to the state (None: deleted)."""
        written: Written = []
        for n in range(len(self._processes)):
            # A process that died takes what it learned: its replacement answers with nothing.
            with contextlib.suppress(ProcessDiedError):
                written += self._submit(n, "written", None)()
            self._processes[n].stop()
        return written
