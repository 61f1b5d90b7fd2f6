"""Focused cases of the redactor: each kind, what must stay, the reporter block, the result."""

from __future__ import annotations

import pytest

from services.publisher.redaction import Kind, Removed, Reporter, numbers, redact


def removed(text: str, reporter: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """Return (kind, value) of what `redact` removed."""
    return [(r.kind.value, r.value) for r in redact(text, reporter).removed]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("NIK saya 3578014407900003.", "NIK"),
        ("no. KK 3578 1025 0109 0011 mohon dicek", "KK"),
        ("Kartu Keluarga: 3578-1025-0109-0011", "KK"),
        ("KTP 3578.0144.0790.0003 hilang", "NIK"),
        ("data (3578014407900003) tidak ada", "NIK"),
    ],
)
def test_sixteen_digits_are_typed_by_the_nearest_cue(text: str, kind: str) -> None:
    found = removed(text)

    assert [k for k, _ in found] == [kind]
    assert "[" + kind + "]" in redact(text).text


def test_nik_and_kk_side_by_side_each_get_their_cue() -> None:
    text = "NIK: 3578090105780002, No KK: 3578091208150003"

    assert redact(text).text == "NIK: [NIK], No KK: [KK]"


@pytest.mark.parametrize(
    "number",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "0812.3456.7890",
        "+62 812-3456-7890",
        "+6281234567890",
        "6281234567890",
        "(031) 8472910",
        "031-8472910",
        "0341 562 118",
        "+62 31 5678 1234",
    ],
)
def test_phone_numbers_in_every_form(number: str) -> None:
    assert redact(f"hubungi {number} ya").text == "hubungi [TELEPON] ya"


@pytest.mark.parametrize(
    "text",
    [
        "SMS 1708 dan call center 112 aktif 24 jam",
        "Tagihan Rp 1.250.000, nomor pelanggan 01234567",
        "kejadian 12-03-2024 pukul 08.30 WIB",
        "nomor kartu BPJS 0001234567891",
        "UU 14/2008 dan Perpres 76/2013",
    ],
)
def test_numbers_that_are_not_personal_stay(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize(
    ("text", "public"),
    [
        ("budi.s@gmail.com", "[EMAIL]"),
        ("budi at gmail dot com", "[EMAIL]"),
        ("hilmi[at]yahoo[dot]com", "[EMAIL]"),
        ("L 1234 AB", "[PLAT]"),
        ("B1234XYZ", "[PLAT]"),
        ("KT 1234 AB", "[PLAT]"),
    ],
)
def test_emails_and_plates(text: str, public: str) -> None:
    assert redact(f"data: {text} .").text == f"data: {public} ."


def test_english_at_in_prose_stays() -> None:
    text = "Meeting at 10 with the Dinas team went fine"

    assert redact(text).text == text


def test_lower_case_plate_needs_a_cue_word() -> None:
    assert redact("nopol ag 8821 ut").text == "nopol [PLAT]"
    assert redact("rumah di rt 05 rw 03").text == "rumah di [ALAMAT]"


@pytest.mark.parametrize(
    ("text", "public"),
    [
        (
            "di Jl. Melati No. 5 RT 03/RW 04 Kel. Ketintang, Kec. Gayungan",
            "di [ALAMAT], Kec. Gayungan",
        ),
        ("warga rt 5 rw 2 desa Ngingas resah", "warga [ALAMAT] resah"),
        ("rumah di Gg. Mawar III/12.", "rumah di [ALAMAT]."),
        ("Perumahan Pondok Jati Blok AN No. 21 banjir", "[ALAMAT] banjir"),
    ],
)
def test_house_level_addresses_go_whole(text: str, public: str) -> None:
    assert redact(text).text == public


@pytest.mark.parametrize(
    "text",
    [
        "Lampu di Jl. Ahmad Yani depan Royal Plaza mati",
        "Banjir di Kelurahan Kalianak dan Desa Sumberagung",
        "Pak Camat Gubeng mohon perhatiannya",
        "Kepada Bapak Gubernur Jawa Timur",
        "Pelayanan RSUD dr. Soetomo lambat, Dinas PU tidak menjawab",
        "Ibu Kota Nusantara dan ibu hamil",
        "Mohon Bapak/Ibu menindaklanjuti",
        "Ketua RT 07 sudah lapor",
        "saya Lukman dr Bojonegoro",
    ],
)
def test_places_institutions_and_roles_stay(text: str) -> None:
    kept = redact(text)

    assert "[ALAMAT]" not in kept.text
    assert text.replace("Lukman", "[NAMA]") == kept.text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("tetangga saya Pak Joko bikin kandang", "Joko"),
        ("tadi ketemu pak budi di kelurahan", "budi"),
        ("nama saya budi santoso tinggal di sini", "budi santoso"),
        ("Pasien atas nama Ny. Kustini ditolak", "Kustini"),
        ("Bapak H. Mashuri tidak transparan", "Mashuri"),
        ("Sdr. Ahmad Fauzi melapor", "Ahmad Fauzi"),
        ("dr. Ratna Wulandari tidak ada", "Ratna Wulandari"),
        ("Saya Rina, warga sini", "Rina"),
        ("Terima kasih.\n\nHormat saya,\nAgus Salim", "Agus Salim"),
        ("Kemarin Rudi Hermawan tetangga saya dipukul", "Rudi Hermawan"),
        ("Nama: Yulia Kartika\nNIK:", "Yulia Kartika"),
    ],
)
def test_names_after_a_cue(text: str, name: str) -> None:
    assert ("NAMA", name) in removed(text)
    assert name not in redact(text).text


def test_the_honorific_stays_before_the_placeholder() -> None:
    assert redact("Mbak Dewi di pendaftaran").text == "Mbak [NAMA] di pendaftaran"


def test_the_reporters_name_and_its_parts_go_wherever_they_appear() -> None:
    reporter = {"name": "Agus Setiawan", "phone": "081234567001"}
    text = "berkas agus setiawan belum lengkap, kata Setiawan. Telp 0812-3456-7001"

    public = redact(text, reporter).text

    assert public == "berkas [NAMA] belum lengkap, kata [NAMA]. Telp [TELEPON]"


def test_reporter_block_accepts_the_dataclass_and_ignores_junk() -> None:
    assert Reporter.from_mapping({"name": " ", "nik": 3, "x": "y"}) == Reporter()
    assert redact("Halo Putu", Reporter(name="Ni Luh Putu")).text == "Halo [NAMA]"


def test_removed_items_come_in_text_order_with_their_values() -> None:
    result = redact("Bu Sri, HP 081234567890, email sri@mail.id")

    assert result.removed == (
        Removed(Kind.NAME, "Sri"),
        Removed(Kind.PHONE, "081234567890"),
        Removed(Kind.EMAIL, "sri@mail.id"),
    )
    assert result.removed[0].as_dict() == {"kind": "NAMA", "value": "Sri"}


def test_text_without_personal_data_is_returned_unchanged() -> None:
    text = "Sampah numpuk di TPS Pasar Kembang 😷 tolong Dinas Lingkungan Hidup"

    assert redact(text).text == text
    assert redact(text).removed == ()


def test_a_long_run_of_numbers_takes_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    # Work, not time (timings flake on a busy machine): trying every stretch of a run was
    # quadratic, 37 s for 3,000 pieces.
    tried = 0
    classify = numbers._classify

    def counting(text: str, offset: int, chunk: str) -> Kind | None:
        nonlocal tried
        tried += 1
        return classify(text, offset, chunk)

    monkeypatch.setattr(numbers, "_classify", counting)
    work = {}
    for pieces in (1_000, 2_000):
        tried = 0
        redact(" ".join(["0812"] * pieces))
        work[pieces] = tried
    assert work[1_000] <= numbers.MAX_PIECES * 1_000 * 2  # a few tries per piece at most
    assert work[2_000] <= 2.1 * work[1_000]


def test_a_tracking_number_is_not_taken_for_a_plate() -> None:
    text = "Laporan ADU-N7PE-H95H sudah kami tinjau; mobil L 1234 AB parkir di trotoar."
    result = redact(text)
    assert "ADU-N7PE-H95H" in result.text
    assert [item.kind for item in result.removed] == ["PLAT"]


def test_a_number_left_beside_a_cue_is_removed_in_the_same_call() -> None:
    text = "NIK Pak Pak Pak Pak Pak Pak 0000000000000000 00000000000000"
    once = redact(text)
    assert "0" not in once.text
    assert redact(once.text).text == once.text
