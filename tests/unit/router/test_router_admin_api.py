"""The coordinator's API on an in-memory queue: credentials, listing, and each action's events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from services.router.api import AdminApi, Admins, admin_app
from services.router.triage import MemoryTriage, TriagedCase
from shared.config import Topics
from shared.events import (
    Channel,
    ComplaintArchived,
    ComplaintDispatched,
    ComplaintForwarded,
    ComplaintPostponed,
    ComplaintReassigned,
    ComplaintReceived,
    Entry,
    Reporter,
    decode,
)
from shared.kafka.records import Outgoing

NOW = datetime(2026, 3, 17, 9, 0, tzinfo=UTC)
TOPICS = Topics()


def _case(cid: str, desk: str = "35-triage", **flags: bool) -> TriagedCase:
    complaint = ComplaintReceived(
        tracking_number=f"ADU-{cid}",
        channel=Channel.WEB,
        channel_ref=f"web-{cid}",
        received_at=NOW,
        title="Rahasia",
        body="isi laporan",
        reporter=Reporter(name="Budi", phone="+6281234567890"),
        entry=Entry(connector_id="web"),
        **flags,
    )
    return TriagedCase(
        complaint_id=cid, correlation_id=cid, desk=desk, triaged_at=NOW, complaint=complaint
    )


@pytest.fixture
def world() -> tuple[TestClient, MemoryTriage, list[Outgoing]]:
    store = MemoryTriage()
    store.put([_case("c1"), _case("c2", desk="65-triage", anonymous=True, confidential=True)])
    sent: list[Outgoing] = []

    def send(records: Sequence[Outgoing]) -> None:
        sent.extend(records)

    api = AdminApi(
        admins=Admins(keys={"ana": "k-ana", "jatim": "k-jatim"}, desks={"jatim": ["35-triage"]}),
        store=store,
        send=send,
        topics=TOPICS,
        opd_codes=lambda: frozenset({"3578-pupr"}),
        clock=lambda: NOW,
    )
    return TestClient(admin_app(api, APIRouter())), store, sent


def test_credentials_are_required_and_desks_limit_a_user(world) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = world
    assert client.get("/triage").json()["detail"] == "missing X-Api-Key header"
    assert client.get("/triage", headers={"X-Api-Key": "nope"}).status_code == 401
    listed = client.get("/triage", headers={"X-Api-Key": "k-jatim"}).json()
    assert [c["complaint_id"] for c in listed] == ["c1"]
    denied = client.get("/triage/c2", headers={"X-Api-Key": "k-jatim"})
    assert denied.status_code == 403 and "65-triage" in denied.json()["detail"]


def test_the_queue_hides_a_confidential_title(world) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = world
    listed = {
        c["complaint_id"]: c for c in client.get("/triage", headers={"X-Api-Key": "k-ana"}).json()
    }
    assert listed["c1"]["title"] == "Rahasia" and listed["c2"]["title"] is None


def test_dispose_moves_the_case_and_dispatches_it_without_identity_when_anonymous(world) -> None:  # type: ignore[no-untyped-def]
    client, store, sent = world
    body = {"action": "dispose", "opd": "3578-pupr", "reason": "jalan kota"}
    answer = client.post("/triage/c2/actions", json=body, headers={"X-Api-Key": "k-ana"})
    assert answer.status_code == 200 and not answer.json()["waiting"]
    moved, dispatched = (decode(r.value) for r in sent)
    assert sent[0].topic == TOPICS.assigned and sent[1].topic == TOPICS.opd("3578-pupr")
    assert isinstance(moved.data, ComplaintReassigned)
    assert (moved.data.opd_code, moved.data.previous_opd, moved.data.by) == (
        "3578-pupr",
        "65-triage",
        "ana",
    )
    assert isinstance(dispatched.data, ComplaintDispatched)
    assert dispatched.data.complaint.reporter is None and moved.correlation_id == "c2"
    assert store.get("c2") is None


def test_an_unknown_opd_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    client, store, sent = world
    body = {"action": "dispose", "opd": "9999-nope"}
    assert (
        client.post("/triage/c1/actions", json=body, headers={"X-Api-Key": "k-ana"}).status_code
        == 422
    )
    assert sent == [] and store.get("c1") is not None


@pytest.mark.parametrize(
    ("body", "payload", "waits"),
    [
        ({"action": "postpone", "missing": ["alamat kejadian"]}, ComplaintPostponed, True),
        ({"action": "forward", "institution": "Polda Jawa Timur"}, ComplaintForwarded, False),
        ({"action": "archive", "reason": "bukan pengaduan"}, ComplaintArchived, False),
    ],
)
def test_each_action_emits_its_event(world, body, payload, waits) -> None:  # type: ignore[no-untyped-def]
    client, store, sent = world
    answer = client.post("/triage/c1/actions", json=body, headers={"X-Api-Key": "k-jatim"})
    assert answer.status_code == 200 and answer.json()["waiting"] is waits
    (record,) = sent
    event = decode(record.value)
    assert record.topic == TOPICS.assigned and isinstance(event.data, payload)
    assert event.subject == "c1" and (store.get("c1") is not None) is waits


def test_an_action_without_its_reason_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    client, _, sent = world
    for body in (
        {"action": "archive"},
        {"action": "postpone", "missing": []},
        {"action": "forward"},
    ):
        assert (
            client.post("/triage/c1/actions", json=body, headers={"X-Api-Key": "k-ana"}).status_code
            == 422
        )
    assert sent == []
