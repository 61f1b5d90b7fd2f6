"""Returned cases routed again (pure), and a confidential case's stub on a triage desk's topic."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from router_support import REPO

from services.router.cases import RoutedCase
from services.router.decide import decide
from services.router.directory import load_directory
from services.router.events import fields_of, route_events
from services.router.reroute import reroute
from services.router.rules import RuleSet, load_rules
from shared.config import Topics
from shared.events import (
    Channel,
    ComplaintDispatched,
    ComplaintReassigned,
    ComplaintReceived,
    ComplaintReturned,
    ComplaintTriageStub,
    Entry,
    Envelope,
    Location,
    Reporter,
    decode,
    encode,
    new_event,
)

SMALL = REPO / "tests" / "data" / "router" / "small"
TOPICS = Topics()
T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@cache
def small_rules() -> RuleSet:
    return load_rules(SMALL / "rules.yaml", load_directory(SMALL / "opd.yaml"))


def _received(body: str, *, confidential: bool = False) -> Envelope[ComplaintReceived]:
    data = ComplaintReceived(
        tracking_number="ADU-0001",
        channel=Channel.WEB,
        channel_ref="form-1",
        received_at=T0,
        title="Laporan rahasia pegawai" if confidential else "Laporan warga",
        body=body,
        location=Location(region_code="35.78"),
        category_hint="infrastruktur",
        reporter=Reporter(name="Siti Aminah", nik="3578014101900002", phone="081234567890"),
        confidential=confidential,
        entry=Entry(connector_id="web"),
    )
    return new_event(data, complaint_id="c-1", source="/test", correlation_id="corr-1", time=T0)


def _case(received: Envelope[ComplaintReceived], opd: str, excluded: list[str]) -> RoutedCase:
    return RoutedCase(
        complaint_id=received.subject,
        correlation_id=received.correlation_id,
        opd=opd,
        excluded=excluded,
        complaint=received.data,
    )


def _returned(
    opd: str, event_id: str = "01JNQ8ZK3W2Y5T7V9X1B3D5F00"
) -> Envelope[ComplaintReturned]:
    data = ComplaintReturned(opd_code=opd, reason="bukan jalan kota", returned_at=T0)
    return new_event(
        data, complaint_id="c-1", source="/test/opd", correlation_id="corr-1", event_id=event_id
    )


def _events(records: list[Any]) -> dict[str, Envelope[Any]]:
    return {r.topic: decode(r.value) for r in records}


NEXT = "01JNQ8ZK3W2Y5T7V9X1B3D5F01"
# "jalan rusak di depan puskesmas": rule `jalan` (3578-pupr, priority 50), then `kesehatan`.
BOTH = "jalan rusak di depan puskesmas"


def test_a_return_goes_to_the_next_matching_rule_as_a_reassignment() -> None:
    received = _received(BOTH)
    assert decide(fields_of(received.data), small_rules()).opd == "3578-pupr"
    result = reroute(
        _returned("3578-pupr"), _case(received, "3578-pupr", []), small_rules(), TOPICS
    )
    assert result.outcome == "rerouted"
    events = _events(result.records)
    assert set(events) == {TOPICS.assigned, TOPICS.opd("3578-dinkes")}
    moved = events[TOPICS.assigned].data
    assert isinstance(moved, ComplaintReassigned)
    assert (moved.opd_code, moved.previous_opd, moved.by) == ("3578-dinkes", "3578-pupr", "router")
    assert (moved.rule_id, moved.ruleset_version) == ("kesehatan", "test.1")
    dispatched = events[TOPICS.opd("3578-dinkes")].data
    assert isinstance(dispatched, ComplaintDispatched)
    assert dispatched.assignment.rule_id == "kesehatan"
    assert dispatched.complaint.reporter is not None  # not anonymous: the OPD may see who
    assert all(e.correlation_id == "corr-1" and e.subject == "c-1" for e in events.values())
    assert result.case is not None
    assert (result.case.opd, result.case.excluded) == ("3578-dinkes", ["3578-pupr"])


def test_a_replayed_return_yields_the_very_same_records_and_changes_nothing() -> None:
    received = _received(BOTH)
    returned = _returned("3578-pupr")
    first = reroute(returned, _case(received, "3578-pupr", []), small_rules(), TOPICS)
    assert first.case is not None and first.case.returns == {returned.id: ["3578-pupr"]}
    # The batch stored the case, then its transaction aborted: the same return is read again.
    again = reroute(returned, first.case, small_rules(), TOPICS)
    assert (again.outcome, again.records, again.case, again.triaged) == (
        "replayed", first.records, None, None,
    )  # fmt: skip
    # The case moved on (dinkes returned it to triage), then the old return arrives twice.
    later = reroute(_returned("3578-dinkes", NEXT), first.case, small_rules(), TOPICS)
    assert later.outcome == "triage" and later.case is not None
    late = reroute(returned, later.case, small_rules(), TOPICS)
    assert (late.outcome, late.records, late.case) == ("replayed", first.records, None)


def test_when_no_other_rule_matches_the_case_goes_to_its_provinces_triage_desk() -> None:
    received = _received(BOTH)
    case = _case(received, "3578-dinkes", ["3578-pupr"])
    result = reroute(
        _returned("3578-dinkes", "01JNQ8ZK3W2Y5T7V9X1B3D5F01"), case, small_rules(), TOPICS
    )
    assert result.outcome == "triage"
    assert [r.topic for r in result.records] == [
        TOPICS.opd("35-triage")
    ]  # the sla has it in triage
    assert result.triaged is not None
    assert result.triaged.excluded == ["3578-dinkes", "3578-pupr"]
    assert result.triaged.desk == "35-triage"


def test_a_return_from_an_opd_that_does_not_hold_the_case_changes_nothing() -> None:
    case = _case(_received(BOTH), "3578-dinkes", ["3578-pupr"])
    for opd in ("3578-dlh", "3578-pupr"):  # never held it; held it, and a new return
        result = reroute(_returned(opd, NEXT), case, small_rules(), TOPICS)
        assert (result.outcome, result.records, result.case) == ("not_holder", [], None)


def test_a_confidential_case_reaches_a_triage_desk_as_a_stub_without_identity_or_text() -> None:
    received = _received("mohon ditindaklanjuti pegawai yang meminta uang", confidential=True)
    decision = decide(fields_of(received.data), small_rules())
    assert decision.triage and decision.queue == "35-triage"
    _, queued = route_events(received, decision)
    stub = queued.data
    assert isinstance(stub, ComplaintTriageStub)
    assert (stub.region_code, stub.category_hint, stub.confidential) == (
        "35.78",
        "infrastruktur",
        True,
    )
    wire = encode(queued).decode()
    for secret in ("Siti", "3578014101900002", "081234567890", "pegawai", "uang", "rahasia"):
        assert secret not in wire


def test_a_confidential_case_goes_whole_to_the_competent_opd_only() -> None:
    received = _received("jalan rusak parah", confidential=True)
    _, queued = route_events(received, decide(fields_of(received.data), small_rules()))
    assert isinstance(queued.data, ComplaintDispatched)
    assert queued.data.assignment.opd_code == "3578-pupr"
    assert queued.data.complaint.body == "jalan rusak parah"
