"""The lifecycle events of one complaint (received, assigned, follow-up, resolved), for the sla's
unit and integration tests. Times count from `t0`: the fixed T0 unless a test passes its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.events import (
    Channel,
    Classification,
    CloseReason,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintDispatched,
    ComplaintReceived,
    ComplaintReopened,
    ComplaintResolved,
    Entry,
    Envelope,
    FollowUpKind,
    FollowUpPosted,
    Location,
    Reporter,
    follow,
    new_event,
)

T0 = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
REPORTER = Reporter(name="Siti Rahayu", phone="081234567890", nik="3578014501900001")


def received(
    cid: str, tracking: str = "ADU-0001", *, t0: datetime = T0, **over: Any
) -> Envelope[Any]:
    """A ComplaintReceived at `t0` with a reporter block; `over` replaces payload fields."""
    fields: dict[str, Any] = {
        "tracking_number": tracking,
        "channel": Channel.WHATSAPP,
        "channel_ref": f"wa-{cid}",
        "received_at": t0,
        "title": "Jalan berlubang",
        "body": "Jalan di depan pasar berlubang besar, hubungi saya di 081234567890.",
        "location": Location(text="Pasar Wonokromo", region_code="35.78"),
        "category_hint": "infrastruktur",
        "classification_hint": Classification.PENGADUAN,
        "reporter": REPORTER,
        "entry": Entry(connector_id="wa-gw"),
    }
    fields.update(over)
    return new_event(ComplaintReceived(**fields), complaint_id=cid, source="intake", time=t0)


def assigned(
    cid: str,
    tracking: str = "ADU-0001",
    *,
    opd: str = "dpupr",
    triage: bool = False,
    hours: int = 1,
    t0: datetime = T0,
) -> Envelope[Any]:
    """A ComplaintAssigned `hours` after `t0`."""
    data = ComplaintAssigned(
        tracking_number=tracking,
        opd_code=opd,
        triage=triage,
        ruleset_version="2025.1",
        deadline_class=Classification.PENGADUAN,
        assigned_at=t0 + timedelta(hours=hours),
    )
    return new_event(data, complaint_id=cid, source="router")


def follow_up(
    cid: str,
    *,
    kind: FollowUpKind = FollowUpKind.SUBSTANTIVE,
    hours: float = 5,
    opd: str = "dpupr",
    t0: datetime = T0,
    text: str = "Tim sudah meninjau lokasi.",
    **extra: Any,
) -> Envelope[Any]:
    """A FollowUpPosted `hours` after `t0`; `extra` adds fields (e.g. `template_code`)."""
    data = FollowUpPosted(
        opd_code=opd, text=text, kind=kind, posted_at=t0 + timedelta(hours=hours), **extra
    )
    return new_event(data, complaint_id=cid, source="opd")


def resolved(cid: str, *, hours: int = 48, opd: str = "dpupr", t0: datetime = T0) -> Envelope[Any]:
    """A ComplaintResolved `hours` after `t0`."""
    data = ComplaintResolved(
        opd_code=opd, resolution="Jalan sudah ditambal.", resolved_at=t0 + timedelta(hours=hours)
    )
    return new_event(data, complaint_id=cid, source="opd")


def reopened(cid: str, *, hours: float = 72, t0: datetime = T0) -> Envelope[Any]:
    """A ComplaintReopened (the reporter answered the resolution) `hours` after `t0`."""
    data = ComplaintReopened(reopened_at=t0 + timedelta(hours=hours), reason="Masih berlubang.")
    return new_event(data, complaint_id=cid, source="lapor")


def closed(cid: str, *, hours: float = 96, t0: datetime = T0, version: int = 1) -> Envelope[Any]:
    """A ComplaintClosed (the reporter accepted) `hours` after `t0`."""
    data = ComplaintClosed(
        closed_at=t0 + timedelta(hours=hours), reason=CloseReason.ACCEPTED, case_version=version
    )
    return new_event(data, complaint_id=cid, source="lapor")


def dispatched(cid: str, tracking: str = "ADU-0001", *, opd: str = "dpupr") -> Envelope[Any]:
    """The ComplaintDispatched the router puts on the OPD's topic (reporter included)."""
    source = received(cid, tracking)
    data = ComplaintDispatched(
        assignment=assigned(cid, tracking, opd=opd).data, complaint=source.data
    )
    return follow(source, data, source="router")
