"""The Grafana dashboard and the alert rules name only series the sla exports or records."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

import services.sla.metrics  # noqa: F401  (registers the sla's metrics)

DEPLOY = Path(__file__).parents[3] / "deploy"
SERIES = re.compile(r"\b((?:sla|aduan:sla)_[a-z_:0-9]+)")


def exported() -> set[str]:
    names = set()
    for family in REGISTRY.collect():
        # A labelled family has no samples before its first use: name its series by kind.
        names |= {family.name + suffix for suffix in ("", "_total", "_bucket", "_sum", "_count")}
    rules = yaml.safe_load((DEPLOY / "prometheus/rules/aduan-sla.yml").read_text())
    names |= {r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r}
    return names


def test_every_dashboard_and_rule_series_exists() -> None:
    dashboard = json.loads((DEPLOY / "grafana/aduan-sla.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    rules = yaml.safe_load((DEPLOY / "prometheus/rules/aduan-sla.yml").read_text())
    exprs += [r["expr"] for g in rules["groups"] for r in g["rules"]]
    used = {name for expr in exprs for name in SERIES.findall(expr)}
    assert used and used <= exported(), used - exported()
