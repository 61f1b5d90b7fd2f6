"""The sla's events per second beside a bare faust-streaming agent, on the same broker, in one run.

The sla is the real service: `services.sla.service.build(settings)` (the shared consume loop, the
case handler, one `$in` read and one bulk write per batch) on the real Kafka and the local
MongoDB-wire store (MONGODB_URI), a fresh database for every run, dropped afterwards. Before each
run, `cases` is pre-loaded (insert_many) with the stored cases of that size, received and
assigned to an OPD: the open backlog.

The mix, pre-filled once: for each of C new cases a `complaints.received` and a
`complaints.assigned` event, and for C of the stored cases a follow-up and a resolution on
`complaints.updates`. So half the events create a case and half change a stored one (each
resolution also sends a CaseResolved).

The baseline is faust-streaming in its own process (`bench.faust_agent`): one table update and one
send per event, an in-memory table whose changelog is pre-filled with the same number of stored
cases (recovered before its first event), reading the same mix over more cases.

Each contender is timed from its first record: the sla from its first batch's read of its cases
(a pymongo command listener sees it) to its last commit, faust from its first event to the
producer flush after its last. Runs alternate (faust, sla, faust, sla, ...) with a fresh consumer
group each; the figure is the median of the paired ratios. The listener also sums the time the sla
waited on the store, to show where its time goes.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient
from pymongo import MongoClient, monitoring

from bench import complaints
from services.sla.config import Settings
from services.sla.service import build
from shared import headers
from shared.config import KafkaSettings, Topics
from shared.events import CONTENT_TYPE, Envelope, encode
from shared.kafka.admin import TopicSpec, ensure_topics
from shared.kafka.producer import idempotent_producer

GOAL = 0.8
CE_HEADERS = [(headers.CONTENT_TYPE, CONTENT_TYPE.encode())]
DEFAULT_MONGODB_URI = "mongodb://127.0.0.1:27017/"
PRELOAD_CHUNK = 1_000
FAUST_TIMEOUT_S = 300.0
SLA_TIMEOUT_S = 1_800.0


@dataclass(frozen=True)
class Timed:
    """One run: events handled while the clock ran, its seconds, and the store's share."""

    events: int
    seconds: float
    store_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.events / self.seconds


@dataclass
class _Inputs:
    received: str
    assigned: str
    updates: str

    @property
    def names(self) -> list[str]:
        return [self.received, self.assigned, self.updates]


def run(*, stored: Sequence[int], sla_cases: int, faust_cases: int, repeats: int) -> str:
    """Measure the sla and the faust agent `repeats` times at each stored size; return the table."""
    kafka = KafkaSettings()
    tag = uuid.uuid4().hex[:8]
    sla_in = _Inputs(*(f"bench.sla.{tag}.{n}" for n in ("received", "assigned", "updates")))
    faust_in = _Inputs(*(f"bench.faust.{tag}.{n}" for n in ("received", "assigned", "updates")))
    resolved, sink = f"bench.sla.{tag}.resolved", f"bench.faust.{tag}.sink"
    alerts = f"bench.sla.{tag}.alerts"  # never the shared alerts topic
    changelogs = {size: f"bench.faust.{tag}.cases-{size}-changelog" for size in stored}
    created = [
        *sla_in.names,
        *(t + ".dlq" for t in sla_in.names),
        resolved,
        alerts,
        *faust_in.names,
        sink,
        *changelogs.values(),
    ]
    ensure_topics(kafka.bootstrap_servers, [TopicSpec(t, 3) for t in created])
    timer = _StoreTimer()
    monitoring.register(timer)
    results: dict[int, dict[str, list[Timed]]] = {}
    try:
        _prefill(kafka, sla_in, sla_cases)
        _prefill(kafka, faust_in, faust_cases)
        for size in stored:
            _prefill_changelog(kafka, changelogs[size], size)
            runs: dict[str, list[Timed]] = {"faust": [], "sla": []}
            for _ in range(repeats):
                faust = _faust(
                    kafka, faust_in, sink=sink, changelog=changelogs[size],
                    events=4 * faust_cases, tag=tag,
                )  # fmt: skip
                runs["faust"].append(faust)
                runs["sla"].append(
                    _sla(sla_in, resolved, alerts, size, events=4 * sla_cases, timer=timer)
                )
                _progress(f"stored {size:,}: faust {runs['faust'][-1].rate:,.0f} ev/s, "
                          f"sla {runs['sla'][-1].rate:,.1f} ev/s")  # fmt: skip
            results[size] = runs
    finally:
        created += _faust_internal_topics(kafka, tag)
        _delete_topics(kafka, created)
    return _table(results, sla_cases, faust_cases, repeats)


def _mix(cases: int) -> Iterator[tuple[str, Envelope[Any]]]:
    """(input, event) for `cases` new cases and as many stored ones (see the module docstring)."""
    for n in range(cases):
        cid, number = complaints.case_id(n), complaints.tracking(n)
        yield "received", complaints.received(cid, number)
        yield "assigned", complaints.assigned(cid, number)
        stored = complaints.case_id(n, "stored")
        yield "updates", complaints.follow_up(stored)
        yield "updates", complaints.resolved(stored)


def _prefill(kafka: KafkaSettings, inputs: _Inputs, cases: int) -> None:
    producer = idempotent_producer(kafka, client_id="bench-prefill", linger_ms=20)
    for which, event in _mix(cases):
        producer.send(
            getattr(inputs, which),
            key=event.subject.encode(),
            value=encode(event),
            headers=CE_HEADERS,
        )
    producer.flush()
    producer.close()


def _prefill_changelog(kafka: KafkaSettings, topic: str, size: int) -> None:
    """The faust table's stored cases: one changelog record per stored case (count 2)."""
    producer = idempotent_producer(kafka, client_id="bench-prefill", linger_ms=20)
    for n in range(size):
        producer.send(topic, key=complaints.case_id(n, "stored").encode(), value=b"2")
    producer.flush()
    producer.close()


def _sla(
    inputs: _Inputs, resolved: str, alerts: str, stored: int, *, events: int, timer: _StoreTimer
) -> Timed:
    """One sla run on a fresh database pre-loaded with `stored` cases."""
    settings = _settings("sla", uuid.uuid4().hex[:8], inputs, resolved, alerts)
    client: MongoClient[dict[str, Any]] = MongoClient(settings.mongodb_uri)
    try:
        _preload(client[settings.mongodb_database][settings.cases_collection], stored)
        sla = build(settings)
        try:
            timer.arm(settings.mongodb_database)
            done, deadline = 0, time.monotonic() + SLA_TIMEOUT_S
            while done < events:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the sla committed {done} of {events} in time")
                done += sla.service.loop.run_once()
            ended = time.perf_counter()
        finally:
            sla.service.close()
        started, store_s = timer.disarm()
        if started is None:
            raise RuntimeError("the sla never read its cases")
        return Timed(events, ended - started, store_s)
    finally:
        client.drop_database(settings.mongodb_database)
        client.close()


def _settings(name: str, tag: str, inputs: _Inputs, resolved: str, alerts: str) -> Settings:
    """The sla's settings on the run's own topics, group and database."""
    topics = Topics(
        received=inputs.received,
        assigned=inputs.assigned,
        updates=inputs.updates,
        resolved=resolved,
        alerts=alerts,
    )
    return Settings(
        group_id=f"bench-{name}-{tag}", mongodb_database=f"bench_{name}_{tag}", topics=topics
    )


def _preload(collection: Any, size: int) -> None:
    template = complaints.stored_state_template()
    for start in range(0, size, PRELOAD_CHUNK):
        docs = [complaints.stored_state(template, n) for n in range(start, min(size, start + PRELOAD_CHUNK))]  # fmt: skip
        collection.insert_many(docs, ordered=False)


class _StoreTimer(monitoring.CommandListener):
    """Sees the sla's Mongo commands: the first batch's `$in` read starts the clock, and every
    command's duration adds to the time spent waiting on the store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._database: str | None = None
        self._started: float | None = None
        self._micros = 0

    def arm(self, database: str) -> None:
        with self._lock:
            self._database, self._started, self._micros = database, None, 0

    def disarm(self) -> tuple[float | None, float]:
        with self._lock:
            self._database = None
            return self._started, self._micros / 1e6

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.database_name != self._database or event.command_name != "find":
            return
        ids = event.command.get("filter", {}).get("_id")
        if isinstance(ids, dict) and "$in" in ids:
            with self._lock:
                if self._started is None:
                    self._started = time.perf_counter()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._add(event.database_name, event.duration_micros)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._add(event.database_name, event.duration_micros)

    def _add(self, database: str, micros: int) -> None:
        with self._lock:
            if database == self._database and self._started is not None:
                self._micros += micros


def _faust(
    kafka: KafkaSettings, inputs: _Inputs, *, sink: str, changelog: str, events: int, tag: str
) -> Timed:
    """One run of the faust agent in its own process; its own clock, read from its result."""
    with tempfile.TemporaryDirectory(prefix="bench-faust-") as tmp:
        result = Path(tmp) / "result.json"
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
            "BENCH_FAUST_APP": f"bench-faust-{tag}-{uuid.uuid4().hex[:6]}",
            "BENCH_FAUST_TOPICS": ",".join(inputs.names),
            "BENCH_FAUST_SINK": sink,
            "BENCH_FAUST_CHANGELOG": changelog,
            "BENCH_FAUST_EVENTS": str(events),
            "BENCH_FAUST_RESULT": str(result),
        }
        command = [
            sys.executable,
            "-m",
            "bench.faust_agent",
            "worker",
            "-l",
            "warn",
            "--without-web",
        ]
        log_path = Path(tmp) / "worker.log"
        with _process(command, env, log_path) as process:
            finished = _wait_for(lambda: result.exists() or process.poll() is not None)
            if not finished or not result.exists():
                tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
                raise RuntimeError(f"the faust agent did not finish; its log ends:\n{tail}")
        doc = json.loads(result.read_text(encoding="utf-8"))
        if doc["events"] + 1 < events:
            _progress(f"faust saw {doc['events'] + 1} of its {events} events (it dropped some)")
        return Timed(int(doc["events"]), float(doc["seconds"]))


@contextmanager
def _process(
    command: list[str], env: dict[str, str], log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` with its output in `log_path`; stop it (SIGTERM, then kill) on the way out."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(done: Callable[[], bool], timeout_s: float = FAUST_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if done():
            return True
        time.sleep(0.05)
    return False


def _faust_internal_topics(kafka: KafkaSettings, tag: str) -> list[str]:
    """The topics faust made for itself (its leader-election topic per app id)."""
    admin = KafkaAdminClient(**kafka.client_options())
    try:
        return [t for t in admin.list_topics() if t.startswith(f"bench-faust-{tag}-")]
    finally:
        admin.close()


def _delete_topics(kafka: KafkaSettings, names: Sequence[str]) -> None:
    admin = KafkaAdminClient(**kafka.client_options())
    try:
        existing = set(admin.list_topics())
        doomed = sorted(set(names) & existing)
        if doomed:
            with suppress(Exception):  # best effort: a leftover bench topic harms nothing
                admin.delete_topics(doomed)
    finally:
        admin.close()


def _progress(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _table(
    results: dict[int, dict[str, list[Timed]]], sla_cases: int, faust_cases: int, repeats: int
) -> str:
    lines = [
        f"sla vs a bare faust agent: sla {4 * sla_cases} events ({sla_cases} new cases, "
        f"{sla_cases} stored ones updated), faust {4 * faust_cases} events of the same mix; "
        f"{repeats} alternating runs at each size",
        f"{'stored cases':>12}  {'faust ev/s':>10}  {'sla ev/s':>9}  {'sla in store':>12}  "
        f"{'ratio':>6}  runs (faust / sla ev/s)",
    ]
    for size, runs in results.items():
        faust, sla = runs["faust"], runs["sla"]
        ratio = statistics.median(s.rate / f.rate for s, f in zip(sla, faust, strict=True))
        store = statistics.median(s.store_seconds / s.seconds for s in sla)
        pairs = ", ".join(f"{f.rate:,.0f} / {s.rate:,.1f}" for f, s in zip(faust, sla, strict=True))
        lines.append(
            f"{size:>12,}  {statistics.median(f.rate for f in faust):>10,.0f}  "
            f"{statistics.median(s.rate for s in sla):>9,.1f}  {store:>12.0%}  "
            f"{ratio:>6.3f}  {pairs}"
        )
    worst = min(
        statistics.median(s.rate / f.rate for s, f in zip(r["sla"], r["faust"], strict=True))
        for r in results.values()
    )
    verdict = "meets" if worst >= GOAL else "BELOW"
    lines.append(
        f"ratio sla / faust (median of paired runs), lowest: {worst:.3f} "
        f"({verdict} the goal of {GOAL})"
    )
    return "\n".join(lines)
