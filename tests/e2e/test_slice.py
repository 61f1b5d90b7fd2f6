"""One complaint's whole journey, through the four services as real processes.

web form → intake → complaints.received → router → opd.<code> → OPD simulator →
complaints.updates → sla (case view, status API) → complaints.resolved → publisher → LAPOR!
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared import headers
from tests.e2e.pipeline import API_KEY, DESKS, LIFECYCLE, OPDS, Pipeline
from tests.support.kafka import read_records, send_records
from tests.support.wait import wait_until

pytestmark = pytest.mark.e2e

COMPLAINTS = [
    {
        "title": "Jalan berlubang di Jl. Ahmad Yani",
        "body": "Jln di depan pasar berlubang besar, sering ada pengendara motor jatuh.",
        "location": {"text": "Jl. Ahmad Yani", "region_code": "35.78"},
        "reporter": {"name": "Siti Aminah", "phone": "081234567890", "email": "siti@example.id"},
    },
    {
        "title": "Antrean puskesmas sangat lama",
        "body": "Pelayanan di puskesmas lambat sekali, antre dari pagi belum dipanggil.",
        "anonymous": True,
        "reporter": {"name": "Budi Santoso", "nik": "3515012304850003", "phone": "+6285712345678"},
    },
]
PERSONAL = [
    "Siti Aminah",
    "81234567890",
    "siti@example.id",
    "Budi Santoso",
    "3515012304850003",
    "85712345678",
]


@pytest.fixture
def pipeline(infra: Any, new_topics: Any, new_db: Any, tmp_path: Path) -> Iterator[Pipeline]:
    topics = new_topics(*LIFECYCLE, *(f"opd.{code}" for code in (*DESKS, *OPDS)))
    running = Pipeline(topics=topics, database=new_db())
    try:
        running.start(infra.kafka_bootstrap, infra.mongodb_uri, tmp_path)
        yield running
    finally:
        exit_codes = running.stop()
    # uvicorn (intake, LAPOR!) re-raises SIGTERM once its graceful shutdown is done: -15 is clean.
    clean = {p.name: 0 for p in running.processes} | {"intake": -15, "lapor": -15}
    assert exit_codes == clean, "every service stops cleanly"


def submit(pipeline: Pipeline, complaint: dict[str, Any]) -> dict[str, Any]:
    body = {"form_id": f"e2e-{uuid.uuid4().hex[:8]}", **complaint}
    reply = httpx.post(
        pipeline.url("intake") + "/v1/channels/web/complaints",
        json=body,
        headers={"X-Api-Key": API_KEY},
    )
    assert reply.status_code == 202, reply.text
    return dict(reply.json())


def case_view(pipeline: Pipeline, tracking: str) -> dict[str, Any] | None:
    reply = httpx.get(f"{pipeline.url('sla')}/v1/cases/{tracking}")
    if reply.status_code not in (200, 404):
        raise AssertionError(f"status API answered {reply.status_code}: {reply.text[:500]}")
    return dict(reply.json()) if reply.status_code == 200 else None


def lapor_records(pipeline: Pipeline) -> list[dict[str, Any]]:
    return list(httpx.get(pipeline.url("lapor") + "/_contract/received").json()["complaints"])


def sent_to_lapor(pipeline: Pipeline) -> Counter[str]:
    """How many LAPOR! records each of our complaints has."""
    return Counter(r["complaint"]["external_id"].split(":")[0] for r in lapor_records(pipeline))


def wait_resolved(pipeline: Pipeline, accepted: dict[str, Any]) -> dict[str, Any]:
    return wait_until(
        lambda: (
            (view := case_view(pipeline, accepted["tracking_number"]))
            and view["status"] == "resolved"
            and view
        ),
        timeout=120,
        interval=0.3,
        message=f"{accepted['tracking_number']} resolved",
    )


def test_complaints_flow_from_web_form_to_lapor(pipeline: Pipeline, infra: Any) -> None:
    accepted = [submit(pipeline, c) for c in COMPLAINTS]

    views = [wait_resolved(pipeline, a) for a in accepted]
    assert [v["opd_code"] for v in views] == ["3578-pupr", "3578-dinkes"]
    answers = " ".join(
        httpx.get(f"{pipeline.url('sla')}/v1/cases/{a['tracking_number']}").text for a in accepted
    )
    assert not [p for p in PERSONAL if p in answers], (
        "the citizen's status answer holds no personal data"
    )

    ids = [a["complaint_id"] for a in accepted]
    wait_until(
        lambda: set(sent_to_lapor(pipeline)) == set(ids), timeout=60, message="both at LAPOR!"
    )
    assert sent_to_lapor(pipeline) == Counter({i: 1 for i in ids}), "exactly one LAPOR! record each"
    sent = " ".join(str(r["complaint"]) for r in lapor_records(pipeline))
    assert not [p for p in PERSONAL if p in sent], "no reporter identity is sent to LAPOR!"

    # Poison on complaints.received: parked with its reason, and the next complaint still flows.
    received = pipeline.topics["complaints.received"]
    poison = b'{"type": "id.aduan.complaint.received", "data": 1}'
    send_records(infra.kafka_bootstrap, received, [(b"broken", poison)])
    after = submit(
        pipeline,
        {
            "title": "Sampah menumpuk",
            "body": "Sampah menumpuk di pinggir kali, bau.",
            "location": {"text": "Kali Jagir", "region_code": "3578"},
        },
    )

    assert wait_resolved(pipeline, after)["opd_code"] == "3578-dlh"
    dead = read_records(infra.kafka_bootstrap, received + ".dlq", 2)  # the router's and the sla's
    assert {dict(r.headers)[headers.DLQ_SERVICE] for r in dead} == {b"router", b"sla"}
    for record in dead:
        assert record.value.startswith(poison)
        assert dict(record.headers)[headers.DLQ_SOURCE_TOPIC] == received.encode()
        assert dict(record.headers)[headers.DLQ_ERROR_MESSAGE]
    wait_until(
        lambda: after["complaint_id"] in sent_to_lapor(pipeline),
        timeout=60,
        message="third at LAPOR!",
    )
    assert sent_to_lapor(pipeline) == Counter({i: 1 for i in [*ids, after["complaint_id"]]})
