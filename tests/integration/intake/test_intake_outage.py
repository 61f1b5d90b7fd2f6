"""Outages: Kafka away at submit time (accepted, relayed later), Mongo away (nothing accepted)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from intake_helpers import API_KEY, DEAD_KAFKA
from pymongo.collection import Collection

from services.intake.app import create_app
from services.intake.config import Settings
from services.intake.repository import ComplaintRepository
from shared.events import ComplaintReceived, decode
from shared.mongo import mongo_client
from tests.support.infra import Infra
from tests.support.kafka import read_to_end
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration

URL = "/v1/channels/web/complaints"
AUTH = {"X-Api-Key": API_KEY}


def form(form_id: str) -> dict[str, Any]:
    return {"form_id": form_id, "title": "Sampah menumpuk", "body": "Belum diangkut tiga hari."}


def test_complaint_accepted_while_kafka_is_down_is_published_when_it_returns(
    infra: Infra,
    settings_for: Callable[..., Settings],
    complaints: Collection[dict[str, Any]],
    received_topic: str,
) -> None:
    with TestClient(create_app(settings_for(bootstrap=DEAD_KAFKA))) as down:
        answer = down.post(URL, json=form("wf-outage"), headers=AUTH)
        assert answer.status_code == 202, answer.text
        ready = down.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["kafka"] != "ok"
        assert down.get("/livez").status_code == 200  # the relay keeps going round
    complaint_id = answer.json()["complaint_id"]
    doc = complaints.find_one({"_id": complaint_id})
    assert doc is not None and doc["outbox"]["published_at"] is None  # pending, not lost
    assert read_to_end(infra.kafka_bootstrap, received_topic) == []

    with TestClient(create_app(settings_for())):  # Kafka is back: a relay that reaches it
        wait_until(
            lambda: complaints.find_one(
                {"_id": complaint_id, "outbox.published_at": {"$ne": None}}
            ),
            message="the pending complaint to be published",
        )
    [record] = read_to_end(infra.kafka_bootstrap, received_topic, at_least=1)
    event = decode(record.value)
    assert isinstance(event.data, ComplaintReceived)
    assert event.data.tracking_number == answer.json()["tracking_number"]


def test_mongo_unavailable_is_503_and_nothing_is_accepted(
    settings_for: Callable[..., Settings], complaints: Collection[dict[str, Any]]
) -> None:
    app = create_app(settings_for())
    with TestClient(app) as client:
        # Mongo goes away after start-up: point the app's repository at a port nobody serves.
        dead = mongo_client("mongodb://127.0.0.1:1/", app_name="it-dead", timeout_ms=300)
        app.state.repo = ComplaintRepository(dead["nowhere"]["complaints"])
        response = client.post(URL, json=form("wf-nomongo"), headers=AUTH)
        dead.close()
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert "nothing was accepted" in response.json()["detail"]
    assert complaints.count_documents({}) == 0
