"""Building the lifecycle events of one complaint for sla tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

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
    new_event,
)

T0 = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
REPORTER = Reporter(name="Siti Rahayu", phone="081234567890", nik="3578014501900001")


def received(cid: str, tracking: str = "ADU-0001", **over: Any) -> Envelope[Any]:
    """A ComplaintReceived with a reporter block."""
    fields: dict[str, Any] = {
        "tracking_number": tracking,
        "channel": Channel.WHATSAPP,
        "channel_ref": f"wa-{cid}",
        "received_at": T0,
        "title": "Jalan berlubang",
        "body": "Jalan di depan pasar berlubang besar, hubungi saya di 081234567890.",
        "location": Location(text="Pasar Wonokromo", region_code="35.78"),
        "category_hint": "infrastruktur",
        "classification_hint": Classification.PENGADUAN,
        "reporter": REPORTER,
        "entry": Entry(connector_id="wa-gw"),
    }
    fields.update(over)
    return new_event(ComplaintReceived(**fields), complaint_id=cid, source="intake", time=T0)


def assigned(
    cid: str,
    tracking: str = "ADU-0001",
    *,
    opd: str = "dpupr",
    triage: bool = False,
    hours: int = 1,
) -> Envelope[Any]:
    """A ComplaintAssigned `hours` after T0."""
    data = ComplaintAssigned(
        tracking_number=tracking,
        opd_code=opd,
        triage=triage,
        ruleset_version="2025.1",
        deadline_class=Classification.PENGADUAN,
        assigned_at=T0 + timedelta(hours=hours),
    )
    return new_event(data, complaint_id=cid, source="router")


def follow_up(
    cid: str, *, kind: FollowUpKind = FollowUpKind.SUBSTANTIVE, hours: int = 5, opd: str = "dpupr"
) -> Envelope[Any]:
    """A FollowUpPosted `hours` after T0."""
    data = FollowUpPosted(
        opd_code=opd,
        text="Tim sudah meninjau lokasi.",
        kind=kind,
        posted_at=T0 + timedelta(hours=hours),
    )
    return new_event(data, complaint_id=cid, source="opd")


def resolved(cid: str, *, hours: int = 48, opd: str = "dpupr") -> Envelope[Any]:
    """A ComplaintResolved `hours` after T0."""
    data = ComplaintResolved(
        opd_code=opd, resolution="Jalan sudah ditambal.", resolved_at=T0 + timedelta(hours=hours)
    )
    return new_event(data, complaint_id=cid, source="opd")
