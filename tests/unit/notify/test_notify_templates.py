"""The reporter's messages: one GSM-7 SMS where the channel is SMS, Bahasa Indonesia from the
configuration, and nothing in them but the reporter's own case."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.notify.contact import Contact
from services.notify.directory import load_opd_names
from services.notify.gsm7 import SMS_LIMIT, septets, to_gsm7
from services.notify.notices import Moment
from services.notify.templates import TemplateError, fit_sms, load_templates, render
from shared.events import NoticeKind
from tests.unit.notify.notify_cases import (
    OPDS,
    OTHERS,
    STATUS_URL,
    TEMPLATES,
    TRACKING,
    complaint,
    composer,
)

LONGEST_OPD = max(load_opd_names(OPDS).names.values(), key=len)
MISSING = "foto lokasi, alamat lengkap kejadian, tanggal kejadian, nomor KTP-el pelapor"


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_short_text_fits_one_gsm7_sms_with_the_longest_opd_name(kind: NoticeKind) -> None:
    templates = load_templates(TEMPLATES, status_url=STATUS_URL)
    fields = {"tracking": TRACKING, "status_url": STATUS_URL.format(tracking=TRACKING),
              "opd": LONGEST_OPD, "missing": MISSING}  # fmt: skip
    text = render(templates.of(kind), fields, short=True).text
    assert septets(text) <= SMS_LIMIT
    assert TRACKING in text and STATUS_URL.format(tracking=TRACKING) in text


SHIPPED = load_templates(TEMPLATES, status_url=STATUS_URL)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(opd=st.text(max_size=300), missing=st.text(max_size=400))
def test_any_opd_name_or_missing_data_still_fits_one_sms(opd: str, missing: str) -> None:
    for kind in (NoticeKind.DISPOSITION, NoticeKind.POSTPONEMENT, NoticeKind.RESOLUTION):
        templates = SHIPPED
        fields = {"tracking": TRACKING, "status_url": STATUS_URL.format(tracking=TRACKING),
                  "opd": opd, "missing": missing}  # fmt: skip
        text = render(templates.of(kind), fields, short=True).text
        assert septets(text) <= SMS_LIMIT  # raises on a character outside GSM-7


def test_the_texts_are_indonesian_and_the_resolution_asks_for_the_reporters_response() -> None:
    templates = load_templates(TEMPLATES, status_url=STATUS_URL)
    assert "tanggapan" in templates.resolution.long.lower()
    assert "tanggapan" in templates.resolution.short.lower()
    assert (
        "{missing}" in templates.postponement.short and "{missing}" in templates.postponement.long
    )
    assert "Laporan" in templates.receipt.short and "{tracking}" in templates.receipt.short


def test_a_template_naming_any_other_field_is_refused_at_load(tmp_path: Path) -> None:
    text = TEMPLATES.read_text().replace("Laporan Anda diterima. No.", "Halo {name}, No.", 1)
    bad = tmp_path / "t.yaml"
    bad.write_text(text)
    with pytest.raises(TemplateError, match="name"):
        load_templates(bad, status_url=STATUS_URL)


def test_a_template_too_long_for_one_sms_is_refused_at_load(tmp_path: Path) -> None:
    text = TEMPLATES.read_text().replace(
        "Cek status: {status_url}", "Cek status: " + "x" * 120 + " {status_url}", 1
    )
    bad = tmp_path / "t.yaml"
    bad.write_text(text)
    with pytest.raises(TemplateError, match="over one SMS"):
        load_templates(bad, status_url=STATUS_URL)


def test_typographic_characters_become_gsm7_and_extension_characters_count_twice() -> None:
    assert to_gsm7("Dinas \u2018PU\u2019 \u2013 Kota\u2026") == "Dinas 'PU' - Kota..."
    assert to_gsm7("emoji \U0001f600") == "emoji ?"
    assert septets("[a]") == 5
    with pytest.raises(ValueError, match="GSM-7"):
        septets("\u2019")
    text = fit_sms(
        "Ke {opd}: {status_url}",
        {"opd": "[" * 200, "status_url": "u", "missing": "", "tracking": ""},
    )
    assert septets(text) <= SMS_LIMIT


@pytest.mark.parametrize("kind", list(NoticeKind))
@pytest.mark.parametrize("channel", ["sms", "email", "whatsapp", "social"])
def test_no_message_carries_anything_of_the_complaint_but_its_tracking_number(
    kind: NoticeKind, channel: str
) -> None:
    event = complaint()
    contact = Contact(complaint_id=event.subject, tracking_number=TRACKING, channel=channel,
                      to="+6281234567890")  # fmt: skip
    moment = Moment(kind, opd_code="3578-dlh", missing=("foto lokasi",))
    notice = composer().compose(event, moment, contact)
    assert notice is not None
    said = f"{notice.data.subject or ''} {notice.data.text}"
    for other in (*OTHERS, "Siti", "Rahayu", "081234567890", "+6281234567890"):
        assert other not in said
    assert TRACKING in said
