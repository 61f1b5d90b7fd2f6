"""Returned cases routed again, and confidential cases at a triage desk, on the real Kafka (with
transactions) and FerretDB: the router keeps its cases in `router_cases`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pymongo import MongoClient
from router_kafka import SMALL, RouterTopics, received_event

from services.router.cases import MongoCases
from services.router.config import Settings
from services.router.service import build_admin_app, build_service, build_store
from services.router.triage import MongoTriage
from shared import headers
from shared.config import KafkaSettings, Topics
from shared.events import (
    Channel,
    ComplaintDispatched,
    ComplaintReassigned,
    ComplaintReceived,
    ComplaintReturned,
    ComplaintTriageStub,
    Entry,
    Envelope,
    FollowUpKind,
    FollowUpPosted,
    Location,
    Reporter,
    decode,
    encode,
    new_event,
)
from shared.mongo import mongo_client
from shared.service import ConsumeService
from shared.topics import dead_letter
from tests.support.infra import Infra
from tests.support.kafka import read_records, read_to_end, send_events, send_records
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration
BOTH = "Jalan rusak berlubang di depan puskesmas"  # rule `jalan` (3578-pupr), then `kesehatan`
SECRET = "Pegawai kelurahan meminta uang pelicin untuk surat domisili"  # no rule: triage


@pytest.fixture
def mongo(infra: Infra) -> Iterator[MongoClient[dict[str, Any]]]:
    client = mongo_client(infra.mongodb_uri, app_name="test-router")
    yield client
    client.close()


@pytest.fixture
def settings(topics: RouterTopics) -> Settings:
    return Settings(
        topics=Topics(
            received=topics.received,
            assigned=topics.assigned,
            updates=topics.updates,
            opd_template=topics.opd_template,
        ),
        group_id=topics.group,
        transactional_id=f"router-{topics.group}",
        rules_file=SMALL / "rules.yaml",
        opd_file=SMALL / "opd.yaml",
        mongodb_database=topics.database,
        admin_users={"ana": "k-ana", "kaltara": "k-kaltara"},
        admin_desks={"kaltara": ["65-triage"]},
        kafka=KafkaSettings(bootstrap_servers=topics.bootstrap),
    )


def _start(
    settings: Settings, mongo: MongoClient[dict[str, Any]], run: Callable[..., ConsumeService]
) -> tuple[ConsumeService, MongoTriage, MongoCases]:
    db = mongo[settings.mongodb_database]
    triage = MongoTriage(db[settings.triage_collection])
    cases = MongoCases(db[settings.cases_collection])
    service = build_service(
        settings, build_store(settings), triage, cases, session_timeout_ms=6_000
    )
    return run(service, name="router"), triage, cases


def _returned(cid: str, opd: str) -> Envelope[ComplaintReturned]:
    data = ComplaintReturned(opd_code=opd, reason="bukan kewenangan kami", returned_at=_now())
    return new_event(data, complaint_id=cid, source="/test/opd", correlation_id=f"corr-{cid}")


def _confidential(cid: str) -> bytes:
    data = ComplaintReceived(
        tracking_number="ADU-RHS1",
        channel=Channel.WEB,
        channel_ref=f"form-{cid}",
        received_at=_now(),
        title="Pungli di kelurahan",
        body=SECRET,
        location=Location(region_code="35.78"),
        category_hint="pelayanan",
        reporter=Reporter(name="Dewi Lestari", nik="3578015505900003", phone="081298765432"),
        confidential=True,
        entry=Entry(connector_id="web"),
    )
    return encode(new_event(data, complaint_id=cid, source="/test/intake"))


def _now() -> datetime:
    return datetime.now(UTC)


def test_a_returned_case_goes_to_the_next_rule_then_to_triage_and_replays_change_nothing(
    topics: RouterTopics,
    settings: Settings,
    mongo: MongoClient[dict[str, Any]],
    run_in_background: Callable[..., ConsumeService],
) -> None:
    send_records(
        topics.bootstrap, topics.received, [("c-1", received_event("c-1", BOTH, region="35.78"))]
    )
    _, triage, cases = _start(settings, mongo, run_in_background)
    [first] = read_records(topics.bootstrap, topics.opd("3578-pupr"), 1)
    assert first.key == b"c-1"
    stored = wait_until(lambda: cases.get_many(["c-1"]).get("c-1"), timeout=30, message="c-1 kept")
    assert (stored.opd, stored.excluded) == ("3578-pupr", [])

    by_pupr = _returned("c-1", "3578-pupr")
    follow_up = new_event(
        FollowUpPosted(opd_code="3578-pupr", text="kami cek", kind=FollowUpKind.NORMATIVE,
                       posted_at=_now()),
        complaint_id="c-1", source="/test/opd",
    )  # fmt: skip
    not_holder = _returned("c-1", "3578-dlh")
    unknown = _returned("c-404", "3578-pupr")
    updates = settings.topics.updates
    send_events(topics.bootstrap, updates, by_pupr, follow_up, not_holder, unknown)

    [to_dinkes] = read_records(topics.bootstrap, topics.opd("3578-dinkes"), 1)
    dispatched = decode(to_dinkes.value).data
    assert isinstance(dispatched, ComplaintDispatched)
    assert dispatched.assignment.rule_id == "kesehatan" and dispatched.complaint.body == BOTH
    moves = _reassigned(read_records(topics.bootstrap, topics.assigned, 2))
    assert [(m.data.opd_code, m.data.previous_opd) for m in moves] == [("3578-dinkes", "3578-pupr")]
    assert moves[0].correlation_id == by_pupr.correlation_id  # it follows the return
    [dead] = read_records(topics.bootstrap, dead_letter(updates), 1)
    assert dead.key == b"c-404"
    assert b"no case 'c-404'" in dict(dead.headers)[headers.DLQ_ERROR_MESSAGE]

    # The OPD's system sends its return twice; then Dinkes returns the case too.
    send_events(topics.bootstrap, updates, by_pupr, _returned("c-1", "3578-dinkes"))
    [to_desk] = read_records(topics.bootstrap, topics.opd("35-triage"), 1)
    assert to_desk.key == b"c-1"
    again = _reassigned(read_records(topics.bootstrap, topics.assigned, 3))
    assert len(again) == 2 and again[0] == again[1], "the replayed return: the very same event"
    dinkes = read_to_end(topics.bootstrap, topics.opd("3578-dinkes"), at_least=2)
    assert len({decode(r.value).id for r in dinkes}) == 1

    def moved_to_triage() -> Any:  # the case's document is written last, after the queue's
        found = cases.get_many(["c-1"]).get("c-1")
        return found if found and found.opd == "35-triage" else None

    kept = wait_until(moved_to_triage, timeout=30, message="c-1 kept at the triage desk")
    assert (kept.excluded, len(kept.returns)) == (["3578-dinkes", "3578-pupr"], 2)
    case = triage.get("c-1")
    assert case is not None
    assert (case.desk, case.excluded) == ("35-triage", ["3578-dinkes", "3578-pupr"])
    assert read_to_end(topics.bootstrap, topics.opd("3578-dlh")) == []  # the non-holder's return


def test_a_confidential_case_reaches_the_triage_topic_as_a_stub_and_coordinators_read_it(
    topics: RouterTopics,
    settings: Settings,
    mongo: MongoClient[dict[str, Any]],
    run_in_background: Callable[..., ConsumeService],
) -> None:
    send_records(topics.bootstrap, topics.received, [("c-rhs", _confidential("c-rhs"))])
    service, triage, cases = _start(settings, mongo, run_in_background)
    [record] = read_records(topics.bootstrap, topics.opd("35-triage"), 1)
    stub = decode(record.value).data
    assert isinstance(stub, ComplaintTriageStub)
    assert (stub.region_code, stub.category_hint, stub.assignment.triage) == (
        "35.78",
        "pelayanan",
        True,
    )
    for secret in (b"Dewi", b"3578015505900003", b"081298765432", b"Pungli", b"uang pelicin"):
        assert secret not in record.value

    wait_until(lambda: triage.get("c-rhs"), timeout=30, message="c-rhs in the triage queue")
    app = build_admin_app(settings, service, build_store(settings), triage, cases)
    with TestClient(app) as client:
        listed = client.get("/triage", headers={"X-Api-Key": "k-ana"}).json()
        assert [(c["complaint_id"], c["title"]) for c in listed] == [("c-rhs", None)]
        assert client.get("/triage/c-rhs").status_code == 401
        assert client.get("/triage/c-rhs", headers={"X-Api-Key": "k-kaltara"}).status_code == 403
        whole = client.get("/triage/c-rhs", headers={"X-Api-Key": "k-ana"})
        assert whole.status_code == 200
        assert whole.json()["complaint"]["body"] == SECRET
        assert whole.json()["complaint"]["reporter"]["name"] == "Dewi Lestari"


def _reassigned(records: list[Any]) -> list[Envelope[ComplaintReassigned]]:
    events = [decode(r.value) for r in records]
    return [e for e in events if isinstance(e.data, ComplaintReassigned)]
