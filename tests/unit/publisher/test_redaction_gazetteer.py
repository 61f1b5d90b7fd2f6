"""Names found by the list of Indonesian names (gazetteer.py), and the words it must leave."""

from __future__ import annotations

import pytest

from services.publisher.redaction import gazetteer, redact


@pytest.mark.parametrize(
    ("text", "public"),
    [
        ("Hasnawati dan Sitti Rahmah belum digaji.", "[NAMA] dan [NAMA] belum digaji."),
        ("Nyoman Sukerta nelayan Kedonganan.", "[NAMA] nelayan Kedonganan."),
        ("Tiyang I Wayan Sudarsana dari Sibetan.", "Tiyang [NAMA] dari Sibetan."),
        ("milik Tan Hok Lay di Pasar Atom", "milik [NAMA] di Pasar Atom"),
        ("M. Rizky Pratama, pelajar SMK", "[NAMA], pelajar SMK"),
        ("Rosmawati br. Sitorus, janda", "[NAMA], janda"),
        ("Bapak H. Baharuddin tidak hadir", "Bapak H. [NAMA] tidak hadir"),
    ],
)
def test_listed_names_are_removed_without_a_cue(text: str, public: str) -> None:
    assert redact(text).text == public


@pytest.mark.parametrize(
    ("text", "public"),
    [
        ("td siang istri saya nining ditilang", "td siang istri saya [NAMA] ditilang"),
        ("min anakku rizal ga dapet KIP", "min anakku [NAMA] ga dapet KIP"),
        ("semoga cepat. - dadang", "semoga cepat. - [NAMA]"),
        ("saya endang sulistyowati mau tanya", "saya [NAMA] mau tanya"),
        ("kemarin marolop siregar jatuh", "kemarin [NAMA] jatuh"),
    ],
)
def test_lower_case_names_need_a_cue_or_a_second_name(text: str, public: str) -> None:
    assert redact(text).text == public


@pytest.mark.parametrize(
    "text",
    [
        "Lampu mati di Jl. Ahmad Yani depan Royal Plaza.",
        "Saluran di sepanjang Jalan Sultan Hasanuddin mampet.",
        "Masjid Agung Al-Akbar parkirannya liar.",
        "Toko Bunga Indah pakai trotoar.",
        "Pasar Sari Jaya kumuh, atapnya bocor.",
        "CV Jaya Abadi tidak menyelesaikan pekerjaan.",
        "Guru di SMA Santa Maria dipindah.",
        "Universitas Hasanuddin dan RS Wahidin Sudirohusodo.",
        "Mohon PDAM Surya Sembada segera memperbaiki.",
        "Surat kami tanggal 3 Mei belum dijawab.",
        "Puskesmas Abang I sering tutup.",
        "jalannya bagus tapi lampunya mati, sari buah dijual di pinggir jalan",
        "hasil panen tahun ini baru sedikit",
    ],
)
def test_places_firms_and_everyday_words_stay(text: str) -> None:
    assert redact(text).text == text


def test_relatives_named_after_their_relation_are_removed() -> None:
    text = "Keponakan saya Lamhot dan temannya Tiurma dilarang ikut ujian."

    assert redact(text).text == "Keponakan saya [NAMA] dan temannya [NAMA] dilarang ikut ujian."


def test_the_list_is_shipped_with_the_package_and_is_lower_case() -> None:
    assert gazetteer.NAMES_FILE.parent.name == "redaction"
    assert len(gazetteer.NAMES) > 1000
    assert all(name == name.lower() for name in gazetteer.NAMES)
