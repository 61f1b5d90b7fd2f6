"""The pure decision: precedence, triage, not competent, each kind of condition."""

from __future__ import annotations

from pathlib import Path

import pytest
from router_support import RULES_FILE, directory, rules_from

from services.router.decide import ComplaintFields, decide
from services.router.rules import RuleSet, load_rules
from shared.events import Channel, Classification, Priority

RULES = """
version: "t-1"
rules:
  - id: low-first-in-file
    when: {keywords_any: [jalan]}
    then: {opd: dpupr}
  - id: same-priority-later
    when: {keywords_any: [jalan]}
    then: {opd: dishub}
  - id: high
    priority: 5
    when: {keywords_any: [lampu merah]}
    then: {opd: dishub, priority: urgent, deadline_class: aspirasi}
  - id: police
    priority: 100
    when: {keywords_any: [polisi]}
    then: {not_competent: true, priority: high}
  - id: sms-only
    when: {keywords_any: [vaksin], channel: [sms]}
    then: {opd: dinkes}
  - id: surabaya-only
    when: {keywords_any: [ktp], region: ["35.78"]}
    then: {opd: dispendukcapil}
  - id: by-category
    when: {category: [lingkungan], classification: [aspirasi, pengaduan]}
    then: {opd: dlh}
  - id: to-triage
    when: {keywords_any: [arsip]}
    then: {opd: triage}
"""


@pytest.fixture
def rules(tmp_path: Path) -> RuleSet:
    return rules_from(tmp_path, RULES)


def test_highest_priority_wins_over_file_order(rules: RuleSet) -> None:
    d = decide(ComplaintFields(text="lampu merah di jalan mati"), rules)
    assert (d.opd, d.rule_id, d.matched) == ("dishub", "high", ["keyword:lampu merah"])
    assert (d.priority, d.deadline_class) == (Priority.URGENT, Classification.ASPIRASI)


def test_equal_priority_falls_back_to_file_order(rules: RuleSet) -> None:
    d = decide(ComplaintFields(text="Jln rusak"), rules)
    assert (d.opd, d.rule_id, d.triage, d.not_competent) == (
        "dpupr",
        "low-first-in-file",
        False,
        False,
    )
    assert d.ruleset_version == "t-1"


def test_no_match_goes_to_triage(rules: RuleSet) -> None:
    d = decide(ComplaintFields(text="apa kabar", classification=Classification.ASPIRASI), rules)
    assert (d.opd, d.triage, d.not_competent, d.rule_id, d.matched) == (None, True, False, None, [])
    assert d.queue == "triage" and d.outcome == "triage"
    assert d.deadline_class == Classification.ASPIRASI  # the complaint's own class is kept
    assert d.priority == Priority.NORMAL


def test_not_competent_goes_to_triage_flagged(rules: RuleSet) -> None:
    d = decide(ComplaintFields(text="lapor ke polisi soal jalan"), rules)
    assert (d.opd, d.triage, d.not_competent, d.rule_id) == (None, True, True, "police")
    assert (d.queue, d.outcome, d.priority) == ("triage", "not_competent", Priority.HIGH)


def test_rule_may_send_to_triage_explicitly(rules: RuleSet) -> None:
    d = decide(ComplaintFields(text="mohon arsip"), rules)
    assert (d.opd, d.triage, d.not_competent, d.rule_id) == (None, True, False, "to-triage")


def test_channel_condition(rules: RuleSet) -> None:
    assert decide(ComplaintFields(text="vaksin habis", channel=Channel.SMS), rules).opd == "dinkes"
    assert decide(ComplaintFields(text="vaksin habis", channel=Channel.WEB), rules).triage
    assert decide(ComplaintFields(text="vaksin habis"), rules).triage


@pytest.mark.parametrize(
    ("region", "matches"),
    [("35.78", True), ("3578", True), ("35.78.05", True), ("35.07", False), (None, False)],
)
def test_region_prefix_condition(rules: RuleSet, region: str | None, matches: bool) -> None:
    d = decide(ComplaintFields(text="KTP belum jadi", region=region), rules)
    assert (d.opd == "dispendukcapil") is matches
    if matches:
        assert d.matched == ["keyword:ktp", "region:35.78"]


def test_category_and_classification_conditions(rules: RuleSet) -> None:
    d = decide(
        ComplaintFields(text="x", category=" Lingkungan ", classification=Classification.PENGADUAN),
        rules,
    )
    assert (d.opd, d.matched) == ("dlh", ["category:lingkungan", "classification:pengaduan"])
    assert decide(ComplaintFields(text="x", category="lingkungan"), rules).triage
    other = ComplaintFields(
        text="x", category="lingkungan", classification=Classification.PERMINTAAN_INFORMASI
    )
    assert decide(other, rules).triage


def test_title_counts_as_text(rules: RuleSet) -> None:
    assert (
        decide(ComplaintFields(title="Lampu merah", text="mati sejak kemarin"), rules).rule_id
        == "high"
    )


def test_decision_is_deterministic(rules: RuleSet) -> None:
    fields = ComplaintFields(text="polisi, lampu merah, jalan, ktp", region="35.78")
    assert len({decide(fields, rules).model_dump_json() for _ in range(20)}) == 1


@pytest.mark.parametrize(
    ("text", "region", "opd", "not_competent"),
    [
        ("Jln rusakkk parah bgt", None, "dpupr", False),
        ("antrian di pkm lama sekali", None, "dinkes", False),
        ("RS menolak pasien", None, "dinkes", False),
        ("pungli di SMK negeri", None, "disdik", False),
        ("lampu merah perempatan mati", None, "dishub", False),
        ("sampah menumpuk di pinggir jalan", None, "dlh", False),
        ("akta kelahiran anak blm terbit", "35.78", "dispendukcapil", False),
        ("motor saya dicuri, pencurian di puskesmas", None, None, True),
        ("jalan tol berlubang", None, None, True),
    ],
)
def test_shipped_rules_route_realistic_complaints(
    text: str, region: str | None, opd: str | None, not_competent: bool
) -> None:
    d = decide(ComplaintFields(text=text, region=region), load_rules(RULES_FILE, directory()))
    assert (d.opd, d.not_competent) == (opd, not_competent)
