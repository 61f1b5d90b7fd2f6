"""The dispatcher on fakes: concurrent across cases, in order within one, and a transient
error raised only after every task of the batch has ended."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from services.publisher.dispatch import Dispatcher
from services.publisher.ledger import LedgerEntry, LedgerKey, new_entry
from services.publisher.pending import PendingAges
from services.publisher.target import TargetRejected, TargetUnavailable
from shared.events import new_event
from shared.kafka.records import Received, Refused
from tests.unit.publisher.publisher_cases import case

NOW = datetime(2025, 3, 10, tzinfo=UTC)


class FakeLedger:
    def __init__(self) -> None:
        self.flushed = 0

    def claim_many(self, keys: Any, **_: Any) -> dict[LedgerKey, LedgerEntry]:
        return {
            k: new_entry(k, external_id="x", owner="me", lease_until=NOW, now=NOW) for k in keys
        }

    def buffered(self) -> None:
        pass

    def flush(self) -> None:
        self.flushed += 1


class RecordingTarget:
    """Publishes by noting (complaint, version); waits on a barrier so cases must overlap."""

    name = "fake"
    owner = "me"
    lease = timedelta(seconds=60)

    def __init__(self, parties: int, fail: dict[str, Exception] | None = None) -> None:
        self.ledger = FakeLedger()
        self.seen: list[tuple[str, int]] = []
        self.barrier = threading.Barrier(parties, timeout=5)
        self.fail = fail or {}
        self.lock = threading.Lock()

    def wants(self, _case: Any) -> bool:
        return True

    def key_of(self, event: Any) -> LedgerKey:
        return LedgerKey(
            complaint_id=event.subject, target=self.name, case_version=event.data.case_version
        )

    def external_id(self, key: LedgerKey) -> str:
        return f"{key.complaint_id}:{key.case_version}"

    def now(self) -> datetime:
        return NOW

    def publish(self, event: Any, _entry: LedgerEntry) -> None:
        if event.data.case_version == 1:
            self.barrier.wait()  # every case's first event must be running at once
        with self.lock:
            self.seen.append((event.subject, event.data.case_version))
        if event.subject in self.fail:
            raise self.fail[event.subject]


def received(complaint: str, version: int) -> Received[Any]:
    event = new_event(case(case_version=version), complaint_id=complaint, source="/t")
    return Received(SimpleNamespace(value=b"{}"), event)


def dispatcher(target: RecordingTarget) -> Dispatcher:
    return Dispatcher([target], max_in_flight=8, pending=PendingAges([target.name]))  # type: ignore[list-item]


def test_cases_overlap_and_each_case_keeps_its_order() -> None:
    target = RecordingTarget(parties=3)
    batch = [received(c, v) for v in (1, 2, 3) for c in ("A", "B", "C")]

    assert dispatcher(target).handle(batch) == []

    for complaint in "ABC":
        assert [v for c, v in target.seen if c == complaint] == [1, 2, 3]
    assert target.ledger.flushed == 1


def test_a_refusal_refuses_its_record_only() -> None:
    target = RecordingTarget(parties=2, fail={"A": TargetRejected("HTTP 422")})
    batch = [received("A", 1), received("B", 1)]

    results = dispatcher(target).handle(batch)

    assert [r.received.item.subject for r in results if isinstance(r, Refused)] == ["A"]


def test_a_transient_error_is_raised_after_every_task_ended_and_steps_are_flushed() -> None:
    target = RecordingTarget(parties=3, fail={"A": TargetUnavailable("503", certain=True)})
    batch = [received(c, 1) for c in "ABC"]

    with pytest.raises(TargetUnavailable):
        dispatcher(target).handle(batch)

    assert sorted(c for c, _ in target.seen) == ["A", "B", "C"]
    assert target.ledger.flushed == 1
