"""The publisher against real Kafka, FerretDB and the LAPOR! contract server (a real process)."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import REGISTRY
from publisher_support import Env, LaporServer, PublisherFactory, committed
from ulid import ULID

from services.publisher.ledger import LedgerKey
from services.publisher.repository import LedgerRepository
from shared.events import CaseResolved, Envelope, new_event
from tests.support.kafka import read_to_end, send_events
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration

RESOLVED = {
    "tracking_number": "ADU-7K3M-9QXP",
    "channel": "web",
    "title": "Jalan berlubang di Jl. Ahmad Yani",
    "body": "Jalan berlubang besar di depan pasar, sudah tiga bulan tidak diperbaiki.",
    "classification": "pengaduan",
    "category": "infrastruktur",
    "opd_code": "dpupr",
    "region_code": "35.78",
    "incident_date": "2025-02-27",
    "anonymous": True,
    "confidential": False,
    "received_at": "2025-03-03T01:30:00Z",
    "resolved_at": "2025-03-10T03:00:00Z",
    "resolution": "Jalan telah ditambal.",
    "case_version": 1,
}


def resolved_event(complaint_id: str | None = None, **over: Any) -> Envelope[CaseResolved]:
    case = CaseResolved.model_validate({**RESOLVED, **over})
    return new_event(case, complaint_id=complaint_id or str(ULID()), source="/test")


def entry_of(ledger: Any, event: Envelope[CaseResolved]) -> dict[str, Any] | None:
    key = LedgerKey(complaint_id=event.subject, target="lapor", case_version=1)
    found = LedgerRepository(ledger).get(key)
    return None if found is None else found.model_dump()


def state_of(ledger: Any, event: Envelope[CaseResolved]) -> str | None:
    entry = entry_of(ledger, event)
    return None if entry is None else str(entry["state"])


def sends(outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "publisher_sends_total", {"target": "lapor", "outcome": outcome}
    )
    return value or 0.0


def dlq_headers(env: Env) -> dict[str, str]:
    (record,) = read_to_end(env.kafka_bootstrap, env.topic + ".dlq", at_least=1)
    return {k: v.decode() for k, v in record.headers}


def test_resolved_case_reaches_lapor_once_and_the_ledger_says_sent(
    env: Env,
    lapor_server: LaporServer,
    start_publisher: PublisherFactory,
    ledger: Any,
) -> None:
    runtime = start_publisher()
    event = resolved_event()
    send_events(env.kafka_bootstrap, env.topic, event)

    wait_until(lambda: state_of(ledger, event) == "sent", timeout=30, message="ledger sent")

    (record,) = lapor_server.complaints()
    entry = entry_of(ledger, event)
    assert entry is not None
    assert entry["remote_id"] == record["id"]
    assert entry["remote_id"].startswith("LAPOR-")
    assert entry["sent_at"] is not None
    assert record["complaint"]["external_id"] == f"{event.subject}:1"
    assert record["complaint"]["is_anonymous"] is True
    assert record["complaint"]["disposition_id"] == 103  # dpupr in the default mapping
    assert [f["content"] for f in record["follow_ups"]] == ["Jalan telah ditambal."]
    for name, check in runtime.ready.items():
        check()  # raises when Mongo or Kafka does not answer
        assert name in {"mongo", "kafka", "dependencies"}


def test_the_same_case_delivered_three_times_is_one_lapor_record(
    env: Env,
    lapor_server: LaporServer,
    start_publisher: PublisherFactory,
    ledger: Any,
) -> None:
    start_publisher()
    event = resolved_event()
    reemitted = resolved_event(event.subject)  # same case, new event id: sla emitted it again
    skipped_before = sends("skipped_duplicate")
    send_events(env.kafka_bootstrap, env.topic, event, event, reemitted)

    wait_until(lambda: committed(env) == 3, timeout=30, message="3 commits")

    assert len(lapor_server.complaints()) == 1
    assert state_of(ledger, event) == "sent"
    assert sends("skipped_duplicate") - skipped_before == 2


def test_two_503s_are_retried_and_the_case_sent_once(
    env: Env,
    lapor_server: LaporServer,
    start_publisher: PublisherFactory,
    ledger: Any,
) -> None:
    lapor_server.faults(fail_next=2, status=503)
    start_publisher()
    event = resolved_event()
    send_events(env.kafka_bootstrap, env.topic, event)

    wait_until(lambda: state_of(ledger, event) == "sent", timeout=30, message="ledger sent")

    received = lapor_server.received()
    assert received["injected_failures"] == 2
    assert len(received["complaints"]) == 1
    entry = entry_of(ledger, event)
    assert entry is not None
    assert entry["attempts"] == 3
    assert "503" in entry["last_error"]


def test_a_422_marks_the_ledger_failed_and_dead_letters_with_the_reason(
    env: Env,
    lapor_server: LaporServer,
    start_publisher: PublisherFactory,
    ledger: Any,
) -> None:
    lapor_server.faults(fail_next=1, status=422)
    start_publisher()
    event = resolved_event()
    send_events(env.kafka_bootstrap, env.topic, event)

    headers = dlq_headers(env)

    assert headers["dlq.error.class"] == "LaporRejected"
    assert "HTTP 422" in headers["dlq.error.message"]
    assert headers["dlq.attempts"] == "1"
    wait_until(lambda: state_of(ledger, event) == "failed", timeout=10, message="ledger failed")
    entry = entry_of(ledger, event)
    assert entry is not None
    assert "HTTP 422" in entry["reason"]
    assert lapor_server.complaints() == []


def test_an_opd_without_a_lapor_id_fails_without_calling_lapor(
    env: Env,
    lapor_server: LaporServer,
    start_publisher: PublisherFactory,
    ledger: Any,
) -> None:
    start_publisher()
    event = resolved_event(opd_code="dinsos")
    send_events(env.kafka_bootstrap, env.topic, event)

    headers = dlq_headers(env)

    assert headers["dlq.error.class"] == "MappingError"
    assert state_of(ledger, event) == "failed"
    assert lapor_server.received()["requests"] == 0


def test_lapor_down_is_waited_out_behind_the_breaker_and_the_case_sent_once(
    env: Env,
    lapor_server: LaporServer,
    start_publisher: PublisherFactory,
    ledger: Any,
) -> None:
    lapor_server.faults(fail_next=1000, status=503)
    service = start_publisher(breaker_failure_threshold=2, breaker_cooldown_s=0.5)
    event = resolved_event()
    send_events(env.kafka_bootstrap, env.topic, event)

    wait_until(lambda: "lapor" in service.loop.progress.down(), timeout=30, message="lapor down")
    wait_until(lambda: lapor_server.received()["requests"] >= 3, timeout=30, message="retries")
    assert state_of(ledger, event) == "pending"
    lapor_server.faults(fail_next=0)

    wait_until(lambda: state_of(ledger, event) == "sent", timeout=60, message="ledger sent")
    assert len(lapor_server.complaints()) == 1
    assert read_to_end(env.kafka_bootstrap, env.topic + ".dlq") == []
    wait_until(lambda: not service.loop.progress.down(), timeout=30, message="lapor back up")
