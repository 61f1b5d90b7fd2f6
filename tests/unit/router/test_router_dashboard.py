"""The router's Grafana dashboard and alert rules name only series the router exports or
records, and every label set the rules decide starts at zero."""

from __future__ import annotations

import json
import re

import yaml
from prometheus_client import REGISTRY
from router_support import REPO

from services.router import metrics
from services.router.directory import load_directory
from services.router.rules import load_rules

DEPLOY = REPO / "deploy"
SMALL = REPO / "tests" / "data" / "router" / "small"
SERIES = re.compile(r"\b((?:router|aduan:router)_[a-z_:0-9]+)")
RULES = DEPLOY / "prometheus/rules/aduan-router.yml"


def _exported() -> set[str]:
    names = set()
    for family in REGISTRY.collect():
        names |= {family.name + suffix for suffix in ("", "_total", "_bucket", "_sum", "_count")}
    rules = yaml.safe_load(RULES.read_text())
    return names | {r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r}


def test_every_dashboard_and_rule_series_exists() -> None:
    dashboard = json.loads((DEPLOY / "grafana/aduan-router.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    rules = yaml.safe_load(RULES.read_text())
    exprs += [r["expr"] for g in rules["groups"] for r in g["rules"]]
    used = {name for expr in exprs for name in SERIES.findall(expr)}
    assert used and used <= _exported(), used - _exported()


def _sample(name: str, labels: dict[str, str]) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


def test_loading_rules_zeroes_their_label_sets_and_marks_the_version() -> None:
    directory = load_directory(SMALL / "opd.yaml")
    rules = load_rules(SMALL / "rules.yaml", directory)
    metrics.rules_rejected()
    assert _sample("router_rules_file_valid", {}) == 0
    metrics.rules_loaded(rules, directory.codes)
    assert _sample("router_rules_file_valid", {}) == 1
    assert _sample("router_rules_info", {"version": "test.1"}) == 1
    assert _sample("router_assignments_total", {"opd": "3578-pupr", "rule": "jalan"}) is not None
    assert _sample("router_assignments_total", {"opd": "35-triage", "rule": "none"}) is not None
    assert _sample("router_returns_total", {"opd": "3578-dlh"}) is not None
    assert _sample("router_decisions_total", {"opd": "35-triage", "outcome": "triage"}) is not None
    before = _sample("router_assignments_total", {"opd": "3578-pupr", "rule": "jalan"}) or 0.0
    metrics.decided("3578-pupr", "assigned", "jalan")
    after = _sample("router_assignments_total", {"opd": "3578-pupr", "rule": "jalan"})
    assert after == before + 1
