"""End to end with a real Prometheus: `python -m services.sla` on the real Kafka and FerretDB
goes past the cases' deadlines, the test's own Prometheus scrapes its /metrics and evaluates the
repository's sla rules, and `AduanSlaOverdueBacklogGrowing` turns `firing` in /api/v1/alerts.

Time is simulated, never waited out: the cases were received and assigned a minute ago (their
event times) under a calendar where every day near now is a 24-hour working day and the first
follow-up is due 8 s after the assignment, so they are overdue when the sla stores them.

The rule is the one in deploy/prometheus/rules/aduan-sla.yml with two values shortened in a
test copy (nothing else changes): `for: 3h` becomes `for: 2s` and `offset 6h` (the backlog
six hours ago) becomes `offset 20s`. Prometheus scrapes and evaluates every second.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sla_support import SlaRun, sla_worker
from ulid import ULID

from tests.support import events
from tests.support.kafka import send_events
from tests.support.processes import ROOT
from tests.support.prometheus import Prometheus, own_prometheus, prometheus_binary
from tests.support.wait import wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(prometheus_binary() is None, reason="prometheus is not installed"),
]

RULES = ROOT / "deploy/prometheus/rules/aduan-sla.yml"
ALERT = "AduanSlaOverdueBacklogGrowing"
OFFSET = "20s"
OPD = "dpupr"
DAY_S = 86_400.0


def short_rules(target: Path) -> Path:
    """The sla rules with `ALERT`'s `for` and `offset` shortened (see the module's doc)."""
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    alerts = [r for g in rules["groups"] for r in g["rules"] if r.get("alert") == ALERT]
    assert len(alerts) == 1 and alerts[0]["for"] == "3h" and "offset 6h" in alerts[0]["expr"]
    alerts[0]["for"] = "2s"
    alerts[0]["expr"] = alerts[0]["expr"].replace("offset 6h", f"offset {OFFSET}")
    target.write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    return target


def fast_deadlines() -> dict[str, str]:
    """Every day near now a working day of 24 hours; the first follow-up due 8 s after the
    assignment (the other clocks keep their limits of days)."""
    today = datetime.now(UTC).date()
    days = [(today + timedelta(days=d)).isoformat() for d in range(-2, 3)]
    calendar = {
        "default": {"office_open": "00:00", "office_close": "23:59:59.999999", "working_days": days}
    }
    clocks = {"first_follow_up_days": 8 / DAY_S}
    return {"SLA_CALENDAR": json.dumps(calendar), "SLA_CLOCKS": json.dumps(clocks)}


def send_overdue_cases(run: SlaRun, count: int) -> None:
    """Cases received and assigned to `OPD` a minute ago, no follow-up since: overdue now."""
    at = datetime.now(UTC) - timedelta(minutes=1)
    for _ in range(count):
        cid = str(ULID())
        tracking = f"ADU-{cid[-6:]}"
        send_events(run.kafka_bootstrap, run.received, events.received(cid, tracking, t0=at))
        send_events(
            run.kafka_bootstrap,
            run.assigned,
            events.assigned(cid, tracking, opd=OPD, hours=0, t0=at),
        )


def overdue_backlog(prom: Prometheus, at_offset: str | None = None) -> float | None:
    """The OPD's overdue backlog as Prometheus has it (optionally as of `at_offset` ago)."""
    shift = f" offset {at_offset}" if at_offset else ""
    expr = f'sum by (opd) (sla_backlog_cases{{overdue="true",opd="{OPD}"}}{shift})'
    found = prom.query(expr)
    return float(found[0]["value"][1]) if found else None


def test_prometheus_fires_the_overdue_backlog_alert(run: SlaRun, tmp_path: Path) -> None:
    rules = short_rules(tmp_path / "aduan-sla.yml")
    target = f"127.0.0.1:{run.port}"
    with (
        sla_worker(run, **fast_deadlines()),
        own_prometheus(tmp_path, rule_files=[rules], targets=[target]) as prom,
    ):
        wait_until(prom.targets_up, timeout=30, message="prometheus scraping the sla")
        # The backlog six hours (here: OFFSET) ago: one overdue case.
        send_overdue_cases(run, 1)
        wait_until(
            lambda: overdue_backlog(prom, OFFSET) == 1,
            timeout=90,
            message=f"one overdue case in prometheus for {OFFSET}",
        )
        assert not prom.firing(ALERT), "one overdue case is below the rule's threshold of 5"
        # Now it grows to 6: at least 5, and more than OFFSET ago.
        send_overdue_cases(run, 5)
        firing: list[dict[str, Any]] = wait_until(
            lambda: prom.firing(ALERT, opd=OPD), timeout=60, message=f"{ALERT} firing"
        )
    assert float(firing[0]["value"]) == 6  # the left side of the rule: the overdue backlog
    assert firing[0]["labels"]["severity"] == "warning"
    assert OPD in firing[0]["annotations"]["summary"]
