"""The publisher core on in-memory fakes of the ledger and of LAPOR!: exactly one record per
case through retries, a lost answer, a failing ledger, a live claim, and a breaker trial."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pymongo.errors
import pytest

from services.publisher.lapor import Created, LaporRejected, LaporUnavailable
from services.publisher.ledger import LedgerEntry, LedgerKey, LedgerState, new_entry
from services.publisher.mapping import LaporMapping
from services.publisher.publisher import BreakerOpen, LaporPublisher
from services.publisher.repository import ClaimHeld
from shared.breaker import BreakerState, CircuitBreaker
from shared.events import new_event
from tests.unit.publisher.publisher_cases import case

NOW = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)


class MemoryLedger:
    """The ledger collection's behaviour, leases included; the writes named in `failing`
    raise a Mongo error once each."""

    def __init__(self) -> None:
        self.entries: dict[LedgerKey, LedgerEntry] = {}
        self.failing: set[str] = set()

    def _maybe_fail(self, write: str) -> None:
        if write in self.failing:
            self.failing.discard(write)
            raise pymongo.errors.AutoReconnect("mongo away")

    def claim(
        self, key: LedgerKey, *, external_id: str, owner: str, lease: timedelta, now: datetime
    ) -> LedgerEntry:
        self._maybe_fail("claim")
        found = self.entries.get(key)
        if found is None:
            self.entries[key] = new_entry(
                key, external_id=external_id, owner=owner, lease_until=now + lease, now=now
            )
            return self.entries[key]
        if found.state is LedgerState.SENT:
            return found
        if found.owner not in (None, owner) and found.lease_until and found.lease_until > now:
            raise ClaimHeld("held")
        self.entries[key] = found.model_copy(
            update={"owner": owner, "lease_until": now + lease, "attempts": found.attempts + 1}
        )
        return self.entries[key]

    def _set(self, key: LedgerKey, write: str, **fields: Any) -> None:
        self._maybe_fail(write)
        self.entries[key] = self.entries[key].model_copy(update=fields)

    def mark_in_flight(self, key: LedgerKey, *, now: datetime) -> None:
        self._set(key, "mark_in_flight", in_flight_since=now)

    def record_created(
        self, key: LedgerKey, *, remote_id: str, tracking_id: str | None, now: datetime
    ) -> None:
        self._set(
            key,
            "record_created",
            remote_id=remote_id,
            remote_tracking_id=tracking_id,
            in_flight_since=None,
        )

    def record_follow_up(self, key: LedgerKey, *, now: datetime, count: int | None = None) -> None:
        if count is None:
            self._set(key, "record_follow_up", follow_up_sent=True)
        else:
            self._set(key, "record_follow_up", follow_ups_sent=count)

    def record_transient(self, key: LedgerKey, *, error: str, certain: bool, now: datetime) -> None:
        self._set(
            key,
            "record_transient",
            last_error=error,
            **({"in_flight_since": None} if certain else {}),
        )

    def mark_sent(self, key: LedgerKey, *, now: datetime) -> None:
        self._set(key, "mark_sent", state=LedgerState.SENT, owner=None, lease_until=None)

    def mark_failed(self, key: LedgerKey, *, reason: str, now: datetime) -> None:
        self._set(
            key,
            "mark_failed",
            state=LedgerState.FAILED,
            reason=reason,
            owner=None,
            lease_until=None,
        )


class FakeLapor:
    """Holds records by external id; `lose_answer` creates the record, then times out."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.lose_answer = 0
        self.down = 0
        self.reject = False

    def create_complaint(self, body: Any) -> Created:
        if self.reject:
            raise LaporRejected("HTTP 422", status=422)
        if self.down:
            self.down -= 1
            raise LaporUnavailable("HTTP 503", certain=True)
        remote = f"LAPOR-{len(self.records) + 1}"
        self.records[body.external_id] = {"id": remote, "follow_ups": []}
        if self.lose_answer:
            self.lose_answer -= 1
            raise LaporUnavailable("ReadTimeout", certain=False)
        return Created(remote, "T1")

    def add_follow_up(self, remote_id: str, body: Any) -> None:
        for record in self.records.values():
            if record["id"] == remote_id:
                record["follow_ups"].append(body.content)
                record.setdefault("refs", []).append(body.external_ref)
                record.setdefault("files", []).append(body.attachments)

    def upload(self, attachment: Any) -> str:
        self.uploads = [*getattr(self, "uploads", []), attachment.url]
        return f"FILE-{len(self.uploads)}"

    def read(self, remote_id: str) -> dict[str, Any]:
        for record in self.records.values():
            if record["id"] == remote_id:
                return {"follow_ups": [{"external_ref": r} for r in record.get("refs", [])]}
        raise LaporRejected("HTTP 404", status=404)

    def find_by_external_id(self, external_id: str) -> Created | None:
        found = self.records.get(external_id)
        return Created(found["id"], "T1") if found else None


def publisher(
    ledger: MemoryLedger, lapor: FakeLapor, owner: str = "me", breaker: CircuitBreaker | None = None
) -> LaporPublisher:
    return LaporPublisher(
        ledger=ledger,  # type: ignore[arg-type]
        client=lapor,  # type: ignore[arg-type]
        breaker=breaker or CircuitBreaker(failure_threshold=3, cooldown_s=10),
        mapping=LaporMapping(),
        send_follow_up=True,
        owner=owner,
        clock=lambda: NOW,
        monotonic=lambda: 0.0,
    )


_EVENT = new_event(case(), complaint_id="01JCORE00000000000000000001", source="/aduan/sla")


def _same_event() -> Any:
    return _EVENT


def test_a_case_is_created_once_with_its_follow_up_and_the_ledger_says_sent() -> None:
    ledger, lapor = MemoryLedger(), FakeLapor()
    core = publisher(ledger, lapor)
    core.handle(_same_event())
    core.handle(_same_event())
    assert len(lapor.records) == 1
    [record] = lapor.records.values()
    assert record["follow_ups"] == ["Jalan telah ditambal."]
    [entry] = ledger.entries.values()
    assert entry.state is LedgerState.SENT and entry.owner is None


def test_a_lost_answer_is_looked_up_at_lapor_instead_of_creating_twice() -> None:
    ledger, lapor = MemoryLedger(), FakeLapor()
    lapor.lose_answer = 1
    core = publisher(ledger, lapor)
    with pytest.raises(LaporUnavailable):
        core.handle(_same_event())
    core = publisher(ledger, lapor)  # a restarted publisher: nothing remembered in memory
    core.handle(_same_event())
    assert len(lapor.records) == 1
    [entry] = ledger.entries.values()
    assert entry.state is LedgerState.SENT and entry.remote_id == "LAPOR-1"


def test_a_ledger_outage_after_the_create_does_not_create_again() -> None:
    ledger, lapor = MemoryLedger(), FakeLapor()
    core = publisher(ledger, lapor)
    ledger.failing = {"record_created"}
    with pytest.raises(pymongo.errors.AutoReconnect):
        core.handle(_same_event())
    core.handle(_same_event())
    assert len(lapor.records) == 1


def test_a_live_claim_of_another_publisher_is_waited_for() -> None:
    ledger, lapor = MemoryLedger(), FakeLapor()
    lapor.down = 1
    with pytest.raises(LaporUnavailable):
        publisher(ledger, lapor, owner="first").handle(_same_event())
    with pytest.raises(ClaimHeld):
        publisher(ledger, lapor, owner="second").handle(_same_event())
    assert lapor.records == {}


def test_a_mongo_error_during_the_breaker_trial_frees_the_trial() -> None:
    ledger, lapor = MemoryLedger(), FakeLapor()
    breaker = CircuitBreaker(failure_threshold=1, cooldown_s=0)
    lapor.down = 1
    core = publisher(ledger, lapor, breaker=breaker)
    with pytest.raises(LaporUnavailable):
        core.handle(_same_event())
    assert breaker.state(0.0) is BreakerState.HALF_OPEN
    ledger.failing = {"mark_in_flight"}  # fails inside the trial call
    with pytest.raises(pymongo.errors.AutoReconnect):
        core.handle(_same_event())
    core.handle(_same_event())  # the trial slot was released: the call goes out
    assert len(lapor.records) == 1


def test_a_permanent_refusal_marks_the_entry_failed_and_propagates() -> None:
    ledger, lapor = MemoryLedger(), FakeLapor()
    lapor.reject = True
    with pytest.raises(LaporRejected):
        publisher(ledger, lapor).handle(_same_event())
    [entry] = ledger.entries.values()
    assert entry.state is LedgerState.FAILED and "422" in (entry.reason or "")


def test_an_open_breaker_is_a_wait_for_lapor_not_a_refusal() -> None:
    ledger, lapor = MemoryLedger(), FakeLapor()
    lapor.down = 5
    breaker = CircuitBreaker(failure_threshold=1, cooldown_s=600)
    core = publisher(ledger, lapor, breaker=breaker)
    with pytest.raises(LaporUnavailable):
        core.handle(_same_event())
    with pytest.raises(BreakerOpen) as caught:
        core.handle(_same_event())
    assert caught.value.dependency == "lapor"
