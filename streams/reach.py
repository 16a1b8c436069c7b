"""Fail fast and in one line when the broker cannot be reached.

Kafka clients retry a dead bootstrap server for a long time (kafka-python waited 31.8 s, then
raised a 40-line traceback); a command run by hand or by an orchestrator should instead say
where it tried to connect and exit. A TCP connect to each bootstrap server answers that in
milliseconds for a refused port and within ``timeout`` for an address that does not answer.
"""

from __future__ import annotations

import socket

CONNECT_TIMEOUT_SECONDS = 5.0


class BrokerUnreachableError(Exception):
    """No bootstrap server accepted a connection."""


def require_broker(bootstrap: str, timeout: float = CONNECT_TIMEOUT_SECONDS) -> None:
    """Return when one of ``bootstrap``'s host:port entries accepts a TCP connection."""
    problems: list[str] = []
    for server in (s.strip() for s in bootstrap.split(",") if s.strip()):
        host, _, port = server.rpartition(":")
        if not host or not port.isdigit():
            raise BrokerUnreachableError(f"bad broker address {server!r}: expected host:port")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
                return
        except OSError as exc:
            problems.append(f"{server} ({exc.strerror or exc})")
    raise BrokerUnreachableError(
        "cannot reach the Kafka broker at " + ", ".join(problems or [repr(bootstrap)])
    )
