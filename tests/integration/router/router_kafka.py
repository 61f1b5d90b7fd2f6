"""Helpers for the router's integration tests: one test's topics and group, received events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from shared.events import Channel, ComplaintReceived, Entry, Location, Reporter, encode, new_event
from shared.topics import dead_letter

SMALL = Path(__file__).resolve().parents[2] / "data" / "router" / "small"
# The small test directory's OPDs (tests/data/router/small/opd.yaml): few enough to give each
# test its own topics; the shipped directory (deploy/config) has hundreds.
OPD_CODES = (
    "triage",
    "35-triage",
    "3578-pupr",
    "3578-dinkes",
    "3578-dishub",
    "35-disdik",
    "3578-dlh",
    "3578-dispendukcapil",
)


@dataclass(frozen=True)
class RouterTopics:
    """One test's Kafka address, topics, consumer group and database."""

    bootstrap: str
    received: str
    updates: str
    assigned: str
    opd_template: str
    group: str
    database: str  # the router's Mongo database (routed cases, triage queue)

    def opd(self, code: str) -> str:
        return self.opd_template.format(code=code)

    @property
    def dlq(self) -> str:
        return dead_letter(self.received)


def received_event(
    cid: str, body: str, *, anonymous: bool = False, region: str | None = None
) -> bytes:
    data = ComplaintReceived(
        tracking_number=f"ADU-{cid[-8:]}",
        channel=Channel.WHATSAPP,
        channel_ref=f"wamid-{cid}",
        received_at=datetime.now(UTC),
        title="Laporan warga",
        body=body,
        location=Location(region_code=region),
        reporter=Reporter(name="Budi Santoso", nik="3578010101900001", phone="+6281234567890"),
        anonymous=anonymous,
        entry=Entry(connector_id="wa-gateway"),
    )
    return encode(new_event(data, complaint_id=cid, source="/test/intake"))
