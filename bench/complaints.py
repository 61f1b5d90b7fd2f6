"""Complaint lifecycle events and stored case states for the sla benchmarks.

The bench's own small builders (bench code does not import tests/): a case's received,
assigned, follow-up and resolved events, and the `case_state` document the sla stores for a
case that was received and assigned, made once and copied with new ids for a fast pre-load.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.sla.calendar import CalendarConfig, Calendars
from services.sla.clock_policy import ClockPolicy
from services.sla.lifecycle import Applied, apply
from services.sla.timing import Timing
from services.sla.view import to_document
from shared.events import (
    Channel,
    Classification,
    ComplaintAssigned,
    ComplaintReceived,
    ComplaintResolved,
    Entry,
    Envelope,
    FollowUpKind,
    FollowUpPosted,
    Location,
    Reporter,
    decode,
    new_event,
)

# An hour before the bench started: recent, as live events are, so no clock of a bench case is
# due during a run. (A fixed date months back made every case the sla touched overdue, and the
# alert ticker then sent thousands of alerts inside the timed window.)
T0 = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
OPD = "dpupr"
_SOURCE = "/aduan/bench"


def case_id(n: int, prefix: str = "bench") -> str:
    """The complaint id of the bench's n-th case."""
    return f"{prefix}-{n:07d}"


def tracking(n: int, prefix: str = "BNCH") -> str:
    """The tracking number of the bench's n-th case."""
    return f"ADU-{prefix}-{n:07d}"


def received(cid: str, number: str, *, at: datetime = T0) -> Envelope[Any]:
    """A ComplaintReceived from the WhatsApp channel, with a reporter (about 1 kB)."""
    data = ComplaintReceived(
        tracking_number=number,
        channel=Channel.WHATSAPP,
        channel_ref=f"wa-{cid}",
        received_at=at,
        title="Jalan berlubang di depan pasar",
        body="Jalan di depan pasar berlubang besar sudah tiga bulan, membahayakan pengendara motor.",
        location=Location(text="Pasar Wonokromo, Jl. Ahmad Yani", region_code="35.78"),
        category_hint="infrastruktur",
        classification_hint=Classification.PENGADUAN,
        reporter=Reporter(name="Warga Pelapor", phone="081234567890"),
        entry=Entry(connector_id="wa-gw"),
    )
    return new_event(data, complaint_id=cid, source=_SOURCE, time=at)


def assigned(cid: str, number: str, *, at: datetime = T0) -> Envelope[Any]:
    """A ComplaintAssigned to the OPD, an hour after `at`."""
    data = ComplaintAssigned(
        tracking_number=number,
        opd_code=OPD,
        triage=False,
        ruleset_version="2026.1",
        deadline_class=Classification.PENGADUAN,
        assigned_at=at + timedelta(hours=1),
    )
    return new_event(data, complaint_id=cid, source=_SOURCE)


def follow_up(cid: str, *, at: datetime = T0) -> Envelope[Any]:
    """A substantive FollowUpPosted by the OPD, five hours after `at`."""
    data = FollowUpPosted(
        opd_code=OPD,
        text="Tim sudah meninjau lokasi dan menjadwalkan penambalan minggu ini.",
        kind=FollowUpKind.SUBSTANTIVE,
        posted_at=at + timedelta(hours=5),
    )
    return new_event(data, complaint_id=cid, source=_SOURCE)


def resolved(cid: str, *, at: datetime = T0) -> Envelope[Any]:
    """A ComplaintResolved by the OPD, two days after `at`."""
    data = ComplaintResolved(
        opd_code=OPD, resolution="Jalan sudah ditambal.", resolved_at=at + timedelta(hours=48)
    )
    return new_event(data, complaint_id=cid, source=_SOURCE)


def stored_state_template() -> dict[str, Any]:
    """The `cases` document of a received and assigned case, as the sla writes it (its view
    fields beside `{_id, revision, held_until, partition, …, case}`), for copying with
    `stored_state`."""
    cid, number = case_id(0, "stored"), tracking(0, "STOR")
    case = None
    for event in (received(cid, number), assigned(cid, number)):
        decision = apply(case, event, hold=_never_held, decode=decode)
        if not isinstance(decision, Applied):
            raise RuntimeError(f"template case refused {event.type}: {decision}")
        case = decision.case
    if case is None:
        raise RuntimeError("no template case")
    updated = max(e.at for e in case.timeline)
    clocks = Timing(ClockPolicy(), Calendars(CalendarConfig())).states(case, updated)
    view = to_document(case, clocks).to_mongo()
    state = {"revision": 2, "held_until": None, "partition": None, "case": case.to_state()}
    return {**view, **state, "_id": cid, "status": case.status.value}


def stored_state(template: dict[str, Any], n: int) -> dict[str, Any]:
    """The template's document for the n-th stored case (its own id and tracking number)."""
    cid, number = case_id(n, "stored"), tracking(n, "STOR")
    case = dict(template["case"])
    case["complaint_id"] = cid
    case["tracking_number"] = number
    return {**template, "_id": cid, "tracking_number": number, "case": case}


def _never_held() -> Any:
    raise RuntimeError("the template's events are in order; nothing is held")
