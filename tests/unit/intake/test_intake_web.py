"""The web adapter: body validation and the mapping to ComplaintReceived."""

from __future__ import annotations

import orjson
import pytest
from intake_support import RECEIVED_AT, web_form
from pydantic import ValidationError

from services.intake.accept import build_complaint
from services.intake.adapters import ADAPTERS, Receipt
from services.intake.adapters.web import WebComplaint
from services.intake.api import field_errors
from shared.events import Channel, Classification, ComplaintReceived, decode

ADAPTER = ADAPTERS["web"]
RECEIPT = Receipt("ADU-7K3M-9QXP", RECEIVED_AT, "webform-jatim")


def _payload(**overrides: object) -> ComplaintReceived:
    form = WebComplaint.model_validate(web_form(**overrides))
    return ADAPTER.to_payload(form, RECEIPT)


def test_web_form_maps_to_complaint_received() -> None:
    payload = _payload()
    assert payload.tracking_number == "ADU-7K3M-9QXP"
    assert payload.channel is Channel.WEB
    assert payload.channel_ref == "wf-1001"
    assert payload.received_at == RECEIVED_AT
    assert payload.classification_hint is Classification.PENGADUAN
    assert payload.category_hint == "infrastruktur"
    assert payload.location.region_code == "35.78"
    assert payload.attachments[0].url == "https://files.example.id/a.jpg"
    assert payload.tags == ["jalan", "pasar"]
    assert payload.entry.connector_id == "webform-jatim"


def test_reporter_contact_details_are_normalised() -> None:
    reporter = _payload().reporter
    assert reporter is not None
    assert reporter.phone == "+6281234567890"
    assert reporter.email == "siti@example.co.id"
    assert reporter.nik == "3578014101900001"


def test_anonymous_case_still_carries_its_reporter() -> None:
    payload = _payload(anonymous=True)
    assert payload.anonymous is True
    assert payload.reporter is not None and payload.reporter.name == "Siti Aminah"


def test_empty_reporter_block_becomes_no_reporter() -> None:
    assert _payload(reporter={"name": "", "phone": None}).reporter is None
    assert _payload(reporter=None).reporter is None


def test_minimal_form_is_enough() -> None:
    form = WebComplaint.model_validate({"form_id": "f", "title": "t", "body": "b"})
    payload = ADAPTER.to_payload(form, RECEIPT)
    assert payload.location.text is None
    assert payload.reporter is None
    assert payload.attachments == []


def test_unknown_fields_are_ignored() -> None:
    form = WebComplaint.model_validate(web_form(captcha_score=0.9))
    assert "captcha_score" not in form.model_dump()


def _errors(body: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        ADAPTER.parse(orjson.dumps(body))  # the JSON path the route takes
    return {e["field"]: e["msg"] for e in field_errors(caught.value)}


def test_each_invalid_field_is_named_with_its_reason() -> None:
    errors = _errors(
        web_form(
            title="   ",
            classification="keluhan",
            reporter={"nik": "123", "phone": "0311234567", "email": "siti@"},
            location={"lat": 123},
        )
    )
    assert set(errors) == {
        "title",
        "classification",
        "reporter.nik",
        "reporter.phone",
        "reporter.email",
        "location.lat",
    }
    assert "16 digits" in errors["reporter.nik"]
    assert "Indonesian mobile number" in errors["reporter.phone"]


def test_missing_required_fields_are_reported() -> None:
    assert set(_errors({"title": "t"})) == {"form_id", "body"}


def test_malformed_json_is_a_body_error_without_echoing_input() -> None:
    with pytest.raises(ValidationError) as caught:
        ADAPTER.parse(b'{"form_id": "3578014101900001",')
    errors = field_errors(caught.value)
    assert errors[0]["field"] == "body"
    assert "3578014101900001" not in str(errors)


def test_stored_outbox_event_decodes_as_complaint_received() -> None:
    form = WebComplaint.model_validate(web_form())
    complaint = build_complaint(ADAPTER, form, RECEIPT, complaint_id="01JABCDEFGHJKMNPQRSTVWXYZ0")
    event = decode(complaint.outbox.event.encode())
    assert isinstance(event.data, ComplaintReceived)
    assert event.subject == complaint.complaint_id == "01JABCDEFGHJKMNPQRSTVWXYZ0"
    assert event.correlation_id == complaint.correlation_id == event.id
    assert event.data.tracking_number == complaint.tracking_number == "ADU-7K3M-9QXP"
    assert complaint.outbox.published_at is None
    assert complaint.complaint["channel_ref"] == complaint.channel_ref == "wf-1001"
