"""End to end through the local broker (Tansu), in one run, each figure printed when measured:

1. throughput: the same articles, loaded on the raw topic first, through the copydesk worker
   and through a no-op Faust agent (``bench.passthrough``): articles/s and their ratio; then
   through two copydesk worker processes in one group (the two partitions of the raw and
   candidates topics shared, the one-partition flag stage in one of them) against one. A
   worker's rate counts from when its group has settled, so that the second worker joining (a
   rebalance, tables recovered) falls outside the measured run; with ``--live``, one worker
   and two again on a stream sent once they have started, each timed whole;
2. latency: each fed at half copydesk's measured rate (the live one with ``--live``), on fresh
   topics, after a warm-up; p50/p95/p99 from the producer's send to a downstream consumer's
   receipt of the output (the passthrough's figures are what the broker and Faust alone
   cost). Both fetch with the local broker's 10 ms wait (``LocalBroker.worker_env``); the
   throughput and memory runs keep Faust's 1.5 s, because with short waits this in-memory
   broker slows down as topics grow (runs of 20,000 articles stalled);
3. memory: the worker's resident set once it has taken ``--rss-articles`` articles.

    .venv/bin/python -m bench.e2e [--articles 20000] [--latency-seconds 30]
                                  [--rss-articles 100000] [--fetch-wait-ms MS] [--live]

Each worker is one process (one core for the agents); the broker, the producer and the
consumer share the machine with it. Each run has a broker of its own, started for it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from statistics import quantiles

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from bench.common import aeb_pages
from bench.corpus import Article, stream
from copydesk.streams.app import FAUST_FETCH_WAIT_MS
from copydesk.streams.broker import LocalBroker, free_port, start_broker
from copydesk.streams.demo import read_metrics, start_worker, stop_worker, wait_until_serving

PARTITIONS = 2
WARM_UP = 200  # articles through a fresh worker before its latency is measured


class Deployment:
    """Fresh topic names and consumer group on the broker, for one worker."""

    def __init__(self, broker: LocalBroker, tmp: Path, name: str) -> None:
        self.broker, self.tmp = broker, tmp
        self.env = {
            **broker.isolated_env(f"bench-{name}-{uuid.uuid4().hex[:6]}", PARTITIONS),
            "COPYDESK_DATA_DIR": str(tmp / f"state-{name}"),
            "COPYDESK_WEB_PORT": str(free_port()),
            "COPYDESK_WEB_HOST": "127.0.0.1",
        }
        self.raw, self.clean = self.env["COPYDESK_TOPIC_RAW"], self.env["COPYDESK_TOPIC_CLEAN"]
        self.workers: list[subprocess.Popen[bytes]] = []
        self.web_ports: list[int] = []

    def produce(self, records: Iterator[bytes]) -> None:
        producer = KafkaProducer(bootstrap_servers=self.broker.bootstrap, linger_ms=20)
        for record in records:
            producer.send(self.raw, record)
        producer.flush()
        producer.close()

    def start(self, *command: str, processes: int = 1) -> None:
        """Start ``processes`` of ``python -m <command>`` in one consumer group (each with its
        own web port and state folder; the first keeps the deployment's) and wait for them."""
        for n in range(processes):
            env = dict(self.env)
            if n:
                env["COPYDESK_WEB_PORT"] = str(free_port())
                env["COPYDESK_DATA_DIR"] = f"{self.env['COPYDESK_DATA_DIR']}-{n}"
            with (self.tmp / f"{self.env['COPYDESK_APP_ID']}-{n}.log").open("ab") as log:
                worker = start_worker(env, log, command)
            self.workers.append(worker)
            self.web_ports.append(int(env["COPYDESK_WEB_PORT"]))
            wait_until_serving(worker, int(env["COPYDESK_WEB_PORT"]))

    def wait_assigned(self, partitions: int, timeout: float = 120) -> None:
        """Until every worker holds a partition and together they hold ``partitions`` of the
        agents' topics, twice in a row a few seconds apart (the group has settled)."""
        deadline, settled = time.monotonic() + timeout, 0
        while settled < 2:
            held = [_assigned(port) for port in self.web_ports]
            settled = settled + 1 if min(held) > 0 and sum(held) == partitions else 0
            if time.monotonic() > deadline:
                sys.exit(f"partitions never settled: {held}")
            time.sleep(3)

    def stop(self) -> None:
        for worker in self.workers:
            stop_worker(worker)

    def overlapping_timers(self) -> list[str]:
        """The warnings of Faust's timers (its commit timer among them) that ran longer than
        their interval, from the workers' logs: a loop too busy to keep its timers."""
        logs = sorted(self.tmp.glob(f"{self.env['COPYDESK_APP_ID']}-*.log"))
        return [
            line.strip()
            for log in logs
            for line in log.read_text(errors="replace").splitlines()
            if "is overlapping" in line
        ]

    def consumer(self, fetch_max_wait_ms: int) -> KafkaConsumer:
        # From the earliest offset on an out-of-range answer too (the default jumps to the
        # end): outputs are counted by partition and offset, so nothing counts twice.
        consumer = KafkaConsumer(
            bootstrap_servers=self.broker.bootstrap,
            fetch_max_wait_ms=fetch_max_wait_ms,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        consumer.assign([TopicPartition(self.clean, p) for p in range(PARTITIONS)])
        consumer.seek_to_beginning()
        return consumer

    def cleaned(self) -> int:
        """Articles the worker has sent to the clean topic, from its own metrics."""
        found = _metrics(self.web_ports[0]).get("copydesk_articles_out", [])
        return int(sum(value for labels, value in found if labels["topic"] == self.clean))

    def quantile(self, histogram: str, q: float, **match: str) -> float:
        """Upper bound (the bucket) of the ``q`` quantile of one of the worker's histograms,
        over the samples whose labels include ``match``."""
        samples = _metrics(self.web_ports[0])[histogram]
        buckets = sorted(
            (float(labels["le"]), count)
            for labels, count in samples
            if "le" in labels and match.items() <= labels.items()
        )
        total = buckets[-1][1]
        return next(le for le, count in buckets if count >= q * total)

    def rss_bytes(self) -> int:
        status = Path(f"/proc/{self.workers[0].pid}/status").read_text()
        kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(kib) * 1024


def _metrics(port: int) -> dict[str, list[tuple[dict[str, str], float]]]:
    return read_metrics(f"http://127.0.0.1:{port}/metrics")


def _assigned(port: int) -> int:
    """Partitions of the agents' topics the worker on ``port`` holds; 0 if it does not answer."""
    try:
        found = _metrics(port)
    except OSError:
        return 0
    return int(sum(value for _, value in found.get("copydesk_assigned_partitions", [])))


def wait_outputs(consumer: KafkaConsumer, count: int, timeout: float) -> list[float]:
    """Record timestamps (seconds) of ``count`` outputs."""
    stamps: dict[tuple[int, int], float] = {}
    deadline = time.monotonic() + timeout
    while len(stamps) < count and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            stamps.update(((r.partition, r.offset), r.timestamp / 1000) for r in records)
    if len(stamps) < count:
        sys.exit(f"only {len(stamps)} of {count} outputs within {timeout:.0f} s")
    return list(stamps.values())


@dataclass(frozen=True)
class Run:
    rate: float  # articles/s
    # CPU milliseconds per article over the run: the worker processes, the broker, and this
    # process (the consumer counting outputs). Unlike the rate, they hardly depend on what else
    # runs on the machine, and they say how far more processes can go on its cores.
    cpu_ms: dict[str, float]

    # Each process's share of one core over the run: a worker well under 100% while the
    # other is at it waits for its input.
    busy: dict[str, float]

    @classmethod
    def spanning(
        cls,
        rate: float,
        articles: int,
        start: tuple[dict[str, float], float],
        end: tuple[dict[str, float], float],
    ) -> Run:
        """A run at ``rate`` whose CPU (``cpu_now``) and clock went from ``start`` to ``end``
        while ``articles`` came out."""
        (before, started), (after, ended) = start, end
        used = {name: after[name] - seconds for name, seconds in before.items()}
        wall = max(ended - started, 1e-9)
        return cls(
            rate,
            {name: 1000 * seconds / articles for name, seconds in used.items()},
            {name: seconds / wall for name, seconds in used.items()},
        )

    @property
    def workers_ms(self) -> float:
        return sum(ms for name, ms in self.cpu_ms.items() if name.startswith("worker"))

    def cpu_line(self) -> str:
        parts = ", ".join(f"{name} {ms:.2f} ms" for name, ms in self.cpu_ms.items())
        busy = ", ".join(f"{name} {share:.0%}" for name, share in self.busy.items())
        return f"CPU per article: {parts} (all {sum(self.cpu_ms.values()):.2f} ms); busy: {busy}"

    def ceiling(self, processes: int) -> float:
        """How many times one worker process's rate ``processes`` of them can reach at this
        run's CPU costs per article, with the machine's cores busy and nothing else to run: one
        process uses one core at most, and the broker and the consumer share the cores with
        them. (The flag stage's one partition caps it further: ``bench.speed``.)"""
        cores = os.cpu_count() or 1
        return min(processes, cores * self.workers_ms / sum(self.cpu_ms.values()))


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its threads so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_now(deployment: Deployment) -> dict[str, float]:
    """CPU seconds so far of each worker process, the broker and this process (the consumer)."""
    workers = deployment.workers
    return {
        **{f"worker {n}": cpu_seconds(w.pid) for n, w in enumerate(workers, 1)},
        "broker": cpu_seconds(deployment.broker.process.pid),
        "consumer": time.process_time(),
    }


def throughput(
    deployment: Deployment,
    command: tuple[str, ...],
    records: list[bytes],
    processes: int = 1,
    live: bool = False,
) -> Run:
    """Articles/s with the input loaded beforehand, over the middle half of the outputs: from
    the output a quarter of the way to the one three quarters of the way, by their timestamps,
    and the CPU each process used meanwhile. A worker starts from when its group has settled
    (every worker holding a partition): a second worker joining, the tables it recovers, and
    the stages filling (what was stripped before the group settled flows out fast after it)
    fall outside the measured half.

    The middle half flatters one worker: its strip stage runs ahead of the others on a loaded
    topic, so part of the half's stripping was done before it (runs of the same code measured
    66-105 articles/s). ``live`` measures the whole stream instead, sent once the group has
    settled, from the first send to the last output, with the CPU of that span (this process's
    includes the producer's): what a worker keeps up with, all its work counted."""
    if not live:
        deployment.produce(iter(records))
    # Throughput is read from the outputs' timestamps, set by the worker, so the counting
    # consumer may fetch at leisure: with a 5 ms wait its empty fetches took a fifth of a core
    # from the worker on this 2-core machine (5 ms of CPU per article at 35 articles/s).
    consumer = deployment.consumer(fetch_max_wait_ms=500)
    deployment.start(*command, processes=processes)
    if command == WORKER:
        # The raw and candidates topics' partitions and the stripped topic's one.
        deployment.wait_assigned(2 * PARTITIONS + 1)
    if live:
        return live_throughput(deployment, consumer, records)
    marks = (len(records) // 4, len(records) * 3 // 4)
    stamps: dict[tuple[int, int], float] = {}
    taken: list[tuple[int, dict[str, float], float]] = []  # outputs, CPU, time at each mark
    deadline = time.monotonic() + len(records) / 20 + 120
    while len(stamps) < len(records) and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            stamps.update(((r.partition, r.offset), r.timestamp / 1000) for r in batch)
        if len(taken) < len(marks) and len(stamps) >= marks[len(taken)]:
            taken.append((len(stamps), cpu_now(deployment), time.monotonic()))
    consumer.close()
    if len(stamps) < len(records):
        sys.exit(f"only {len(stamps)} of {len(records)} outputs in time")
    (first, before, started), (last, after, ended) = taken
    if last - first < len(records) // 4:
        sys.exit("the group settled too late to measure a steady run: raise --articles")
    ordered = sorted(stamps.values())
    rate = (last - first) / max(ordered[last - 1] - ordered[first - 1], 1e-9)
    return Run.spanning(rate, last - first, (before, started), (after, ended))


def latency(
    deployment: Deployment, articles: Iterator[Article], rate: float, seconds: float, already: int
) -> list[float]:
    """Milliseconds from send to receipt, for articles sent at ``rate`` per second, after the
    ``already`` outputs on the clean topic (read past first: Tansu answers seek-to-end wrongly)."""
    consumer = deployment.consumer(fetch_max_wait_ms=5)  # receipt times are the figure
    wait_outputs(consumer, already, timeout=120)
    producer = KafkaProducer(bootstrap_servers=deployment.broker.bootstrap, linger_ms=0)
    total = int(rate * seconds)
    started = time.monotonic()
    received: list[float] = []
    for n, article in enumerate(articles):
        if n == total:
            break
        while time.monotonic() < started + n / rate:
            received.extend(_latencies(consumer, 0))
            time.sleep(0.001)
        producer.send(deployment.raw, article.record(bench_sent=time.time()))
    producer.flush()
    producer.close()
    deadline = time.monotonic() + 60
    while len(received) < total and time.monotonic() < deadline:
        received.extend(_latencies(consumer, 200))
    consumer.close()
    return received


def _latencies(consumer: KafkaConsumer, timeout_ms: int) -> list[float]:
    now = time.time()
    values = (
        json.loads(r.value)
        for records in consumer.poll(timeout_ms=timeout_ms).values()
        for r in records
    )
    # copydesk keeps unknown input fields under "extra"; the passthrough forwards the input.
    sent = (v.get("extra", v).get("bench_sent") for v in values)
    return [(now - s) * 1000 for s in sent if s is not None]


def fill_to(deployment: Deployment, articles: Iterator[Article], total: int) -> int:
    """Feed the worker until it has cleaned ``total`` articles, a batch at a time: a backlog of
    tens of thousands of articles slows the in-memory local broker to a crawl (seen: producer
    flushes of a second, then a stage's fetches stalled for minutes). Returns the count."""
    batch = 2_000
    done = deployment.cleaned()
    while done < total:
        deployment.produce(next(articles).record() for _ in range(min(batch, total - done)))
        target, deadline = min(done + batch, total), time.monotonic() + batch / 20 + 60
        while (done := deployment.cleaned()) < target and time.monotonic() < deadline:
            time.sleep(1)
        if done < target:
            sys.exit(f"the worker stalled at {done:,} articles")
    return done


WORKER = ("copydesk.streams", "worker")
PASSTHROUGH = ("bench.passthrough",)


Deploy = Callable[..., Deployment]


def live_throughput(deployment: Deployment, consumer: KafkaConsumer, records: list[bytes]) -> Run:
    before, started = cpu_now(deployment), time.time()
    deployment.produce(iter(records))
    stamps = wait_outputs(consumer, len(records), timeout=len(records) / 20 + 120)
    after, ended = cpu_now(deployment), time.time()
    consumer.close()
    rate = len(records) / max(max(stamps) - started, 1e-9)
    return Run.spanning(rate, len(records), (before, started), (after, ended))


def measure_throughput(deployment: Deploy, records: list[bytes], fetch_wait_ms: int) -> float:
    """Prints copydesk's and the passthrough's rates, and two processes against one; returns
    copydesk's rate with one process."""
    runs: dict[str, Run] = {}
    print(f"{len(records):,} articles loaded first, one worker process each", flush=True)
    for name, command in (("copydesk", WORKER), ("passthrough", PASSTHROUGH)):
        work = deployment(name, fetch_wait_ms)
        try:
            runs[name] = throughput(work, command, records)
            if name == "copydesk":
                for stage in ("strip", "flag", "align"):
                    p50, p99 = (
                        work.quantile("copydesk_processing_seconds", q, stage=stage) * 1000
                        for q in (0.5, 0.99)
                    )
                    print(
                        f"copydesk's own processing per article, {stage} stage: "
                        f"p50 <= {p50:g} ms, p99 <= {p99:g} ms"
                    )
                p50, p99 = (work.quantile("copydesk_commit_seconds", q) for q in (0.5, 0.99))
                print(f"offset commits under full load: p50 <= {p50:g} s, p99 <= {p99:g} s")
        finally:
            work.stop()
        print(f"throughput, {name}: {runs[name].rate:,.0f} articles/s", flush=True)
        print(runs[name].cpu_line())
        print(overlap_line(work))
    print(f"ratio copydesk / passthrough: {runs['copydesk'].rate / runs['passthrough'].rate:.2f}")

    # Every core: one worker process per core, sharing the partitions of the raw and candidates
    # topics; the one-partition flag stage (the duplicate index's look-ups) runs in one of them.
    work = deployment("copydesk-two", fetch_wait_ms)
    try:
        two = throughput(work, WORKER, records, processes=2)
    finally:
        work.stop()
    one = runs["copydesk"]
    print(
        f"throughput, copydesk with 2 worker processes: {two.rate:,.0f} articles/s, "
        f"{two.rate / one.rate:.2f}x one",
        flush=True,
    )
    print(two.cpu_line())
    print(overlap_line(work))
    # Unlike the rates, this holds on a loaded machine: it reads only where the CPU went.
    print(
        f"ceiling on {os.cpu_count()} cores with nothing else to run: two processes at most "
        f"{two.ceiling(processes=2):.2f}x one, the broker and the consumer taking "
        f"{1 - two.workers_ms / sum(two.cpu_ms.values()):.0%} of the CPU",
        flush=True,
    )
    return one.rate


def measure_live(deployment: Deploy, records: list[bytes], fetch_wait_ms: int) -> float:
    """One worker process and two on the same stream, sent once each group has settled;
    returns one worker's rate."""
    runs: list[Run] = []
    for processes in (1, 2):
        work = deployment(f"copydesk-live-{processes}", fetch_wait_ms)
        try:
            runs.append(throughput(work, WORKER, records, processes, live=True))
        finally:
            work.stop()
        print(
            f"live stream of {len(records):,} articles, {processes} worker process(es): "
            f"{runs[-1].rate:,.0f} articles/s from the first send to the last output",
            flush=True,
        )
        print(runs[-1].cpu_line() + " (consumer: this process, the producer included)")
        print(overlap_line(work))
    print(
        f"live: two processes {runs[1].rate / runs[0].rate:.2f}x one; at most "
        f"{runs[1].ceiling(processes=2):.2f}x on these cores at the two processes' CPU costs",
        flush=True,
    )
    return runs[0].rate


def overlap_line(work: Deployment) -> str:
    found = work.overlapping_timers()
    commits = sum("commit" in line.lower() for line in found)
    return (
        f"overlapping-timer warnings in the workers' logs: {len(found)}"
        f" ({commits} of the commit timer)"
    )


def measure_latency(
    deployment: Deploy, corpus: Iterator[Article], load: float, seconds: float
) -> None:
    sent = int(load * seconds)
    for name, command in (("copydesk", WORKER), ("passthrough", PASSTHROUGH)):
        # Fresh topics, with the local broker's short fetch wait (LocalBroker.worker_env).
        work = deployment(f"{name}-latency")
        try:
            work.start(*command)
            work.produce(next(corpus).record() for _ in range(WARM_UP))
            delays = latency(work, corpus, load, seconds, WARM_UP)
        finally:
            work.stop()
        p = quantiles(delays, n=100)
        print(
            f"latency at {load:,.0f}/s, {name}: p50 {p[49]:.0f} ms, p95 {p[94]:.0f} ms, "
            f"p99 {p[98]:.0f} ms ({len(delays):,} of {sent:,} received within 60 s of the "
            "last send; quantiles over those received)",
            flush=True,
        )


def measure_memory(deployment: Deploy, corpus: Iterator[Article], articles: int) -> None:
    work = deployment("copydesk-memory", FAUST_FETCH_WAIT_MS)
    try:
        work.start(*WORKER)
        done = fill_to(work, corpus, articles)
        rss = work.rss_bytes()
    finally:
        work.stop()
    print(f"copydesk worker resident memory after {done:,} articles: {rss / 2**20:,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--latency-seconds", type=float, default=30)
    parser.add_argument("--rss-articles", type=int, default=100_000)
    # Faust's own wait by default: on this broker a 10 ms wait costs more as topics grow.
    parser.add_argument(
        "--fetch-wait-ms",
        type=int,
        default=FAUST_FETCH_WAIT_MS,
        help="the workers' fetch wait in the throughput runs",
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help="also one worker and two on a stream sent after they start, timed whole",
    )
    args = parser.parse_args()

    bodies = [p.article_body for p in aeb_pages()]
    corpus = stream(bodies, sys.maxsize)  # lazy: as many as the three runs take
    records = [next(corpus).record() for _ in range(args.articles)]
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as brokers:

        def deployment(name: str, fetch_wait_ms: int | None = None) -> Deployment:
            # A fresh broker for each run, the last one stopped (its workers are): the
            # in-memory broker slows as it holds more topics, and a run after two others came
            # out a quarter slower whatever it ran (docs/benchmarks-history.md).
            brokers.close()
            broker = brokers.enter_context(start_broker(log=Path(tmp) / f"broker-{name}.log"))
            made = Deployment(broker, Path(tmp), name)
            if fetch_wait_ms is not None:
                made.env["COPYDESK_FETCH_WAIT_MS"] = str(fetch_wait_ms)
            return made

        rate = measure_throughput(deployment, records, args.fetch_wait_ms)
        if args.live:
            # Fed at half of what one worker keeps up with, not of a flattered rate.
            rate = measure_live(deployment, records, args.fetch_wait_ms)
        measure_latency(deployment, corpus, rate / 2, args.latency_seconds)
        measure_memory(deployment, corpus, args.rss_articles)


if __name__ == "__main__":
    main()
