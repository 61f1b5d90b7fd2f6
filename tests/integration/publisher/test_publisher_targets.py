"""LAPOR! and the PPID catalogue together, on real Kafka and FerretDB against both contract
servers: the public record, reconciliation, and the periodic report."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from publisher_support import Env, LaporServer
from test_publisher_lapor import resolved_event

from services.publisher import operations
from services.publisher.config import Settings
from services.publisher.service import build
from shared.service import ConsumeService
from tests.support.kafka import read_to_end, send_events
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration

NIK = "3578014501900002"
FOLLOW_UP = {
    "opd_code": "dpupr",
    "text": "Tim sudah meninjau lokasi, hubungi Bapak Sutrisno di 081234567890.",
    "kind": "substantive",
    "posted_at": "2025-03-05T03:00:00Z",
    "attachments": [{"url": "https://files.example/foto-1.jpg", "name": "foto-1.jpg"}],
}


def cases() -> list[Any]:
    """Eight cases: one confidential, one with a NIK in the text, one with a follow-up."""
    plain = [resolved_event(anonymous=False) for _ in range(5)]
    secret = resolved_event(confidential=True)
    nik = resolved_event(body=f"KTP saya NIK {NIK} ditolak di kantor kelurahan.", anonymous=False)
    followed = resolved_event(follow_ups=[FOLLOW_UP], anonymous=False)
    return [*plain, secret, nik, followed]


def test_cases_reach_both_targets_redacted_and_reconcile_clean(
    env: Env,
    lapor_server: LaporServer,
    ckan_server: LaporServer,
    both_settings: Callable[..., Settings],
    run_in_background: Callable[..., ConsumeService],
    tmp_path: Path,
) -> None:
    settings = both_settings(report_dir=str(tmp_path))
    run_in_background(build(settings), name="publisher")
    events = cases()
    send_events(env.kafka_bootstrap, env.topic, *events)

    wait_until(lambda: len(ckan_server.rows()) == 7, timeout=60, message="7 public rows")
    wait_until(lambda: _done_in_lapor(lapor_server) == 8, timeout=60, message="8 in LAPOR!")

    rows = ckan_server.rows()
    assert events[5].subject not in {r["id_publik"].split(":")[0] for r in rows}  # confidential
    assert NIK not in str(rows) and NIK not in str(lapor_server.complaints())
    assert "081234567890" not in str(rows) and "Sutrisno" not in str(rows)
    row = next(r for r in rows if r["id_publik"] == f"{events[7].subject}:1")
    assert row["jawaban_substantif"] is True and row["hari_kerja"] == 5
    assert row["pejabat_penguasa"].startswith("Dinas Pekerjaan Umum")
    followed = _lapor_record(lapor_server, events[7].subject)
    assert [f["external_ref"].rsplit(":", 1)[1] for f in followed["follow_ups"]] == [
        "tl1",
        "selesai",
    ]
    assert followed["follow_ups"][0]["attachments"] == ["FILE-1"]
    assert read_to_end(env.kafka_bootstrap, env.topic + ".dlq") == []

    out = io.StringIO()
    assert operations.reconcile(settings, None, mend=False, out=out) == 0, out.getvalue()


def test_reconcile_reports_and_mends_a_lost_row_and_a_duplicate(
    env: Env,
    lapor_server: LaporServer,
    ckan_server: LaporServer,
    both_settings: Callable[..., Settings],
    run_in_background: Callable[..., ConsumeService],
    tmp_path: Path,
) -> None:
    settings = both_settings(report_dir=str(tmp_path))
    service = run_in_background(build(settings), name="publisher")
    events = [resolved_event(anonymous=False) for _ in range(3)]
    send_events(env.kafka_bootstrap, env.topic, *events)
    wait_until(
        lambda: _done_in_lapor(lapor_server) == 3 and len(ckan_server.rows()) == 3, timeout=60
    )
    service.loop.stop()
    _drift_both(lapor_server, ckan_server, events[0].subject, events[1].subject)

    out = io.StringIO()
    assert operations.reconcile(settings, None, mend=False, out=out) == 1
    assert f"{events[0].subject}:1" in out.getvalue() and "duplicate" in out.getvalue()

    mended = io.StringIO()
    assert operations.reconcile(settings, None, mend=True, out=mended) == 0, mended.getvalue()
    assert len(ckan_server.rows()) == 3
    assert len(lapor_server.complaints()) == 3


def test_the_periodic_report_is_written_and_published(
    env: Env,
    ckan_server: LaporServer,
    both_settings: Callable[..., Settings],
    run_in_background: Callable[..., ConsumeService],
    tmp_path: Path,
) -> None:
    settings = both_settings(report_dir=str(tmp_path))
    run_in_background(build(settings), name="publisher")
    send_events(env.kafka_bootstrap, env.topic, *cases())
    wait_until(lambda: len(ckan_server.rows()) == 7, timeout=60, message="7 public rows")

    out = io.StringIO()
    assert operations.report(settings, "2025-H1", publish=True, out=out) == 0

    csv_text = (tmp_path / "2025-H1" / "laporan-pengaduan-2025-H1.csv").read_text()
    assert csv_text.splitlines()[1].startswith("dpupr,Dinas Pekerjaan Umum")
    assert ",8,8," in csv_text  # confidential cases count, they are only not listed one by one
    assert "<svg" in (tmp_path / "2025-H1" / "grafik-2025-H1.svg").read_text()
    assert "Pengaduan selesai: 8" in out.getvalue()
    package = next(
        p
        for p in ckan_server.received()["packages"]
        if p["name"] == "laporan-berkala-pengaduan-2025-h1"
    )
    assert sorted(r["format"] for r in package["resources"]) == ["CSV", "MD", "SVG"]


def _done_in_lapor(server: LaporServer) -> int:
    return sum(1 for c in server.complaints() if c["status"] == "terdisposisi selesai")


def _lapor_record(server: LaporServer, complaint_id: str) -> dict[str, Any]:
    return next(
        c for c in server.complaints() if c["complaint"]["external_id"] == f"{complaint_id}:1"
    )


def _drift_both(lapor: LaporServer, ckan: LaporServer, lost: str, doubled: str) -> None:
    """Delete one public row at CKAN; create a twin of a case at LAPOR!."""
    table = next(iter(ckan.received()["datastore"]))
    headers = {"Authorization": "integration-ckan-token"}
    body = {"resource_id": table, "filters": {"id_publik": f"{lost}:1"}}
    ckan.http.post("/api/3/action/datastore_delete", json=body, headers=headers).raise_for_status()
    twin = _lapor_record(lapor, doubled)["complaint"]
    lapor.http.post(
        "/api/v1/complaints", json=twin, headers={"Authorization": "Bearer integration-token"}
    ).raise_for_status()
