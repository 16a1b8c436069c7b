"""The worker's state: Faust tables behind ``rules.state.StateStore``.

Faust writes a table update to the changelog partition of the event being processed and reads
from that partition's store, so each table is co-partitioned with the topic its agent reads:

- ``state`` (as many partitions as the raw topic): the strip stage's state (learned chrome),
  kept per partition;
- ``flag-state`` (one partition, like the stripped topic): the duplicate index's fingerprints,
  which must see every article (its buckets are rebuilt from them in memory, see
  ``rules.duplicate_index``).

After a restart or rebalance a worker gets both back from their changelog topics.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class TableStore:
    def __init__(self, table: Any) -> None:
        self._table = table
        self.generation = 0

    def recovered(self) -> None:
        """Called after a rebalance, once Faust has recovered the table: what this worker holds
        may have changed, so views derived from it are rebuilt."""
        self.generation += 1

    def get(self, namespace: str, key: str) -> bytes | None:
        value = self._table.get(f"{namespace}/{key}")
        return None if value is None else bytes(value)

    def put(self, namespace: str, key: str, value: bytes) -> None:
        self._table[f"{namespace}/{key}"] = value

    def delete(self, namespace: str, key: str) -> None:
        self._table.pop(f"{namespace}/{key}", None)

    def keys(self, namespace: str) -> Iterator[str]:
        prefix = f"{namespace}/"
        # Keys recovered from the changelog may come back as bytes.
        names = [k.decode() if isinstance(k, bytes) else str(k) for k in self._table]
        return iter([name[len(prefix) :] for name in names if name.startswith(prefix)])


def create_table(app: Any, name: str, partitions: int, help: str) -> Any:
    # str keys and bytes values both travel with Faust's "raw" codec: the rule kinds own the
    # value encoding, and no JSON layer sits between them and the store.
    return app.Table(name, partitions=partitions, key_type=str, value_type=bytes, help=help)
