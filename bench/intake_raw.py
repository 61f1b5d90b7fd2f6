"""The Kafka path, `python -m services.intake consume`, beside the bare consume loop.

Raw records (each channel's HTTP body, the `aduan.connector` header naming the connector) on
seven fresh raw topics, one per channel, the channels in turn (`bench.channel_bodies`):

- intake: `python -m services.intake consume` (the shared consume loop; per record the adapter,
  the possible-duplicate look-up, the insert of the complaint with its outbox event, the filing
  of its fingerprints; beside it the outbox relay sending each ComplaintReceived to the real
  Kafka), a process of its own on a fresh database.
- bare: `python -m bench.bare_raw`, the same loop and consumer settings over the same records,
  validating each body with its adapter, nothing stored.

Each pair reads the same pre-filled records (fresh records per pair, so every one is a new
complaint), each contender in a fresh consumer group and process; runs alternate bare, intake.
The rate is the records committed per second, from the first commit (so the group join is not
timed) to the last, read from the group's committed offsets. Then intake alone, already
running, gets an open-loop `rate` records per second; a record's accept latency runs from its
scheduled send to the stored complaint's `received_at` (stamped just before its insert, so the
insert's own round trip is not in it; millisecond precision).
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient
from pymongo import MongoClient
from pymongo.collection import Collection

from bench.channel_bodies import CHANNELS, mixed
from bench.http_load import ROOT, free_port, serve
from bench.intake import CONNECTOR, delete_topic, intake_env, mongodb_uri
from services.intake.adapters import ADAPTERS
from services.intake.repository import ComplaintRepository
from shared import headers
from shared.config import KafkaSettings
from shared.kafka.admin import TopicSpec, ensure_topics
from shared.kafka.producer import idempotent_producer
from shared.topics import dead_letter

LATENCY_CONNECTOR = "bench-latency"
WAIT_S = 600.0


@dataclass(frozen=True)
class Raw:
    """One set of raw topics (one per channel) and how to reach them."""

    template: str  # "bench.intakeraw.<tag>.raw.{channel}"
    kafka: KafkaSettings

    @classmethod
    def create(cls, kafka: KafkaSettings, tag: str) -> Raw:
        """Create the seven raw topics and their dead-letter twins."""
        raw = cls(f"bench.intakeraw.{tag}.raw.{{channel}}", kafka)
        ensure_topics(kafka.bootstrap_servers, [TopicSpec(t, 3) for t in raw.all_topics()])
        return raw

    def topic(self, channel: str) -> str:
        return self.template.format(channel=channel)

    def topics(self) -> set[str]:
        return {self.topic(channel) for channel in CHANNELS}

    def all_topics(self) -> list[str]:
        return sorted(self.topics() | {dead_letter(t) for t in self.topics()})


@dataclass(frozen=True)
class Rate:
    """Records committed per second, and how many were timed."""

    rate: float
    timed: int


@dataclass(frozen=True)
class Latency:
    """Accept latencies (ms) at a fixed offered rate."""

    rate: float
    sent: int
    p50_ms: float
    p99_ms: float
    max_ms: float


# Intake's variants: records accepted one by one (as before 2026-11-29) or side by side, and
# the possible-duplicate look-up off or on.
VARIANTS = {
    "1 by 1, no links": {"INTAKE_RAW_CONCURRENCY": "1", "INTAKE_DUPLICATE_LINKING": "false"},
    "16 at once, no links": {"INTAKE_RAW_CONCURRENCY": "16", "INTAKE_DUPLICATE_LINKING": "false"},
    "16 at once, links": {"INTAKE_RAW_CONCURRENCY": "16", "INTAKE_DUPLICATE_LINKING": "true"},
}
POLL_RECORDS = 100  # per batch, for every contender: many commits to time


def run(
    *, records: int, linked_records: int, repeats: int, rate: float, rate_seconds: float
) -> str:
    """Measure `repeats` rounds (bare, intake without and with duplicate linking; `records`
    records each, `linked_records` for the slow last), then each intake's latency; the table."""
    kafka = KafkaSettings()
    mongodb = mongodb_uri()
    tag = uuid.uuid4().hex[:8]
    received = f"bench.intakeraw.{tag}.received"
    ensure_topics(kafka.bootstrap_servers, [TopicSpec(received, 3)])
    database = f"bench_intakeraw_{tag}"
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb, tz_aware=True)
    env = intake_env(database=database, topic=received, kafka=kafka.bootstrap_servers,
                     mongodb=mongodb)  # fmt: skip
    latency_connectors = {name: f"{LATENCY_CONNECTOR}-{n}" for n, name in enumerate(VARIANTS)}
    connectors = json.loads(env["INTAKE_CONNECTORS"]) | {c: {} for c in latency_connectors.values()}
    env["INTAKE_CONNECTORS"] = json.dumps(connectors)
    env["INTAKE_MAX_POLL_RECORDS"] = str(POLL_RECORDS)
    counts = {
        name: linked_records if variant["INTAKE_DUPLICATE_LINKING"] == "true" else records
        for name, variant in VARIANTS.items()
    }
    bare: list[Rate] = []
    intake: dict[str, list[Rate]] = {name: [] for name in VARIANTS}
    latency: dict[str, Latency] = {}
    made: list[Raw] = []
    try:
        collection = client[database]["intake_complaints"]
        ComplaintRepository(collection).ensure_indexes()
        with tempfile.TemporaryDirectory(prefix="bench-intake-raw-") as tmp:
            logs = Path(tmp)
            for r in range(repeats):
                # Fresh topics for each contender: a fresh group reads from the start, and
                # must find only new complaints.
                made.append(raw := Raw.create(kafka, f"{tag}b{r}"))
                _prefill(raw, mixed(f"{tag}b{r}"), records, CONNECTOR)
                bare.append(_bare(raw, logs, records))
                for n, (name, variant) in enumerate(VARIANTS.items()):
                    made.append(raw := Raw.create(kafka, f"{tag}v{n}r{r}"))
                    _prefill(raw, mixed(f"{tag}v{n}r{r}"), counts[name], CONNECTOR)
                    with _intake(env | variant, raw, logs) as group:
                        intake[name].append(_timed(raw, group, counts[name]))
                    _progress(f"raw intake bench: bare {bare[-1].rate:,.0f}/s, intake {name} "
                              f"{intake[name][-1].rate:,.0f}/s")  # fmt: skip
            for n, (name, variant) in enumerate(VARIANTS.items()):
                made.append(raw := Raw.create(kafka, f"{tag}lat{n}"))
                with _intake(env | variant, raw, logs):
                    body = mixed(f"{tag}o{n}")
                    connector = latency_connectors[name]
                    latency[name] = _latency(
                        raw, collection, connector, body, rate=rate, seconds=rate_seconds
                    )
    finally:
        client.drop_database(database)
        client.close()
        for topic in [received, *(t for raw in made for t in raw.all_topics())]:
            delete_topic(kafka, topic)
    return _table(bare, intake, latency, counts)


def _prefill(
    raw: Raw, body: Callable[[int], tuple[str, bytes]], records: int, connector: str
) -> None:
    """Send `records` raw records, the channels in turn."""
    producer = idempotent_producer(raw.kafka, client_id="bench-raw-prefill", linger_ms=20)
    for i in range(records):
        channel, value = body(i)
        producer.send(
            raw.topic(channel),
            key=str(i).encode(),
            value=value,
            headers=[(headers.INTAKE_CONNECTOR, connector.encode())],
        )
    producer.flush()
    producer.close()


def _bare(raw: Raw, logs: Path, total: int) -> Rate:
    group = f"bench-bare-{uuid.uuid4().hex[:8]}"
    env = {
        "BENCH_RAW_TEMPLATE": raw.template,
        "BENCH_GROUP_ID": group,
        "BENCH_MAX_POLL_RECORDS": str(POLL_RECORDS),
    }
    with _process(["-m", "bench.bare_raw"], env, logs / "bare.log"):
        return _timed(raw, group, total)


@contextmanager
def _intake(env: dict[str, str], raw: Raw, logs: Path) -> Iterator[str]:
    """A fresh `python -m services.intake consume` of `raw` in a fresh group; yield the group."""
    group = f"bench-intake-{uuid.uuid4().hex[:8]}"
    port = free_port()
    with serve(
        ["-m", "services.intake", "consume"],
        env={
            **env,
            "INTAKE_TOPICS__RAW_TEMPLATE": raw.template,
            "INTAKE_GROUP_ID": group,
            "INTAKE_HTTP_PORT": str(port),
        },
        log=logs / "intake.log",
        ready_url=f"http://127.0.0.1:{port}/readyz",
    ):
        yield group


@contextmanager
def _process(args: list[str], env: dict[str, str], log: Path) -> Iterator[None]:
    """A process with no HTTP readiness: the bench watches its commits instead."""
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, *args], cwd=ROOT, env={**os.environ, **env}, stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _committed(admin: KafkaAdminClient, group: str, topics: set[str]) -> int:
    offsets = admin.list_group_offsets(group).get(group, {})
    return sum(
        meta.offset for tp, meta in offsets.items() if tp.topic in topics and meta.offset > 0
    )


def _timed(raw: Raw, group: str, total: int) -> Rate:
    """Watch the group's commits on `raw` until it has committed `total` records."""
    admin = KafkaAdminClient(**raw.kafka.client_options())
    topics = raw.topics()
    try:
        deadline = time.monotonic() + WAIT_S
        start = first = None
        done = 0
        while (done := _committed(admin, group, topics)) < total:
            if start is None and done > 0:
                start, first = time.perf_counter(), done
            if time.monotonic() > deadline:
                raise RuntimeError(f"group {group} committed {done}, not {total}, in {WAIT_S} s")
            time.sleep(0.05)
        if start is None or first is None:  # one poll took everything: nothing to time
            raise RuntimeError("the first commit held every record: send more records")
        elapsed = time.perf_counter() - start
        return Rate((done - first) / elapsed, done - first)
    finally:
        admin.close()


def _latency(
    raw: Raw,
    collection: Collection[dict[str, Any]],
    connector: str,
    body: Callable[[int], tuple[str, bytes]],
    *,
    rate: float,
    seconds: float,
) -> Latency:
    """Send `rate` records per second for `seconds`; the accept latency of each."""
    producer = idempotent_producer(raw.kafka, client_id="bench-raw-latency", linger_ms=0)
    header = [(headers.INTAKE_CONNECTOR, connector.encode())]
    sent: dict[str, float] = {}  # channel_ref -> scheduled send, epoch seconds
    total = int(rate * seconds)
    t0 = time.time() + 0.1
    for i in range(total):
        scheduled = t0 + i / rate
        if (delay := scheduled - time.time()) > 0:
            time.sleep(delay)
        channel, value = body(i)
        adapter = ADAPTERS[channel]
        sent[adapter.channel_ref(adapter.parse(value))] = scheduled
        producer.send(raw.topic(channel), key=str(i).encode(), value=value, headers=header)
    producer.flush()
    producer.close()
    deadline = time.monotonic() + WAIT_S
    query = {"connector_id": connector}
    while collection.count_documents(query) < total:
        if time.monotonic() > deadline:
            raise RuntimeError("the latency run's complaints were not all stored in time")
        time.sleep(0.5)
    stored = collection.find(query, {"channel_ref": 1, "received_at": 1})
    latencies = sorted(_ms(doc["received_at"], sent[doc["channel_ref"]]) for doc in stored)
    return Latency(
        rate,
        total,
        statistics.median(latencies),
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        latencies[-1],
    )


def _ms(received_at: datetime, scheduled: float) -> float:
    return (received_at.timestamp() - scheduled) * 1000


def _progress(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _table(
    bare: list[Rate],
    intake: dict[str, list[Rate]],
    latency: dict[str, Latency],
    counts: dict[str, int],
) -> str:
    some = next(iter(latency.values()))
    lines = [
        f"Kafka path: `services.intake consume` vs the bare consume loop (validation only), all "
        f"7 channels in turn, {POLL_RECORDS} records per poll, alternating; records per run: "
        + ", ".join(f"{name} {count:,}" for name, count in counts.items())
        + f" (bare as the first); then each intake alone at {some.rate:.0f} records/s open loop "
        f"({some.sent} records)",
        f"{'contender':<30}{'rec/s':>7}  {'ratio':>5}  {'p50 ms':>8}  {'p99 ms':>8}  "
        f"{'max ms':>7}  runs (records/s)",
        f"{'bare':<30}{statistics.median(b.rate for b in bare):>7,.0f}  {'':>5}  {'':>8}  "
        f"{'':>8}  {'':>7}  " + ", ".join(f"{b.rate:,.0f}" for b in bare),
    ]
    for name, runs in intake.items():
        ratio = statistics.median(i.rate / b.rate for b, i in zip(bare, runs, strict=True))
        lat = latency[name]
        lines.append(
            f"{'intake, ' + name:<30}{statistics.median(i.rate for i in runs):>7,.0f}  "
            f"{ratio:>5.2f}  {lat.p50_ms:>8,.1f}  {lat.p99_ms:>8,.1f}  {lat.max_ms:>7,.0f}  "
            + ", ".join(f"{i.rate:,.0f}" for i in runs)
        )
    return "\n".join(lines)


def main() -> int:
    """`python -m bench.intake_raw`: one round (2,000 records; 300 with linking), 10 s at 20/s."""
    report = run(records=2_000, linked_records=300, repeats=1, rate=20, rate_seconds=10)
    sys.stdout.write(report + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
