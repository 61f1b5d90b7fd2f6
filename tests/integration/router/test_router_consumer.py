"""The router against real Kafka: received → assigned + opd.<code>, dead letters, reloads."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from router_kafka import SMALL, RouterTopics, received_event

from services.router.config import Settings
from services.router.service import build_service, build_store
from shared import headers
from shared.config import KafkaSettings, Topics
from shared.events import (
    ComplaintAssigned,
    ComplaintDispatched,
    decode,
)
from shared.service import ConsumeService
from tests.support.kafka import read_records, read_to_end, send_records

pytestmark = pytest.mark.integration
StartRouter = Callable[[Settings], ConsumeService]


def _by_key(records: list[Any]) -> dict[bytes, Any]:
    return {r.key: decode(r.value).data for r in records}


def _settings(topics: RouterTopics, rules_file: Path) -> Settings:
    return Settings(
        topics=Topics(
            received=topics.received, assigned=topics.assigned, opd_template=topics.opd_template
        ),
        group_id=topics.group,
        transactional_id=f"router-{topics.group}",
        rules_file=rules_file,
        opd_file=SMALL / "opd.yaml",
        rules_check_interval_s=0,
        kafka=KafkaSettings(bootstrap_servers=topics.bootstrap),
    )


@pytest.fixture
def run_router(run_in_background: Callable[..., ConsumeService]) -> StartRouter:
    """Build the router with the real wiring and run its loop in a thread until teardown."""

    def start(settings: Settings) -> ConsumeService:
        service = build_service(settings, build_store(settings), session_timeout_ms=6_000)
        return run_in_background(service, name="router")

    return start


def test_routes_dispatches_and_dead_letters(topics: RouterTopics, run_router: StartRouter) -> None:
    good = received_event("c-road", "Jln rusakkk dan berlubang di depan pasar", region="35.78")
    send_records(
        topics.bootstrap,
        topics.received,
        [
            ("c-road", good),
            ("c-health", b"{not an event"),  # same key as the next: same partition, before it
            (
                "c-health",
                received_event("c-health", "antri lama di pkm", anonymous=True, region="3578"),
            ),
            ("c-none", received_event("c-none", "selamat pagi bapak gubernur")),
        ],
    )
    run_router(_settings(topics, SMALL / "rules.yaml"))

    assigned = {
        r.key.decode(): decode(r.value) for r in read_records(topics.bootstrap, topics.assigned, 3)
    }
    assert set(assigned) == {"c-road", "c-health", "c-none"}
    road = assigned["c-road"]
    assert isinstance(road.data, ComplaintAssigned)
    assert (road.data.opd_code, road.data.triage, road.data.rule_id) == (
        "3578-pupr",
        False,
        "jalan",
    )
    assert road.correlation_id == decode(good).correlation_id
    none = assigned["c-none"].data
    assert isinstance(none, ComplaintAssigned)
    assert (none.opd_code, none.triage, none.rule_id) == ("triage", True, None)

    [road_out] = read_to_end(topics.bootstrap, topics.opd("3578-pupr"), at_least=1)
    road_dispatched = decode(road_out.value).data
    assert isinstance(road_dispatched, ComplaintDispatched)
    assert road_dispatched.complaint.reporter is not None  # not anonymous: the OPD sees who
    assert road_dispatched.assignment == road.data

    [health_out] = read_to_end(topics.bootstrap, topics.opd("3578-dinkes"), at_least=1)
    health = decode(health_out.value).data
    assert isinstance(health, ComplaintDispatched)
    assert health.complaint.anonymous and health.complaint.reporter is None
    assert b"3578010101900001" not in health_out.value and b"Budi" not in health_out.value
    [triage_out] = read_to_end(topics.bootstrap, topics.opd("triage"), at_least=1)
    assert triage_out.key == b"c-none"

    [dead] = read_to_end(topics.bootstrap, topics.dlq, at_least=1)
    assert dead.value == b"{not an event"
    meta = dict(dead.headers)
    assert meta[headers.DLQ_SOURCE_TOPIC] == topics.received.encode()
    assert meta[headers.DLQ_ERROR_CLASS] == b"ValidationError"
    assert meta[headers.DLQ_SERVICE] == b"router"


def test_rules_reload_without_restart(
    tmp_path: Path, topics: RouterTopics, run_router: StartRouter
) -> None:
    rules = tmp_path / "rules.yaml"
    shutil.copy(SMALL / "rules.yaml", rules)
    run_router(_settings(topics, rules))
    send_records(
        topics.bootstrap,
        topics.received,
        [("c-1", received_event("c-1", "sampah menumpuk", region="35.78"))],
    )
    first = decode(read_records(topics.bootstrap, topics.assigned, 1)[0].value).data
    assert isinstance(first, ComplaintAssigned) and first.opd_code == "3578-dlh"

    rules.write_text("version: broken\nrules: [{id: x, then: {opd: nowhere}}]\n")
    send_records(
        topics.bootstrap,
        topics.received,
        [("c-2", received_event("c-2", "sampah lagi", region="35.78"))],
    )
    second = _by_key(read_records(topics.bootstrap, topics.assigned, 2))[b"c-2"]
    assert isinstance(second, ComplaintAssigned)
    assert (second.opd_code, second.ruleset_version) == ("3578-dlh", first.ruleset_version)

    rules.write_text("version: v-next\nrules: [{id: semua, then: {opd: 3578-dishub}}]\n")
    send_records(
        topics.bootstrap,
        topics.received,
        [("c-3", received_event("c-3", "sampah lagi dan lagi", region="35.78"))],
    )
    third = _by_key(read_records(topics.bootstrap, topics.assigned, 3))[b"c-3"]
    assert isinstance(third, ComplaintAssigned)
    assert (third.opd_code, third.ruleset_version) == ("3578-dishub", "v-next")
