"""The backstop: capitalised words no list knows go as [NAMA]; known words and places stay."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.publisher.redaction import backstop, redact

REGIONS = Path(__file__).parents[3] / "deploy" / "config" / "regions.yaml"


@pytest.mark.parametrize(
    ("text", "public"),
    [
        ("Kemarin Sunarsih datang ke kantor.", "Kemarin [NAMA] datang ke kantor."),
        ("seperti Tukino, Paijem dan Karsono", "seperti [NAMA], [NAMA] dan [NAMA]"),
        ("Laporan ini dari Wempi Rumere.", "Laporan ini dari Wempi Rumere."),  # after "dari"
        ("yang jaga Wempi Rumere marah", "yang jaga [NAMA] marah"),
    ],
)
def test_unknown_capitalised_words_go_as_a_name(text: str, public: str) -> None:
    assert redact(text).text == public


@pytest.mark.parametrize(
    "text",
    [
        "Pembangunan jembatan belum selesai.",  # a known word opening a sentence
        "Gimana ini pak, lampu mati.",  # one unknown word opening a sentence
        "banjir di Ciledug dan warga Tarutung mengungsi",  # places after a where-word
        "Pak Lurah Sukamulya tidak di kantor.",  # the place an office serves
        "Kantor SAMSAT dan aplikasi SatuSehat error",  # acronym, inner capital
        "Jalan di SMA Negeri 1 Tondano rusak",  # a place's name with a number in it
        "Macet di jalur Bratang\u2013Kenjeran tiap sore",  # a route
        "tlg min yg jaga parkir minta 5rb",  # lower-case slang is never taken
        "Kami belanja di Indomaret dan Alfamart.",  # listed shop chains
    ],
)
def test_known_words_places_and_acronyms_stay(text: str) -> None:
    assert redact(text).text == text


def test_the_switch_turns_the_backstop_off() -> None:
    text = "yang jaga Wempi Rumere marah"

    assert redact(text, unknown_names=False).text == text
    assert redact(text).removed[0].value == "Wempi Rumere"


def test_a_word_written_lower_case_elsewhere_in_the_text_is_a_word() -> None:
    text = "Gue mau lapor. Katanya Gercep, tapi ga gercep sama sekali."

    assert redact(text).text == text


def test_every_region_of_the_pipeline_is_a_known_word() -> None:
    names = re.findall(r"name: (?:Provinsi|Kabupaten|Kota) ([^,}\n]+)", REGIONS.read_text())

    unknown = [n for n in names for word in n.split() if not backstop.known(word.lower())]
    assert len(names) > 40
    assert unknown == []
