"""CaseResolved → the public record of the PPID catalogue, with the DIP fields. Pure.

Every text goes through redaction (`redact(text, reporter=None)`: the resolved-case event
carries no reporter identity). A confidential (rahasia) case has no public record at all; an
anonymous one carries nothing that identifies anyone, which redaction already ensures, and
not even its channel-level details.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from services.publisher.redaction import redact
from services.publisher.workdays import Calendar
from shared.events import CaseResolved, Classification
from shared.events.payloads import FollowUpKind

SUMMARY_CHARS = 500  # ringkasan: a summary, not the whole complaint


class CatalogueMapping(BaseModel):
    """Names and DIP values of the catalogue; configuration, as the PPID decides them."""

    organization: str = "ppid-jatim"
    dataset_name: str = "pengaduan-selesai-{opd}"
    dataset_title: str = "Pengaduan masyarakat yang telah selesai: {opd_name}"
    resource_name: str = "Daftar pengaduan selesai"
    opd_names: dict[str, str] = Field(
        default_factory=lambda: {
            "dinkes": "Dinas Kesehatan",
            "dishub": "Dinas Perhubungan",
            "dpupr": "Dinas Pekerjaan Umum dan Penataan Ruang",
            "disdik": "Dinas Pendidikan",
            "dlh": "Dinas Lingkungan Hidup",
            "dispendukcapil": "Dinas Kependudukan dan Pencatatan Sipil",
        }
    )
    region_names: dict[str, str] = Field(
        default_factory=lambda: {"35": "Jawa Timur", "35.78": "Kota Surabaya"}
    )
    responsible: str = "PPID Pelaksana {opd_name}"
    place: str = "Surabaya"
    form: str = "digital"  # bentuk informasi: cetak / digital
    media: str = "dataset daring (CKAN)"  # jenis media
    retention: str = "5 tahun"  # jangka waktu penyimpanan
    category: str = "tersedia setiap saat"  # kategori informasi (UU 14/2008)
    deadlines_hk: dict[Classification, int] = Field(
        default_factory=lambda: {
            Classification.ASPIRASI: 5,
            Classification.PERMINTAAN_INFORMASI: 5,
            Classification.PENGADUAN: 14,
            Classification.PENGADUAN_PENGAWASAN: 60,
        }
    )

    def opd_name(self, code: str) -> str:
        """Return the OPD's name, else its code."""
        return self.opd_names.get(code, code.upper())


FIELDS: list[dict[str, str]] = [
    {"id": name, "type": kind}
    for name, kind in [
        ("id_publik", "text"), ("nomor", "text"), ("judul", "text"), ("ringkasan", "text"),
        ("kategori_aduan", "text"), ("klasifikasi", "text"), ("opd", "text"),
        ("pejabat_penguasa", "text"), ("penanggung_jawab", "text"), ("wilayah", "text"),
        ("tanggal_diterima", "date"), ("tanggal_selesai", "date"), ("status", "text"),
        ("jawaban", "text"), ("jawaban_substantif", "bool"), ("hari_kerja", "int"),
        ("tepat_waktu", "bool"), ("waktu_tempat", "text"), ("bentuk", "text"),
        ("jenis_media", "text"), ("retensi", "text"), ("kategori_informasi", "text"),
    ]
]  # fmt: skip
PRIMARY_KEY = "id_publik"


def public(text: str) -> str:
    """Return the public version of a text (nothing personal left)."""
    return redact(text).text


def answer(case: CaseResolved) -> tuple[str, bool]:
    """Return the substantive answer (the last substantive follow-up, else the resolution)
    and whether a substantive follow-up exists."""
    substantive = [f.text for f in case.follow_ups if f.kind is FollowUpKind.SUBSTANTIVE]
    return (substantive[-1] if substantive else case.resolution), bool(substantive)


def public_record(
    case: CaseResolved, record_id: str, m: CatalogueMapping, cal: Calendar
) -> dict[str, Any]:
    """Return the catalogue row of a resolved, non-confidential case."""
    if case.confidential:
        raise ValueError("a confidential case is never published")
    opd_name = m.opd_name(case.opd_code)
    text, substantive = answer(case)
    days = cal.working_days(case.received_at, case.resolved_at)
    resolved_on = cal.local_date(case.resolved_at)
    region = m.region_names.get(case.region_code or "", case.region_code or "")
    return {
        PRIMARY_KEY: record_id,
        "nomor": case.tracking_number,
        "judul": public(case.title),
        "ringkasan": public(case.body)[:SUMMARY_CHARS],
        "kategori_aduan": case.category or "lainnya",
        "klasifikasi": case.classification.value,
        "opd": case.opd_code,
        "pejabat_penguasa": opd_name,
        "penanggung_jawab": m.responsible.format(opd_name=opd_name),
        "wilayah": region,
        "tanggal_diterima": cal.local_date(case.received_at).isoformat(),
        "tanggal_selesai": resolved_on.isoformat(),
        "status": "selesai",
        "jawaban": public(text),
        "jawaban_substantif": substantive,
        "hari_kerja": days,
        "tepat_waktu": days <= m.deadlines_hk.get(case.classification, 14),
        "waktu_tempat": f"{resolved_on.isoformat()}, {region or m.place}",
        "bentuk": m.form,
        "jenis_media": m.media,
        "retensi": m.retention,
        "kategori_informasi": m.category,
    }


def dataset(opd_code: str, m: CatalogueMapping) -> dict[str, Any]:
    """Return the package_create body of an OPD's dataset, with its DIP entry as extras."""
    opd_name = m.opd_name(opd_code)
    summary = (
        f"Daftar pengaduan masyarakat yang telah diselesaikan oleh {opd_name}: kategori, "
        "wilayah, tanggal, jawaban dan lama penyelesaian (hari kerja). Data pribadi dihapus."
    )
    dip = {
        "dip_ringkasan": summary,
        "dip_pejabat_penguasa": opd_name,
        "dip_penanggung_jawab": m.responsible.format(opd_name=opd_name),
        "dip_waktu_tempat": f"diperbarui setiap ada pengaduan selesai, {m.place}",
        "dip_bentuk": m.form,
        "dip_jenis_media": m.media,
        "dip_retensi": m.retention,
        "dip_kategori": m.category,
    }
    return {
        "name": m.dataset_name.format(opd=opd_code),
        "title": m.dataset_title.format(opd_name=opd_name),
        "owner_org": m.organization,
        "notes": summary,
        "tags": [{"name": "pengaduan"}, {"name": "ppid"}],
        "extras": [{"key": k, "value": v} for k, v in dip.items()],
    }
