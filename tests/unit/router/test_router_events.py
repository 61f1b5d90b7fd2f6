"""Building the assigned and dispatched events from a decision."""

from __future__ import annotations

from pathlib import Path

from router_support import REPO

from services.router.decide import Decision
from services.router.events import fields_of, route_events
from shared.events import (
    Classification,
    ComplaintAssigned,
    ComplaintReceived,
    Envelope,
    Priority,
    decode,
    encode,
)

GOLDEN = REPO / "tests" / "golden" / "id.aduan.complaint.received.v1.json"


def _received(anonymous: bool) -> Envelope[ComplaintReceived]:
    event = decode(Path(GOLDEN).read_bytes())
    assert isinstance(event.data, ComplaintReceived)
    data = event.data.model_copy(update={"anonymous": anonymous})
    return event.model_copy(update={"data": data})  # type: ignore[return-value]


def _decision(**overrides: object) -> Decision:
    base: dict[str, object] = dict(
        opd="dpupr",
        triage=False,
        not_competent=False,
        rule_id="jalan",
        ruleset_version="v9",
        matched=["keyword:jalan"],
        priority=Priority.HIGH,
        deadline_class=Classification.PENGADUAN,
    )
    return Decision.model_validate(base | overrides)


def test_events_follow_the_received_event() -> None:
    received = _received(anonymous=False)
    assigned, dispatched = route_events(received, _decision())
    for event in (assigned, dispatched):
        assert event.subject == received.subject
        assert event.correlation_id == received.correlation_id
        assert event.id != received.id
    assert assigned.data == dispatched.data.assignment
    assert (assigned.data.opd_code, assigned.data.rule_id, assigned.data.ruleset_version) == (
        "dpupr",
        "jalan",
        "v9",
    )
    assert assigned.data.assigned_at == received.time and assigned.data.priority == Priority.HIGH
    assert route_events(received, _decision()) == (assigned, dispatched), "a replay is identical"
    assert dispatched.data.complaint.reporter is not None
    assert decode(encode(dispatched)) == dispatched  # the wire form round-trips


def test_anonymous_complaint_is_dispatched_without_reporter() -> None:
    received = _received(anonymous=True)
    _, dispatched = route_events(received, _decision())
    assert dispatched.data.complaint.reporter is None
    assert b"3578014507900001" not in encode(dispatched)
    assert received.data.reporter is not None  # the input is not changed


def test_anonymous_complaint_loses_the_link_to_its_public_post() -> None:
    received = _received(anonymous=True)
    entry = received.data.entry.model_copy(update={"source_url": "https://x.com/budi_sby/1"})
    data = received.data.model_copy(update={"entry": entry})
    _, dispatched = route_events(received.model_copy(update={"data": data}), _decision())
    assert dispatched.data.complaint.entry.source_url is None
    assert b"budi_sby" not in encode(dispatched)


def test_triage_and_not_competent_assignment() -> None:
    decision = _decision(opd=None, triage=True, not_competent=True, rule_id="police")
    assigned, _ = route_events(_received(anonymous=False), decision)
    assert (assigned.data.opd_code, assigned.data.triage) == ("triage", True)
    wire = decode(encode(assigned))
    assert isinstance(wire.data, ComplaintAssigned)
    assert wire.data.not_competent is True


def test_fields_of_received() -> None:
    fields = fields_of(_received(anonymous=False).data)
    assert (fields.region, fields.category, fields.classification) == (
        "35.78",
        "infrastruktur",
        Classification.PENGADUAN,
    )
    assert fields.title.startswith("Jalan berlubang")
