"""The LAPOR! contract server itself, over real HTTP: auth, validation, faults, no idempotency."""

from __future__ import annotations

from typing import Any

import pytest
from publisher_support import TOKEN, LaporServer

pytestmark = pytest.mark.integration

AUTH = {"Authorization": f"Bearer {TOKEN}"}
BODY: dict[str, Any] = {
    "title": "Lampu lalu lintas mati",
    "content": "Lampu di perempatan mati sejak kemarin.",
    "date_of_incident": "2025-03-01",
    "channel": "web",
    "classification_id": 2,
    "disposition_id": 102,
    "category_id": 1,
    "location_id": None,
    "is_anonymous": False,
    "is_secret": False,
    "attachments": [],
    "external_id": "cid:1",
}


def test_create_then_read_back_with_status(lapor_server: LaporServer) -> None:
    created = lapor_server.http.post("/api/v1/complaints", json=BODY, headers=AUTH)
    remote_id = created.json()["id"]
    read = lapor_server.http.get(f"/api/v1/complaints/{remote_id}", headers=AUTH)

    assert created.status_code == 201
    assert remote_id.startswith("LAPOR-")
    assert created.json()["tracking_id"]
    assert read.json()["status"] == "belum terverifikasi"
    assert read.json()["complaint"]["external_id"] == "cid:1"


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}]
)
def test_missing_or_invalid_token_is_401(
    lapor_server: LaporServer, headers: dict[str, str]
) -> None:
    answer = lapor_server.http.post("/api/v1/complaints", json=BODY, headers=headers)

    assert answer.status_code == 401
    assert lapor_server.complaints() == []


def test_invalid_body_is_422(lapor_server: LaporServer) -> None:
    answer = lapor_server.http.post(
        "/api/v1/complaints", json={**BODY, "title": "", "category_id": 0}, headers=AUTH
    )

    assert answer.status_code == 422
    assert lapor_server.complaints() == []


def test_injected_faults_fail_the_next_requests_only(lapor_server: LaporServer) -> None:
    lapor_server.faults(fail_next=2, status=503)

    statuses = [
        lapor_server.http.post("/api/v1/complaints", json=BODY, headers=AUTH).status_code
        for _ in range(3)
    ]

    assert statuses == [503, 503, 201]
    assert lapor_server.received()["injected_failures"] == 2


def test_the_same_body_twice_is_two_records(lapor_server: LaporServer) -> None:
    for _ in range(2):
        lapor_server.http.post("/api/v1/complaints", json=BODY, headers=AUTH).raise_for_status()

    assert len({c["id"] for c in lapor_server.complaints()}) == 2
