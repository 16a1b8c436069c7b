"""The one interface through which stateful rule kinds (duplicates, learned boilerplate) keep
state. The worker backs it with Faust tables (``streams.tables``); the offline filter with
memory or a SQLite file. Values are bytes: each rule kind owns its encoding."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol


class StateStore(Protocol):
    @property
    def generation(self) -> int:
        """Changes when the content was replaced from outside (a worker's table recovered after a
        rebalance): in-memory views derived from the store must then be rebuilt."""
        ...

    def get(self, namespace: str, key: str) -> bytes | None: ...

    def put(self, namespace: str, key: str, value: bytes) -> None: ...

    def delete(self, namespace: str, key: str) -> None: ...

    def keys(self, namespace: str) -> Iterator[str]:
        """Every key of a namespace (for sweeping expired state; may be slow)."""
        ...


class MemoryStore:
    """State in a dict; gone when the process ends."""

    generation = 0  # only its user writes to it

    def __init__(self) -> None:
        self._data: dict[tuple[str, str], bytes] = {}

    def get(self, namespace: str, key: str) -> bytes | None:
        return self._data.get((namespace, key))

    def put(self, namespace: str, key: str, value: bytes) -> None:
        self._data[(namespace, key)] = value

    def delete(self, namespace: str, key: str) -> None:
        self._data.pop((namespace, key), None)

    def keys(self, namespace: str) -> Iterator[str]:
        return iter([k for ns, k in self._data if ns == namespace])

    def __len__(self) -> int:
        return len(self._data)

    def items(self) -> Iterator[tuple[tuple[str, str], bytes]]:
        return iter(self._data.items())


class SqliteStore:
    """State in a SQLite file, so that successive ``copydesk filter`` runs remember each other.
    One run writes it, committing when it closes; in write-ahead-log mode the processes of
    ``filter --processes`` read it meanwhile (``read_only``) without waiting for those writes and
    see what earlier runs committed."""

    generation = 0  # one writer at a time: runs follow each other

    def __init__(self, path: Path, read_only: bool = False) -> None:
        """``read_only``: the file as earlier runs left it (it must exist); ``put`` and
        ``delete`` fail."""
        if read_only:
            self._db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
            return
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS state ("
            " namespace TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,"
            " PRIMARY KEY (namespace, key))"
        )

    def get(self, namespace: str, key: str) -> bytes | None:
        row = self._db.execute(
            "SELECT value FROM state WHERE namespace = ? AND key = ?", (namespace, key)
        ).fetchone()
        return None if row is None else bytes(row[0])

    def put(self, namespace: str, key: str, value: bytes) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO state (namespace, key, value) VALUES (?, ?, ?)",
            (namespace, key, value),
        )

    def delete(self, namespace: str, key: str) -> None:
        self._db.execute("DELETE FROM state WHERE namespace = ? AND key = ?", (namespace, key))

    def keys(self, namespace: str) -> Iterator[str]:
        rows = self._db.execute("SELECT key FROM state WHERE namespace = ?", (namespace,))
        return iter([str(row[0]) for row in rows.fetchall()])

    def close(self) -> None:
        self._db.commit()
        self._db.close()


class OverlayStore:
    """Writes kept in memory over a store that is only read (or none): what one of
    ``filter --processes``' strip processes learns, handed back (``written``) for the run's
    own store when the run ends."""

    generation = 0

    def __init__(self, base: StateStore | None = None) -> None:
        self._base = base
        self._written: dict[tuple[str, str], bytes | None] = {}  # None: deleted

    def get(self, namespace: str, key: str) -> bytes | None:
        if (namespace, key) in self._written:
            return self._written[(namespace, key)]
        return None if self._base is None else self._base.get(namespace, key)

    def put(self, namespace: str, key: str, value: bytes) -> None:
        self._written[(namespace, key)] = value

    def delete(self, namespace: str, key: str) -> None:
        self._written[(namespace, key)] = None

    def keys(self, namespace: str) -> Iterator[str]:
        below = [] if self._base is None else list(self._base.keys(namespace))
        mine = {k: v for (ns, k), v in self._written.items() if ns == namespace}
        kept = [k for k, value in mine.items() if value is not None]
        return iter([*(k for k in below if k not in mine), *kept])

    def written(self) -> list[tuple[str, str, bytes | None]]:
        """What was put (a value) or deleted (None) since the store was made."""
        return [(ns, key, value) for (ns, key), value in self._written.items()]


class NoState:
    """The align stage's store: that stage has no state, so a rule that reaches for it there is
    a bug (what it needs of the shared state belongs in its ``look_up``)."""

    generation = 0

    def get(self, namespace: str, key: str) -> bytes | None:
        raise self._refused()

    def put(self, namespace: str, key: str, value: bytes) -> None:
        raise self._refused()

    def delete(self, namespace: str, key: str) -> None:
        raise self._refused()

    def keys(self, namespace: str) -> Iterator[str]:
        raise self._refused()

    @staticmethod
    def _refused() -> RuntimeError:
        return RuntimeError("the align stage has no state: look it up in the rule's look_up")
