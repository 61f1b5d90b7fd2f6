"""Each channel's adapter on a realistic payload: what lands in ComplaintReceived."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from channel_samples import SAMPLES, call, desk, email, raw_email, sms, social, whatsapp_voice
from intake_support import RECEIVED_AT
from pydantic import ValidationError

from services.intake.adapters import ADAPTERS, Receipt
from services.intake.adapters.email import REPLY_TAG
from services.intake.adapters.whatsapp import VOICE_NOTE
from services.intake.api import field_errors
from services.intake.rfc822 import html_to_text
from shared.events import Channel, ComplaintReceived

RECEIPT = Receipt("ADU-7K3M-9QXP", RECEIVED_AT, "connector-jatim")


def payload(channel: str, body: dict[str, Any]) -> ComplaintReceived:
    """Parse a body as the route does (JSON bytes) and map it."""
    adapter = ADAPTERS[channel]
    return adapter.to_payload(adapter.parse(orjson.dumps(body)), RECEIPT)


def reasons(channel: str, body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        ADAPTERS[channel].parse(orjson.dumps(body))
    return {e["field"]: e["msg"] for e in field_errors(caught.value)}


@pytest.mark.parametrize("channel", sorted(SAMPLES))
def test_every_channel_sample_maps_to_its_channel(channel: str) -> None:
    event = payload(channel, SAMPLES[channel]())
    assert event.channel is Channel(channel)
    assert event.title and event.body and event.channel_ref
    assert event.entry.connector_id == "connector-jatim"


def test_call_center_keeps_summary_transcript_agent_and_recording() -> None:
    event = payload("callcenter", call())
    assert event.body.startswith("Pohon tumbang")
    assert "--- Transkrip ---" in event.body and "🙏" in event.body
    assert (event.entry.officer_id, event.entry.source) == ("agt-017", "112")
    assert event.entry.ended_at == datetime(2025, 3, 4, 14, 14, 30, tzinfo=UTC)
    assert event.reporter is not None and event.reporter.phone == "+62315678123"  # a landline
    assert event.attachments[0].size == 4_200_000 and "line:112" in event.tags
    assert event.category_hint == "bencana" and event.incident_date is not None


def test_call_without_any_text_or_ending_before_it_began_is_refused() -> None:
    assert (
        "summary or a transcript"
        in reasons("callcenter", call(summary=None, transcript=None))["body"]
    )
    assert "before" in reasons("callcenter", call(ended_at="2025-03-04T20:00:00+07:00"))["body"]


def test_social_post_keeps_platform_handle_thread_and_hashtags() -> None:
    event = payload("social", social())
    assert event.channel_ref == "x:1897345123456789012"
    assert event.reporter is not None and event.reporter.handle == "@arek_suroboyo"
    assert event.thread is not None and event.thread.reply_to == "x:1897000000000000000"
    assert {"lampumati", "surabaya"} <= set(event.tags)
    assert event.entry.source == "x" and "😱" in event.body
    assert len(event.title) <= 81


def test_same_post_id_on_two_platforms_is_two_references() -> None:
    on_x = payload("social", social())
    on_tiktok = payload("social", social(platform="tiktok"))
    assert on_x.channel_ref != on_tiktok.channel_ref


def test_email_with_html_and_attachment_becomes_text_and_a_reference() -> None:
    event = payload("email", email())
    assert (
        event.title == "Izin usaha belum terbit"
        and event.channel_ref == "CAF3x9-ab12@mail.example.co.id"
    )
    assert "NIB saya belum terbit" in event.body and "<p>" not in event.body
    [pdf] = event.attachments
    assert (pdf.name, pdf.media_type, pdf.size) == ("bukti.pdf", "application/pdf", 24)
    assert pdf.sha256 is not None and len(pdf.sha256) == 64 and pdf.url.startswith("mid:")
    assert event.reporter is not None and event.reporter.email == "Dewi.Lestari@mail.example.co.id"
    assert event.thread is None and event.entry.source == "pengaduan@jatimprov.go.id"


def test_html_only_email_is_turned_into_text_without_scripts_or_styles() -> None:
    text = html_to_text("<style>p{}</style><p>Halo&nbsp;admin</p><script>x()</script><p>Tolong</p>")
    assert text == "Halo\xa0admin\n\nTolong"


def test_email_reply_records_the_thread_for_case_linking() -> None:
    raw = base64.b64encode(raw_email(html=False, reply=True)).decode()
    event = payload("email", {"raw_base64": raw})
    assert event.thread is not None
    assert event.thread.reply_to == "ADU-7K3M-9QXP.reply@aduan.jatimprov.go.id"
    assert event.thread.references[0] == "first@mail.example.co.id"
    assert REPLY_TAG in event.tags


def test_email_needs_exactly_one_raw_form_and_readable_base64() -> None:
    assert "exactly one" in reasons("email", {})["body"]
    assert "base64" in reasons("email", {"raw_base64": "%%%"})["body"]


def test_email_without_message_id_is_known_by_its_content() -> None:
    first = payload("email", {"raw": "Subject: Banjir\n\nAir masuk rumah."})
    again = payload("email", {"raw": "Subject: Banjir\n\nAir masuk rumah."})
    assert first.channel_ref == again.channel_ref and first.channel_ref.startswith("sha256:")


def test_whatsapp_voice_note_is_an_attachment_with_a_placeholder_body() -> None:
    event = payload("whatsapp", whatsapp_voice())
    assert event.body == VOICE_NOTE and "voice-note" in event.tags
    [voice] = event.attachments
    assert voice.url == "urn:whatsapp:media:1234567890123456" and voice.name == "pesan-suara"
    assert event.reporter is not None and event.reporter.phone == "+6281234567890"
    assert event.reporter.name == "Bu Rini"
    assert event.entry.sent_at == datetime(2025, 3, 4, 5, 45, tzinfo=UTC)


def test_whatsapp_text_reply_and_shared_location() -> None:
    text = {
        "id": "wamid.2",
        "timestamp": "1741067100",
        "type": "text",
        "text": {"body": "Kak, sampahnya blm diangkut 3 hari 😭 bau bgt"},
        "context": {"id": "wamid.1"},
    }
    event = payload("whatsapp", whatsapp_voice(message=text))
    assert event.body.endswith("bau bgt") and event.thread is not None
    pin = {
        "id": "wamid.3",
        "timestamp": "1741067100",
        "type": "location",
        "location": {"latitude": -7.25, "longitude": 112.75, "name": "TPS Keputih"},
    }
    located = payload("whatsapp", whatsapp_voice(message=pin))
    assert (located.location.lat, located.location.text) == (-7.25, "TPS Keputih")


def test_whatsapp_type_without_its_object_is_refused() -> None:
    message = {"id": "wamid.4", "timestamp": "1741067100", "type": "image"}
    assert "needs its 'image'" in reasons("whatsapp", whatsapp_voice(message=message))["message"]


def test_sms_sender_is_normalised_and_gateway_recorded() -> None:
    event = payload("sms", sms())
    assert event.reporter is not None and event.reporter.phone == "+6281234567890"
    assert event.entry.source == "1708-tsel" and event.channel_ref == "gw1-000123"


def test_sms_part_number_beyond_total_is_refused() -> None:
    assert "beyond total" in reasons("sms", sms(concat={"ref": 7, "part": 3, "total": 2}))["concat"]


def test_desk_form_records_the_officer_and_accepts_a_landline() -> None:
    event = payload("walkin", desk())
    assert event.entry.officer_id == "nip-198701012010011001"
    assert event.entry.source == "MPP Siola Surabaya" and "desk:walk-in" in event.tags
    assert event.reporter is not None and event.reporter.nik == "3578010101900001"
    assert event.reporter.phone == "+62315678123"


@pytest.mark.parametrize("channel", sorted(SAMPLES))
def test_flags_are_strict_booleans_on_every_channel(channel: str) -> None:
    assert "confidential" in reasons(channel, SAMPLES[channel](confidential=0))
