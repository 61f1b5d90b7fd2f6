"""Loading the timer documents of newly assigned partitions a slice at a time, between batches.

Reading a partition's `case_timers` takes about 57 µs a case on FerretDB (a minute at 1,000,000
cases). Done in one go it kept the loop's thread away from batches and alerts for all that
time; here each tick reads for at most `slice_s` from one cursor per partition (`p` equality,
an index lookup, kept open between ticks with a batch size), so batches are handled between
slices and the alerts of what is loaded go out. An alert due for a case not read yet is sent
once its timer is read: late, not lost.

Writes meet the load: the handler may store a case of a partition still loading. Its write
updates the timer heap and the held cases itself, and tells the loader (`written`), which then
keeps a stored timer of that case only if its revision is newer than the write's (the cursor may
return the document as it was before the write, or after). The backlog of a loading partition is
published when the partition is complete: the rows read plus the moves of the writes made
meanwhile, where a written case counts with the labels it had before its first such write, so
that its moves land on what it was.

A revoked partition's load is dropped (cursor, counts, written cases; the heap and the held
cases drop it themselves). Mongo away mid-load: the tick fails, the loop logs it and ticks
again; that partition's read starts over (what was read is set again, the same values; the row
counts restart, the writes' moves are kept).

A timer document of an ended case (closed or archived, nothing pending) written before ended
cases got tombstones is replaced by its tombstone as it is read (at the revision read), so the
next load of its partition no longer reads it.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from services.sla import metrics
from services.sla.held import HeldCases
from services.sla.repository import Owned
from services.sla.timers import TimerHeap

log = logging.getLogger(__name__)
Key = metrics.BacklogKey | None


class TimerSource(Protocol):
    """Where a partition's timer documents come from (`StateRepository.owned`)."""

    def owned(self, partitions: Iterable[int]) -> Iterator[Owned]:
        """The timer documents of `partitions`."""
        ...

    def bury(self, timers: Sequence[Owned]) -> None:
        """Replace the whole documents of ended cases by tombstones (at the revision read)."""
        ...


@dataclass
class _Load:
    """One partition being read."""

    rows: Iterator[Owned] | None = None  # the open cursor (None: not opened yet, or reset)
    read: Counter[Key] = field(default_factory=Counter)  # backlog labels of the rows read
    moved: Counter[Key] = field(default_factory=Counter)  # what writes meanwhile moved
    cases: int = 0
    superseded: int = 0  # rows older than a write made during the load, left out
    ended: list[Owned] = field(default_factory=list)  # whole documents of ended cases, to bury
    started: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class _Written:
    """A case written while its partition loads: the revision written last, and the backlog
    labels the case had before the first of those writes."""

    partition: int
    revision: int
    before: Key


class PartitionLoader:
    """Reads the timers of newly owned partitions into the heap, the held cases and the backlog,
    at most `slice_s` seconds per `step`."""

    def __init__(
        self,
        *,
        source: TimerSource,
        timers: TimerHeap,
        held: HeldCases,
        backlog: metrics.Backlog,
        slice_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source, self._timers, self._held, self._backlog = source, timers, held, backlog
        self._slice_s, self._clock = slice_s, clock
        self._loads: dict[int, _Load] = {}
        self._written: dict[str, _Written] = {}
        self.superseded = 0  # over all loads: how often the race with a write was met

    @property
    def loading(self) -> frozenset[int]:
        """The owned partitions not completely read yet."""
        return frozenset(self._loads)

    def start(self, partitions: Iterable[int]) -> None:
        """Begin reading newly owned partitions; writes to them count from now on."""
        for partition in sorted(partitions):
            self._loads.setdefault(partition, _Load())
            self._held.own(partition)

    def drop(self, partitions: Iterable[int]) -> None:
        """Forget the loads of revoked partitions (their new owner reads them)."""
        lost = set(partitions)
        for partition in lost & set(self._loads):
            _close(self._loads.pop(partition).rows)
        self._forget_written(lost)

    def written(
        self, complaint_id: str, partition: int | None, revision: int, was: Key, now: Key
    ) -> None:
        """A case stored with `revision` (backlog labels `was` -> `now`); only a loading
        partition's writes matter here."""
        if partition is None or (load := self._loads.get(partition)) is None:
            return
        if was is not None:
            load.moved[was] -= 1
        if now is not None:
            load.moved[now] += 1
        first = self._written.get(complaint_id)
        before = first.before if first is not None else was
        self._written[complaint_id] = _Written(partition, revision, before)

    def step(self) -> None:
        """Read for at most `slice_s`, partition after partition; finish the ones read whole."""
        deadline = self._clock() + self._slice_s
        for partition in sorted(self._loads):
            load = self._loads[partition]
            complete = self._read(partition, load, deadline)
            self._source.bury(load.ended)
            load.ended = []
            if not complete:
                return
            self._finish(partition, self._loads.pop(partition))

    def _read(self, partition: int, load: _Load, deadline: float) -> bool:
        """Read `load` until the deadline; True when its cursor is exhausted."""
        if load.rows is None:
            load.rows = self._source.owned([partition])
        try:
            for row in load.rows:
                self._take(load, row)
                if self._clock() >= deadline:
                    return False
        except Exception:
            _close(load.rows)  # Mongo away, a cursor lost: read this partition again
            load.rows, load.read, load.cases = None, Counter(), 0
            raise
        return True

    def _take(self, load: _Load, row: Owned) -> None:
        load.cases += 1
        if row.ended:  # written before ended cases got tombstones: the next load skips it
            load.ended.append(row)
        written = self._written.get(row.complaint_id)
        load.read[_key(row) if written is None else written.before] += 1
        if written is None or row.revision > written.revision:
            self._timers.set(row.complaint_id, row.partition, row.next_alert_at)
            self._held.set(row.complaint_id, row.partition, row.held_until)
        else:
            load.superseded += 1
            self.superseded += 1

    def _finish(self, partition: int, load: _Load) -> None:
        counts = load.read + load.moved  # `+` keeps the positive counts
        self._backlog.replace(partition, counts.elements())
        self._forget_written({partition})
        metrics.TIMERS.set(len(self._timers))
        took = time.monotonic() - load.started
        log.info(
            "timers loaded",
            extra={
                "partition": partition,
                "cases": load.cases,
                "superseded": load.superseded,
                "seconds": round(took, 2),
            },
        )

    def _forget_written(self, partitions: set[int]) -> None:
        gone = [cid for cid, w in self._written.items() if w.partition in partitions]
        for complaint_id in gone:
            del self._written[complaint_id]


def _key(row: Owned) -> Key:
    if row.status in metrics.CLOSED_STATUSES:
        return None
    opd, region = row.opd_code or metrics.NO_OPD, row.region_code or metrics.NO_REGION
    return (row.status, opd, region, str(row.overdue).lower())


def _close(rows: Iterator[Owned] | None) -> None:
    close = getattr(rows, "close", None)
    if close is not None:
        close()
