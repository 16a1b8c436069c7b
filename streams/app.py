"""The Faust application: settings in, an app with its topics, state table, agent and
``/metrics`` page out. Importing this module has no side effects."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

import faust
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from copydesk.rules.engine import Engine
from copydesk.streams import metrics
from copydesk.streams.agents import register_agents
from copydesk.streams.feed import create_missing
from copydesk.streams.progress import Progress
from copydesk.streams.rulesets import RulesWatcher, build_engine
from copydesk.streams.settings import Settings
from copydesk.streams.tables import TableStore, create_table
from copydesk.streams.topics import FLAG_TABLE, STRIP_TABLE, declare_topics, required_topics

log = logging.getLogger(__name__)

FAUST_FETCH_WAIT_MS = 1500  # what Faust passes to aiokafka, with no setting to change it
EXIT_STOP_TIMEOUT = 2  # the worker did not stop in time and exited without a last commit


class BoundedStopWorker(faust.Worker):
    """A Faust worker that exits at most ``stop_timeout`` seconds after SIGTERM or Ctrl-C.

    A worker whose topic vanished (a broker that came back empty) retries its last offset
    commit forever (UnknownTopicOrPartitionError) and never stops; an orchestrator would kill
    it. Exiting without that commit is safe: the inputs past the last commit are processed again.
    """

    stop_timeout: float = 20.0

    def _on_sigterm(self) -> None:
        self._arm_deadline()
        super()._on_sigterm()

    def _on_sigint(self) -> None:
        self._arm_deadline()
        super()._on_sigint()

    def _arm_deadline(self) -> None:
        def give_up() -> None:
            log.error("not stopped after %.0f s: exiting without a last commit", self.stop_timeout)
            logging.shutdown()
            os._exit(EXIT_STOP_TIMEOUT)

        deadline = threading.Timer(self.stop_timeout, give_up)
        deadline.daemon = True
        deadline.start()


def faust_app(settings: Settings) -> faust.App:
    """The Faust application with every broker, group and web setting, and nothing on it yet
    (``bench.passthrough`` puts a no-op agent on the same one)."""
    stop_timeout = settings.stop_timeout_seconds
    app = faust.App(
        settings.app_id,
        broker=settings.broker,
        store=settings.table_store,
        datadir=str(settings.data_dir),
        autodiscover=False,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication,
        consumer_auto_offset_reset="earliest",  # a new group reads what is there: nothing skipped
        broker_session_timeout=settings.session_timeout_seconds,
        broker_heartbeat_interval=settings.heartbeat_interval_seconds,
        broker_rebalance_timeout=settings.rebalance_timeout_seconds,
        consumer_group_instance_id=settings.group_instance_id,
        recovery_consistency_check=settings.recovery_consistency_check,
        producer_compression_type=None if settings.compression == "none" else settings.compression,
        producer_max_request_size=settings.producer_max_request_bytes,
        producer_request_timeout=settings.producer_request_timeout_seconds,
        web_host=settings.web_host,
        web_bind=settings.web_host,
        web_port=settings.web_port,
        web_enabled=True,
        Worker=type("Worker", (BoundedStopWorker,), {"stop_timeout": stop_timeout}),
    )
    if settings.fetch_wait_ms != FAUST_FETCH_WAIT_MS:
        _set_fetch_wait(app, settings.fetch_wait_ms)
    return app


def _set_fetch_wait(app: faust.App, milliseconds: int) -> None:
    """Make the worker's consumer wait at most ``milliseconds`` per fetch.

    Faust builds its aiokafka consumer with a fixed ``fetch_max_wait_ms=1500`` and no setting,
    so this sets aiokafka's fetcher once the consumer thread has started it (the fetcher reads
    the value for each fetch request). ``tests/integration/test_latency.py`` fails if this stops
    working after a Faust or aiokafka upgrade; the worker logs an error and keeps Faust's wait if
    the attributes are gone.
    """

    @app.task  # type: ignore[untyped-decorator]
    async def shorten_fetch_wait() -> None:
        for _ in range(600):  # the consumer starts within seconds; give up after a minute
            thread = getattr(app.consumer, "_thread", None)
            fetcher = getattr(getattr(thread, "_consumer", None), "_fetcher", None)
            if fetcher is not None and hasattr(fetcher, "_fetch_max_wait_ms"):
                fetcher._fetch_max_wait_ms = milliseconds
                return
            await asyncio.sleep(0.1)
        log.error(
            "could not set the fetch wait to %d ms: Faust's %d ms stays",
            milliseconds,
            FAUST_FETCH_WAIT_MS,
        )


def create_app(settings: Settings, engine: Engine | None = None) -> Any:
    engine = engine or build_engine(settings)
    app = faust_app(settings)
    topics = declare_topics(app, settings)
    strip_state = TableStore(
        create_table(app, STRIP_TABLE, settings.topic_partitions, "Strip-stage rule state.")
    )
    flag_table = create_table(app, FLAG_TABLE, 1, "The duplicate index.")
    flag_tables = TableStore(flag_table)
    # Counts the duplicate index for copydesk_state_entries/bytes{stage="flag"}; seeded from
    # the table's active partition (after recovery), re-seeded after each rebalance.
    flag_state = metrics.CountingStore(
        flag_tables, "flag", lambda: [bytes(v) for v in flag_table.values()]
    )
    rules = RulesWatcher(settings, engine)
    progress = Progress(settings.stall_seconds)
    register_agents(app, topics, strip_state, flag_state, rules, settings, progress)
    if settings.rules and settings.rules_reload_seconds > 0:

        @app.timer(interval=settings.rules_reload_seconds)  # type: ignore[untyped-decorator]
        async def reload_rules() -> None:
            rules.check()

    if settings.topics_check_seconds > 0:

        @app.timer(interval=settings.topics_check_seconds)  # type: ignore[untyped-decorator]
        async def recreate_missing_topics() -> None:
            await restore_topics(settings)

    consumed = {settings.topic_raw, settings.topic_stripped, settings.topic_candidates}

    def stalled_partitions() -> list[str]:
        stalled = progress.stalled(waiting_input(app.consumer, consumed, progress))
        metrics.STALLED_PARTITIONS.set(len(stalled))
        return sorted(f"{tp.topic}:{tp.partition}" for tp in stalled)

    async def forget_state_counts(sender: Any, *args: Any, **kwargs: Any) -> None:
        flag_state.invalidate()  # whoever owns the duplicate index now re-seeds the counts

    # mode types the handler as a union of callables that mypy cannot match an async def to.
    app.on_partitions_revoked.connect(forget_state_counts)  # type: ignore[arg-type]

    async def hold_fetching_until_seeked(sender: Any, *args: Any, **kwargs: Any) -> None:
        """Keep the consumer's flow stopped while Faust finishes a rebalance.

        After recovering the tables Faust resumes the stream partitions and seeks them to the
        committed offsets while the flow it opened for the changelogs is still running, and only
        then resumes flow control, which empties the agents' queues. Records fetched in that
        window were handed to the agents and counted as read, so those still queued were
        dropped and never fetched again: the worker taking over skipped a few records and its
        commits stuck below the hole (faust-streaming issue 596). Faust sends this signal just
        before that window and resumes the consumer's flow itself once the seek is done.
        """
        app.consumer.stop_flow()

    app.on_rebalance_complete.connect(hold_fetching_until_seeked)  # type: ignore[arg-type]

    async def rebuild_derived_state(sender: Any, *args: Any, **kwargs: Any) -> None:
        # Sent once the tables are recovered and before any event of the new assignment.
        flag_tables.recovered()

    app.on_rebalance_complete.connect(rebuild_derived_state)  # type: ignore[arg-type]

    @app.page("/metrics")
    async def prometheus_metrics(web: Any, request: Any) -> Any:
        metrics.WORKER_UP.set(1)
        metrics.update_consumer_lag(app.consumer, consumed)
        stalled_partitions()
        return web.bytes(generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    @app.page("/health")
    async def health(web: Any, request: Any) -> Any:
        """200 with what this worker holds while it runs; 503 once it is stopping or crashed,
        or while a partition is stalled (input waiting, no progress for COPYDESK_STALL_SECONDS)."""
        crashed = bool(getattr(app, "crashed", False))
        stopping = bool(getattr(app, "should_stop", False))
        try:
            assigned = sorted(
                f"{tp.topic}:{tp.partition}"
                for tp in app.consumer.assignment()
                if tp.topic in consumed
            )
        except Exception:
            assigned = []
        stalled = stalled_partitions()
        status = "unavailable" if crashed or stopping else "stalled" if stalled else "ok"
        body = {
            "status": status,
            "rules_version": rules.engine.version,
            "assigned_partitions": assigned,
            "stalled_partitions": stalled,
        }
        return web.json(body, status=200 if status == "ok" else 503)

    return app


def waiting_input(consumer: Any, topics: set[str], progress: Progress) -> dict[Any, bool]:
    """Each assigned partition of ``topics`` -> whether input waits on it: records read and
    not acked, or records on the broker past what was acked (else committed)."""
    try:
        assigned = [tp for tp in consumer.assignment() if tp.topic in topics]
    except Exception:  # not started or shutting down
        return {}
    return {tp: progress.in_flight(tp) or bool(progress.behind(consumer, tp)) for tp in assigned}


async def restore_topics(settings: Settings) -> None:
    """Create the topics the worker needs that the broker lost (an empty broker after a restart,
    a re-created cluster). Off the event loop: the admin client blocks."""
    loop = asyncio.get_running_loop()
    try:
        created = await loop.run_in_executor(
            None,
            create_missing,
            settings.broker_url(),
            required_topics(settings),
            settings.topic_replication,
        )
    except Exception as exc:  # the broker is away: the next check tries again
        log.warning("could not check the broker's topics: %r", exc)
        return
    if created:
        log.warning("the broker had lost these topics; created again: %s", ", ".join(created))
