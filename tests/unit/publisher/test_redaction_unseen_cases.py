"""The kinds of names and addresses first missed on unseen text (heldout3), in other words.

Each rule is general; the texts here are not those of the held-out sets. The guards beside
each rule are the words it must leave.
"""

from __future__ import annotations

import pytest

from services.publisher.redaction import redact
from services.publisher.redaction.namelist import canonical, normalise


@pytest.mark.parametrize(
    ("text", "public"),
    [
        ("Atap rumah Siti Maryam roboh.", "Atap rumah [NAMA] roboh."),
        ("Antre di Rumah Sakit Siti Khodijah.", "Antre di Rumah Sakit Siti Khodijah."),
        ("Rumah Makan Sari Ayu buang limbah.", "Rumah Makan Sari Ayu buang limbah."),
    ],
)
def test_rumah_is_a_place_only_before_a_place_noun(text: str, public: str) -> None:
    assert redact(text).text == public


@pytest.mark.parametrize(
    ("spelling", "listed"),
    [("soemiyati", "sumiati"), ("achmad", "achmad"), ("ahmat", None), ("djuanda", None)],
)
def test_old_and_english_spellings_find_the_listed_name(spelling: str, listed: str | None) -> None:
    assert canonical(spelling) == listed


def test_spellings_are_compared_in_one_normal_form() -> None:
    assert normalise("tjandra") == normalise("candra")
    assert normalise("soesilowatie") == "susilowati"


def test_a_variant_of_a_listed_name_is_removed_without_a_cue() -> None:
    assert redact("Kemarin Soemiyati dipalak preman.").text == "Kemarin [NAMA] dipalak preman."


@pytest.mark.parametrize(
    ("text", "public"),
    [
        ("Mohon dicek, Rizal Hartono belum dapat air.", "Mohon dicek, [NAMA] belum dapat air."),
        ("Di Jakarta Timur Ahmad mangkal.", "Di Jakarta Timur [NAMA] mangkal."),
        ("Kepala Dinas Sosial Bambang Hermanto diam.", "Kepala Dinas Sosial [NAMA] diam."),
        ("Pada Senin Sutrisno datang.", "Pada Senin [NAMA] datang."),
        ("Bapak Presiden Joko Widodo meresmikan.", "Bapak Presiden [NAMA] meresmikan."),
    ],
)
def test_an_unlisted_given_name_goes_with_a_listed_family_name(text: str, public: str) -> None:
    assert redact(text).text == public


@pytest.mark.parametrize(
    ("text", "public"),
    [
        ("Bantuan tak sampai ke Mak Ijah.", "Bantuan tak sampai ke Mak [NAMA]."),
        ("Uwak Darsih dan Ceu Popon jualan.", "Uwak [NAMA] dan Ceu [NAMA] jualan."),
        ("Kemarin Pasar Cik Puan sepi.", "Kemarin Pasar Cik Puan sepi."),
    ],
)
def test_regional_honorifics_announce_a_name(text: str, public: str) -> None:
    assert redact(text).text == public


@pytest.mark.parametrize(
    ("text", "public"),
    [
        ("Pak Guru Markus menumpang.", "Pak Guru [NAMA] menumpang."),
        ("Bu Bidan Rosmaida tidak datang.", "Bu Bidan [NAMA] tidak datang."),
        ("Pak RT Joko tidak mau.", "Pak RT [NAMA] tidak mau."),
        ("Pak Guru Honorer belum digaji.", "Pak Guru Honorer belum digaji."),
        ("Pak Lurah tidak peduli.", "Pak Lurah tidak peduli."),
        ("Pak Camat Gubeng belum menjawab.", "Pak Camat Gubeng belum menjawab."),
    ],
)
def test_a_name_after_a_personal_position_not_after_an_office(text: str, public: str) -> None:
    assert redact(text).text == public


def test_a_lower_case_name_stops_where_the_sentence_goes_on() -> None:
    text = "cowok namanya dodi sering malakin anak SD di gang belakang pasar"

    assert redact(text).text == (
        "cowok namanya [NAMA] sering malakin anak SD di gang belakang pasar"
    )


def test_a_title_on_the_line_after_a_closing_stays() -> None:
    assert redact("Wassalam,\nIr. Gunadi Setiabudi").text == "Wassalam,\nIr. [NAMA]"


@pytest.mark.parametrize(
    ("text", "public"),
    [
        ("di Lorong Melati RT 02 RW 01 banjir", "di [ALAMAT] banjir"),
        ("warga Blok F3 No. 9 Perumnas Antang: gelap", "warga [ALAMAT]: gelap"),
        ("di Jorong Koto Tuo, Nagari Balingka, RT 02 roboh", "di [ALAMAT] roboh"),
        ("Banjar Dinas Kaja No. 7 Desa Sibetan", "[ALAMAT]"),
        ("Kavling 12 Blok C Griya Indah", "[ALAMAT]"),
        ("di Perumahan Griya Kebraon Blok AH-12 banjir", "di [ALAMAT] banjir"),
        ("gang buntu itu gelap, jalan desa rusak", "gang buntu itu gelap, jalan desa rusak"),
    ],
)
def test_regional_address_words_join_a_chain(text: str, public: str) -> None:
    assert redact(text).text == public


@pytest.mark.parametrize(
    ("text", "public"),
    [
        ("Ketua: Wiryo Sumarto", "Ketua: [NAMA]"),
        ("my neighbour Peter Tan burns trash", "my neighbour [NAMA] burns trash"),
        ("Anak kami Aurel dan Kenzo tidak dapat", "Anak kami [NAMA] dan [NAMA] tidak dapat"),
        ("Pak Budi dan Kepala Desa datang", "Pak [NAMA] dan Kepala Desa datang"),
        ("anak saya Dimas dan SMP Negeri 3", "anak saya [NAMA] dan SMP Negeri 3"),
    ],
)
def test_labels_english_cues_and_a_second_name_joined_by_dan(text: str, public: str) -> None:
    assert redact(text).text == public


@pytest.mark.parametrize(
    ("text", "public"),
    [
        ("tolong tegur Kusmiyati yang buka bengkel", "tolong tegur [NAMA] yang buka bengkel"),
        ("Pasar Sukawati ramai, di Sukawati banjir", "Pasar Sukawati ramai, di Sukawati banjir"),
    ],
)
def test_a_word_of_a_names_shape_is_a_name_unless_a_place(text: str, public: str) -> None:
    assert redact(text).text == public
