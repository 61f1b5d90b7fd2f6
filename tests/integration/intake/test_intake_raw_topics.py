"""The Kafka path on the real broker and FerretDB: raw records through the adapters, a bad
record dead-lettered while the next flows, and redeliveries accepted once."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pymongo.collection import Collection

from services.intake.config import Settings
from services.intake.raw_service import build_raw_service
from shared import headers
from shared.config import Topics
from shared.service import ConsumeService
from shared.topics import dead_letter
from tests.support.infra import Infra
from tests.support.kafka import read_records, read_to_end, send_records_with_headers
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration
CONNECTOR = [(headers.INTAKE_CONNECTOR, b"kab-malang-wa")]


def desk(form_id: str) -> bytes:
    return json.dumps(
        {
            "form_id": form_id,
            "officer_id": "nip-1",
            "title": "KTP-el belum jadi",
            "body": "Sudah rekam dua bulan lalu, blm jadi jg 🙏",
        }
    ).encode()


@pytest.fixture
def raw_service(
    settings_for: Callable[..., Settings],
    new_topics: Callable[..., dict[str, str]],
    new_group: Callable[[], str],
    received_topic: str,
    run_in_background: Callable[..., ConsumeService],
) -> tuple[str, ConsumeService]:
    raw = new_topics("intake.raw.walkin")["intake.raw.walkin"]
    settings = settings_for(
        connectors={"kab-malang-wa": {"region": "3507"}},
        group_id=new_group(),
        topics=Topics(received=received_topic, raw_template=raw.replace("walkin", "{channel}")),
        http_port=0,
    )
    service = build_raw_service(settings, ["walkin"])
    return raw, run_in_background(service, name="raw-intake")


def test_bad_records_are_dead_lettered_while_the_next_flows(
    infra: Infra,
    raw_service: tuple[str, ConsumeService],
    complaints: Collection[dict[str, Any]],
    received_topic: str,
) -> None:
    raw, _ = raw_service
    send_records_with_headers(
        infra.kafka_bootstrap,
        raw,
        [
            ("k1", b"{not json", CONNECTOR),
            ("k2", desk("MPP-1"), [(headers.INTAKE_CONNECTOR, b"stranger")]),
            ("k3", json.dumps({"form_id": "MPP-2"}).encode(), CONNECTOR),  # no title, body...
            ("k4", desk("MPP-3"), CONNECTOR),
        ],
    )
    [event] = read_records(infra.kafka_bootstrap, received_topic, 1)
    data = json.loads(event.value)["data"]
    assert data["channel_ref"] == "MPP-3" and data["channel"] == "walkin"
    assert data["location"]["region_code"] == "35.07"  # the connector's region
    dead = read_to_end(infra.kafka_bootstrap, dead_letter(raw), at_least=3)
    reasons = {r.key: dict(r.headers)[headers.DLQ_ERROR_MESSAGE].decode() for r in dead}
    assert set(reasons) == {b"k1", b"k2", b"k3"}
    assert "stranger" in reasons[b"k2"] and "not configured" in reasons[b"k2"]
    assert "title" in reasons[b"k3"]
    assert complaints.count_documents({}) == 1


def test_a_redelivered_record_is_one_complaint(
    infra: Infra,
    raw_service: tuple[str, ConsumeService],
    complaints: Collection[dict[str, Any]],
    received_topic: str,
) -> None:
    raw, _ = raw_service
    records = [("a", desk("MPP-9"), CONNECTOR), ("a", desk("MPP-9"), CONNECTOR)]
    send_records_with_headers(infra.kafka_bootstrap, raw, records)
    send_records_with_headers(infra.kafka_bootstrap, raw, [("b", desk("MPP-10"), CONNECTOR)])
    wait_until(lambda: complaints.count_documents({}) == 2, timeout=30, message="two complaints")
    events = read_to_end(infra.kafka_bootstrap, received_topic, at_least=2)
    refs = sorted(json.loads(e.value)["data"]["channel_ref"] for e in events)
    assert refs == ["MPP-10", "MPP-9"]
    assert complaints.count_documents({"channel_ref": "MPP-9"}) == 1
