"""Load-time checks beyond the schema: lines, unknown terms, unreachable rules, overlaps."""

from __future__ import annotations

from pathlib import Path

import pytest
from router_support import rules_from

from services.router.loading import ConfigFileError


def test_unreachable_rule_is_an_error_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError) as err:
        rules_from(
            tmp_path,
            """\
            version: "1"
            rules:
              - id: roads
                when: {keywords: [jalan]}
                then: {opd: 3578-pupr}
              - id: broken-roads
                when: {keywords: [jalan rusak], region: "3578"}
                then: {opd: 3578-sda}
            """,
        )
    assert "rules.yaml:6: rule 'broken-roads' can never match: rule 'roads' comes first" in str(
        err.value
    )


def test_catch_all_hides_everything_after_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="'later' can never match"):
        rules_from(
            tmp_path,
            "version: '1'\nrules: [{id: all, then: {opd: 35-dlh}}, "
            "{id: later, when: {keywords: [x]}, then: {opd: 35-dlh}}]\n",
        )


def test_higher_priority_later_in_file_is_reachable(tmp_path: Path) -> None:
    rules = rules_from(
        tmp_path,
        """
        version: "1"
        rules:
          - {id: roads, when: {keywords: [jalan]}, then: {opd: 3578-pupr}}
          - {id: provincial, priority: 5, when: {keywords: [jalan provinsi]}, then: {opd: 35-binamarga}}
        """,
    )
    assert [r.id for r in rules.ordered] == ["provincial", "roads"]


def test_same_priority_overlap_warns_and_disjoint_regions_do_not(tmp_path: Path) -> None:
    rules = rules_from(
        tmp_path,
        """
        version: "1"
        rules:
          - {id: a, when: {keywords: [sampah], region: "3578"}, then: {opd: 3578-dlh}}
          - {id: b, when: {keywords: [sampah], region: "3507"}, then: {opd: 3507-dlh}}
          - {id: c, when: {keywords: [sampah menumpuk, got]}, then: {opd: 35-dlh}}
        """,
    )
    assert len(rules.warnings) == 2
    assert "rules 'a' and 'c' have the same priority" in rules.warnings[0]
    assert "both match 'sampah'" in rules.warnings[0]


def test_unknown_term_list_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigFileError, match=r"rules.yaml:3: rule 'r' uses unknown term list 'jln'"
    ):
        rules_from(
            tmp_path,
            "version: '1'\nrules:\n  - {id: r, when: {any: [{terms: [jln]}]}, then: {opd: 35-dlh}}\n",
        )


def test_loader_may_not_be_fed_desks_from_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="desks: Value error, set by the loader"):
        rules_from(tmp_path, "version: '1'\ndesks: {'35': 35-dlh}\nrules: []\n")
