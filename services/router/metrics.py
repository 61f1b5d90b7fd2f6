"""Router metrics. Labels are bounded: OPD code (from the directory) and outcome."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

DECISIONS = Counter(
    "router_decisions_total",
    "Routing decisions, by OPD queue and outcome (assigned, triage, not_competent).",
    ["opd", "outcome"],
)
RULES_INFO = Gauge(
    "router_rules_info",
    "The rule-set version in use (value 1 on the current version's label).",
    ["version"],
)
RULES_RELOADS = Counter(
    "router_rules_reloads_total",
    "Attempts to load the rules file, by outcome (ok, invalid).",
    ["outcome"],
)


def decided(opd: str, outcome: str) -> None:
    """Count one decision."""
    DECISIONS.labels(opd, outcome).inc()


def rules_loaded(version: str) -> None:
    """Mark `version` as the rule set in use (and only it)."""
    RULES_INFO.clear()
    RULES_INFO.labels(version).set(1)
    RULES_RELOADS.labels("ok").inc()


def rules_rejected() -> None:
    """Count a rules file that failed validation and was not applied."""
    RULES_RELOADS.labels("invalid").inc()
