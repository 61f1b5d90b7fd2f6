"""`dry-run --mongo` over intake's stored complaints and `dry-run --topic` over a Kafka topic, on
the real FerretDB and Kafka, comparing the small rule set with a candidate."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from router_kafka import SMALL, RouterTopics, received_event

from services.router.__main__ import main
from shared.events import decode
from shared.mongo import mongo_client
from tests.support.infra import Infra
from tests.support.kafka import send_records

pytestmark = pytest.mark.integration
# The candidate puts health before roads: "jalan rusak ... puskesmas" moves from PUPR to Dinkes,
# and drops the KTP rule: those go to triage.
CANDIDATE = (SMALL / "rules.yaml").read_text().replace('version: "test.1"', 'version: "cand.1"')
CANDIDATE = CANDIDATE.replace(
    "priority: 40, when: {keywords: [puskesmas", "priority: 60, when: {keywords: [puskesmas"
)
CANDIDATE = "\n".join(line for line in CANDIDATE.splitlines() if "id: ktp" not in line) + "\n"
BODIES = {
    "c-1": "jalan rusak di depan puskesmas",  # 3578-pupr -> 3578-dinkes
    "c-2": "ktp belum jadi tiga bulan",  # 3578-dispendukcapil -> 35-triage
    "c-3": "sampah menumpuk di gang",  # 3578-dlh, unchanged
}
EXPECTED = {
    "3578-dinkes": {"moved_in": 1, "moved_out": 0, "newly_triaged": 0},
    "3578-pupr": {"moved_in": 0, "moved_out": 1, "newly_triaged": 0},
    "3578-dispendukcapil": {"moved_in": 0, "moved_out": 1, "newly_triaged": 1},
    "35-triage": {"moved_in": 1, "moved_out": 0, "newly_triaged": 0},
}


def _dry_run(tmp_path: Path, capsys: pytest.CaptureFixture[str], *source: str) -> dict[str, Any]:
    candidate = tmp_path / "candidate.yaml"
    candidate.write_text(CANDIDATE)
    argv = ["dry-run", "--rules", str(candidate), "--current", str(SMALL / "rules.yaml"),
            "--opd", str(SMALL / "opd.yaml"), "--json", *source]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def test_dry_run_over_intakes_stored_complaints(
    infra: Infra,
    new_db: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = new_db()
    client = mongo_client(infra.mongodb_uri, app_name="test-dry-run")
    old = datetime.now(UTC) - timedelta(days=30)
    docs = []
    for cid, body in BODIES.items():
        data = decode(received_event(cid, body, region="35.78")).data
        docs.append({"_id": cid, "received_at": data.received_at,  # type: ignore[attr-defined]
                     "complaint": data.model_dump(mode="json")})  # fmt: skip
    stale = decode(received_event("c-old", BODIES["c-1"], region="35.78")).data
    stale = stale.model_copy(update={"received_at": old})
    docs.append({"_id": "c-old", "received_at": old, "complaint": stale.model_dump(mode="json")})
    client[db]["intake_complaints"].insert_many(docs)
    client.close()
    monkeypatch.setenv("MONGODB_URI", infra.mongodb_uri)
    monkeypatch.setenv("ROUTER_MONGODB_DATABASE", db)

    report = _dry_run(tmp_path, capsys, "--mongo")
    assert (report["total"], report["changed"]) == (4, 3)
    since = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    report = _dry_run(tmp_path, capsys, "--mongo", "--since", since)
    assert (report["total"], report["changed"], report["per_opd"]) == (3, 2, EXPECTED)


def test_dry_run_over_a_topic_to_its_end(
    topics: RouterTopics,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    records = [(cid, received_event(cid, body, region="35.78")) for cid, body in BODIES.items()]
    send_records(topics.bootstrap, topics.received, [*records, ("c-bad", b"{not an event")])
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", topics.bootstrap)

    report = _dry_run(tmp_path, capsys, "--topic", topics.received)
    assert (report["total"], report["changed"], report["per_opd"]) == (3, 2, EXPECTED)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    report = _dry_run(tmp_path, capsys, "--topic", topics.received, "--since", tomorrow)
    assert report["total"] == 0


def test_dry_run_says_why_when_the_topic_does_not_exist(
    infra: Infra,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infra.kafka_bootstrap)
    candidate = tmp_path / "candidate.yaml"
    candidate.write_text(CANDIDATE)
    argv = ["dry-run", "--rules", str(candidate), "--current", str(SMALL / "rules.yaml"),
            "--opd", str(SMALL / "opd.yaml"), "--topic", "no.such.topic.router3"]  # fmt: skip
    assert main(argv) == 3
    assert "no topic 'no.such.topic.router3'" in capsys.readouterr().err
