"""Alerts on the real Kafka and FerretDB with `python -m services.sla` as a process: an alert
within 5 s of its due time, and a restart while alerts fall due repeats none and misses none.

The calendar makes every day a working day of 24 hours and the verification clock a few
seconds long, so alerts fall due seconds after a complaint is received."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sla_support import SlaRun, sla_worker
from ulid import ULID

from shared.events import SlaAlert, decode
from tests.support import events
from tests.support.kafka import read_records, read_to_end, send_events
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration

LIMIT_S = 8.0  # verification: at risk after 6 s, overdue after 8 s, escalated after 10 s
LEVELS = 3


def fast_clocks() -> dict[str, str]:
    """Settings: one HK = one whole day, every day near now a working day, seconds-long limits."""
    today = datetime.now(UTC).date()
    days = [(today + timedelta(days=d)).isoformat() for d in range(-2, 3)]
    calendar = {
        "default": {"office_open": "00:00", "office_close": "23:59:59.999999", "working_days": days}
    }
    day = 86_400.0
    clocks = {"verification_days": LIMIT_S / day, "escalation_grace_days": 2 / day}
    return {"SLA_CALENDAR": json.dumps(calendar), "SLA_CLOCKS": json.dumps(clocks)}


def received(cid: str, at: datetime) -> Any:
    return events.received(cid, f"ADU-{cid[-6:]}", t0=at)


def alerts_of(records: list[Any]) -> list[tuple[Any, SlaAlert, str]]:
    decoded = [(r, decode(r.value)) for r in records]
    return [(r, e.data, e.id) for r, e in decoded if isinstance(e.data, SlaAlert)]


def test_an_alert_goes_out_within_5_s_of_its_due_time(run: SlaRun, record_property: Any) -> None:
    cid = str(ULID())
    with sla_worker(run, **fast_clocks()):
        send_events(run.kafka_bootstrap, run.received, received(cid, datetime.now(UTC)))
        found = alerts_of(read_records(run.kafka_bootstrap, run.alerts, LEVELS, timeout=40))
    assert [a.level for _, a, _ in found] == ["at_risk", "overdue", "escalated"]
    delays = [r.timestamp / 1000 - a.reached_at.timestamp() for r, a, _ in found]
    record_property("alert_delays_s", [round(d, 3) for d in delays])
    assert all(0 <= d <= 5 for d in delays), delays
    for record, alert, event_id in found:
        assert record.key == cid.encode() and alert.clock == "verification"
        assert alert.tracking_number == f"ADU-{cid[-6:]}" and alert.region_code == "35.78"
        assert event_id.startswith(str(ULID.from_timestamp(alert.clock_start.timestamp()))[:10])


def test_a_restart_while_alerts_fall_due_repeats_none_and_misses_none(
    run: SlaRun, cases: Any
) -> None:
    env = fast_clocks()
    ids = [str(ULID()) for _ in range(12)]
    with sla_worker(run, **env):
        now = datetime.now(UTC)
        # Half fall due while the worker runs, half while it is stopped.
        complaints = [
            received(cid, now - timedelta(seconds=4 * (n % 2))) for n, cid in enumerate(ids)
        ]
        send_events(run.kafka_bootstrap, run.received, *complaints)
        wait_until(
            lambda: cases.count_documents({"_id": {"$in": ids}}) == len(ids),
            timeout=30,
            message="all cases stored",
        )
        read_records(run.kafka_bootstrap, run.alerts, 1, timeout=30)  # some went out already
    stopped_at = datetime.now(UTC)
    wait_until(lambda: datetime.now(UTC) > stopped_at + timedelta(seconds=LIMIT_S + 4), 20)
    with sla_worker(run, **env):
        records = read_records(run.kafka_bootstrap, run.alerts, LEVELS * len(ids), timeout=60)
    records = read_to_end(run.kafka_bootstrap, run.alerts)  # and nothing more came
    found = alerts_of(records)
    per_alert = Counter((a.clock, a.level, r.key) for r, a, _ in found)
    assert len(found) == LEVELS * len(ids), per_alert
    assert set(per_alert.values()) == {1}, "no alert repeated"
    assert {r.key.decode() for r, _, _ in found} == set(ids), "every case alerted"
    assert len({event_id for _, _, event_id in found}) == len(found)
