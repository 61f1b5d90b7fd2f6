"""Indonesian text normalisation."""

from __future__ import annotations

import pytest

from services.router.normalize import contains_phrase, normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jalan RUSAK!!!", "jalan rusak"),
        ("rusakkkk", "rusak"),
        ("bangeeeet", "banget"),
        ("maaf saat ini", "maaf saat ini"),  # double letters are real Indonesian spelling
        ("jln. A. Yani", "jalan a yani"),
        ("Jl Raya Darmo", "jalan raya darmo"),
        ("gk ada, ga ada, gak ada, tdk ada", "tidak ada tidak ada tidak ada tidak ada"),
        ("yg dgn", "yang dengan"),
        ("RS sy", "rumah sakit saya"),
        ("antri di pkm bgt", "antre di puskesmas banget"),
        ("dalane rusak, mboten dibenahi", "jalan rusak tidak dibenahi"),  # Javanese
        ("sakolah kada ada guru", "sekolah tidak ada guru"),  # Madurese, Banjar
        ("lobang di jalanan", "lubang di jalan"),
        ("anak2 sekolah", "anak anak sekolah"),
        ("  banyak   spasi\n\tdan baris  ", "banyak spasi dan baris"),
        ("rt_05/rw-02", "rt 05 rw 02"),
        ("1000 rupiah", "1000 rupiah"),  # digits are not letters: no collapsing
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalise_is_idempotent() -> None:
    once = normalise("Tlg!! jln yg rusakkk dkt RSUD gk diperbaiki2")
    assert normalise(once) == once


def test_phrases_match_whole_words_only() -> None:
    text = normalise("Lampu merah di perempatan mati")
    assert contains_phrase(text, "lampu merah")
    assert not contains_phrase(text, "merah di perempatan mati total")
    assert not contains_phrase(normalise("kesmas"), "smas")
    assert not contains_phrase(normalise("programmer"), "sma")
    assert not contains_phrase(text, "")
