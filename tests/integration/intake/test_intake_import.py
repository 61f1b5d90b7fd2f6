"""`python -m services.intake import` on the real FerretDB: report, rerun, rollback."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pymongo.collection import Collection

from services.intake import bulk_cli
from services.intake.__main__ import parse_args
from services.intake.config import Settings

pytestmark = pytest.mark.integration

ROWS = """form_id,officer_id,title,body,citizen.name,citizen.phone,location.region_code,anonymous,tags
MPP-1,nip-1,Jalan rusak,Lubang besar di depan pasar,Siti,0812-3456-7890,3578,tidak,jalan;pasar
,nip-1,Lampu mati,PJU mati seminggu,,,,ya,
MPP-3,nip-1,,tanpa judul,,,,,
MPP-4,nip-1,Sampah,Sampah numpuk di TPS,,,,maybe,
"""


def run_import(settings: Settings, *argv: str, capsys: Any) -> tuple[int, str]:
    code = bulk_cli.run(parse_args(["import", *argv]), settings)
    return code, capsys.readouterr().out


def test_import_reports_each_row_reruns_idempotently_and_rolls_back(
    settings_for: Callable[..., Settings],
    complaints: Collection[dict[str, Any]],
    tmp_path: Path,
    capsys: Any,
) -> None:
    settings = settings_for()
    backlog = tmp_path / "backlog.csv"
    backlog.write_text(ROWS, encoding="utf-8")
    report = tmp_path / "report.csv"
    code, out = run_import(settings, str(backlog), "--report", str(report), capsys=capsys)
    assert code == 0 and "accepted 2, duplicate 0, rejected 2" in out
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [r["outcome"] for r in rows] == ["accepted", "accepted", "rejected", "rejected"]
    assert "title" in rows[2]["reason"] and "anonymous" in rows[3]["reason"]
    assert rows[1]["ref"].endswith(":2")  # no form_id: the file's stable row id
    stored = complaints.find_one({"channel_ref": "MPP-1"})
    assert stored is not None and stored["complaint"]["location"]["region_code"] == "35.78"
    batch = out.rsplit("batch ", 1)[1].strip()

    code, again = run_import(settings, str(backlog), "--report", str(report), capsys=capsys)
    assert code == 0 and "accepted 0, duplicate 2, rejected 2" in again
    assert complaints.count_documents({}) == 2

    routed = rows[0]["complaint_id"]  # as if the relay had published this one already
    complaints.update_one({"_id": routed}, {"$set": {"outbox.published_at": datetime.now(UTC)}})
    code, out = run_import(settings, "--rollback", batch, capsys=capsys)
    assert code == 0
    assert f"too late, already routed: {rows[0]['tracking_number']}" in out
    assert "withdrawn 1, too late 1" in out
    assert [d["_id"] for d in complaints.find({})] == [routed]


def test_rollback_of_an_unknown_batch_fails(
    settings_for: Callable[..., Settings], capsys: Any
) -> None:
    code = bulk_cli.run(parse_args(["import", "--rollback", "01NOPE"]), settings_for())
    assert code == bulk_cli.EXIT_FAILED
    assert "no import batch 01NOPE" in capsys.readouterr().err
