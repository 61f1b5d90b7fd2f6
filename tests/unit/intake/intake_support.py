"""Sample web-form bodies and stored complaints for the intake's unit tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.intake.accept import build_complaint
from services.intake.adapters import ADAPTERS, Receipt
from services.intake.repository import StoredComplaint

RECEIVED_AT = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


def web_form(**overrides: Any) -> dict[str, Any]:
    """Return a complete, valid web-form body."""
    body: dict[str, Any] = {
        "form_id": "wf-1001",
        "title": "Jalan berlubang di Jl. Ahmad Yani",
        "body": "Lubang besar di depan pasar, sudah dua minggu belum diperbaiki.",
        "incident_date": "2025-03-01",
        "location": {"text": "Jl. Ahmad Yani", "lat": -7.31, "lon": 112.73, "region_code": "35.78"},
        "category": "infrastruktur",
        "classification": "pengaduan",
        "attachments": [{"url": "https://files.example.id/a.jpg", "media_type": "image/jpeg"}],
        "tags": ["jalan", "jalan", "pasar"],
        "anonymous": False,
        "confidential": False,
        "reporter": {
            "name": "Siti Aminah",
            "nik": "3578014101900001",
            "phone": "0812-3456-7890",
            "email": "siti@Example.CO.ID",
            "address": "Jl. Mawar 1, Surabaya",
        },
    }
    body.update(overrides)
    return body


def stored(form_id: str = "wf-1001", tracking_number: str = "ADU-0000-0001") -> StoredComplaint:
    """Return a stored complaint with a real encoded event in its outbox."""
    adapter = ADAPTERS["web"]
    body = adapter.model.model_validate(web_form(form_id=form_id))
    receipt = Receipt(tracking_number, RECEIVED_AT, "webform-test")
    return build_complaint(adapter, body, receipt, complaint_id=f"01JCOMPLAINT{form_id.upper()}")
