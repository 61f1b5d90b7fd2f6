"""The follow-up classifier: template codes, template phrases, near-duplicates of an OPD's
earlier replies, its bounded memory, and the explanation of every verdict."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.sla.followups import (
    FollowUpPolicy,
    ReplyMemory,
    classify,
    fingerprint,
    normalise,
    similarity,
)
from shared.events import FollowUpKind

POLICY = FollowUpPolicy(template_codes={"dpupr": frozenset({"TL-01"}), "*": frozenset({"GEN"})})
TEMPLATE = (
    "Yth. Bapak/Ibu Pelapor, terima kasih atas laporan Anda. Laporan Anda akan segera kami "
    "tindak lanjuti. Mohon bersabar. Hormat kami, Dinas PUPR."
)
SUBSTANTIVE = (
    "Terima kasih atas laporan Anda. Petugas Dinas PUPR telah menambal lubang di Jalan Ahmad Yani "
    "pada 12 Februari 2025; pemeriksaan ulang dijadwalkan minggu depan oleh UPT Jalan dan Jembatan."
)
PERSONAL = (
    "Selamat siang {name}. Berdasarkan hasil koordinasi, permohonan saudara sudah diverifikasi "
    "dan diteruskan ke bidang terkait untuk dijadwalkan survei lapangan. Nomor tiket {number}."
)


def test_a_registered_template_code_makes_a_reply_normative() -> None:
    verdict = classify(SUBSTANTIVE, opd="dpupr", policy=POLICY, template_code="TL-01")
    assert (verdict.kind, verdict.rule) == (FollowUpKind.NORMATIVE, "template_code")
    assert "TL-01" in verdict.reason and "dpupr" in verdict.reason
    assert (
        classify(SUBSTANTIVE, opd="dinkes", policy=POLICY, template_code="GEN").rule
        == "template_code"
    )


def test_a_code_registered_for_another_opd_decides_nothing() -> None:
    verdict = classify(SUBSTANTIVE, opd="dinkes", policy=POLICY, template_code="TL-01")
    assert verdict.kind is FollowUpKind.SUBSTANTIVE


def test_a_reply_made_of_template_phrases_is_normative_and_says_which() -> None:
    verdict = classify(TEMPLATE, opd="dpupr", policy=POLICY)
    assert (verdict.kind, verdict.rule) == (FollowUpKind.NORMATIVE, "template_phrases")
    assert "'mohon bersabar'" in verdict.reason and "'terima kasih atas laporan'" in verdict.reason


def test_a_thank_you_before_real_content_is_substantive() -> None:
    verdict = classify(SUBSTANTIVE, opd="dpupr", policy=POLICY)
    assert (verdict.kind, verdict.rule) == (FollowUpKind.SUBSTANTIVE, "substantive")
    assert "words of its own" in verdict.reason


def test_a_reply_without_words_is_normative() -> None:
    assert classify("12345 / 2025 ...", opd="dpupr", policy=POLICY).kind is FollowUpKind.NORMATIVE


def test_a_personalised_copy_of_an_earlier_reply_is_a_near_duplicate() -> None:
    memory = ReplyMemory(per_opd=10)
    first = PERSONAL.format(name="Bapak Andi", number="12345")
    memory.remember("dpupr", fingerprint(first, POLICY, ref="ev-1"))
    second = PERSONAL.format(name="Ibu Sari", number="99881")
    verdict = classify(second, opd="dpupr", policy=POLICY, earlier=memory.earlier("dpupr"))
    assert (verdict.kind, verdict.rule, verdict.like) == (
        FollowUpKind.NORMATIVE,
        "near_duplicate",
        "ev-1",
    )
    assert verdict.similarity is not None and verdict.similarity >= 0.8
    assert "ev-1" in verdict.reason


def test_earlier_replies_of_another_opd_do_not_count() -> None:
    memory = ReplyMemory(per_opd=10)
    memory.remember("dinkes", fingerprint(SUBSTANTIVE, POLICY, ref="ev-1"))
    verdict = classify(SUBSTANTIVE, opd="dpupr", policy=POLICY, earlier=memory.earlier("dpupr"))
    assert verdict.kind is FollowUpKind.SUBSTANTIVE


def test_a_replayed_reply_is_not_its_own_precedent() -> None:
    earlier = [fingerprint(SUBSTANTIVE, POLICY, ref="ev-1")]
    replay = classify(SUBSTANTIVE, opd="dpupr", policy=POLICY, earlier=earlier, ref="ev-1")
    copy = classify(SUBSTANTIVE, opd="dpupr", policy=POLICY, earlier=earlier, ref="ev-2")
    assert replay.kind is FollowUpKind.SUBSTANTIVE
    assert copy.kind is FollowUpKind.NORMATIVE


def test_a_different_reply_stays_substantive_and_reports_its_closest_score() -> None:
    earlier = [fingerprint(PERSONAL.format(name="Pak Budi", number="1"), POLICY, ref="ev-1")]
    verdict = classify(SUBSTANTIVE, opd="dpupr", policy=POLICY, earlier=earlier)
    assert verdict.kind is FollowUpKind.SUBSTANTIVE
    assert verdict.similarity is not None and verdict.similarity < 0.2


def test_the_memory_keeps_only_the_latest_replies_of_each_opd() -> None:
    memory = ReplyMemory(per_opd=3)
    for n in range(5):
        memory.remember("dpupr", fingerprint(f"balasan nomor {n}", POLICY, ref=f"ev-{n}"))
    assert [print_.ref for print_ in memory.earlier("dpupr")] == ["ev-2", "ev-3", "ev-4"]
    assert memory.earlier("dinkes") == ()


def test_the_threshold_is_configuration() -> None:
    earlier = [fingerprint("jalan di depan pasar sudah diaspal ulang kemarin sore", POLICY)]
    text = "jalan di depan terminal sudah diaspal ulang kemarin sore"
    assert classify(text, opd="x", policy=POLICY, earlier=earlier).kind is FollowUpKind.SUBSTANTIVE
    loose = FollowUpPolicy(similarity_threshold=0.4)
    assert classify(text, opd="x", policy=loose, earlier=earlier).kind is FollowUpKind.NORMATIVE


def test_normalise_drops_case_accents_digits_and_punctuation() -> None:
    assert normalise("Jalan RAYA Café-12, No.5!") == ["jalan", "raya", "cafe", "no"]


def test_fingerprints_are_stable_and_bounded() -> None:
    long_text = " ".join(f"kata{chr(97 + n % 26)}{chr(97 + n // 26)}" for n in range(500))
    print_ = fingerprint(long_text, POLICY)
    assert len(print_.sketch) == POLICY.sketch_size
    assert fingerprint(long_text, POLICY) == print_
    assert similarity(print_, print_, POLICY.sketch_size) == 1.0


texts = st.lists(
    st.sampled_from(["jalan", "rusak", "lampu", "mati", "air", "banjir", "sampah"]), max_size=30
)


@given(a=texts, b=texts)
def test_similarity_is_symmetric_and_a_share(a: list[str], b: list[str]) -> None:
    first, second = fingerprint(" ".join(a), POLICY), fingerprint(" ".join(b), POLICY)
    score = similarity(first, second, POLICY.sketch_size)
    assert 0.0 <= score <= 1.0
    assert score == similarity(second, first, POLICY.sketch_size)
