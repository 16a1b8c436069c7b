"""The worker's state store: a changelog-backed Faust table behind ``rules.state.StateStore``.

Faust writes a table update to the changelog partition of the event being processed, so each
worker keeps the state of the partitions it owns and gets it back from the changelog after a
restart or rebalance.
"""

from __future__ import annotations

from typing import Any


class TableStore:
    def __init__(self, table: Any) -> None:
        self._table = table

    def get(self, namespace: str, key: str) -> bytes | None:
        value = self._table.get(f"{namespace}/{key}")
        return None if value is None else bytes(value)

    def put(self, namespace: str, key: str, value: bytes) -> None:
        self._table[f"{namespace}/{key}"] = value

    def delete(self, namespace: str, key: str) -> None:
        self._table.pop(f"{namespace}/{key}", None)


def create_state_table(app: Any, partitions: int) -> Any:
    # str keys and bytes values both travel with Faust's "raw" codec: the rule kinds own the
    # value encoding, and no JSON layer sits between them and the store.
    return app.Table(
        "state",
        partitions=partitions,
        key_type=str,
        value_type=bytes,
        help="copydesk rule state (duplicate signatures, learned chrome counts).",
    )
