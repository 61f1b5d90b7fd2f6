"""A resolved case for publisher tests, with any field overridden."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from shared.events import CaseResolved, Channel, Classification

RECEIVED_AT = datetime(2025, 3, 2, 20, 30, tzinfo=UTC)  # 3 March 03:30 in WIB


def case(**over: Any) -> CaseResolved:
    """Return a CaseResolved (road damage, dpupr, not anonymous, not confidential)."""
    fields: dict[str, Any] = {
        "tracking_number": "ADU-7K3M-9QXP",
        "channel": Channel.WEB,
        "title": "Jalan berlubang di Jl. Ahmad Yani",
        "body": "Jalan berlubang besar di depan pasar, sudah tiga bulan tidak diperbaiki.",
        "classification": Classification.PENGADUAN,
        "category": "infrastruktur",
        "opd_code": "dpupr",
        "region_code": "35.78",
        "incident_date": date(2025, 2, 27),
        "anonymous": False,
        "confidential": False,
        "received_at": RECEIVED_AT,
        "resolved_at": datetime(2025, 3, 10, 3, 0, tzinfo=UTC),
        "resolution": "Jalan telah ditambal.",
        "case_version": 1,
    }
    fields.update(over)
    return CaseResolved.model_validate(fields)
