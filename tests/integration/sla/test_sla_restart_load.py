"""A restarted worker loads its partitions' timers from the real store a slice per tick
(`loading.py`): the alerts that fell due while it was away go out during the load, each once,
none missed; a case written while its partition loads keeps what the write stored; a partition
revoked mid-load sends nothing more and is loaded whole when assigned again.

The service's own parts (`service._parts`: handler, writer, loader, alert timer) on a fresh
FerretDB database, ticked as the consume loop ticks them; no Kafka (the tick returns what the
loop would send). A calendar of 24-hour working days and an 8-second verification clock make
every case received a minute ago due at its three levels."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kafka.structs import TopicPartition
from pymongo import MongoClient
from pymongo.database import Database

from services.sla.alerting import AlertTicker, Assignment
from services.sla.config import Settings
from services.sla.handler import CaseHandler
from services.sla.quality import Judge
from services.sla.repository import ReplyRepository, StateRepository
from services.sla.service import _parts
from shared.events import Envelope, SlaAlert, decode, encode
from shared.kafka.records import Outgoing, Received, Result, Then
from tests.support.events import follow_up, received
from tests.support.infra import Infra

pytestmark = pytest.mark.integration

PARTITIONS = 3
CASES = 45  # 15 per partition
LEVELS = 3  # at_risk, overdue, escalated of the verification clock


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes
    value: bytes
    headers: tuple[()] = ()


@dataclass
class Worker:
    handler: CaseHandler
    ticker: AlertTicker
    assignment: Assignment

    @property
    def loading(self) -> frozenset[int]:
        return self.ticker._loader.loading

    def handle(self, *events: tuple[int, Envelope[Any]]) -> None:
        batch = [
            Received(Record("complaints.received", p, n, e.subject.encode(), encode(e)), e)
            for n, (p, e) in enumerate(events)
        ]
        finish(self.handler.handle_batch(batch))

    def tick(self) -> list[tuple[str, str]]:
        """One tick as the loop runs it: (complaint id, alert id) of the alerts it sends."""
        results = self.ticker.tick()
        finish(results)
        return alerts(results)


def finish(results: list[Result]) -> None:
    for result in results:
        if isinstance(result, Then):
            result.action()


def alerts(results: list[Result]) -> list[tuple[str, str]]:
    found = [decode(r.value) for r in results if isinstance(r, Outgoing)]
    return [(e.subject, e.id) for e in found if isinstance(e.data, SlaAlert)]


def settings(database: str) -> Settings:
    """24-hour working days around today, an 8 s verification clock, and a load slice so short
    that each tick reads one timer document (the slice ends after the first row)."""
    today = datetime.now(UTC).date()
    days = [(today + timedelta(days=d)).isoformat() for d in range(-2, 3)]
    calendar = {
        "default": {"office_open": "00:00", "office_close": "23:59:59.999999", "working_days": days}
    }
    clocks = {"verification_days": 8 / 86_400, "escalation_grace_days": 2 / 86_400}
    return Settings.model_validate(
        {
            "mongodb_database": database,
            "calendar": calendar,
            "clocks": clocks,
            "load_slice_s": 1e-9,
        }
    )


def worker(db: Database[dict[str, Any]]) -> Worker:
    states = StateRepository(db["cases"], db["case_timers"])
    replies = ReplyRepository(db["reply_prints"])
    states.ensure_indexes()
    replies.ensure_indexes()
    config = settings(db.name)
    handler, ticker, assignment = _parts(config, states, Judge(config.followups, replies))
    assignment.on_partitions_assigned([TopicPartition("t", p) for p in range(PARTITIONS)])
    return Worker(handler, ticker, assignment)


def cid(n: int) -> str:
    return f"01JLOADIT{n:017d}"


@pytest.fixture
def db(infra: Infra, new_db: Callable[[], str]) -> Iterator[Database[dict[str, Any]]]:
    """A store where a first worker received `CASES` cases a minute ago and stopped before any
    of their alerts went out."""
    with MongoClient(infra.mongodb_uri, tz_aware=True) as client:
        database = client[new_db()]
        first = worker(database)
        minute_ago = datetime.now(UTC) - timedelta(minutes=1)
        first.handle(
            *[
                (n % PARTITIONS, received(cid(n), f"ADU-{n:04d}", t0=minute_ago))
                for n in range(CASES)
            ]
        )
        yield database


def stored_alerts(db: Database[dict[str, Any]]) -> dict[str, list[str]]:
    return {
        doc["_id"]: [a["alert_id"] for a in doc["case"].get("alerts", [])]
        for doc in db["cases"].find({}, ["case.alerts"])
    }


def tick_until_loaded(restarted: Worker, limit: int = 400) -> list[tuple[str, str]]:
    """Tick until every partition is loaded and a tick sends nothing more."""
    sent: list[tuple[str, str]] = []
    for _ in range(limit):
        found = restarted.tick()
        sent.extend(found)
        if not restarted.loading and not found:
            return sent
    raise AssertionError(f"still loading after {limit} ticks")


def test_alerts_due_while_the_worker_was_away_go_out_once_during_the_load(
    db: Database[dict[str, Any]],
) -> None:
    restarted = worker(db)
    sent = restarted.tick()
    assert restarted.loading == set(range(PARTITIONS)), "one slice per tick, not the whole store"
    assert sent, "the first case read alerts in the first tick"
    during = list(sent)
    while restarted.loading:
        during.extend(restarted.tick())
    sent = during + tick_until_loaded(restarted)

    assert len(sent) == len(set(sent)) == CASES * LEVELS, "each alert once, none missed"
    stored = stored_alerts(db)
    assert all(len(ids) == LEVELS for ids in stored.values())
    assert {alert for _, alert in sent} == {a for ids in stored.values() for a in ids}
    assert len(during) > CASES * LEVELS // 2, "most alerts went out before the load was complete"


def test_a_case_written_while_its_partition_loads_keeps_what_the_write_stored(
    db: Database[dict[str, Any]],
) -> None:
    restarted = worker(db)
    first = restarted.tick()  # partition 0's cursor is open and has fetched its documents
    assert 0 in restarted.loading
    read = set(restarted.ticker._timers._due) | {complaint for complaint, _ in first}
    waiting = next(c for c in (cid(n) for n in range(0, CASES, PARTITIONS)) if c not in read)
    restarted.handle((0, follow_up(waiting)))  # an OPD's event before its assignment: held
    sent = tick_until_loaded(restarted)
    assert restarted.ticker._loader.superseded == 1, "the cursor returned the older document"
    held = restarted.ticker._held.expired(datetime.now(UTC) + timedelta(days=1))
    assert waiting in held, "the older timer document read later did not clear the held event"
    assert len(sent) == len(set(sent))
    assert len(stored_alerts(db)[waiting]) == LEVELS


def test_a_partition_revoked_mid_load_sends_nothing_and_loads_whole_when_assigned_again(
    db: Database[dict[str, Any]],
) -> None:
    restarted = worker(db)
    restarted.tick()
    restarted.assignment.on_partitions_revoked([TopicPartition("t", 1)])
    sent = tick_until_loaded(restarted)
    revoked = {cid(n) for n in range(1, CASES, PARTITIONS)}
    assert not revoked & {complaint for complaint, _ in sent}
    stored = stored_alerts(db)
    assert not any(stored[c] for c in revoked), "nothing of partition 1 was sent"
    assert all(len(ids) == LEVELS for c, ids in stored.items() if c not in revoked)

    restarted.assignment.on_partitions_assigned([TopicPartition("t", 1)])
    again = tick_until_loaded(restarted)
    assert {complaint for complaint, _ in again} == revoked
    assert len(again) == len(set(again)) == len(revoked) * LEVELS
    assert all(len(ids) == LEVELS for ids in stored_alerts(db).values())


def test_a_whole_timer_document_of_an_ended_case_is_buried_as_it_is_read(
    db: Database[dict[str, Any]],
) -> None:
    old = {"p": "0", "revision": 7, "next_alert_at": None, "held_until": None, "overdue": False}
    db["case_timers"].insert_many(
        [
            {"_id": "ended-closed", "status": "closed", **old},  # as versions before 2026-11-29
            {"_id": "ended-resolved", "status": "resolved", **old},  # not ended: auto-close
        ]
    )
    restarted = worker(db)
    tick_until_loaded(restarted)
    assert db["case_timers"].find_one({"_id": "ended-closed"}) == {
        "_id": "ended-closed",
        "revision": 7,
        "status": "closed",
    }
    assert db["case_timers"].find_one({"_id": "ended-resolved"})["p"] == "0"  # type: ignore[index]
