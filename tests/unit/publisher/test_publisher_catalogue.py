"""The public record, LAPOR! text, working days, the report and its chart: pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.publisher.catalogue import CatalogueMapping, dataset, public_record
from services.publisher.chart import bar_chart
from services.publisher.ledger import fold
from services.publisher.mapping import lapor_text
from services.publisher.report import parse_period, rows, summary, to_csv
from services.publisher.stats import case_facts
from services.publisher.workdays import Calendar
from tests.unit.publisher.publisher_cases import case

NIK = "3578014501900002"
CAL = Calendar()


def test_the_public_record_is_redacted_and_carries_the_dip_fields() -> None:
    secret = case(body=f"Saya Bapak Sutrisno, NIK {NIK}, telp 081234567890, jalan rusak.")
    row = public_record(secret, "cid:1", CatalogueMapping(), CAL)

    assert NIK not in str(row) and "081234567890" not in str(row) and "Sutrisno" not in str(row)
    assert row["hari_kerja"] == 5 and row["tepat_waktu"] is True
    assert row["pejabat_penguasa"] == "Dinas Pekerjaan Umum dan Penataan Ruang"
    assert {
        "ringkasan",
        "penanggung_jawab",
        "waktu_tempat",
        "bentuk",
        "retensi",
        "kategori_informasi",
    } <= set(row)


def test_a_confidential_case_has_no_public_record() -> None:
    with pytest.raises(ValueError, match="confidential"):
        public_record(case(confidential=True), "cid:1", CatalogueMapping(), CAL)


def test_the_dataset_files_the_dip_entry_as_extras() -> None:
    extras = {e["key"] for e in dataset("dinkes", CatalogueMapping())["extras"]}
    assert {"dip_ringkasan", "dip_pejabat_penguasa", "dip_retensi", "dip_kategori"} <= extras


def test_lapor_text_drops_nik_always_and_names_only_when_anonymous() -> None:
    text = f"Bapak Sutrisno dengan NIK {NIK} melapor."
    assert lapor_text(text, anonymous=False) == "Bapak Sutrisno dengan NIK [NIK] melapor."
    assert "Sutrisno" not in lapor_text(text, anonymous=True)


def test_working_days_skip_weekends_and_holidays() -> None:
    friday = datetime(2025, 3, 28, 3, tzinfo=UTC)
    after_lebaran = datetime(2025, 4, 8, 3, tzinfo=UTC)  # Idul Fitri and cuti bersama between
    assert CAL.working_days(friday, after_lebaran) == 1
    assert not CAL.is_working_day(date(2025, 3, 31))


def test_periods_parse_to_their_days() -> None:
    assert (parse_period("2026-H2").first, parse_period("2026-H2").last) == (
        date(2026, 7, 1),
        date(2026, 12, 31),
    )
    assert parse_period("2026-Q1").last == date(2026, 3, 31)
    with pytest.raises(ValueError):
        parse_period("2026-H3")


def test_the_report_counts_per_opd() -> None:
    facts = [
        case_facts(
            "a",
            case(
                assigned_at=datetime(2025, 3, 3, 2, tzinfo=UTC),
                first_follow_up_at=datetime(2025, 3, 4, 2, tzinfo=UTC),
            ),
        ),
        case_facts("b", case(confidential=True, category="jalan")),
    ]
    table = rows(facts, parse_period("2025-H1"), CatalogueMapping(), CAL)

    [row] = table
    assert (row.diterima, row.selesai, row.rtl_hari_kerja, row.tingkat_penyelesaian) == (
        2,
        2,
        1.0,
        1.0,
    )
    assert row.kategori_teratas == "infrastruktur (1); jalan (1)"
    assert to_csv(table).startswith("opd,nama_opd,diterima,selesai,")
    assert "Pengaduan selesai: 2" in summary(table, parse_period("2025-H1"))


def test_the_chart_is_an_svg_with_one_bar_per_label() -> None:
    svg = bar_chart("Selesai <per OPD>", [("Dinkes", 3), ("Dishub", 0)])
    assert svg.startswith("<svg") and svg.count("<rect") == 2 and "&lt;per OPD&gt;" in svg


def test_the_journal_folds_to_the_entry() -> None:
    at = datetime(2025, 3, 10, tzinfo=UTC)
    base = {"complaint_id": "c", "target": "lapor", "case_version": 1, "at": at}
    steps = [
        {**base, "seq": 1, "step": "claim", "owner": "me", "lease_until": at, "armed": True},
        {**base, "seq": 2, "step": "created", "remote_id": "LAPOR-1"},
        {**base, "seq": 3, "step": "follow_up", "follow_ups_sent": 1},
        {**base, "seq": 4, "step": "sent"},
    ]
    entry = fold(steps)
    assert (entry.state.value, entry.remote_id, entry.follow_ups_sent, entry.owner) == (
        "sent",
        "LAPOR-1",
        1,
        None,
    )
    rearmed = fold(
        [*steps[:1], {**base, "seq": 2, "step": "claim", "owner": "you", "lease_until": at}]
    )
    assert rearmed.in_flight_since == at and rearmed.attempts == 2  # the first claim may have sent
