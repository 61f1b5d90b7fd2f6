"""The sla's repositories in memory, and a handler and alert timer wired on them, for unit
tests without Kafka or Mongo (the edges are tested for real in tests/integration)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from kafka.structs import TopicPartition

from services.sla import metrics
from services.sla.alerting import AlertTicker, Assignment, Topics
from services.sla.calendar import CalendarConfig, Calendars
from services.sla.clock_policy import ClockPolicy
from services.sla.followups import Fingerprint, FollowUpPolicy
from services.sla.handler import CaseHandler
from services.sla.held import HeldCases
from services.sla.loading import PartitionLoader
from services.sla.quality import Judge, Reply
from services.sla.repository import Owned, StaleCase, Stored, Write
from services.sla.timers import TimerHeap
from services.sla.timing import Timing
from services.sla.view import CaseDocument
from services.sla.writer import CaseWriter
from shared.events import Envelope, encode
from shared.kafka.records import Received, Result, Then
from tests.support.events import T0


class MemoryViews:
    """The view fields of the `cases` documents, as the status API reads them."""

    def __init__(self) -> None:
        self.docs: dict[str, CaseDocument] = {}


class MemoryStates:
    """The `cases` and `case_timers` collections as dicts; `save_many` checks revisions like
    the real one, stores each case's state and view together, then its timer (unless
    `fail_timers` is set: a failure between the two writes)."""

    def __init__(self) -> None:
        self.docs: dict[str, Stored] = {}
        self.timers: dict[str, Owned] = {}
        self.views = MemoryViews()
        self.reads = 0
        self.fail_timers = False

    def load_many(self, complaint_ids: Iterable[str]) -> dict[str, Stored]:
        self.reads += 1
        return {cid: self.docs[cid] for cid in set(complaint_ids) if cid in self.docs}

    def save_many(self, changes: Sequence[Write]) -> None:
        for change in changes:
            current = self.docs.get(change.case.complaint_id)
            if (current.revision if current else 0) != change.revision:
                raise StaleCase("changed meanwhile")
        for c in changes:
            self.docs[c.case.complaint_id] = Stored(c.case, c.revision + 1, c.partition, c.overdue)
            if c.view is not None:
                self.views.docs[c.case.complaint_id] = c.view
        self.save_timers([timer for c in changes if (timer := c.timer())])

    def save_timers(self, timers: Sequence[Owned]) -> None:
        if self.fail_timers:
            raise ConnectionError("the store went away between the case and its timer")
        for timer in timers:
            current = self.timers.get(timer.complaint_id)
            if current is None or current.revision <= timer.revision:
                self.timers[timer.complaint_id] = timer

    def bury(self, timers: Sequence[Owned]) -> None:
        for timer in timers:
            if self.timers[timer.complaint_id].revision == timer.revision:
                self.timers[timer.complaint_id] = timer  # `ended`: no partition's load reads it

    def owned(self, partitions: Iterable[int]) -> Iterator[Owned]:
        wanted = set(partitions)  # a snapshot, as a cursor may return what was before a write
        found = [t for t in self.timers.values() if t.partition in wanted and not t.ended]
        return iter(found)


class MemoryReplies:
    """The reply fingerprints as a dict by id, like the insert-only collection."""

    def __init__(self) -> None:
        self.docs: dict[str, Reply] = {}

    def add_many(self, replies: Sequence[Reply]) -> None:
        self.docs.update((r.print_.ref or r.opd, r) for r in replies)

    def latest(self, opd: str, count: int) -> list[Fingerprint]:
        mine = sorted((r for r in self.docs.values() if r.opd == opd), key=lambda r: r.at)
        return [r.print_ for r in mine[-count:]]


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes
    value: bytes
    headers: tuple[()] = ()


@dataclass
class Clock:
    """A settable wall clock."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Steps:
    """A monotonic clock that advances by one at each reading: the loader's slice then reads
    `load_slice_s` rows, whatever the machine's speed."""

    now: float = 0.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


@dataclass
class Sla:
    """A handler and an alert timer on in-memory stores, owning partition 0."""

    states: MemoryStates = field(default_factory=MemoryStates)
    replies: MemoryReplies = field(default_factory=MemoryReplies)
    clock: Clock = field(default_factory=Clock)
    policy: ClockPolicy = field(default_factory=ClockPolicy)
    followups: FollowUpPolicy = field(default_factory=FollowUpPolicy)
    resolved_version: int = 2
    timers: TimerHeap = field(default_factory=TimerHeap)
    assignment: Assignment = field(default_factory=Assignment)
    load_slice_s: float = 1e9  # in steps of `steps`: one step per row read
    steps: Steps = field(default_factory=Steps)

    def __post_init__(self) -> None:
        self.assignment.on_partitions_assigned([TopicPartition("t", 0)])
        timing = Timing(self.policy, Calendars(CalendarConfig()))
        backlog = metrics.Backlog()
        held = HeldCases()
        loader = PartitionLoader(
            source=self.states, timers=self.timers, held=held, backlog=backlog,
            slice_s=self.load_slice_s, clock=self.steps,
        )  # fmt: skip
        writer = CaseWriter(
            states=self.states, timing=timing, timers=self.timers, held=held,  # type: ignore[arg-type]
            backlog=backlog, loader=loader, held_max_age=timedelta(minutes=10), clock=self.clock,
        )  # fmt: skip
        self.handler = CaseHandler(
            states=self.states, writer=writer, held=held, judge=Judge(self.followups, self.replies),  # type: ignore[arg-type]
            service="sla", resolved_topic="complaints.resolved",
            resolved_version=self.resolved_version, clock=self.clock,
        )  # fmt: skip
        self.ticker = AlertTicker(
            states=self.states, writer=writer, timing=timing, timers=self.timers, held=held,  # type: ignore[arg-type]
            backlog=backlog, loader=loader, assignment=self.assignment, service="sla",
            clock=self.clock,
            topics=Topics(alerts="sla.alerts", updates="complaints.updates"),
        )  # fmt: skip
        self.loader, self.backlog, self.held = loader, backlog, held
        self.ticker.tick()  # takes the assignment

    @property
    def views(self) -> MemoryViews:
        """The views the states' writes stored."""
        return self.states.views

    def run(self, *events: Envelope[Any]) -> list[Result]:
        """Handle one batch as the loop does: results first, then the `Then` work."""
        return finish(self.handler.handle_batch(batch_of(*events)))

    def tick(self) -> list[Result]:
        """Run the alert timer as the loop does."""
        return finish(self.ticker.tick())


def batch_of(*events: Envelope[Any]) -> list[Received[Envelope[Any]]]:
    return [
        Received(Record("t", 0, n, e.subject.encode(), encode(e)), e) for n, e in enumerate(events)
    ]


def finish(results: list[Result]) -> list[Result]:
    for result in results:
        if isinstance(result, Then):
            result.action()
    return [r for r in results if not isinstance(r, Then)]
