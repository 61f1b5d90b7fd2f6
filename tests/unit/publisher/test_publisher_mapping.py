"""CaseResolved → LAPOR! bodies: every field, the configurable tables, and no personal data."""

from __future__ import annotations

from datetime import date

import pytest
from publisher_cases import case

from services.publisher.mapping import (
    LaporMapping,
    MappingError,
    to_lapor_complaint,
    to_lapor_follow_up,
)
from shared.events import Channel, Classification


def test_maps_every_field_with_the_default_tables() -> None:
    body = to_lapor_complaint(case(), "01JCID", LaporMapping())

    assert body.model_dump(mode="json") == {
        "title": "Jalan berlubang di Jl. Ahmad Yani",
        "content": "Jalan berlubang besar di depan pasar, sudah tiga bulan tidak diperbaiki.",
        "date_of_incident": "2025-02-27",
        "channel": "web",
        "classification_id": 2,
        "disposition_id": 103,
        "category_id": 1,
        "location_id": None,
        "is_anonymous": False,
        "is_secret": False,
        "attachments": [],
        "external_id": "01JCID:1",
    }


def test_configured_tables_decide_the_ids() -> None:
    mapping = LaporMapping(
        classification_ids={Classification.PENGADUAN_PENGAWASAN: 33},
        disposition_ids={"dishub": 7},
        category_ids={"transportasi": 12},
        location_ids={"35.78": 3578},
        channels={"callcenter": "call_center"},
    )
    c = case(
        classification=Classification.PENGADUAN_PENGAWASAN,
        opd_code="dishub",
        category="transportasi",
        channel=Channel.CALLCENTER,
        case_version=3,
    )

    body = to_lapor_complaint(c, "cid", mapping)

    assert (body.classification_id, body.disposition_id, body.category_id) == (33, 7, 12)
    assert (body.location_id, body.channel, body.external_id) == (3578, "call_center", "cid:3")


def test_flags_follow_the_case() -> None:
    body = to_lapor_complaint(case(anonymous=True, confidential=True), "cid", LaporMapping())

    assert body.is_anonymous is True
    assert body.is_secret is True


def test_without_incident_date_the_local_receipt_date_is_used() -> None:
    body = to_lapor_complaint(case(incident_date=None), "cid", LaporMapping())

    assert body.date_of_incident == date(2025, 3, 3)  # received 20:30 UTC is the next day in WIB


def test_unknown_opd_is_a_mapping_error_unless_a_default_exists() -> None:
    with pytest.raises(MappingError, match="dinsos"):
        to_lapor_complaint(case(opd_code="dinsos"), "cid", LaporMapping())

    fallback = LaporMapping(default_disposition_id=99)
    assert to_lapor_complaint(case(opd_code="dinsos"), "cid", fallback).disposition_id == 99


def test_unmapped_classification_is_a_mapping_error() -> None:
    mapping = LaporMapping(classification_ids={Classification.ASPIRASI: 1})

    with pytest.raises(MappingError, match="classification"):
        to_lapor_complaint(case(), "cid", mapping)


def test_nothing_about_the_reporter_is_sent() -> None:
    # CaseResolved keeps unknown fields; a stray reporter block must not leak into LAPOR!.
    c = case(reporter={"name": "Siti Rahayu", "phone": "081234567890"})

    wire = to_lapor_complaint(c, "cid", LaporMapping()).model_dump_json()

    assert "Siti" not in wire
    assert "081234567890" not in wire


def test_follow_up_carries_the_resolution_and_secrecy() -> None:
    follow_up = to_lapor_follow_up(
        case(confidential=True), LaporMapping(follow_up_template_code="TL-01")
    )

    assert follow_up.content == "Jalan telah ditambal."
    assert follow_up.is_secret is True
    assert follow_up.template_code == "TL-01"
