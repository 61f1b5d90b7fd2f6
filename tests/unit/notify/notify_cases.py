"""A composer over the shipped templates and OPD directory, and one complaint's events."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from services.notify.directory import load_opd_names
from services.notify.notices import Composer
from services.notify.templates import load_templates
from shared.events import (
    CaseResolved,
    Channel,
    Classification,
    ComplaintPostponed,
    Envelope,
    Reporter,
    follow,
)
from tests.support.events import T0, received

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "deploy" / "config" / "notify_templates.yaml"
OPDS = ROOT / "deploy" / "config" / "opd.yaml"
STATUS_URL = "https://lapor.jatimprov.go.id/cek/{tracking}"
CID = "01JNQ8ZK3W2Y5T7V9X1B3D5F7H"
TRACKING = "ADU-7K3M-9QXP"
# The complaint names other people (a neighbour, a witness): none of it may reach a message.
OTHERS = (
    "Bambang Sutrisno",
    "3578012304850002",
    "081298765432",
    "bambang@contoh.id",
    "Jl. Melati 7",
)
BODY = (
    "Tetangga saya Bambang Sutrisno (NIK 3578012304850002, HP 081298765432, "
    "bambang@contoh.id) membuang sampah di Jl. Melati 7 setiap malam."
)


def composer(status_url: str = STATUS_URL) -> Composer:
    """The composer `python -m services.notify` builds from the shipped configuration."""
    return Composer(
        templates=load_templates(TEMPLATES, status_url=status_url),
        opds=load_opd_names(OPDS),
        status_url=status_url,
    )


def complaint(channel: Channel = Channel.SMS, **over: Any) -> Envelope[Any]:
    """A received complaint from Siti (her own contact) about other people."""
    fields: dict[str, Any] = {
        "channel": channel,
        "body": BODY,
        "reporter": Reporter(name="Siti Rahayu", phone="+6281234567890", email="siti@contoh.id"),
        **over,
    }
    return received(CID, TRACKING, **fields)


def case_resolved(opd: str = "3578-dlh", version: int = 1) -> Envelope[Any]:
    """The sla's CaseResolved of the complaint (its body names the others too)."""
    data = CaseResolved(
        tracking_number=TRACKING, channel=Channel.SMS, title="Sampah", body=BODY,
        classification=Classification.PENGADUAN, opd_code=opd, anonymous=False,
        confidential=False, received_at=T0, resolved_at=T0 + timedelta(days=3),
        resolution="Sudah ditegur oleh petugas; Bambang Sutrisno berjanji tidak mengulang.",
        case_version=version,
    )  # fmt: skip
    return follow(complaint(), data, source="/aduan/sla", time=T0 + timedelta(days=3))


def postponed(*missing: str) -> Envelope[Any]:
    """A tunda of the complaint."""
    data = ComplaintPostponed(missing=list(missing), by="admin-35", postponed_at=T0)
    return follow(complaint(), data, source="/aduan/router")
