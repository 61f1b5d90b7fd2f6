"""The outbox relay's logic, with an in-memory store and a scripted producer.

These prove the rule "marked published only after the broker acknowledged"; the integration
tests prove the same against real Kafka and FerretDB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from intake_support import stored
from prometheus_client import REGISTRY
from pymongo.errors import AutoReconnect

from services.intake.outbox import RelayConfig, relay_round
from services.intake.relay import RelayWorker
from services.intake.repository import StoredComplaint
from shared.events import ComplaintReceived, decode

NOW = datetime(2025, 3, 4, 6, 0, tzinfo=UTC)
CONFIG = RelayConfig(topic="complaints.received.test", owner="me", batch_size=10)


@dataclass
class MemoryStore:
    """Claims, marks and releases like the repository, in memory."""

    complaints: dict[str, StoredComplaint] = field(default_factory=dict)
    published: dict[str, datetime] = field(default_factory=dict)
    leased_until: dict[str, datetime] = field(default_factory=dict)

    def add(self, *complaints: StoredComplaint) -> None:
        self.complaints.update({c.complaint_id: c for c in complaints})

    def claim_pending(
        self, *, owner: str, limit: int, lease: timedelta, now: datetime
    ) -> list[StoredComplaint]:
        free = [
            c
            for cid, c in sorted(self.complaints.items())
            if cid not in self.published and self.leased_until.get(cid, NOW - lease) <= now
        ][:limit]
        for c in free:
            self.leased_until[c.complaint_id] = now + lease
        return free

    def mark_published(self, complaint_ids: list[str], *, at: datetime) -> None:
        self.published.update(dict.fromkeys(complaint_ids, at))

    def release(self, complaint_ids: list[str]) -> None:
        for cid in complaint_ids:
            self.leased_until.pop(cid, None)

    def count_pending(self) -> int:
        return len(self.complaints) - len(self.published)


class Future:
    def __init__(self, done: bool, error: Exception | None = None) -> None:
        self.is_done, self.exception = done, error

    def succeeded(self) -> bool:
        return self.is_done and self.exception is None

    def failed(self) -> bool:
        return self.is_done and self.exception is not None


@dataclass
class ScriptedProducer:
    """`mode`: ok, refuse (send raises), fail (the broker refuses), hang (no ack in time)."""

    mode: str = "ok"
    sent: list[tuple[str, bytes, bytes]] = field(default_factory=list)
    closed: bool = False

    def send(self, topic: str, *, key: bytes, value: bytes, headers: list[Any]) -> Future:
        if self.mode == "refuse":
            raise TimeoutError("Failed to update metadata after 5.0 secs.")
        self.sent.append((topic, key, value))
        if self.mode == "fail":
            return Future(True, RuntimeError("NotEnoughReplicas"))
        return Future(self.mode == "ok")

    def flush(self, timeout: float | None = None) -> None:
        if self.mode == "hang":
            raise TimeoutError("flush timed out")

    def close(self, timeout: float | None = None) -> None:
        self.closed = True


def _store(n: int = 3) -> MemoryStore:
    store = MemoryStore()
    store.add(*(stored(form_id=f"wf-{i}", tracking_number=f"ADU-0000-000{i}") for i in range(n)))
    return store


def test_acknowledged_events_are_marked_published() -> None:
    store, producer = _store(), ScriptedProducer()
    result = relay_round(store, producer, CONFIG, clock=lambda: NOW)
    assert (result.claimed, result.published, result.error) == (3, 3, None)
    assert store.count_pending() == 0
    topic, key, value = producer.sent[0]
    event = decode(value)
    assert topic == CONFIG.topic
    assert key.decode() == event.subject == sorted(store.complaints)[0]  # oldest first
    assert isinstance(event.data, ComplaintReceived)


def test_nothing_is_marked_when_kafka_refuses_sends() -> None:
    store = _store()
    result = relay_round(store, ScriptedProducer("refuse"), CONFIG, clock=lambda: NOW)
    assert result.published == 0 and result.error is not None
    assert store.count_pending() == 3
    assert store.leased_until == {}  # released: the next round retries at once


def test_broker_errors_leave_complaints_pending_and_free() -> None:
    store = _store()
    result = relay_round(store, ScriptedProducer("fail"), CONFIG, clock=lambda: NOW)
    assert result.published == 0 and result.error and "NotEnoughReplicas" in result.error
    assert store.count_pending() == 3 and store.leased_until == {}


def test_unacknowledged_sends_stay_claimed_until_the_lease_ends() -> None:
    store = _store()
    result = relay_round(store, ScriptedProducer("hang"), CONFIG, clock=lambda: NOW)
    assert result.published == 0 and result.error and result.error.startswith("flush")
    assert store.count_pending() == 3
    again = relay_round(store, ScriptedProducer(), CONFIG, clock=lambda: NOW)
    assert again.claimed == 0  # not re-sent while the first copy may still be acknowledged
    later = NOW + CONFIG.lease + timedelta(seconds=1)
    assert relay_round(store, ScriptedProducer(), CONFIG, clock=lambda: later).published == 3


def test_pending_complaints_go_out_once_kafka_returns() -> None:
    store, producer = _store(), ScriptedProducer()
    reachable = {"kafka": False}

    def connect() -> ScriptedProducer:
        if not reachable["kafka"]:
            raise ConnectionError("Unable to bootstrap from 127.0.0.1:1")
        return producer

    worker = RelayWorker(store, connect, CONFIG)
    for _ in range(2):
        result = worker.run_round()
        assert result.error and result.error.startswith("connect")
        assert store.count_pending() == 3
    reachable["kafka"] = True
    assert worker.run_round().published == 3
    assert store.count_pending() == 0
    assert len(producer.sent) == 3


def test_flush_timeout_replaces_the_producer() -> None:
    store, hanging = _store(), ScriptedProducer("hang")
    worker = RelayWorker(store, lambda: hanging, CONFIG)
    assert worker.run_round().error
    assert hanging.closed  # its buffered records are dropped; the leases bring them back


class CountingStore(MemoryStore):
    """Counts the scans (claim_pending), which the fast path must not need."""

    scans: int = 0

    def claim_pending(
        self, *, owner: str, limit: int, lease: timedelta, now: datetime
    ) -> list[StoredComplaint]:
        self.scans += 1
        return super().claim_pending(owner=owner, limit=limit, lease=lease, now=now)


def test_offered_complaints_are_sent_without_scanning_the_store() -> None:
    store, producer = CountingStore(), ScriptedProducer()
    worker = RelayWorker(store, lambda: producer, CONFIG, poll_s=3600)
    worker.run_round()  # the first round scans (what a previous process left behind)
    scans = store.scans
    fresh = [stored(form_id=f"wf-f{i}", tracking_number=f"ADU-0000-100{i}") for i in range(3)]
    store.add(*fresh)
    for complaint in fresh:
        worker.offer(complaint)
    assert worker.run_round().published == 3
    assert store.scans == scans and store.count_pending() == 0


def test_a_failed_fresh_round_releases_its_complaints_to_the_next_scan() -> None:
    store, producer = CountingStore(), ScriptedProducer("fail")
    worker = RelayWorker(store, lambda: producer, CONFIG, poll_s=3600)
    worker.run_round()  # the first scan
    fresh = stored(form_id="wf-x", tracking_number="ADU-0000-2000")
    store.add(fresh)
    worker.offer(fresh)
    scans = store.scans
    assert worker.run_round().error is not None and store.scans == scans  # the fresh path failed
    producer.mode = "ok"
    assert worker.run_round().published == 1  # nothing offered: the scan finds it
    assert store.scans == scans + 1 and store.count_pending() == 0


def test_a_new_complaint_carries_its_relay_claim_so_other_scans_leave_it_alone() -> None:
    worker = RelayWorker(MemoryStore(), ScriptedProducer, CONFIG)
    claim = worker.claim()
    assert claim.owner == CONFIG.owner and claim.lease == CONFIG.lease


def test_a_backlog_of_offered_complaints_goes_out_in_bigger_rounds() -> None:
    store, producer = CountingStore(), ScriptedProducer()
    config = RelayConfig(topic=CONFIG.topic, owner="me", batch_size=10, backlog_batch_size=25)
    worker = RelayWorker(store, lambda: producer, config, poll_s=3600)
    worker.run_round()  # the first scan
    fresh = [stored(form_id=f"wf-b{i}", tracking_number=f"ADU-0000-3{i:03}") for i in range(30)]
    store.add(*fresh)
    for complaint in fresh:
        worker.offer(complaint)
    assert [worker.run_round().published for _ in range(2)] == [25, 5]
    assert store.count_pending() == 0
    assert [key for _, key, _ in producer.sent] == [c.complaint_id.encode() for c in fresh]


class UnmarkableStore(CountingStore):
    """Mongo goes away between the sends and the mark."""

    def mark_published(self, complaint_ids: list[str], *, at: datetime) -> None:
        raise AutoReconnect("127.0.0.1:27017: connection refused")


def test_overlapped_marks_are_done_when_the_relay_stops() -> None:
    store, producer = CountingStore(), ScriptedProducer()
    worker = RelayWorker(store, lambda: producer, CONFIG, poll_s=3600, overlap_marks=True)
    worker.run_round()  # the first scan
    fresh = [stored(form_id=f"wf-o{i}", tracking_number=f"ADU-0000-4{i:03}") for i in range(3)]
    store.add(*fresh)
    for complaint in fresh:
        worker.offer(complaint)
    assert worker.run_round().published == 3
    worker.stop()
    assert store.count_pending() == 0


def test_an_overlapped_mark_that_fails_leaves_its_complaints_claimed_for_a_resend() -> None:
    store, producer = UnmarkableStore(), ScriptedProducer()
    worker = RelayWorker(store, lambda: producer, CONFIG, poll_s=3600, overlap_marks=True)
    worker.run_round()
    fresh = stored(form_id="wf-u", tracking_number="ADU-0000-5000")
    store.add(fresh)
    worker.offer(fresh)
    failures = REGISTRY.get_sample_value("intake_outbox_failures_total", {"reason": "mark"}) or 0
    assert worker.run_round().published == 1  # acknowledged by the broker
    worker.stop()
    assert REGISTRY.get_sample_value("intake_outbox_failures_total", {"reason": "mark"}) == (
        failures + 1
    )
    assert store.count_pending() == 1  # still pending: a scan sends it again, same event id
