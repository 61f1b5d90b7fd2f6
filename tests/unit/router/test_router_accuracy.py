"""Accuracy of the shipped rules on a hand-labelled set of complaints (tests/data/router/)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from router_support import REPO, shipped_rules

from services.router.decide import ComplaintFields, Decision, decide

DATA = REPO / "tests" / "data" / "router"
LABELLED = DATA / "labelled.jsonl"  # the main set (the rules were improved on its misses)
HOLDOUT = DATA / "holdout.jsonl"  # written after those changes, never used to change rules
TRIAGE = "triage"
NOT_COMPETENT = "not_competent"


@dataclass(frozen=True)
class Case:
    """One labelled complaint and the decision the shipped rules take on it."""

    row: dict[str, Any]
    decision: Decision

    @property
    def right(self) -> bool:
        """Say whether the decision is what the label says."""
        expect, d = self.row["expect"], self.decision
        if expect == NOT_COMPETENT:
            wanted = self.row["institution"].casefold()
            return d.not_competent and wanted in (d.institution or "").casefold()
        if expect == TRIAGE:
            return d.triage and not d.not_competent
        if expect.endswith("-triage"):
            return d.triage and not d.not_competent and d.queue == expect
        return d.opd == expect

    @property
    def honest_triage(self) -> bool:
        """The label says no OPD of ours is competent."""
        return self.row["expect"] in (TRIAGE, NOT_COMPETENT) or self.row["expect"].endswith(
            "-triage"
        )


def _cases(path: Path) -> list[Case]:
    rules = shipped_rules()
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [Case(row, decide(ComplaintFields.model_validate(row), rules)) for row in rows]


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return _cases(LABELLED)


def test_the_set_is_large_and_covers_every_opd_kind_and_both_provinces(cases: list[Case]) -> None:
    assert len(cases) >= 200
    expected = {c.row["expect"] for c in cases}
    kinds = {e.split("-", 1)[1] for e in expected if "-" in e and e[0].isdigit()}
    assert {"pupr", "binamarga", "sda", "perkim", "dinkes", "disdik", "dispendukcapil"} <= kinds
    assert {"dlh", "dishub", "dinsos", "disnaker", "bapenda", "diskominfo"} <= kinds
    assert {"disperindag", "dpmptsp", "satpolpp", "triage"} <= kinds
    regions = {str(c.row["region"])[:2] for c in cases if c.row["region"]}
    assert regions == {"35", "65"}


@pytest.mark.parametrize("path", [LABELLED, HOLDOUT], ids=["labelled", "holdout"])
def test_accuracy_and_triage_share(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = _cases(path)
    wrong = [c for c in cases if not c.right]
    right_share = 1 - len(wrong) / len(cases)
    triaged = sum(c.decision.triage for c in cases) / len(cases)
    with capsys.disabled():
        print(
            f"\nrouter accuracy on {path.name} ({len(cases)}): {right_share:.1%} right, "
            f"{triaged:.1%} sent to triage"
        )
        for c in wrong:
            print(
                f"  wrong: {c.row['expect']} <- {c.decision.queue} ({c.decision.rule_id}): "
                f"{c.row['title']} | {c.row['text'][:70]}"
            )
    assert right_share >= 0.90


@pytest.mark.parametrize("path", [LABELLED, HOLDOUT], ids=["labelled", "holdout"])
def test_no_opd_gets_a_case_that_honestly_belongs_to_triage(path: Path) -> None:
    cases = _cases(path)
    misrouted = [c.row["title"] for c in cases if c.honest_triage and c.decision.opd is not None]
    assert misrouted == []
