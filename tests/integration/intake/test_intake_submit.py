"""Submitting web-form complaints to the real app: storage first, then exactly one event."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from intake_helpers import API_KEY, CONNECTOR
from pymongo.collection import Collection

from services.intake.app import create_app
from services.intake.config import Settings
from shared.events import ComplaintReceived, decode
from tests.support.infra import Infra
from tests.support.kafka import read_to_end
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration

URL = "/v1/channels/web/complaints"
AUTH = {"X-Api-Key": API_KEY}


def form(form_id: str = "wf-it-1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "form_id": form_id,
        "title": "Lampu jalan mati",
        "body": "Lampu PJU di Jl. Diponegoro mati sejak seminggu.",
        "classification": "pengaduan",
        "location": {"text": "Jl. Diponegoro", "region_code": "35.78"},
        "anonymous": True,
        "reporter": {"name": "Budi", "phone": "+62 813-1234-5678", "nik": "3578010101900001"},
    }
    body.update(overrides)
    return body


@pytest.fixture
def client(settings_for: Callable[..., Settings]) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for())) as test_client:
        yield test_client


def _published(complaints: Collection[dict[str, Any]], complaint_id: str) -> bool:
    doc = complaints.find_one({"_id": complaint_id})
    return bool(doc and doc["outbox"]["published_at"] is not None)


def test_accepted_complaint_becomes_one_received_event(
    infra: Infra, client: TestClient, complaints: Collection[dict[str, Any]], received_topic: str
) -> None:
    response = client.post(URL, json=form(), headers=AUTH)
    assert response.status_code == 202, response.text
    answer = response.json()
    assert answer["status"] == "received" and answer["duplicate"] is False
    assert answer["status_url"] == f"/v1/cases/{answer['tracking_number']}"
    assert response.headers["location"] == answer["status_url"]
    wait_until(lambda: _published(complaints, answer["complaint_id"]), message="outbox published")

    [record] = read_to_end(infra.kafka_bootstrap, received_topic, at_least=1)
    event = decode(record.value)
    assert record.key.decode() == event.subject == answer["complaint_id"]
    assert dict(record.headers)["content-type"] == b"application/cloudevents+json"
    data = event.data
    assert isinstance(data, ComplaintReceived)
    assert data.tracking_number == answer["tracking_number"]
    assert (data.channel, data.channel_ref) == ("web", "wf-it-1")
    assert data.entry.connector_id == CONNECTOR
    assert data.anonymous and data.reporter is not None  # the router strips it for OPDs
    assert data.reporter.phone == "+6281312345678"


def test_same_form_twice_is_one_complaint_and_one_event(
    infra: Infra, client: TestClient, complaints: Collection[dict[str, Any]], received_topic: str
) -> None:
    first = client.post(URL, json=form("wf-dup"), headers=AUTH)
    again = client.post(
        URL, json=form("wf-dup", title="Lampu jalan mati (kirim ulang)"), headers=AUTH
    )
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["duplicate"] is True
    for key in ("complaint_id", "tracking_number"):
        assert again.json()[key] == first.json()[key]
    wait_until(lambda: _published(complaints, first.json()["complaint_id"]), message="published")
    assert complaints.count_documents({}) == 1
    assert len(read_to_end(infra.kafka_bootstrap, received_topic, at_least=1)) == 1


def test_a_second_report_of_one_problem_is_sent_marked_by_the_relay(
    infra: Infra, client: TestClient, complaints: Collection[dict[str, Any]], received_topic: str
) -> None:
    first = client.post(URL, json=form("wf-one"), headers=AUTH).json()
    again = form("wf-two", title="PJU mati", reporter={"phone": "0812-9876-5432"})
    second = client.post(URL, json=again, headers=AUTH).json()
    for answer in (first, second):
        wait_until(lambda a=answer: _published(complaints, a["complaint_id"]), message="sent")
    records = read_to_end(infra.kafka_bootstrap, received_topic, at_least=2)
    sent = {event.subject: event.data for event in (decode(r.value) for r in records)}
    marked = sent[second["complaint_id"]]
    assert isinstance(marked, ComplaintReceived)
    [link] = marked.possible_duplicates
    assert (link.complaint_id, link.tracking_number) == (
        first["complaint_id"],
        first["tracking_number"],
    )
    assert sent[first["complaint_id"]].possible_duplicates == []  # type: ignore[union-attr]
    stored = complaints.find_one({"_id": second["complaint_id"]})
    assert stored is not None and stored["complaint"]["possible_duplicates"] == []  # the relay's


def test_concurrent_deliveries_of_one_form_agree_on_one_tracking_number(
    client: TestClient, complaints: Collection[dict[str, Any]]
) -> None:
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(lambda _: client.post(URL, json=form("wf-race"), headers=AUTH), range(8))
        )
    assert sorted(a.status_code for a in answers) == [200] * 7 + [202]
    assert len({a.json()["tracking_number"] for a in answers}) == 1
    assert complaints.count_documents({"channel_ref": "wf-race"}) == 1


def test_a_burst_of_distinct_forms_is_stored_in_shared_groups_each_with_its_own_number(
    client: TestClient, complaints: Collection[dict[str, Any]]
) -> None:
    with ThreadPoolExecutor(16) as pool:
        answers = list(
            pool.map(
                lambda n: client.post(URL, json=form(f"wf-burst-{n}"), headers=AUTH), range(48)
            )
        )
    assert [a.status_code for a in answers] == [202] * 48
    assert len({a.json()["tracking_number"] for a in answers}) == 48
    stored = {d["_id"] for d in complaints.find({"channel_ref": {"$regex": "^wf-burst-"}})}
    assert stored == {a.json()["complaint_id"] for a in answers}


def test_invalid_fields_are_named_and_nothing_is_stored(
    client: TestClient, complaints: Collection[dict[str, Any]]
) -> None:
    bad = form(reporter={"nik": "12345", "phone": "021-555-1234", "email": "budi@"}, title="")
    response = client.post(URL, json=bad, headers=AUTH)
    assert response.status_code == 422
    reasons = {item["field"]: item["msg"] for item in response.json()["detail"]}
    assert set(reasons) == {"title", "reporter.nik", "reporter.phone", "reporter.email"}
    assert "16 digits" in reasons["reporter.nik"]
    assert "12345" not in response.text  # personal data is not echoed back
    assert complaints.count_documents({}) == 0


def test_oversized_body_is_refused_before_parsing(
    settings_for: Callable[..., Settings], complaints: Collection[dict[str, Any]]
) -> None:
    with TestClient(create_app(settings_for(max_body_bytes=4096))) as client:
        declared = client.post(URL, json=form(body="x" * 5000), headers=AUTH)

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
            yield b'{"form_id": "wf-big", "body": "'
            yield b"x" * 5000
            yield b'"}'

        streamed = client.post(URL, content=chunks(), headers=AUTH)
    assert declared.status_code == 413 and "4096" in declared.json()["detail"]
    assert streamed.status_code == 413 and "4096" in streamed.json()["detail"]
    assert complaints.count_documents({}) == 0


@pytest.mark.parametrize(
    ("headers", "reason"),
    [({}, "header is required"), ({"X-Api-Key": "wrong"}, "valid key")],
)
def test_missing_or_wrong_key_is_401_with_reason(
    client: TestClient,
    complaints: Collection[dict[str, Any]],
    headers: dict[str, str],
    reason: str,
) -> None:
    response = client.post(URL, json=form(), headers=headers)
    assert response.status_code == 401
    assert reason in response.json()["detail"]
    assert complaints.count_documents({}) == 0


def test_health_and_metrics(client: TestClient) -> None:
    assert client.post(URL, json=form("wf-metrics"), headers=AUTH).status_code == 202
    assert client.get("/livez").json()["checks"]["relay"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"mongo": "ok", "kafka": "ok"}
    text = client.get("/metrics").text
    assert 'intake_submissions_total{channel="web",outcome="accepted"}' in text
    assert "intake_outbox_pending_complaints" in text
