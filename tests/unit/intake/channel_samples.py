"""One realistic body per channel, as its connector sends it (Indonesian, code-switched)."""

from __future__ import annotations

import base64
from email.message import EmailMessage
from typing import Any

from intake_support import web_form


def call(**overrides: Any) -> dict[str, Any]:
    """A 112 call, summarised by the agent, with the transcript and the recording."""
    body: dict[str, Any] = {
        "call_id": "112-SBY-20250304-0042",
        "line": "112",
        "caller_number": "(031) 5678 123",
        "agent_id": "agt-017",
        "started_at": "2025-03-04T21:10:00+07:00",
        "ended_at": "2025-03-04T21:14:30+07:00",
        "summary": "Pohon tumbang menutup Jl. Raya Darmo arah selatan, ada motor tertimpa.",
        "transcript": "Halo 112? Iya pak, ini pohonnya gede banget, jalan ketutup total, "
        "tolong cepet ya, udah macet parah 🙏",
        "recording": {"url": "https://pbx.example.id/rec/0042.wav", "size": 4_200_000},
        "category": "bencana",
        "location": {"text": "Jl. Raya Darmo", "region_code": "3578"},
        "caller": {"name": "Pak Slamet"},
    }
    return body | overrides


def social(**overrides: Any) -> dict[str, Any]:
    """A reply on X, slang and emoji and hashtags included."""
    body: dict[str, Any] = {
        "platform": "x",
        "post_id": "1897345123456789012",
        "author_handle": "@arek_suroboyo",
        "author_name": "Arek Suroboyo",
        "text": "Min @LAPOR1708 lampu PJU di Jl. Kertajaya mati udh seminggu, gelap bgt "
        "wkwk serem kalo malem 😱 #lampumati #Surabaya",
        "url": "https://x.com/arek_suroboyo/status/1897345123456789012",
        "posted_at": "2025-03-04T12:00:00Z",
        "reply_to_id": "1897000000000000000",
        "media": [{"url": "https://pbs.example.com/media/abc.jpg", "media_type": "image/jpeg"}],
    }
    return body | overrides


def raw_email(html: bool = True, reply: bool = False) -> bytes:
    """An e-mail with an HTML body and a PDF attachment, optionally replying to a thread."""
    message = EmailMessage()
    message["From"] = "Dewi Lestari <Dewi.Lestari@Mail.Example.CO.ID>"
    message["To"] = "pengaduan@jatimprov.go.id"
    message["Subject"] = "Re: Izin usaha belum terbit" if reply else "Izin usaha belum terbit"
    message["Message-ID"] = "<CAF3x9-ab12@mail.example.co.id>"
    message["Date"] = "Tue, 04 Mar 2025 09:15:00 +0700"
    if reply:
        message["In-Reply-To"] = "<ADU-7K3M-9QXP.reply@aduan.jatimprov.go.id>"
        message["References"] = (
            "<first@mail.example.co.id> <ADU-7K3M-9QXP.reply@aduan.jatimprov.go.id>"
        )
    message.set_content("Yth. Admin,\n\nSudah 3 bulan NIB saya belum terbit. Mohon dibantu.")
    if html:
        message.add_alternative(
            "<html><head><style>p{color:red}</style></head><body><p>Yth. Admin,</p>"
            "<p>Sudah 3 bulan NIB saya belum terbit. Mohon dibantu &amp; terima kasih.</p>"
            "<script>track()</script></body></html>",
            subtype="html",
        )
    message.add_attachment(
        b"%PDF-1.4 bukti pengajuan", maintype="application", subtype="pdf", filename="bukti.pdf"
    )
    return bytes(message)


def email(**overrides: Any) -> dict[str, Any]:
    """The mail connector's JSON: the raw message, base64-encoded."""
    body = {
        "raw_base64": base64.b64encode(raw_email()).decode(),
        "mailbox": "pengaduan@jatimprov.go.id",
    }
    return body | overrides


def whatsapp_voice(**overrides: Any) -> dict[str, Any]:
    """A WhatsApp voice note, as the Cloud API webhook describes it."""
    body: dict[str, Any] = {
        "contact": {"wa_id": "6281234567890", "profile": {"name": "Bu Rini"}},
        "message": {
            "id": "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA",
            "timestamp": "1741067100",
            "type": "audio",
            "audio": {
                "id": "1234567890123456",
                "mime_type": "audio/ogg; codecs=opus",
                "sha256": "ab" * 32,
                "voice": True,
            },
        },
    }
    return body | overrides


def sms(**overrides: Any) -> dict[str, Any]:
    """A single SMS to 1708."""
    body: dict[str, Any] = {
        "message_id": "gw1-000123",
        "gateway_id": "1708-tsel",
        "msisdn": "+62 812-3456-7890",
        "text": "LAPOR jalan desa Sumberejo rusak parah, banyak lubang. Tlg diperbaiki.",
        "received_at": "2025-03-04T08:00:00+07:00",
    }
    return body | overrides


def desk(**overrides: Any) -> dict[str, Any]:
    """A walk-in form filled by the officer at the public service mall."""
    body: dict[str, Any] = {
        "form_id": "MPP-SBY-2025-000321",
        "officer_id": "nip-198701012010011001",
        "mode": "walk-in",
        "desk": "MPP Siola Surabaya",
        "met_at": "2025-03-04T10:00:00+07:00",
        "title": "KTP-el belum jadi",
        "body": "Warga sudah rekam KTP-el 2 bulan lalu, sampai sekarang belum dicetak.",
        "citizen": {"name": "Ahmad", "nik": "3578 0101 0190 0001", "phone": "031-5678123"},
    }
    return body | overrides


SAMPLES = {
    "web": web_form,
    "callcenter": call,
    "social": social,
    "email": email,
    "whatsapp": whatsapp_voice,
    "sms": sms,
    "walkin": desk,
}
