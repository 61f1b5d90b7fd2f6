"""`python -m bench --only sla1m` (or `python -m bench.sla_scale --sizes 1000,100000,1000000`):
the sla's state at up to 1,000,000 open cases, in this process, on the real MongoDB-wire store.

For each size N, a fresh database is filled directly (bulk `insert_many` of `cases` and
`case_timers` documents as the sla writes them: a received and assigned case with its partition,
its next alert instant spread over the coming weeks, and its backlog labels), then the real parts
of `services.sla.service` (handler, writer, alert timer, judge) are built on it and measured:

- before: the rebuild's read as it was before `case_timers` (the owned cases' timer fields
  projected from the whole `cases` documents through the `partition` index), up to --before-max;
- adoption: `StateRepository.adopt_timers` filling an empty timer collection from `cases` (the
  one-time upgrade of an older store), up to --adopt-max;
- rebuild: the ticks after all `PARTITIONS` partitions are assigned, back to back, until every
  owned case's timer document is read (a cursor per partition on the `p` index) into the timer
  heap, the held cases and the backlog gauge: the whole read, without batches in between;
- memory: the rebuild again under tracemalloc, counting what stays allocated after the rows are
  dropped (heap, due map, ids, instants, backlog), per case; and the process's RSS growth;
- handler: one follow-up on a stored case per batch (`handle_batch` and its `Then`: one `$in`
  read, the judge, the case's write (state and view) and its timer's), p50/p99 per event; no
  Kafka sends;
- tick: `DUE` cases made due at once, then one tick (pop, one `$in` read, clocks, store);
- batch: one batch of `BATCH` follow-ups on distinct stored cases (the handler and its `Then`),
  with the time the store spent on the writes to `cases` and to `case_timers` (pymongo's
  command monitoring): what the timer documents add to a batch;
- restart: a new owner of all partitions on the store of N cases (and `ALERTING` cases whose
  three verification levels fall due over the next 20 s), run as the consume loop runs it: a
  tick every `TICK_S` (each reads the timers for at most `SLA_LOAD_SLICE_S`, 0.5 s) and
  batches of one follow-up back to back in between. Time to the first batch handled after the
  assignment, time until every partition is loaded, the longest tick (what a batch waited), and
  the delay of those alerts (sent minus reached: late when a case is read after its due time);
- alert delay: with the N cases loaded, `ALERTING` new cases whose verification clock (8 s, on
  a calendar of 24-hour working days) reaches its three levels over about 20 s; the ticker runs
  every `SLA_TICK_INTERVAL_S` (1 s) as the consume loop runs it, and each alert's delay is the
  moment its tick returned it (ready to send; no Kafka here) minus the instant its level was
  reached (`reached_at`): p50, p99 and max.

The smallest size is the baseline: every figure is also quoted as a ratio to it, measured in
the same run. The database is dropped afterwards.

The in-process part at each --memory-sizes (none by default), without the store: the real
`AlertTicker` rebuild (its `PartitionLoader` with an unbounded slice: timer heap, held cases
and backlog in one tick) fed the rows a partition query would return, from a generator instead
of Mongo; its seconds (the Python part of a rebuild) and the
bytes per case it keeps (tracemalloc), and a tick's `pop_due` of `DUE` cases among them.

Not in `python -m bench`'s default list: it takes minutes (the 1,000,000-case fill alone about
ten on the shared 2-core machine). Run it under `flock /tmp/aduan-bench.lock`.
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
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kafka.structs import TopicPartition
from pymongo import MongoClient, monitoring

from bench import complaints
from services.sla import metrics
from services.sla.alerting import AlertTicker, Assignment, Topics
from services.sla.calendar import Calendars
from services.sla.config import Settings
from services.sla.handler import CaseHandler
from services.sla.held import HeldCases
from services.sla.loading import PartitionLoader
from services.sla.quality import Judge
from services.sla.repository import Owned, ReplyRepository, StateRepository
from services.sla.service import _parts
from services.sla.timers import TimerHeap
from services.sla.timing import Timing
from services.sla.writer import CaseWriter
from shared.events import SlaAlert, decode
from shared.kafka.records import Outgoing, Received, Then

DEFAULT_MONGODB_URI = "mongodb://127.0.0.1:27017/"
PARTITIONS = 3  # deploy/kafka/topics.yaml: the complaint topics' partitions
CHUNK = 2_000
EVENTS = 300
DUE = 100
BATCH = 500  # SLA_MAX_POLL_RECORDS's default
ALERTING = 50  # new cases alerting while the stored ones are loaded
VERIFICATION_S = 8.0  # at risk after 6 s, overdue after 8 s, escalated after 10 s
TICK_S = 1.0  # SLA_TICK_INTERVAL_S's default


@dataclass(frozen=True)
class Figures:
    """One size's measurements."""

    size: int
    fill_s: float
    before_s: float | None  # None: not measured at this size (--before-max)
    adopt_s: float | None  # None: not measured at this size (--adopt-max)
    rebuild_s: float
    bytes_per_case: float
    rss_per_case: float
    handler_p50_ms: float
    handler_p99_ms: float
    tick_ms: float
    delays: Delays
    batch: BatchWrites
    restart: Restart


@dataclass(frozen=True)
class Restart:
    """A new owner loading the store a slice per tick while batches keep coming."""

    first_batch_s: float  # from the assignment to the end of the first batch handled
    loaded_s: float  # from the assignment to the last partition read whole
    longest_tick_s: float  # the longest a batch waited for a tick during the load
    batches: int  # batches handled during the load
    delays: Delays  # alerts falling due during the load: sent minus reached


@dataclass(frozen=True)
class Delays:
    """Seconds from the instants alerts fell due to the ticks that sent them."""

    count: int
    p50_s: float
    p99_s: float
    max_s: float


@dataclass(frozen=True)
class BatchWrites:
    """One batch of `BATCH` follow-ups: its whole time and the store's time on each write."""

    total_ms: float
    cases_ms: float
    timers_ms: float


@dataclass(frozen=True)
class Limits:
    """The largest sizes at which the slow one-off reads are measured."""

    before: int = 100_000
    adopt: int = 100_000


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


def run(
    sizes: Sequence[int],
    memory_sizes: Sequence[int] = (),
    uri: str = DEFAULT_MONGODB_URI,
    limits: Limits = Limits(),
) -> str:
    """Measure each size (in process first, it is quick); return the tables."""
    in_process = [_in_process(size) for size in memory_sizes]
    figures = [_measure(size, uri, limits) for size in sizes]
    tables = [
        _in_process_table(in_process) if in_process else "",
        _table(figures) if figures else "",
        _restart_table(figures) if figures else "",
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

    def bury(self, timers: Sequence[Owned]) -> None:
        """The rows are open cases: nothing to bury."""


def _ticker(source: _Given) -> tuple[AlertTicker, TimerHeap]:
    settings = Settings()
    timers, held, assignment, backlog = TimerHeap(), HeldCases(), Assignment(), metrics.Backlog()
    timing = Timing(settings.clocks, Calendars(settings.calendar))
    loader = PartitionLoader(  # the whole rebuild in one tick: what it costs in Python
        source=source, timers=timers, held=held, backlog=backlog, slice_s=float("inf")
    )
    writer = CaseWriter(
        states=source, timing=timing, timers=timers, held=held,  # type: ignore[arg-type]
        backlog=backlog, loader=loader, held_max_age=timedelta(minutes=10),
        clock=lambda: datetime.now(UTC),
    )  # fmt: skip
    ticker = AlertTicker(
        states=source, writer=writer, timing=timing, timers=timers, held=held,  # type: ignore[arg-type]
        backlog=backlog, loader=loader, assignment=assignment, service="bench",
        topics=Topics(alerts="sla.alerts", updates="complaints.updates"),
        clock=lambda: datetime.now(UTC),
    )  # fmt: skip
    assignment.on_partitions_assigned([TopicPartition("t", p) for p in range(PARTITIONS)])
    return ticker, timers


def _measure(size: int, uri: str, limits: Limits) -> Figures:
    writes = _WriteTimer()
    client: MongoClient[dict[str, Any]] = MongoClient(uri, tz_aware=True, event_listeners=[writes])
    name = f"bench_sla1m_{uuid.uuid4().hex[:8]}"
    try:
        db = client[name]
        fill_s = _fill(db, size)
        _progress(f"{size:,} cases and timers stored in {fill_s:.0f} s")
        before_s = _before(db, size) if size <= limits.before else None
        adopt_s = _adopt(db, size) if size <= limits.adopt else None
        parts, rebuild_s, rss_per_case = _rebuild(db, size)
        _progress(f"{size:,} timers rebuilt in {rebuild_s:.2f} s")
        delays = _alert_delays(parts)
        p50, p99 = _handler(parts, size)
        tick_ms = _tick(parts, size)
        batch = _batch(parts, size, writes)
        del parts
        bytes_per_case = _memory(db, size)
        restart = _restart(db, size)
        _progress(
            f"{size:,}: first batch {restart.first_batch_s:.2f} s after the assignment, "
            f"loaded in {restart.loaded_s:.2f} s"
        )
        return Figures(
            size, fill_s, before_s, adopt_s, rebuild_s, bytes_per_case, rss_per_case,
            p50, p99, tick_ms, delays, batch, restart,
        )  # fmt: skip
    finally:
        client.drop_database(name)
        client.close()


def _settings(database: str) -> Settings:
    """The sla's settings, with a calendar of 24-hour working days and an 8-second verification
    clock, so that the new cases of `_alert_delays` reach their levels within seconds (the
    stored cases' timers lie days ahead and never fall due here)."""
    today = datetime.now(UTC).date()
    days = [(today + timedelta(days=d)).isoformat() for d in range(-2, 3)]
    calendar = {
        "default": {"office_open": "00:00", "office_close": "23:59:59.999999", "working_days": days}
    }
    clocks = {"verification_days": VERIFICATION_S / 86_400, "escalation_grace_days": 2 / 86_400}
    return Settings.model_validate(
        {"mongodb_database": database, "calendar": calendar, "clocks": clocks}
    )


@dataclass(frozen=True)
class _Parts:
    handler: CaseHandler
    ticker: AlertTicker
    timers: TimerHeap


def _built(db: Any) -> _Parts:
    """The service's own parts on `db`, owning every partition (loaded at the first tick)."""
    states = StateRepository(db["cases"], db["case_timers"])
    replies = ReplyRepository(db["reply_prints"])
    states.ensure_indexes()
    replies.ensure_indexes()
    settings = _settings(db.name)
    handler, ticker, assignment = _parts(settings, states, Judge(settings.followups, replies))
    assignment.on_partitions_assigned([TopicPartition("t", p) for p in range(PARTITIONS)])
    return _Parts(handler, ticker, ticker._timers)  # the heap _parts made, to count it


def _fill(db: Any, size: int) -> float:
    """Insert `size` open cases and their timers as the sla stores them; return the seconds it
    took. Every partition is marked adopted, as a store the sla wrote from the start is."""
    template = complaints.stored_state_template()
    soon = datetime.now(UTC) + timedelta(days=1)
    started = time.perf_counter()
    fresh = StateRepository(db["cases"], db["case_timers"])
    fresh.ensure_indexes()
    fresh.adopt_timers(range(PARTITIONS))  # as the sla's first start on an empty store does
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
        db["cases"].insert_many(docs, ordered=False)
        timers = [Owned.from_mongo(doc).to_mongo() for doc in docs]
        db["case_timers"].insert_many(timers, ordered=False)
        if start and start % 100_000 == 0:
            _progress(f"  {start:,} stored")
    return time.perf_counter() - started


def _before(db: Any, size: int) -> float:
    """Seconds of the rebuild's read before `case_timers`: the owned cases' timer fields
    projected from `cases` through the `partition` index (`owned()` as it was)."""
    query = {"partition": {"$in": [str(p) for p in range(PARTITIONS)]}}
    fields = ("partition", "next_alert_at", "held_until", "status", "opd_code", "overdue")
    started = time.perf_counter()
    rows = 0
    for doc in db["cases"].find(query, [*fields, "region_code"]):
        Owned.from_mongo(doc)
        rows += 1
    seconds = time.perf_counter() - started
    if rows != size:
        raise RuntimeError(f"read {rows} of {size} cases")
    _progress(f"{size:,} cases read as before in {seconds:.1f} s")
    return seconds


def _adopt(db: Any, size: int) -> float:
    """Seconds of the one-time copy of `size` cases' timers into an empty collection."""
    scratch = db["case_timers_adopted"]
    states = StateRepository(db["cases"], scratch)
    states.ensure_indexes()
    started = time.perf_counter()
    copied = states.adopt_timers(range(PARTITIONS))
    seconds = time.perf_counter() - started
    if copied != size:
        raise RuntimeError(f"adopted {copied} of {size} timers")
    scratch.drop()
    _progress(f"{size:,} timers adopted in {seconds:.1f} s")
    return seconds


def _rebuild(db: Any, size: int) -> tuple[_Parts, float, float]:
    """The first tick's rebuild of timers and backlog: (the parts, seconds, RSS growth per
    case)."""
    gc.collect()
    rss_before = _rss()
    parts = _built(db)
    started = time.perf_counter()
    _load_whole(parts)
    seconds = time.perf_counter() - started
    if len(parts.timers) != size:
        raise RuntimeError(f"rebuilt {len(parts.timers)} timers of {size} cases")
    gc.collect()
    return parts, seconds, (_rss() - rss_before) / size


def _memory(db: Any, size: int) -> float:
    """Bytes per case that the timers and backlog keep (tracemalloc, after the rows are gone).
    The store holds the `ALERTING` cases of `_alert_delays` too by now."""
    parts = _built(db)
    gc.collect()
    tracemalloc.start()
    _load_whole(parts)
    gc.collect()
    kept = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    cases = size + ALERTING
    if len(parts.timers) != cases:
        raise RuntimeError(f"rebuilt {len(parts.timers)} timers of {cases} cases")
    return kept / cases


def _load_whole(parts: _Parts) -> None:
    """Tick back to back until every owned partition is loaded."""
    parts.ticker.tick()
    while parts.ticker._loader.loading:
        _finish(parts.ticker.tick())


def _receive_alerting(parts: _Parts, prefix: str) -> None:
    """Receive `ALERTING` new cases, spread over 10 s: their verification levels fall due
    from 4 to 18 s from now."""
    now = datetime.now(UTC)
    batch = []
    for n in range(ALERTING):
        at = now - timedelta(seconds=2) + timedelta(seconds=10 * n / ALERTING)
        cid = complaints.case_id(n, prefix)
        event = complaints.received(cid, complaints.tracking(n, prefix[:4].upper()), at=at)
        batch.append(Received(_Record("complaints.received", n % PARTITIONS, n, b"", b""), event))
    _finish(parts.handler.handle_batch(batch))


def _restart(db: Any, size: int) -> Restart:
    """A new owner of every partition, run as the loop runs it: a tick every `TICK_S`, batches
    of one follow-up back to back between ticks, until it is loaded and the `ALERTING` cases
    received just before it started have sent their 3 levels each."""
    _receive_alerting(_built(db), "restart")  # by a worker that never ticks: stored only
    parts = _built(db)
    started = time.perf_counter()
    next_tick, deadline = started, started + 600
    first_batch_s = loaded_s = None
    longest_tick_s, batches, offset = 0.0, 0, 0
    delays: list[float] = []
    step = max(size // EVENTS, 1)
    while loaded_s is None or len(delays) < 3 * ALERTING:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"restart: {len(delays)} of {3 * ALERTING} alerts in 600 s")
        if time.perf_counter() >= next_tick:
            tick_started = time.perf_counter()
            next_tick = tick_started + TICK_S
            results = parts.ticker.tick()
            sent_at = datetime.now(UTC)
            delays.extend((sent_at - a.reached_at).total_seconds() for a in _alerts(results))
            _finish(results)
            if loaded_s is None:
                longest_tick_s = max(longest_tick_s, time.perf_counter() - tick_started)
                if not parts.ticker._loader.loading:
                    loaded_s = time.perf_counter() - started
        n = (offset * step) % size
        event = complaints.follow_up(complaints.case_id(n, "stored"))
        record = _Record("complaints.updates", n % PARTITIONS, offset, event.subject.encode(), b"")
        _finish(parts.handler.handle_batch([Received(record, event)]))
        offset += 1
        if first_batch_s is None:
            first_batch_s = time.perf_counter() - started
        if loaded_s is None:
            batches += 1
    if len(delays) != 3 * ALERTING:
        raise RuntimeError(f"restart: {len(delays)} alerts, {3 * ALERTING} expected")
    cuts = statistics.quantiles(delays, n=100)
    spread = Delays(len(delays), statistics.median(delays), cuts[98], max(delays))
    assert first_batch_s is not None
    return Restart(first_batch_s, loaded_s, longest_tick_s, batches, spread)


def _alert_delays(parts: _Parts) -> Delays:
    """Receive `ALERTING` new cases, spread over 10 s, then tick once per `TICK_S` as the
    loop does until their 3 levels each have been sent; the delay of each alert."""
    _receive_alerting(parts, "alerting")
    delays: list[float] = []
    deadline = time.monotonic() + 60
    next_tick = time.monotonic()
    while len(delays) < 3 * ALERTING and time.monotonic() < deadline:
        time.sleep(max(next_tick - time.monotonic(), 0))  # the loop's cadence, not a wait
        next_tick += TICK_S
        results = parts.ticker.tick()
        sent_at = datetime.now(UTC)
        for alert in _alerts(results):
            delays.append((sent_at - alert.reached_at).total_seconds())
        _finish(results)
    if len(delays) != 3 * ALERTING:
        raise RuntimeError(f"{len(delays)} of {3 * ALERTING} alerts sent within 60 s")
    cuts = statistics.quantiles(delays, n=100)
    return Delays(len(delays), statistics.median(delays), cuts[98], max(delays))


def _alerts(results: Sequence[Any]) -> list[SlaAlert]:
    events = [decode(r.value) for r in results if isinstance(r, Outgoing)]
    return [e.data for e in events if isinstance(e.data, SlaAlert)]


def _finish(results: Sequence[Any]) -> None:
    for result in results:
        if isinstance(result, Then):
            result.action()


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


class _WriteTimer(monitoring.CommandListener):
    """The store's time on writes (`update`, `insert`), per collection, while armed."""

    def __init__(self) -> None:
        self.micros: Counter[str] = Counter()
        self.armed = False
        self._collections: dict[int, str] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.armed and event.command_name in ("update", "insert"):
            self._collections[event.request_id] = event.command[event.command_name]

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        collection = self._collections.pop(event.request_id, None)
        if collection is not None:
            self.micros[collection] += event.duration_micros

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self.succeeded(event)  # type: ignore[arg-type]


def _batch(parts: _Parts, size: int, writes: _WriteTimer) -> BatchWrites:
    """One batch of `BATCH` follow-ups on distinct stored cases (others than `_handler`'s)."""
    step = max(size // BATCH, 1)
    batch = []
    for offset, n in enumerate(range(step // 2, size, step)):
        event = complaints.follow_up(complaints.case_id(n, "stored"))
        record = _Record("complaints.updates", n % PARTITIONS, offset, b"", b"")
        batch.append(Received(record, event))
    writes.micros.clear()
    writes.armed = True
    started = time.perf_counter()
    _finish(parts.handler.handle_batch(batch))
    total_ms = (time.perf_counter() - started) * 1000
    writes.armed = False
    ms = {name: micros / 1000 for name, micros in writes.micros.items()}
    return BatchWrites(total_ms, ms.get("cases", 0.0), ms.get("case_timers", 0.0))


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


def _ratio(value: float | None, base: float | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    if base is None:
        return f"{value:.{digits}f}"
    return f"{value:.{digits}f} ({value / base:.2f}x)"


def _table(figures: Sequence[Figures]) -> str:
    base = figures[0]
    lines = [
        f"sla state at scale ({PARTITIONS} partitions owned by one worker; baseline: "
        f"{base.size:,} cases, measured in the same run)",
        "| open cases | fill s | before: read from cases, s | adoption s | rebuild s "
        "| timer+backlog bytes/case | RSS bytes/case | handler p50 ms | p99 ms "
        "| tick, 100 due, ms | alert delay p50 / p99 / max s "
        f"| batch of {BATCH}: ms, of which writes to cases / case_timers |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        d = f.delays
        lines.append(
            f"| {f.size:,} | {f.fill_s:.0f} | {_ratio(f.before_s, base.before_s)} "
            f"| {_ratio(f.adopt_s, base.adopt_s)} | {_ratio(f.rebuild_s, base.rebuild_s)} "
            f"| {f.bytes_per_case:.0f} | {f.rss_per_case:.0f} "
            f"| {_ratio(f.handler_p50_ms, base.handler_p50_ms, 1)} "
            f"| {_ratio(f.handler_p99_ms, base.handler_p99_ms, 1)} "
            f"| {_ratio(f.tick_ms, base.tick_ms, 0)} "
            f"| {d.p50_s:.2f} / {d.p99_s:.2f} / {d.max_s:.2f} ({d.count} alerts) "
            f"| {f.batch.total_ms:.0f}: {f.batch.cases_ms:.0f} / {f.batch.timers_ms:.0f} |"
        )
    return "\n".join(lines)


def _restart_table(figures: Sequence[Figures]) -> str:
    base = figures[0].restart
    lines = [
        "sla restart: a new owner loads a slice per tick while batches come (baseline: "
        f"{figures[0].size:,} cases, same run)",
        "| open cases | first batch after the assignment, s | loaded, s | longest tick, s "
        "| batches during the load | alerts due during the load: delay p50 / p99 / max s |",
        "|---|---|---|---|---|---|",
    ]
    for f in figures:
        r, d = f.restart, f.restart.delays
        lines.append(
            f"| {f.size:,} | {_ratio(r.first_batch_s, base.first_batch_s)} "
            f"| {_ratio(r.loaded_s, base.loaded_s)} | {r.longest_tick_s:.2f} | {r.batches} "
            f"| {d.p50_s:.2f} / {d.p99_s:.2f} / {d.max_s:.2f} ({d.count} alerts) |"
        )
    return "\n".join(lines)


_BEFORE_HELP = "measure the read from `cases` (as before case_timers) up to this size"
_ADOPT_HELP = "measure the one-time adoption of timers from `cases` up to this size"


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
        default=[],
        help="open cases rebuilt in process, the first the baseline",
    )
    parser.add_argument("--before-max", type=int, default=Limits.before, help=_BEFORE_HELP)
    parser.add_argument("--adopt-max", type=int, default=Limits.adopt, help=_ADOPT_HELP)
    args = parser.parse_args(argv)
    uri = os.environ.get("MONGODB_URI", DEFAULT_MONGODB_URI)
    limits = Limits(before=args.before_max, adopt=args.adopt_max)
    sys.stdout.write(run(args.sizes, args.memory_sizes, uri, limits) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
