"""Loading and validating the rules file and the OPD directory."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from router_support import CONFIG, OPD_FILE, RULES_FILE, directory, rules_from, write

from services.router.directory import load_directory
from services.router.loading import ConfigFileError
from services.router.rules import load_rules

REPO = CONFIG.parents[1]


def test_shipped_rules_and_directory_load() -> None:
    rules = load_rules(RULES_FILE, load_directory(OPD_FILE))
    assert rules.version
    assert {r.then.opd for r in rules.rules} >= {"dinkes", "dishub", "dpupr", "disdik", "dlh"}
    assert any(r.then.not_competent for r in rules.rules)


def test_every_opd_topic_is_declared_for_kafka() -> None:
    declared = {
        t["name"] for t in yaml.safe_load((REPO / "deploy/kafka/topics.yaml").read_text())["topics"]
    }
    opd_topics = {opd.topic for opd in directory().opds}
    assert opd_topics <= declared
    assert {t for t in declared if t.startswith("opd.")} == opd_topics


def test_unknown_opd_is_an_error_naming_rule_and_field(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError) as err:
        rules_from(
            tmp_path,
            """
            version: "1"
            rules:
              - id: fine
                then: {opd: dinkes}
              - id: pajak-kendaraan
                when: {keywords_any: [pajak]}
                then: {opd: bapenda}
            """,
        )
    message = str(err.value)
    assert "rules[1] (id 'pajak-kendaraan') field then.opd" in message
    assert "unknown OPD code 'bapenda'" in message


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("{id: r1, then: {}}", "field then: Value error, give exactly one of"),
        ("{id: r1, then: {opd: dinkes, not_competent: true}}", "give exactly one of"),
        ("{id: r1, when: {region: ['Jatim']}, then: {opd: dinkes}}", "field when.region.0"),
        ("{id: r1, when: {channel: fax}, then: {opd: dinkes}}", "field when.channel.0"),
        ("{id: r1, when: {keywords: [x]}, then: {opd: dinkes}}", "field when.keywords"),
        ("{id: r1, when: {keywords_any: ['!!!']}, then: {opd: dinkes}}", "no letters or digits"),
        ("{id: r1, priority: high, then: {opd: dinkes}}", "field priority"),
        ("{id: r1, then: {opd: dinkes, priority: asap}}", "field then.priority"),
        ("{id: r1, then: {opd: dinkes, deadline_class: soon}}", "field then.deadline_class"),
        ("{then: {opd: dinkes}}", "rules[0] (entry #1) field id"),
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
            "version: '1'\nrules: [{id: a, then: {opd: dlh}}, {id: a, then: {opd: dlh}}]\n",
        )
    with pytest.raises(ConfigFileError, match="version: Field required"):
        rules_from(tmp_path, "rules: []\n")


def test_unreadable_yaml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="cannot read"):
        rules_from(tmp_path, "version: '1'\nrules: [\n")
    with pytest.raises(ConfigFileError, match="cannot read"):
        load_rules(tmp_path / "missing.yaml", directory())


def test_directory_validation(tmp_path: Path) -> None:
    bad_topic = """
        opds:
          - {code: triage, name: T, parent: P, region: "35", topic: opd.triage}
          - {code: dinkes, name: D, parent: P, region: "35", topic: opd.health}
        """
    with pytest.raises(
        ConfigFileError, match=r"opds\[1\] \(code 'dinkes'\).*topic must be 'opd.dinkes'"
    ):
        load_directory(write(tmp_path / "opd.yaml", bad_topic))
    no_triage = "opds:\n  - {code: dinkes, name: D, parent: P, region: '35', topic: opd.dinkes}\n"
    with pytest.raises(ConfigFileError, match="must list the 'triage' desk"):
        load_directory(write(tmp_path / "opd2.yaml", no_triage))


def test_scalar_conditions_and_numeric_version_are_accepted(tmp_path: Path) -> None:
    rules = rules_from(
        tmp_path,
        """
        version: 3
        rules:
          - {id: r1, when: {channel: sms, region: "35", category: Kesehatan}, then: {opd: dinkes}}
        """,
    )
    when = rules.rules[0].when
    assert rules.version == "3"
    assert (when.channel, when.region, when.category) == (["sms"], ["35"], ["kesehatan"])


def test_keywords_are_normalised_at_load(tmp_path: Path) -> None:
    rules = rules_from(
        tmp_path,
        "version: '1'\nrules: [{id: r, when: {keywords_any: [RS, 'Jln. Rusak']}, then: {opd: dinkes}}]\n",
    )
    assert rules.rules[0].when.keywords_any == ["rumah sakit", "jalan rusak"]
