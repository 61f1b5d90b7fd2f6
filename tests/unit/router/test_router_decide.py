"""The pure decision: precedence, triage desks, not competent, each kind of condition."""

from __future__ import annotations

from pathlib import Path

import pytest
from router_support import rules_from, shipped_rules

from services.router.decide import ComplaintFields, decide
from services.router.rules import RuleSet
from shared.events import Channel, Classification, Priority

RULES = """
version: "t-1"
terms:
  roads: [jalan rusak, aspal]
rules:
  - id: roads-first-in-file
    when: {keywords: [jalan]}
    then: {opd: 3578-pupr}
  - id: pavement-later
    when: {keywords: [jalan, trotoar]}
    then: {opd: 3578-dishub}
  - id: high
    priority: 5
    when: {keywords: [lampu merah]}
    then: {opd: 3578-dishub, priority: urgent, deadline_class: aspirasi}
  - id: police
    priority: 100
    when: {keywords: [polisi]}
    then: {not_competent: true, institution: Polres, priority: high}
  - id: sms-only
    when: {keywords: [vaksin], channel: [sms]}
    then: {opd: 3578-dinkes}
  - id: surabaya-only
    when: {keywords: [ktp], region: ["3578"]}
    then: {opd: 3578-dispendukcapil}
  - id: by-category
    when: {category: [lingkungan], classification: [aspirasi, pengaduan]}
    then: {opd: 3578-dlh}
  - id: to-desk
    when: {keywords: [arsip]}
    then: {opd: 35-triage}
  - id: nested
    priority: 1
    when:
      any: [{terms: [roads]}, {all: [{keywords: [got]}, {keywords: [mampet]}]}]
      not: {keywords: [tol]}
    then: {opd: 3578-sda}
"""


@pytest.fixture
def rules(tmp_path: Path) -> RuleSet:
    return rules_from(tmp_path, RULES)


def test_highest_priority_wins_over_file_order(rules: RuleSet) -> None:
    d = decide(ComplaintFields(text="lampu merah di jalan mati"), rules)
    assert (d.opd, d.rule_id, d.matched) == ("3578-dishub", "high", ["keyword:lampu merah"])
    assert (d.priority, d.deadline_class) == (Priority.URGENT, Classification.ASPIRASI)


def test_equal_priority_falls_back_to_file_order_and_warns(rules: RuleSet) -> None:
    d = decide(ComplaintFields(text="Jln di depan trotoar"), rules)
    assert (d.opd, d.rule_id, d.triage, d.not_competent) == (
        "3578-pupr",
        "roads-first-in-file",
        False,
        False,
    )
    assert d.ruleset_version == "t-1"
    assert any("'roads-first-in-file' and 'pavement-later'" in w for w in rules.warnings)


def test_no_match_goes_to_the_regions_triage_desk(rules: RuleSet) -> None:
    fields = ComplaintFields(text="apa kabar", classification=Classification.ASPIRASI)
    d = decide(fields, rules)
    assert (d.opd, d.triage, d.not_competent, d.rule_id, d.matched) == (None, True, False, None, [])
    assert d.queue == "triage" and d.outcome == "triage"
    assert d.deadline_class == Classification.ASPIRASI  # the complaint's own class is kept
    assert d.priority == Priority.NORMAL
    assert decide(ComplaintFields(text="apa kabar", region="6571"), rules).queue == "65-triage"
    assert decide(ComplaintFields(text="apa kabar", region="35.27"), rules).queue == "35-triage"


def test_not_competent_goes_to_triage_flagged_with_institution(rules: RuleSet) -> None:
    d = decide(ComplaintFields(text="lapor ke polisi soal jalan", region="35.78"), rules)
    assert (d.opd, d.triage, d.not_competent, d.rule_id) == (None, True, True, "police")
    assert (d.queue, d.outcome, d.priority) == ("35-triage", "not_competent", Priority.HIGH)
    assert d.institution == "Polres"


def test_rule_may_send_to_a_triage_desk(rules: RuleSet) -> None:
    d = decide(ComplaintFields(text="mohon arsip"), rules)
    assert (d.opd, d.triage, d.not_competent, d.rule_id) == (None, True, False, "to-desk")
    assert d.queue == "35-triage"


def test_channel_condition(rules: RuleSet) -> None:
    sms = ComplaintFields(text="vaksin habis", channel=Channel.SMS)
    assert decide(sms, rules).opd == "3578-dinkes"
    assert decide(ComplaintFields(text="vaksin habis", channel=Channel.WEB), rules).triage
    assert decide(ComplaintFields(text="vaksin habis"), rules).triage


@pytest.mark.parametrize(
    ("region", "matches"),
    [("35.78", True), ("3578", True), ("35.07", False), (None, False)],
)
def test_region_prefix_condition_in_both_forms(
    rules: RuleSet, region: str | None, matches: bool
) -> None:
    d = decide(ComplaintFields(text="KTP belum jadi", region=region), rules)
    assert (d.opd == "3578-dispendukcapil") is matches
    if matches:
        assert d.matched == ["keyword:ktp", "region:35.78"]


def test_region_is_kept_canonical() -> None:
    assert ComplaintFields(text="x", region="3578").region == "35.78"
    with pytest.raises(ValueError, match="region"):
        ComplaintFields(text="x", region="35.78.05")  # the contract's region is one of the two


def test_category_and_classification_conditions(rules: RuleSet) -> None:
    d = decide(
        ComplaintFields(text="x", category=" Lingkungan ", classification=Classification.PENGADUAN),
        rules,
    )
    assert (d.opd, d.matched) == ("3578-dlh", ["category:lingkungan", "classification:pengaduan"])
    assert decide(ComplaintFields(text="x", category="lingkungan"), rules).triage
    other = ComplaintFields(
        text="x", category="lingkungan", classification=Classification.PERMINTAAN_INFORMASI
    )
    assert decide(other, rules).triage


def test_any_all_not(rules: RuleSet) -> None:
    assert decide(ComplaintFields(text="aspalnya mengelupas"), rules).rule_id == "nested"
    d = decide(ComplaintFields(text="got di gang mampet total"), rules)
    assert (d.rule_id, d.matched) == ("nested", ["keyword:got", "keyword:mampet"])
    assert decide(ComplaintFields(text="got saja"), rules).triage
    assert decide(ComplaintFields(text="aspal tol"), rules).triage  # `not` holds it back


def test_stems_match_inflected_forms(tmp_path: Path) -> None:
    rules = rules_from(
        tmp_path,
        "version: '1'\nrules: [{id: r, when: {keywords: [pencurian]}, "
        "then: {not_competent: true, institution: Polri}}]\n",
    )
    for text in ("motor dicuri", "ada pencurian", "kami kecurian", "maling mencuri ayam"):
        assert decide(ComplaintFields(text=text), rules).rule_id == "r", text
    assert decide(ComplaintFields(text="curiga"), rules).triage


def test_title_counts_as_text(rules: RuleSet) -> None:
    fields = ComplaintFields(title="Lampu merah", text="mati sejak kemarin")
    assert decide(fields, rules).rule_id == "high"


def test_decision_is_deterministic(rules: RuleSet) -> None:
    fields = ComplaintFields(text="polisi, lampu merah, jalan, ktp", region="35.78")
    assert len({decide(fields, rules).model_dump_json() for _ in range(20)}) == 1


@pytest.mark.parametrize(
    ("text", "region", "queue", "not_competent"),
    [
        ("Jln rusakkk parah bgt", "3507", "3507-pupr", False),
        ("antrian di pkm lama sekali", "3578", "3578-dinkes", False),
        ("pungli di SMK negeri 2", "3578", "35-disdik", False),
        ("pungutan di SDN 3", "3578", "3578-disdik", False),
        ("lampu merah perempatan mati", "6571", "6571-dishub", False),
        ("sampah menumpuk di pinggir jalan", "6502", "6502-dlh", False),
        ("akta kelahiran anak blm terbit", "35.78", "3578-dispendukcapil", False),
        ("akta kelahiran anak blm terbit", "3527", "35-triage", False),  # Sampang is off
        ("jalan provinsi ambles", "3527", "35-binamarga", False),
        ("antre lama di RSUD dr Soetomo", "3578", "35-rsud-soetomo", False),
        ("motor saya dicuri, pencurian di puskesmas", "3578", "35-triage", True),
        ("jalan tol berlubang", "3515", "35-triage", True),
        ("jalan nasional rusak", "6502", "65-triage", True),
    ],
)
def test_shipped_rules_route_realistic_complaints(
    text: str, region: str, queue: str, not_competent: bool
) -> None:
    d = decide(ComplaintFields(text=text, region=region), shipped_rules())
    assert (d.queue, d.not_competent) == (queue, not_competent)
