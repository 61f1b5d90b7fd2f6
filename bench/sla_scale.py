"""`python -m bench --only sla1m` (or `python -m bench.sla_scale --sizes 1000,100000,1000000`):
the sla's state at up to 1,000,000 open cases, in this process, on the real MongoDB-wire store.

For each size N, a fresh database is filled directly (bulk `insert_many` of `cases`
documents as the sla writes them: a received and assigned case with its partition, its next
alert instant spread over the coming weeks, and its backlog labels), then the real parts of
`services.sla.service` (handler, writer, alert timer, judge) are built on it and measured:

- rebuild: the first tick after all `PARTITIONS` partitions are assigned reads every owned
  case's timer and backlog fields (one query) and rebuilds the timer heap and backlog gauge;
- memory: the rebuild again under tracemalloc, counting what stays allocated after the rows are
  dropped (heap, due map, ids, instants, backlog), per case; and the process's RSS growth;
- handler: one follow-up on a stored case per batch (`handle_batch` and its `Then`: one `$in`
  read, the judge, one state and one view write), p50/p99 per event; no Kafka sends;
- tick: `DUE` cases made due at once, then one tick (pop, one `$in` read, clocks, store).

The smallest size is the baseline: every figure is also quoted as a ratio to it, measured in
the same run. The database is dropped afterwards.

The in-process part at each --memory-sizes (1,000,000 by default), without the store: the real
`AlertTicker` rebuild (`_load`: timer heap and backlog) fed the rows a partition query would
return, from a generator instead of Mongo (the "cheaper fill"); its seconds and the bytes per case
it keeps (tracemalloc), and a tick's `pop_due` of `DUE` cases among them. With the store figures'
`owned()` seconds per case this gives the rebuild at 1,000,000 without filling the store (a
1,000,000-document fill and scan take tens of minutes on the shared 2-core machine).

Not in `python -m bench`'s default list: it takes minutes.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kafka.structs import TopicPartition
from pymongo import MongoClient

from bench import complaints
from services.sla import metrics
from services.sla.alerting import AlertTicker, Assignment, Topics
from services.sla.calendar import Calendars
from services.sla.config import Settings
from services.sla.handler import CaseHandler
from services.sla.held import HeldCases
from services.sla.quality import Judge
from services.sla.repository import Owned, ReplyRepository, StateRepository
from services.sla.service import _parts
from services.sla.timers import TimerHeap
from services.sla.timing import Timing
from services.sla.writer import CaseWriter
from shared.kafka.records import Received, Then

DEFAULT_MONGODB_URI = "mongodb://127.0.0.1:27017/"
PARTITIONS = 3  # deploy/kafka/topics.yaml: the complaint topics' partitions
CHUNK = 2_000
EVENTS = 300
DUE = 100


@dataclass(frozen=True)
class Figures:
    """One size's measurements."""

    size: int
    fill_s: float
    rebuild_s: float
    bytes_per_case: float
    rss_per_case: float
    handler_p50_ms: float
    handler_p99_ms: float
    tick_ms: float


@dataclass(frozen=True)
class _Record:
    topic: str
    partition: int
    offset: int
    key: bytes
    value: bytes
    headers: tuple[()] = ()


@dataclass(frozen=True)
class InProcess:
    """The rebuild without the store, at one size."""

    size: int
    load_s: float
    bytes_per_case: float
    pop_due_ms: float


def run(sizes: Sequence[int], memory_sizes: Sequence[int], uri: str = DEFAULT_MONGODB_URI) -> str:
    """Measure each size (in process first, it is quick); return the tables."""
    in_process = [_in_process(size) for size in memory_sizes]
    figures = [_measure(size, uri) for size in sizes]
    tables = [
        _in_process_table(in_process) if in_process else "",
        _table(figures) if figures else "",
    ]
    return "\n\n".join(t for t in tables if t)


class _Rows:
    """What `StateRepository.owned` yields for `size` cases, made in memory."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.soon = datetime.now(UTC) + timedelta(days=1)

    def owned(self, partitions: Sequence[int]) -> Iterator[Owned]:
        for n in range(self.size):
            if n % PARTITIONS in partitions:
                yield Owned(
                    complaint_id=complaints.case_id(n, "stored"),
                    partition=n % PARTITIONS,
                    next_alert_at=self.soon + timedelta(seconds=n % 1_814_400),
                    status="assigned",
                    opd_code=f"opd{n % 40}",
                    region_code=f"35.{n % 38:02d}",
                    overdue=False,
                )


def _in_process(size: int) -> InProcess:
    """The ticker's rebuild from `size` rows without the store: seconds (rows made outside
    the clock), bytes kept per case, and one pop of `DUE` due cases."""
    rows = list(_Rows(size).owned(range(PARTITIONS)))
    source = _Given(rows)
    ticker, timers = _ticker(source)
    started = time.perf_counter()
    ticker.tick()
    load_s = time.perf_counter() - started
    del ticker, timers
    gc.collect()
    ticker, timers = _ticker(_Given(rows))
    tracemalloc.start()
    ticker.tick()
    gc.collect()
    kept = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    if len(timers) != size:
        raise RuntimeError(f"rebuilt {len(timers)} timers of {size} rows")
    now = datetime.now(UTC)
    for n in range(0, size, max(size // DUE, 1)):
        timers.set(complaints.case_id(n, "stored"), n % PARTITIONS, now - timedelta(seconds=1))
    started = time.perf_counter()
    due = timers.pop_due(now)
    pop_ms = (time.perf_counter() - started) * 1000
    if len(due) != len(range(0, size, max(size // DUE, 1))):
        raise RuntimeError(f"popped {len(due)} due cases")
    _progress(f"{size:,} timers rebuilt in process in {load_s:.2f} s")
    return InProcess(size, load_s, kept / size, pop_ms)


@dataclass(frozen=True)
class _Given:
    """A state repository that has only the rows it was given (the in-process rebuild)."""

    rows: list[Owned]

    def owned(self, partitions: Iterable[int]) -> Iterator[Owned]:
        wanted = set(partitions)
        return (row for row in self.rows if row.partition in wanted)


def _ticker(source: _Given) -> tuple[AlertTicker, TimerHeap]:
    settings = Settings()
    timers, held, assignment = TimerHeap(), HeldCases(), Assignment()
    timing = Timing(settings.clocks, Calendars(settings.calendar))
    writer = CaseWriter(
        states=source, timing=timing, timers=timers, held=held,  # type: ignore[arg-type]
        backlog=metrics.Backlog(), held_max_age=timedelta(minutes=10),
        clock=lambda: datetime.now(UTC),
    )  # fmt: skip
    ticker = AlertTicker(
        states=source, writer=writer, timing=timing, timers=timers, held=held,  # type: ignore[arg-type]
        backlog=metrics.Backlog(), assignment=assignment, service="bench",
        topics=Topics(alerts="sla.alerts", updates="complaints.updates"),
        clock=lambda: datetime.now(UTC),
    )  # fmt: skip
    assignment.on_partitions_assigned([TopicPartition("t", p) for p in range(PARTITIONS)])
    return ticker, timers


def _measure(size: int, uri: str) -> Figures:
    client: MongoClient[dict[str, Any]] = MongoClient(uri)
    name = f"bench_sla1m_{uuid.uuid4().hex[:8]}"
    try:
        db = client[name]
        fill_s = _fill(db["cases"], size)
        _progress(f"{size:,} cases stored in {fill_s:.0f} s")
        parts, rebuild_s, rss_per_case = _rebuild(db, size)
        p50, p99 = _handler(parts, size)
        tick_ms = _tick(parts, size)
        bytes_per_case = _memory(db, size)
        return Figures(size, fill_s, rebuild_s, bytes_per_case, rss_per_case, p50, p99, tick_ms)
    finally:
        client.drop_database(name)
        client.close()


def _settings(database: str) -> Settings:
    return Settings(mongodb_database=database)


@dataclass(frozen=True)
class _Parts:
    handler: CaseHandler
    ticker: AlertTicker
    timers: TimerHeap


def _built(db: Any) -> _Parts:
    """The service's own parts on `db`, owning every partition (loaded at the first tick)."""
    states, replies = StateRepository(db["cases"]), ReplyRepository(db["reply_prints"])
    states.ensure_indexes()
    replies.ensure_indexes()
    settings = _settings(db.name)
    handler, ticker, assignment = _parts(settings, states, Judge(settings.followups, replies))
    assignment.on_partitions_assigned([TopicPartition("t", p) for p in range(PARTITIONS)])
    return _Parts(handler, ticker, ticker._timers)  # the heap _parts made, to count it


def _fill(collection: Any, size: int) -> float:
    """Insert `size` open cases as the sla stores them; return the seconds it took."""
    template = complaints.stored_state_template()
    soon = datetime.now(UTC) + timedelta(days=1)
    started = time.perf_counter()
    for start in range(0, size, CHUNK):
        docs = []
        for n in range(start, min(size, start + CHUNK)):
            doc = complaints.stored_state(template, n)
            doc |= {
                "partition": str(n % PARTITIONS),  # as the sla stores it (repository.py)
                "next_alert_at": soon + timedelta(seconds=n % 1_814_400),  # over three weeks
                "status": "assigned",
                "opd_code": complaints.OPD,
                "region_code": "35.78",
                "overdue": False,
            }
            docs.append(doc)
        collection.insert_many(docs, ordered=False)
        if start and start % 100_000 == 0:
            _progress(f"  {start:,} stored")
    return time.perf_counter() - started


def _rebuild(db: Any, size: int) -> tuple[_Parts, float, float]:
    """The first tick's rebuild of timers and backlog: (the parts, seconds, RSS growth per
    case)."""
    gc.collect()
    rss_before = _rss()
    parts = _built(db)
    started = time.perf_counter()
    parts.ticker.tick()
    seconds = time.perf_counter() - started
    if len(parts.timers) != size:
        raise RuntimeError(f"rebuilt {len(parts.timers)} timers of {size} cases")
    gc.collect()
    return parts, seconds, (_rss() - rss_before) / size


def _memory(db: Any, size: int) -> float:
    """Bytes per case that the timers and backlog keep (tracemalloc, after the rows are gone)."""
    parts = _built(db)
    gc.collect()
    tracemalloc.start()
    parts.ticker.tick()
    gc.collect()
    kept = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    if len(parts.timers) != size:
        raise RuntimeError(f"rebuilt {len(parts.timers)} timers of {size} cases")
    return kept / size


def _handler(parts: _Parts, size: int) -> tuple[float, float]:
    """p50 and p99 ms of one follow-up on a stored case per batch, stores included."""
    step = max(size // EVENTS, 1)
    took = []
    for offset, n in enumerate(range(0, size, step)):
        event = complaints.follow_up(complaints.case_id(n, "stored"))
        record = _Record("complaints.updates", n % PARTITIONS, offset, event.subject.encode(), b"")
        started = time.perf_counter()
        for result in parts.handler.handle_batch([Received(record, event)]):
            if isinstance(result, Then):
                result.action()
        took.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(took, n=100)
    return statistics.median(took), cuts[98]


def _tick(parts: _Parts, size: int) -> float:
    """ms of one tick with `DUE` cases due at once among `size` loaded timers."""
    now = datetime.now(UTC)
    for n in range(0, size, max(size // DUE, 1)):
        parts.timers.set(
            complaints.case_id(n, "stored"), n % PARTITIONS, now - timedelta(seconds=1)
        )
    started = time.perf_counter()
    for result in parts.ticker.tick():
        if isinstance(result, Then):
            result.action()
    return (time.perf_counter() - started) * 1000


def _rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _progress(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _in_process_table(figures: Sequence[InProcess]) -> str:
    base = figures[0]
    lines = [
        f"sla timers and backlog rebuilt in process, rows from memory (baseline {base.size:,})",
        "| open cases | rebuild s (x base) | bytes/case kept | pop 100 due, ms |",
        "|---|---|---|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f.size:,} | {f.load_s:.2f} ({f.load_s / base.load_s:.0f}x) "
            f"| {f.bytes_per_case:.0f} | {f.pop_due_ms:.2f} |"
        )
    return "\n".join(lines)


def _table(figures: Sequence[Figures]) -> str:
    base = figures[0]
    lines = [
        f"sla state at scale ({PARTITIONS} partitions owned by one worker; baseline: "
        f"{base.size:,} cases, measured in the same run)",
        "| open cases | fill s | rebuild s (x base) | timer+backlog bytes/case | RSS bytes/case "
        "| handler p50 ms (x base) | p99 ms (x base) | tick, 100 due, ms (x base) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f.size:,} | {f.fill_s:.0f} | {f.rebuild_s:.2f} ({f.rebuild_s / base.rebuild_s:.0f}x) "
            f"| {f.bytes_per_case:.0f} | {f.rss_per_case:.0f} "
            f"| {f.handler_p50_ms:.1f} ({f.handler_p50_ms / base.handler_p50_ms:.2f}x) "
            f"| {f.handler_p99_ms:.1f} ({f.handler_p99_ms / base.handler_p99_ms:.2f}x) "
            f"| {f.tick_ms:.0f} ({f.tick_ms / base.tick_ms:.2f}x) |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run from the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.sla_scale", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(n.replace("_", "")) for n in text.split(",") if n.strip()],
        default=[1_000, 100_000],
        help="open cases in the store, the first the baseline",
    )
    parser.add_argument(
        "--memory-sizes",
        type=lambda text: [int(n.replace("_", "")) for n in text.split(",") if n.strip()],
        default=[1_000, 1_000_000],
        help="open cases rebuilt in process, the first the baseline",
    )
    args = parser.parse_args(argv)
    uri = os.environ.get("MONGODB_URI", DEFAULT_MONGODB_URI)
    sys.stdout.write(run(args.sizes, args.memory_sizes, uri) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
