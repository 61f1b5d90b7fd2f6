"""The generated directory and rules are committed; this fails when they are stale."""

from __future__ import annotations

import pytest
from router_support import CONFIG

from deploy.config.generate import main, render


@pytest.mark.parametrize("name", ["opd.yaml", "rules.yaml", "opd_topics.yaml"])
def test_committed_output_is_up_to_date(name: str) -> None:
    generated = render(CONFIG)[name]
    assert (CONFIG / name).read_text(encoding="utf-8") == generated, (
        f"deploy/config/{name} is stale: run `python -m deploy.config.generate`"
    )


def test_check_mode_reports_nothing_stale() -> None:
    assert main(["--check"]) == 0


def test_every_enabled_regency_gets_every_kind() -> None:
    directory = render(CONFIG)["opd.yaml"]
    assert directory.count("code: 3578-") == 15 + 2  # 15 kinds, 2 city hospitals
    assert "code: 3527-" not in directory  # Sampang is switched off
    assert "code: 65-triage" in directory and "code: 35-dispendukcapil" not in directory
