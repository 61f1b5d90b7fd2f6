"""Loading and validating the rules file and the OPD directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from router_support import CONFIG, directory, rules_from, shipped_rules, write

from services.router.directory import load_directory
from services.router.loading import ConfigFileError
from services.router.rules import load_rules
from shared.config import Topics
from shared.kafka.admin import load_topic_specs


def test_shipped_rules_and_directory_load_clean() -> None:
    rules = shipped_rules()
    assert rules.version and len(rules.rules) >= 200
    assert rules.warnings == []  # no same-priority overlaps left to file order
    used = {r.then.opd for r in rules.rules}
    for province in ("35", "65"):
        assert {f"{province}-binamarga", f"{province}-disdik", f"{province}-bapenda"} <= used
    for regency in ("3578", "3501", "6571", "6504"):
        assert {f"{regency}-{kind}" for kind in ("pupr", "sda", "dinkes", "dispendukcapil")} <= used
    assert {r.then.institution for r in rules.rules if r.then.not_competent} >= {
        "PT PLN (Persero) UP3 setempat",
        "BPJS Kesehatan",
        "Kantor Pertanahan (Kementerian ATR/BPN)",
    }


def test_every_opd_topic_is_declared_for_kafka() -> None:
    declared = {spec.name for spec in load_topic_specs(CONFIG.parent / "kafka" / "topics.yaml")}
    assert {Topics().opd(opd.code) for opd in directory().opds} <= declared


def test_switched_off_regions_have_no_units_but_the_province_has_a_desk() -> None:
    regions = {opd.region for opd in directory().opds}
    assert "35.27" not in regions and "65.03" not in regions
    assert directory().desks == {"35": "35-triage", "65": "65-triage"}


def test_unknown_opd_is_an_error_naming_rule_and_field(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError) as err:
        rules_from(
            tmp_path,
            """
            version: "1"
            rules:
              - id: fine
                when: {keywords_any: [obat]}
                then: {opd: 35-dinkes}
              - id: pajak-kendaraan
                when: {keywords_any: [pajak]}
                then: {opd: bapenda}
            """,
        )
    message = str(err.value)
    assert "rules.yaml:9: rules[1] (id 'pajak-kendaraan') field then.opd" in message
    assert "unknown OPD code 'bapenda'" in message


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("{id: r1, then: {}}", "field then: Value error, give exactly one of"),
        ("{id: r1, then: {opd: 35-dinkes, not_competent: true}}", "give exactly one of"),
        ("{id: r1, then: {not_competent: true}}", "needs `institution`"),
        ("{id: r1, then: {opd: 35-dinkes, institution: PLN}}", "goes with `not_competent"),
        ("{id: r1, when: {any: [{keyword: [x]}]}, then: {opd: 35-dinkes}}", "when.any.0.keyword"),
        ("{id: r1, when: {region: ['Jatim']}, then: {opd: 35-dinkes}}", "field when.region.0"),
        ("{id: r1, when: {channel: fax}, then: {opd: 35-dinkes}}", "field when.channel.0"),
        ("{id: r1, when: {words: [x]}, then: {opd: 35-dinkes}}", "field when.words"),
        ("{id: r1, when: {keywords_any: ['!!!']}, then: {opd: 35-dinkes}}", "no letters or digits"),
        ("{id: r1, priority: high, then: {opd: 35-dinkes}}", "field priority"),
        ("{id: r1, then: {opd: 35-dinkes, priority: asap}}", "field then.priority"),
        ("{id: r1, then: {opd: 35-dinkes, deadline_class: soon}}", "field then.deadline_class"),
        ("{then: {opd: 35-dinkes}}", "rules[0] (entry #1) field id"),
    ],
)
def test_invalid_rule_messages(tmp_path: Path, rule: str, expected: str) -> None:
    with pytest.raises(ConfigFileError) as err:
        rules_from(tmp_path, f'version: "1"\nrules:\n  - {rule}\n')
    assert expected in str(err.value)
    assert str(tmp_path / "rules.yaml") in str(err.value)


def test_duplicate_ids_and_missing_version(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="duplicate rule ids: a"):
        rules_from(
            tmp_path,
            "version: '1'\nrules: [{id: a, then: {opd: 35-dlh}}, {id: a, then: {opd: 35-dlh}}]\n",
        )
    with pytest.raises(ConfigFileError, match="version: Field required"):
        rules_from(tmp_path, "rules: []\n")


def test_unreadable_yaml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="cannot read"):
        rules_from(tmp_path, "version: '1'\nrules: [\n")
    with pytest.raises(ConfigFileError, match="cannot read"):
        load_rules(tmp_path / "missing.yaml", directory())


def test_directory_validation(tmp_path: Path) -> None:
    bad_region = """
        opds:
          - {code: triage, name: T, parent: P, role: triage}
          - {code: dinkes, name: D, parent: P, region: "35.7"}
        """
    with pytest.raises(ConfigFileError, match=r"opd.yaml:4: opds\[1\] \(code 'dinkes'\).*region"):
        load_directory(write(tmp_path / "opd.yaml", bad_region))
    no_triage = "opds:\n  - {code: dinkes, name: D, parent: P, region: '35'}\n"
    with pytest.raises(ConfigFileError, match="must list the 'triage' desk"):
        load_directory(write(tmp_path / "opd2.yaml", no_triage))


def test_scalar_conditions_and_numeric_version_are_accepted(tmp_path: Path) -> None:
    rules = rules_from(
        tmp_path,
        """
        version: 3
        rules:
          - {id: r1, when: {channel: sms, region: "3578", category: Kesehatan}, then: {opd: 35-dinkes}}
        """,
    )
    when = rules.rules[0].when
    assert rules.version == "3"
    assert (when.channel, when.region, when.category) == (["sms"], ["35.78"], ["kesehatan"])


def test_keywords_are_normalised_at_load(tmp_path: Path) -> None:
    rules = rules_from(
        tmp_path,
        "version: '1'\nrules: [{id: r, when: {keywords_any: [RS, 'Jln. Rusak']}, then: {opd: 35-dinkes}}]\n",
    )
    assert rules.rules[0].when.keywords == ["rumah sakit", "jalan rusak"]
