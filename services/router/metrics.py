"""Router metrics. Labels are bounded: OPD code (from the directory), rule id (from the rule set),
outcome. Every label set known from the loaded rules starts at zero, so a first increase shows.

The triage rate (cases sent to a triage desk / all) is the recording rule
`aduan:router_triage_ratio:rate1h` in deploy/prometheus/rules/aduan-router.yml, from DECISIONS.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Gauge, Histogram

from services.router.rules import RuleSet

NO_RULE = "none"  # the rule label of a case no rule matched (sent to triage)
OUTCOMES = ("assigned", "triage", "not_competent")
REROUTES_OUTCOMES = ("rerouted", "triage", "replayed", "not_holder", "unknown_case")

DECISIONS = Counter(
    "router_decisions_total",
    "Routing decisions, by OPD queue and outcome (assigned, triage, not_competent).",
    ["opd", "outcome"],
)
ASSIGNMENTS = Counter(
    "router_assignments_total",
    "Assignments sent, by OPD queue and deciding rule (`none`: no rule matched).",
    ["opd", "rule"],
)
RETURNS = Counter(
    "router_returns_total",
    "Cases an OPD returned as not its competence (ComplaintReturned), by that OPD.",
    ["opd"],
)
REROUTES = Counter(
    "router_reroutes_total",
    "What became of returned cases: rerouted to another OPD, triage, replayed (a return seen "
    "before: the same events again), or ignored because the sender does not hold the case "
    "(not_holder) or the router never routed it (unknown_case, dead-lettered).",
    ["outcome"],
)
DISPATCH_LATENCY = Histogram(
    "router_dispatch_latency_seconds",
    "From a ComplaintReceived's event time (intake accepted it) to its assignment and dispatch "
    "being sent to Kafka (flushed, before the transaction commits).",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600),
)
RULES_INFO = Gauge(
    "router_rules_info",
    "The rule-set version in use (value 1 on the current version's label).",
    ["version"],
)
RULES_FILE_VALID = Gauge(
    "router_rules_file_valid",
    "1 when the rules files last read were valid; 0 while a bad file is ignored (old rules run).",
)
RULES_RELOADS = Counter(
    "router_rules_reloads_total",
    "Attempts to load the rules file, by outcome (ok, invalid).",
    ["outcome"],
)
for _outcome in ("ok", "invalid"):
    RULES_RELOADS.labels(_outcome)
for _outcome in REROUTES_OUTCOMES:
    REROUTES.labels(_outcome)


def decided(opd: str, outcome: str, rule_id: str | None) -> None:
    """Count one decision sent."""
    DECISIONS.labels(opd, outcome).inc()
    ASSIGNMENTS.labels(opd, rule_id or NO_RULE).inc()


def returned(opd: str, outcome: str) -> None:
    """Count one ComplaintReturned and what the router made of it."""
    RETURNS.labels(opd).inc()
    REROUTES.labels(outcome).inc()


def dispatched(latencies_s: Iterable[float]) -> None:
    """Observe received→dispatched latencies (a clock behind intake's gives 0, not < 0)."""
    for seconds in latencies_s:
        DISPATCH_LATENCY.observe(max(seconds, 0.0))


def rules_loaded(rules: RuleSet, opd_codes: Iterable[str]) -> None:
    """Mark `rules.version` as the rule set in use (and only it); zero its label sets."""
    RULES_INFO.clear()
    RULES_INFO.labels(rules.version).set(1)
    RULES_FILE_VALID.set(1)
    RULES_RELOADS.labels("ok").inc()
    _start_at_zero(rules, opd_codes)


def rules_rejected() -> None:
    """Count a rules file that failed validation and was not applied."""
    RULES_FILE_VALID.set(0)
    RULES_RELOADS.labels("invalid").inc()


def _start_at_zero(rules: RuleSet, opd_codes: Iterable[str]) -> None:
    desks = rules.engine.desk_codes
    for code in opd_codes:
        RETURNS.labels(code)
        DECISIONS.labels(code, "assigned" if code not in desks else "triage")
    for desk in desks:
        DECISIONS.labels(desk, "not_competent")
        ASSIGNMENTS.labels(desk, NO_RULE)
    for rule in rules.rules:
        # A not-competent rule lands on the desk of the case's province: any of them.
        for queue in [rule.then.opd] if rule.then.opd else sorted(desks):
            ASSIGNMENTS.labels(queue, rule.id)
