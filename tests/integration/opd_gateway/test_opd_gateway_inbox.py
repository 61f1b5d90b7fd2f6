"""The inbox on the real Kafka and FerretDB: actions become the events a Kafka OPD would send,
refused transitions are 409, and an OPD can never see or act on another OPD's case."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from gateway_support import GatewayRun

from shared.events import decode
from tests.support.events import dispatched
from tests.support.kafka import read_to_end, send_events
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration
PUPR = {"X-API-Key": "key-pupr"}
DISDIK = {"X-API-Key": "key-disdik"}


@pytest.fixture
def run(start_gateway: Callable[..., GatewayRun]) -> GatewayRun:
    """A gateway with two inbox-only OPDs, each with one dispatched case, both tracked."""
    run = start_gateway(
        opds=[{"code": "3578-pupr"}, {"code": "35-disdik"}], secrets={},
        keys={"3578-pupr": "key-pupr", "35-disdik": "key-disdik"},
    )  # fmt: skip
    bootstrap = run.settings.kafka.bootstrap_servers
    send_events(
        bootstrap, run.opd_topic("3578-pupr"), dispatched("c-pupr", "ADU-P", opd="3578-pupr")
    )
    send_events(
        bootstrap, run.opd_topic("35-disdik"), dispatched("c-disdik", "ADU-D", opd="35-disdik")
    )
    for path, key in (("c-pupr", PUPR), ("c-disdik", DISDIK)):
        wait_until(lambda p=path, k=key: run.inbox.get(f"/v1/inbox/cases/{p}", headers=k).status_code == 200,
                   timeout=60, message=f"{path} tracked")  # fmt: skip
    return run


def updates(run: GatewayRun) -> list[object]:
    records = read_to_end(run.settings.kafka.bootstrap_servers, run.settings.topics.updates)
    return [decode(r.value) for r in records]


def test_an_opd_credential_on_another_opds_case_is_refused_and_nothing_is_emitted(
    run: GatewayRun,
) -> None:
    assert run.inbox.get("/v1/inbox/cases/c-disdik", headers=PUPR).status_code == 404
    assert [c["complaint_id"] for c in run.inbox.get("/v1/inbox/cases", headers=PUPR).json()] == [
        "c-pupr"
    ]
    attempts = {
        "follow-ups": {"text": "Sudah kami tangani.", "kind": "substantive"},
        "resolution": {"resolution": "Selesai."},
        "return": {"reason": "Bukan wewenang kami."},
        "postponement": {"missing": ["foto lokasi"], "by": "penghubung"},
    }
    for action, body in attempts.items():
        answer = run.inbox.post(f"/v1/inbox/cases/c-disdik/{action}", json=body, headers=PUPR)
        assert answer.status_code == 404, (action, answer.text)
    assert (
        run.inbox.post("/v1/inbox/cases/c-disdik/resolution", json={"resolution": "x"}).status_code
        == 401
    )
    # Proof that nothing was emitted: the owner's own action is the only record on the topic.
    own = run.inbox.post("/v1/inbox/cases/c-disdik/follow-ups", headers=DISDIK,
                         json={"text": "Kami tinjau.", "kind": "normative"})  # fmt: skip
    assert own.status_code == 202, own.text
    events = wait_until(lambda: updates(run), timeout=30)
    assert [(e.subject, e.data.opd_code) for e in events] == [("c-disdik", "35-disdik")]  # type: ignore[attr-defined]


def test_actions_become_opd_events_and_a_refused_transition_is_409_with_the_reason(
    run: GatewayRun,
) -> None:
    follow = run.inbox.post(
        "/v1/inbox/cases/c-pupr/follow-ups", headers=PUPR,
        json={"text": "Lubang sudah ditambal.", "kind": "substantive",
              "attachments": [{"url": "https://pupr.example/foto/1.jpg", "media_type": "image/jpeg"}]},
    )  # fmt: skip
    assert follow.status_code == 202, follow.text
    assert follow.json()["status"] == "in_progress"
    done = run.inbox.post("/v1/inbox/cases/c-pupr/resolution", headers=PUPR,
                          json={"resolution": "Perbaikan selesai."})  # fmt: skip
    assert done.status_code == 202 and done.json()["status"] == "resolved"
    # Resolved (even before the gateway read its own event back): no second resolution.
    again = run.inbox.post("/v1/inbox/cases/c-pupr/resolution", headers=PUPR,
                           json={"resolution": "Lagi."})  # fmt: skip
    assert again.status_code == 409
    assert "resolved is not allowed when the case is resolved" in again.json()["detail"]
    back = run.inbox.post("/v1/inbox/cases/c-pupr/return", headers=PUPR, json={"reason": "x"})
    assert back.status_code == 409

    events = wait_until(lambda: (e := updates(run)) and len(e) >= 2 and e, timeout=30)
    assert [e.type for e in events] == [  # type: ignore[attr-defined]
        "id.aduan.complaint.followup_posted", "id.aduan.complaint.resolved",
    ]  # fmt: skip
    first = events[0]
    assert first.id == follow.json()["event_id"]  # type: ignore[attr-defined]
    assert first.data.attachments[0].url == "https://pupr.example/foto/1.jpg"  # type: ignore[attr-defined]
    # The gateway reads its own events back and the case moves as the sla's would.
    wait_until(lambda: run.inbox.get("/v1/inbox/cases/c-pupr", headers=PUPR).json()["status"] == "resolved",
               timeout=30, message="the case read back as resolved")  # fmt: skip


def test_a_retried_request_with_its_idempotency_key_is_one_event(run: GatewayRun) -> None:
    body = {"text": "Petugas kami sudah ke lokasi.", "kind": "substantive"}
    headers = {**PUPR, "Idempotency-Key": "pupr-tl-0001"}
    first = run.inbox.post("/v1/inbox/cases/c-pupr/follow-ups", json=body, headers=headers)
    again = run.inbox.post("/v1/inbox/cases/c-pupr/follow-ups", json=body, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    other = run.inbox.post("/v1/inbox/cases/c-pupr/follow-ups", json=body, headers=PUPR)
    assert other.status_code == 202 and other.json()["event_id"] != first.json()["event_id"]
    events = wait_until(lambda: (e := updates(run)) and len(e) >= 2 and e, timeout=30)
    assert [e.id for e in events] == [first.json()["event_id"], other.json()["event_id"]]  # type: ignore[attr-defined]
