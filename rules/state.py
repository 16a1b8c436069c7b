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
    """State in a SQLite file, so that successive ``copydesk filter`` runs remember each other."""

    generation = 0  # one process at a time: runs follow each other

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path)
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
