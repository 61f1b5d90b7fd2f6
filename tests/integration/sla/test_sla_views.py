"""The case views on the real Kafka and FerretDB: per-OPD keys see only their own cases, the
citizen's view hides a confidential title, and the Open311 GeoReport v2 read side answers the
`georeport` client (a PyPI library we did not write) in JSON and XML."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from georeport import GeoReport
from sla_support import SlaRun, sla_worker
from ulid import ULID

from tests.support import events
from tests.support.kafka import send_events
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration

KEYS = {"dpupr": "key-dpupr-7f3a", "dinkes": "key-dinkes-91c2"}
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)


def open_case(run: SlaRun, cases: Any, opd: str, *, confidential: bool = False) -> str:
    cid = str(ULID())
    tracking = f"ADU-{cid[-8:]}"
    send_events(
        run.kafka_bootstrap,
        run.received,
        events.received(cid, tracking, t0=T0, confidential=confidential),
    )
    send_events(run.kafka_bootstrap, run.assigned, events.assigned(cid, tracking, opd=opd, t0=T0))
    wait_until(
        lambda: cases.find_one({"_id": cid, "status": "assigned"}), 30, message="case assigned"
    )
    return tracking


def get(run: SlaRun, path: str, key: str | None = None) -> httpx.Response:
    headers = {"X-API-Key": key} if key else {}
    return httpx.get(f"{run.base_url}{path}", headers=headers, timeout=10)


def test_an_opd_key_reads_only_its_own_cases(run: SlaRun, cases: Any) -> None:
    with sla_worker(run, SLA_OPD_KEYS=json.dumps(KEYS)):
        roads = open_case(run, cases, "dpupr")
        health = open_case(run, cases, "dinkes", confidential=True)

        mine = get(run, "/v1/opd/cases", KEYS["dpupr"]).json()
        assert [c["tracking_number"] for c in mine] == [roads]
        assert get(run, f"/v1/opd/cases/{health}", KEYS["dpupr"]).status_code == 404
        assert get(run, f"/v1/opd/cases/{health}", "wrong-key").status_code == 401
        assert get(run, f"/v1/opd/cases/{health}").status_code == 401
        own = get(run, f"/v1/opd/cases/{health}", KEYS["dinkes"]).json()
        assert own["opd_code"] == "dinkes" and own["title"] == "Jalan berlubang"
        assert {c["clock"] for c in own["clocks"]} >= {"verification", "first_follow_up"}

        citizen = get(run, f"/v1/cases/{health}").json()
        assert citizen["title"] is None, "a confidential case shows no title"
        assert "Jalan berlubang" not in json.dumps(citizen)
        deadlines = {c["clock"]: c["due"] for c in citizen["clocks"]}
        assert deadlines["completion"] == citizen["expected_at"]


def test_open311_read_side_with_the_georeport_client(run: SlaRun, cases: Any) -> None:
    with sla_worker(run):
        roads = open_case(run, cases, "dpupr")
        secret = open_case(run, cases, "dinkes", confidential=True)
        client = GeoReport(f"{run.base_url}/open311/v2")

        one = client.get_service_request(roads)
        assert one["service_request_id"] == roads and one["status"] == "open"
        assert one["agency_responsible"] == "dpupr"
        assert one["expected_datetime"] and one["description"] == "Jalan berlubang"
        listed = client.get_service_requests(service_request_id=f"{roads},{secret}")
        by_id = {r["service_request_id"]: r for r in listed}
        assert set(by_id) == {roads, secret}
        assert by_id[secret]["description"] is None, "no confidential content"
        assert client.get_service_requests(status="closed", service_code="infrastruktur") == []
        recent = client.get_service_requests(
            service_code="infrastruktur", start_date=(T0 - timedelta(hours=1)).isoformat()
        )
        assert {roads, secret} <= {r["service_request_id"] for r in recent}
        future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        assert client.get_service_requests(start_date=future) == []

        as_xml = GeoReport(f"{run.base_url}/open311/v2", output_format="xml")
        assert as_xml.get_service_request(roads)["agency_responsible"] == "dpupr"
        for value in (events.REPORTER.name, events.REPORTER.phone):
            assert value not in get(run, "/open311/v2/requests.json").text
