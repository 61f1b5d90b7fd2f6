"""The periodic complaint-handling report (informasi berkala), per OPD and period. Pure.

Counted from the publisher's store of resolved cases (stats.py), so every figure is about
cases *resolved* in the period: received (of those, received in the period), resolved, RTL
(mean working days from assignment to the first follow-up), completion rate (share resolved
within the classification's deadline: the publisher does not see cases still open, which the
sla's metrics count), substantive-reply rate, and the top categories.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from services.publisher.catalogue import CatalogueMapping
from services.publisher.workdays import Calendar
from shared.events import Classification

_PERIOD = re.compile(r"^(\d{4})-(H[12]|Q[1-4])$")
TOP = 3


@dataclass(frozen=True)
class Period:
    """A reporting period: a half (H1, H2) or a quarter (Q1..Q4) of a year."""

    label: str
    first: date
    last: date  # inclusive

    def bounds(self, utc_offset_hours: int) -> tuple[datetime, datetime]:
        """Return [start, end) in UTC for the region's time zone."""
        zone = timezone(timedelta(hours=utc_offset_hours))
        start = datetime.combine(self.first, time(), zone)
        end = datetime.combine(self.last + timedelta(days=1), time(), zone)
        return start, end


def parse_period(text: str) -> Period:
    """Parse `2026-H2` or `2026-Q1`."""
    match = _PERIOD.match(text)
    if match is None:
        raise ValueError(f"period must look like 2026-H2 or 2026-Q1, not {text!r}")
    year, part = int(match[1]), match[2]
    months = 6 if part[0] == "H" else 3
    first_month = (int(part[1]) - 1) * months + 1
    end = date(year + (first_month + months > 12), (first_month + months - 1) % 12 + 1, 1)
    return Period(text, date(year, first_month, 1), end - timedelta(days=1))


@dataclass(frozen=True)
class OpdRow:
    """One OPD's line of the report."""

    opd: str
    nama_opd: str
    diterima: int
    selesai: int
    rtl_hari_kerja: float | None
    tingkat_penyelesaian: float
    tingkat_jawaban_substantif: float
    kategori_teratas: str


def rows(
    facts: list[dict[str, Any]], period: Period, m: CatalogueMapping, cal: Calendar
) -> list[OpdRow]:
    """Return one row per OPD, sorted by code."""
    by_opd: dict[str, list[dict[str, Any]]] = {}
    for fact in facts:
        by_opd.setdefault(fact["opd"], []).append(fact)
    return [_row(opd, cases, period, m, cal) for opd, cases in sorted(by_opd.items())]


def _row(
    opd: str, cases: list[dict[str, Any]], period: Period, m: CatalogueMapping, cal: Calendar
) -> OpdRow:
    received = sum(
        1 for c in cases if period.first <= cal.local_date(c["received_at"]) <= period.last
    )
    rtl = [cal.working_days(c["assigned_at"], c["first_follow_up_at"]) for c in cases
           if c.get("assigned_at") and c.get("first_follow_up_at")]  # fmt: skip
    on_time = sum(1 for c in cases if _on_time(c, m, cal))
    top = Counter(c["category"] for c in cases).most_common(TOP)
    return OpdRow(
        opd=opd,
        nama_opd=m.opd_name(opd),
        diterima=received,
        selesai=len(cases),
        rtl_hari_kerja=round(sum(rtl) / len(rtl), 2) if rtl else None,
        tingkat_penyelesaian=_share(on_time, len(cases)),
        tingkat_jawaban_substantif=_share(sum(1 for c in cases if c["substantive"]), len(cases)),
        kategori_teratas="; ".join(f"{name} ({n})" for name, n in top),
    )


def _on_time(fact: dict[str, Any], m: CatalogueMapping, cal: Calendar) -> bool:
    limit = m.deadlines_hk.get(Classification(fact["classification"]), 14)
    return cal.working_days(fact["received_at"], fact["resolved_at"]) <= limit


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def to_csv(report: list[OpdRow]) -> str:
    """Return the report as CSV with a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(OpdRow.__dataclass_fields__), lineterminator="\n")
    writer.writeheader()
    for row in report:
        writer.writerow(asdict(row))
    return out.getvalue()


def summary(report: list[OpdRow], period: Period) -> str:
    """Return a readable summary (Indonesian, Markdown) of the report."""
    total = sum(r.selesai for r in report)
    lines = [
        f"# Laporan berkala penanganan pengaduan, periode {period.label}",
        f"({period.first.isoformat()} s.d. {period.last.isoformat()})",
        "",
        f"Pengaduan selesai: {total}, di {len(report)} OPD.",
        "",
    ]
    for r in report:
        rtl = "-" if r.rtl_hari_kerja is None else f"{r.rtl_hari_kerja:.1f} hari kerja"
        lines.append(
            f"- **{r.nama_opd}**: diterima {r.diterima}, selesai {r.selesai}, RTL {rtl}, "
            f"selesai tepat waktu {r.tingkat_penyelesaian:.0%}, jawaban substantif "
            f"{r.tingkat_jawaban_substantif:.0%}; kategori teratas: {r.kategori_teratas or '-'}."
        )
    lines += ["", "Data pribadi pelapor tidak dimuat. Pengaduan rahasia hanya dihitung."]
    return "\n".join(lines) + "\n"
