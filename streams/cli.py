"""The ``copydesk`` command.

Only click is imported up front: each command imports what it needs when it runs, so that
``copydesk --help`` does not load the rule engine, pydantic or a Kafka client.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from copydesk.rules.state import StateStore
    from copydesk.streams.settings import Settings
    from copydesk.streams.stage_pool import StagePool

EXIT_REJECTED = 3

# `filter` and `explain` read a .txt the same way, so one file gives one result.
TITLE_LINE_OPTION = click.option(
    "--title-line/--no-title-line",
    default=True,
    show_default=True,
    help="For .txt inputs, take the first non-empty line as the title.",
)
RULES_OPTION = click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Extra rule pack file or folder (repeatable).",
)

BROKER_OPTION = click.option(
    "--broker",
    metavar="URL",
    help="Kafka bootstrap servers, e.g. kafka://kafka:9092 (default: COPYDESK_BROKER).",
)


def _settings(
    rules: tuple[Path, ...] = (), no_builtin: bool = False, broker: str | None = None
) -> Settings:
    from pydantic import ValidationError

    from copydesk.streams.settings import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        raise click.ClickException(f"bad COPYDESK_* setting: {exc}") from None
    if broker:
        settings.broker = broker
    if rules:
        settings.rules = [*settings.rules, *rules]
    if no_builtin:
        settings.builtin_rules = False
    return settings


def _reachable(settings: Settings) -> str:
    """The broker's host:port list, once one of them accepts a connection; else exit 1."""
    from copydesk.streams.reach import BrokerUnreachableError, require_broker

    try:
        require_broker(settings.broker_url())
    except BrokerUnreachableError as exc:
        raise click.ClickException(str(exc)) from None
    return settings.broker_url()


def _engine_or_exit(settings: Settings) -> Any:
    from copydesk.rules.loader import PackError
    from copydesk.streams.rulesets import build_engine

    try:
        return build_engine(settings)
    except PackError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s) in rule packs; refusing to start.", err=True)
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="copydesk", prog_name="copydesk")
def main() -> None:
    """copydesk: a streaming content-quality filter for news and web articles."""


@main.command()
@BROKER_OPTION
@click.option("--loglevel", default="info", show_default=True)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one JSON object per log line on stderr, for log collectors.",
)
def worker(broker: str | None, loglevel: str, log_format: str) -> None:
    """Run a Faust worker: articles.raw -> articles.clean / .findings / .dlq.

    Creates the topics it needs that the broker lacks (changelogs included), and checks again
    every COPYDESK_TOPICS_CHECK_SECONDS. Exits with one line when no bootstrap server accepts a
    connection (an orchestrator restarts it), rather than retrying out of sight.
    """
    from kafka.errors import KafkaError

    from copydesk.streams.app import create_app
    from copydesk.streams.feed import create_missing
    from copydesk.streams.logs import json_logging_config
    from copydesk.streams.topics import required_topics

    settings = _settings(broker=broker)
    try:
        create_missing(_reachable(settings), required_topics(settings), settings.topic_replication)
    except KafkaError as exc:  # e.g. no right to create topics: they may all exist
        click.echo(f"warning: could not create the missing topics ({exc}); starting", err=True)
    app = create_app(settings, _engine_or_exit(settings))
    if log_format == "json":
        app.Worker(
            loglevel=loglevel, quiet=True, logging_config=json_logging_config(loglevel)
        ).execute_from_commandline()
    else:
        app.Worker(loglevel=loglevel).execute_from_commandline()


@main.command(name="filter")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", default="-", show_default=True, help="JSONL output, - for stdout.")
@click.option("--rejects", type=click.Path(path_type=Path), help="Where unreadable inputs go.")
@click.option("--findings-only", is_flag=True, help="Write only articles with findings.")
@RULES_OPTION
@click.option("--no-builtin", is_flag=True, help="Do not load the built-in packs.")
@click.option(
    "--state",
    type=click.Path(path_type=Path),
    help="SQLite file that keeps rule state between runs (default: memory).",
)
@TITLE_LINE_OPTION
@click.option(
    "--metrics-file",
    type=click.Path(path_type=Path),
    help="Write the run's metrics as a Prometheus textfile.",
)
@click.option(
    "-j",
    "--processes",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Processes that strip and align articles (most of the work; the duplicate index"
    " stays in one); 0: one per core. The output is the same.",
)
def filter_command(
    inputs: tuple[str, ...],
    output: str,
    rejects: Path | None,
    findings_only: bool,
    rules: tuple[Path, ...],
    no_builtin: bool,
    state: Path | None,
    title_line: bool,
    metrics_file: Path | None,
    processes: int,
) -> None:
    """Run the rules over JSONL, .txt or .html files (- for stdin); output in input order.

    Unreadable inputs go to the rejects file (default: OUTPUT.rejects.jsonl, or stderr when
    writing to stdout) and the exit code is 3.
    """
    from multiprocessing import get_all_start_methods

    from copydesk.rules.state import MemoryStore, SqliteStore
    from copydesk.streams.offline import (
        AHEAD_PER_PROCESS,
        LIVE_AHEAD_PER_PROCESS,
        read_inputs,
        run_filter,
    )
    from copydesk.streams.stage_pool import StagePool

    settings = _settings(rules, no_builtin)
    for name in inputs:
        if name != "-" and not Path(name).is_file():
            raise click.BadParameter(f"no such file: {name}", param_hint="INPUTS")
    store: StateStore = SqliteStore(state) if state else MemoryStore()
    processes = processes or os.cpu_count() or 1
    if processes > 1 and "fork" not in get_all_start_methods():
        raise click.BadParameter("needs a system that can fork (not Windows)", param_hint="-j")
    if rejects is None and output != "-":
        rejects = Path(output + ".rejects.jsonl")
    with contextlib.ExitStack() as stack:
        engine = _engine_or_exit(settings)
        pool = None
        if processes > 1:  # forked from this one: they take its rules as loaded
            pool = StagePool(engine, processes, state)
            stack.callback(_keep_learned, pool, store)
        out: IO[str] = (
            sys.stdout
            if output == "-"
            else stack.enter_context(open(output, "w", encoding="utf-8"))
        )
        opened: list[IO[str]] = []

        def reject(line: str) -> None:
            # The rejects file is made by the first reject: a clean run leaves none behind.
            if rejects is None:
                print(line, file=sys.stderr)
                return
            if not opened:
                opened.append(stack.enter_context(open(rejects, "w", encoding="utf-8")))
            print(line, file=opened[0])

        items = read_inputs(list(inputs), sys.stdin.buffer, title_line, settings.max_record_bytes)
        if sys.stderr.isatty():  # tqdm's import costs a fifth of a second: only for a person
            from tqdm import tqdm

            items = iter(tqdm(items, unit=" articles", file=sys.stderr))
        summary = run_filter(
            engine,
            store,
            items,
            write=lambda line: print(line, file=out),
            reject=reject,
            findings_only=findings_only,
            pool=pool,
            ahead_per_process=LIVE_AHEAD_PER_PROCESS if "-" in inputs else AHEAD_PER_PROCESS,
        )
    if isinstance(store, SqliteStore):
        store.close()
    if metrics_file:
        from prometheus_client import REGISTRY, write_to_textfile

        write_to_textfile(str(metrics_file), REGISTRY)
    click.echo(
        f"read {summary.read}, written {summary.written}, flagged {summary.flagged}, "
        + (f"late findings {summary.late}, " if summary.late else "")
        + f"rejected {summary.rejected} (rules {engine.version})",
        err=True,
    )
    for rule, count in sorted(summary.findings.items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"  {count:6d}  {rule}", err=True)
    if summary.rejected:
        where = rejects or "stderr"
        click.echo(f"{summary.rejected} input(s) rejected, see {where}", err=True)
        sys.exit(EXIT_REJECTED)


def _keep_learned(pool: StagePool, store: StateStore) -> None:
    """Stops the pool's processes; what their rules wrote goes to the run's store."""
    for namespace, key, value in pool.close():
        if value is None:
            store.delete(namespace, key)
        else:
            store.put(namespace, key, value)


@main.command()
@click.argument("which", type=click.Choice(["input", "output", "late", "pack"]), required=False)
def schema(which: str | None) -> None:
    """Print the JSON Schemas of the records and of rule packs."""
    from copydesk.rules.records import ArticleIn, ArticleOut, LateFinding
    from copydesk.rules.schema import Pack

    schemas = {
        "input": ArticleIn.model_json_schema(),
        # As written: what a record holds, not what the model would accept.
        "output": ArticleOut.model_json_schema(mode="serialization"),
        "late": LateFinding.model_json_schema(mode="serialization"),
        "pack": Pack.model_json_schema(),
    }
    click.echo(json.dumps(schemas[which] if which else schemas, indent=2))


@main.command()
@click.option("--port", default=9092, show_default=True)
def broker(port: int) -> None:
    """Run the local Kafka-compatible broker (Tansu, in memory) on 127.0.0.1 until Ctrl-C."""
    from copydesk.streams.broker import BrokerUnavailableError, start_broker

    try:
        running = start_broker(port)
    except BrokerUnavailableError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"local broker on {running.url} (in memory: data is lost when it stops)")
    try:
        running.process.wait()
    except KeyboardInterrupt:
        running.stop()


@main.command()
@click.argument(
    "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False
)
@click.option("--topic", help="Default: COPYDESK_TOPIC_RAW.")
@click.option("--key", help="Record key for every line (one partition, order kept).")
@BROKER_OPTION
def produce(path: Path | None, topic: str | None, key: str | None, broker: str | None) -> None:
    """Send each line of a JSONL file (default: the bundled sample feed), byte for byte, to the
    raw topic."""
    from kafka.errors import KafkaError

    from copydesk.streams.feed import produce_lines, sample_feed_path

    settings = _settings(broker=broker)
    topic = topic or settings.topic_raw
    data = (path or sample_feed_path()).read_bytes()
    try:
        count = produce_lines(_reachable(settings), topic, data, key.encode() if key else None)
    except KafkaError as exc:
        raise click.ClickException(f"producing to {topic} failed: {exc}") from None
    click.echo(f"sent {count} records to {topic}")


@main.command()
@click.argument("topic")
@click.option("-n", "--lines", "last", default=10, show_default=True, help="Latest N records.")
@click.option("-f", "--follow", is_flag=True, help="Then print new records until Ctrl-C.")
@click.option("--keys", is_flag=True, help="Print envelopes with each record's key.")
@click.option("--headers", is_flag=True, help="Print envelopes with each record's headers.")
@BROKER_OPTION
def tail(
    topic: str, last: int, follow: bool, keys: bool, headers: bool, broker: str | None
) -> None:
    """Print the latest records of TOPIC as JSON lines (the value, or an envelope with the
    key, headers, partition, offset and timestamp)."""
    from kafka.errors import KafkaError

    from copydesk.streams.tail import NoSuchTopicError, render
    from copydesk.streams.tail import tail as read_tail

    settings = _settings(broker=broker)
    bootstrap = _reachable(settings)

    def write(record: Any) -> None:
        click.echo(render(record, keys, headers))

    try:
        read_tail(bootstrap, topic, max(last, 0), follow, write)
    except (NoSuchTopicError, KafkaError) as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        pass


@main.command()
@click.option("--port", default=9092, show_default=True, help="Local broker port.")
@click.option("--web-port", default=6066, show_default=True, help="Worker metrics port.")
@click.option(
    "--feed",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSONL feed to replay (default: the bundled sample feed).",
)
def run(port: int, web_port: int, feed: Path | None) -> None:
    """Start the local broker and a worker, replay a feed and show a live summary."""
    from copydesk.streams.demo import run_demo

    sys.exit(run_demo(_settings(), port, web_port, feed))


@main.group(name="topics")
def topics_group() -> None:
    """The broker's topics."""


@topics_group.command(name="create")
@BROKER_OPTION
def topics_create(broker: str | None) -> None:
    """Create every topic copydesk needs that the broker lacks, with its partition count: the
    input and output topics, the internal articles.stripped and articles.candidates, and the
    tables' changelogs (after a broker came back empty, or on a new cluster)."""
    from kafka.errors import KafkaError

    from copydesk.streams.feed import create_missing
    from copydesk.streams.topics import required_topics

    settings = _settings(broker=broker)
    specs = required_topics(settings)
    try:
        created = set(create_missing(_reachable(settings), specs, settings.topic_replication))
    except KafkaError as exc:
        raise click.ClickException(f"could not create the topics: {exc}") from None
    for spec in specs:
        state = "created" if spec.name in created else "exists"
        click.echo(f"{spec.name:<40} {spec.partitions:>3} partition(s)  {state}")


@main.group(name="rules")
def rules_group() -> None:
    """Check and test rule packs."""


def _pack_files(paths: tuple[Path, ...]) -> list[Path]:
    """The given packs, or the built-in ones when none are given."""
    from copydesk.rules.loader import builtin_pack_paths

    return list(paths) if paths else builtin_pack_paths()


@rules_group.command(name="check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def check_command(paths: tuple[Path, ...]) -> None:
    """Validate packs (default: the built-in ones); report every error at once.

    Exit 1 when a pack has errors. Warnings (slow regexes, patterns two rules share) do not
    change the exit code.
    """
    from copydesk.rules.loader import PackError, load_rules, pack_paths
    from copydesk.streams.authoring import lint

    files = _pack_files(paths)
    try:
        ruleset = load_rules(files, builtin=False)
    except PackError as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        click.echo(f"{len(exc.problems)} error(s) in {len(pack_paths(files))} pack(s)")
        sys.exit(1)
    warnings = lint(ruleset)
    for warning in warnings:
        click.echo(str(warning))
    click.echo(
        f"{len(ruleset.rules)} rules in {len(ruleset.packs)} pack(s) OK, {len(warnings)}"
        f" warning(s); rules version {ruleset.version}"
    )


@rules_group.command(name="test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def test_command(paths: tuple[Path, ...]) -> None:
    """Run every rule's inline examples, and the fixtures in NAME.fixtures.jsonl beside each
    pack (default: the built-in packs). Ends with 'N passed, N failed'."""
    from copydesk.rules.loader import PackError
    from copydesk.streams.authoring import run_pack_tests

    try:
        passed, failures = run_pack_tests(_pack_files(paths))
    except PackError as exc:
        raise click.ClickException(str(exc)) from None
    for failure in failures:
        click.echo(f"FAIL {failure}")
    click.echo(f"{passed} passed, {len(failures)} failed")
    if failures:
        sys.exit(1)


@main.command()
@click.argument("article")
@click.option("--json", "as_json", is_flag=True, help="Print the output record as JSON.")
@RULES_OPTION
@TITLE_LINE_OPTION
def explain(article: str, as_json: bool, rules: tuple[Path, ...], title_line: bool) -> None:
    """Show what the rules do to one article (.txt, .html or a JSON record; - for stdin):
    removed spans marked in place by rule id, then each finding with its evidence."""
    from copydesk.rules.loader import PackError
    from copydesk.streams.authoring import explain_article

    try:
        shown = explain_article(article, title_line, rules, as_json, sys.stdout.isatty())
    except PackError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(shown)
