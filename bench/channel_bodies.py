"""One realistic body per intake channel, each with a reference of its own per request.

Shared by the mixed HTTP bench (`bench.intake_mix`) and the Kafka raw-path bench
(`bench.intake_raw`): request `i` goes to channel `CHANNELS[i % 7]`, so every channel gets the
same share. The bodies are those the channels' connectors send (see services/intake/README.md),
Indonesian and code-switched; the e-mail carries a plain and an HTML part (no attachment). SMS
are single messages: a long SMS in parts is one complaint per several requests, not measured.

The problem, the street, the region and the reporter's phone vary with the request number (12
problems x 24 streets x 6 regions, a phone per request), so the possible-duplicate look-up sees
a busy day's traffic: the same pothole reported a few times from several channels, not one
text repeated thousands of times.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

CHANNELS = ("web", "callcenter", "social", "email", "whatsapp", "sms", "walkin")

PROBLEMS = (
    "jalan berlubang besar, sering ada pengendara motor jatuh",
    "lampu PJU mati sudah seminggu, gelap bgt kalo malem",
    "selokan mampet, air meluber ke jalan tiap hujan",
    "sampah menumpuk di pinggir jalan, bau banget",
    "air PDAM mati tiga hari, warga beli air galon",
    "pohon tumbang menutup separuh jalan",
    "trotoar rusak dan dipakai parkir liar",
    "banjir setinggi lutut setelah hujan deras",
    "jembatan kayu lapuk, anak sekolah takut lewat",
    "pungli di loket parkir pasar",
    "kabel listrik menjuntai rendah, bahaya",
    "lampu lalu lintas di perempatan mati",
)
STREETS = (
    "Ahmad Yani", "Darmo", "Kertajaya", "Gubeng", "Diponegoro", "Mayjen Sungkono",
    "Basuki Rahmat", "Pemuda", "Tunjungan", "Embong Malang", "Raya Lontar", "Kenjeran",
    "Rungkut Industri", "Jemursari", "Ngagel", "Dharmawangsa", "Manyar", "Sutorejo",
    "Wonokromo", "Kedung Cowek", "Tambak Rejo", "Sumberejo", "Bratang", "Menur",
)  # fmt: skip
REGIONS = ("35.78", "35.15", "35.07", "35.73", "35.25", "35.79")


def _problem(n: int) -> tuple[str, dict[str, str]]:
    """Request n's complaint text and location."""
    street = STREETS[n % len(STREETS)]
    what = PROBLEMS[(n // len(STREETS)) % len(PROBLEMS)]
    region = REGIONS[n % len(REGIONS)]
    return f"Jl. {street}: {what}", {"text": f"Jl. {street}", "region_code": region}


def _phone(n: int) -> str:
    return f"0812{n % 100_000_000:08d}"


EMAIL = (
    "From: Dewi Lestari <dewi{n}@mail.example.co.id>\r\n"
    "To: pengaduan@jatimprov.go.id\r\n"
    "Subject: Pengaduan warga\r\n"
    "Message-ID: <{ref}@mail.example.co.id>\r\n"
    "Date: Tue, 04 Mar 2025 09:15:00 +0700\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/alternative; boundary="b1"\r\n\r\n'
    "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "Yth. Admin,\r\n\r\n{text}. Mohon dibantu.\r\n"
    "--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    "<html><body><p>Yth. Admin,</p><p>{text}. Mohon dibantu &amp; terima kasih.</p>"
    "</body></html>\r\n--b1--\r\n"
)


def _web(ref: str, n: int) -> dict[str, Any]:
    text, location = _problem(n)
    return {
        "form_id": ref,
        "title": text[:60],
        "body": f"{text}. Mohon segera ditindaklanjuti.",
        "location": location,
        "reporter": {"name": "Siti Aminah", "phone": _phone(n), "email": f"w{n}@example.id"},
    }


def _callcenter(ref: str, n: int) -> dict[str, Any]:
    text, location = _problem(n)
    return {
        "call_id": ref,
        "line": "112",
        "caller_number": _phone(n),
        "agent_id": "agt-017",
        "started_at": "2025-03-04T21:10:00+07:00",
        "ended_at": "2025-03-04T21:14:30+07:00",
        "summary": text,
        "transcript": f"Halo 112? Iya pak, {text}, tolong cepet ya 🙏",
        "recording": {"url": "https://pbx.example.id/rec/0042.wav", "size": 4_200_000},
        "location": location,
    }


def _social(ref: str, n: int) -> dict[str, Any]:
    text, _ = _problem(n)
    return {
        "platform": "x",
        "post_id": ref,
        "author_handle": "@arek_suroboyo",
        "text": f"Min {text} 😱 #Surabaya",
        "url": f"https://x.com/arek_suroboyo/status/{ref}",
        "posted_at": "2025-03-04T12:00:00Z",
    }


def _email(ref: str, n: int) -> dict[str, Any]:
    text, _ = _problem(n)
    return {"raw": EMAIL.format(ref=ref, n=n, text=text), "mailbox": "pengaduan@jatimprov.go.id"}


def _whatsapp(ref: str, n: int) -> dict[str, Any]:
    text, _ = _problem(n)
    return {
        "contact": {"wa_id": "62" + _phone(n)[1:], "profile": {"name": "Bu Rini"}},
        "message": {
            "id": f"wamid.{base64.b64encode(ref.encode()).decode()}",
            "timestamp": "1741067100",
            "type": "text",
            "text": {"body": f"{text}, tolong dicek ya min"},
        },
    }


def _sms(ref: str, n: int) -> dict[str, Any]:
    text, _ = _problem(n)
    return {
        "message_id": ref,
        "gateway_id": "1708-tsel",
        "msisdn": _phone(n),
        "text": f"LAPOR {text}. Tlg diperbaiki.",
        "received_at": "2025-03-04T08:00:00+07:00",
    }


def _walkin(ref: str, n: int) -> dict[str, Any]:
    text, location = _problem(n)
    return {
        "form_id": ref,
        "officer_id": "nip-198701012010011001",
        "mode": "walk-in",
        "desk": "MPP Siola Surabaya",
        "title": text[:60],
        "body": f"Warga melapor: {text}.",
        "location": location,
        "citizen": {"name": "Ahmad", "phone": _phone(n)},
    }


BODIES: dict[str, Callable[[str, int], dict[str, Any]]] = {
    "web": _web,
    "callcenter": _callcenter,
    "social": _social,
    "email": _email,
    "whatsapp": _whatsapp,
    "sms": _sms,
    "walkin": _walkin,
}


def mixed(tag: str) -> Callable[[int], tuple[str, bytes]]:
    """`body(i)`: (channel, JSON body) of request i, a new complaint with a reference of its own."""

    def body(i: int) -> tuple[str, bytes]:
        channel = CHANNELS[i % len(CHANNELS)]
        return channel, json.dumps(BODIES[channel](f"{tag}-{i}", i)).encode()

    return body
