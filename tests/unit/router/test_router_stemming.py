"""Stemming and the rule-word spelling checker."""

from __future__ import annotations

from services.router.matching import Vocabulary, compile_phrase
from services.router.stemming import Speller, is_known, stem


def test_inflected_forms_share_a_stem() -> None:
    assert {stem(w) for w in ("dicuri", "pencurian", "kecurian", "mencuri", "curi")} == {"curi"}
    assert stem("kerusakan") == stem("rusak") == "rusak"  # a Sastrawi slip we override
    assert stem("perumahan") != stem("rumah")  # a housing estate is not a house


def test_short_words_and_numbers_are_not_stemmed() -> None:
    assert (stem("kk"), stem("3578"), stem("b3")) == ("kk", "3578", "b3")


def test_speller_fixes_one_edit_typos_of_rule_words_only() -> None:
    speller = Speller(["puskesmas", "sampah", "sekolah", "kk"])
    assert speller.correct("puskesmaas") == "puskesmas"
    assert speller.correct("pukesmas") == "puskesmas"
    assert speller.correct("skolah") == "sekolah"
    assert speller.correct("sampai") == "sampai"  # a real word, not a typo of "sampah"
    assert is_known("sampai") and not is_known("pukesmas")


def test_exact_phrase_does_not_match_other_forms() -> None:
    exact, loose = compile_phrase("=pengadilan"), compile_phrase("pengadilan")
    vocabulary = Vocabulary([exact, loose])
    found = vocabulary.index("penertiban tidak adil")
    assert exact.keys.isdisjoint(found) and not loose.keys.isdisjoint(found)
    assert not exact.keys.isdisjoint(vocabulary.index("sidang di pengadilan"))
