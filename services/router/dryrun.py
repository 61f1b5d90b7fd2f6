"""`dry-run`: what a candidate rule set would change over past complaints (pure comparison)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

import orjson
from pydantic import ValidationError

from services.router.decide import ComplaintFields, decide
from services.router.events import fields_of
from services.router.rules import RuleSet
from shared.events import ComplaintReceived, decode


@dataclass
class DryRunReport:
    """Counts per OPD queue: complaints moved in, moved out, and newly sent to triage."""

    total: int = 0
    changed: int = 0
    rule_changed: int = 0  # same queue, another rule: worth a look, not a move
    moved_in: Counter[str] = field(default_factory=Counter)
    moved_out: Counter[str] = field(default_factory=Counter)
    newly_triaged: Counter[str] = field(default_factory=Counter)

    def queues(self) -> list[str]:
        """Every OPD queue that gains or loses complaints, sorted."""
        return sorted(set(self.moved_in) | set(self.moved_out) | set(self.newly_triaged))

    def as_dict(self) -> dict[str, object]:
        """Return the report as plain data, OPDs sorted, for `--json`."""
        return {
            "total": self.total,
            "changed": self.changed,
            "rule_changed": self.rule_changed,
            "per_opd": {
                q: {
                    "moved_in": self.moved_in[q],
                    "moved_out": self.moved_out[q],
                    "newly_triaged": self.newly_triaged[q],
                }
                for q in self.queues()
            },
        }


def compare(
    complaints: Iterable[ComplaintFields], current: RuleSet, candidate: RuleSet
) -> DryRunReport:
    """Decide every complaint under both rule sets and count the differences per OPD."""
    report = DryRunReport()
    for fields in complaints:
        before, after = decide(fields, current), decide(fields, candidate)
        report.total += 1
        if before.queue == after.queue:
            report.rule_changed += before.rule_id != after.rule_id
            continue
        report.changed += 1
        report.moved_out[before.queue] += 1
        report.moved_in[after.queue] += 1
        if after.triage and not before.triage:
            report.newly_triaged[before.queue] += 1
    return report


def read_jsonl(lines: Iterable[str], since: datetime | None = None) -> Iterator[ComplaintFields]:
    """Yield the complaints of JSON lines holding ComplaintReceived events or bare payloads."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            complaint = _received(line)
        except (ValidationError, ValueError) as exc:
            raise ValueError(f"line {number}: not a received complaint: {exc}") from None
        if since is None or complaint.received_at >= since:
            yield fields_of(complaint)


def _received(line: str) -> ComplaintReceived:
    """Parse one line: an event envelope (has `data`) or the payload itself."""
    if "data" in orjson.loads(line):
        payload = decode(line.encode()).data
        if not isinstance(payload, ComplaintReceived):
            raise ValueError(f"a {type(payload).__name__}, not a ComplaintReceived")
        return payload
    return ComplaintReceived.model_validate_json(line)


def describe(report: DryRunReport) -> str:
    """Return the report as a table, one row per OPD that gains or loses complaints."""
    rows = [
        f"{report.total} complaints, {report.changed} would change queue, "
        f"{report.rule_changed} would change rule only\n"
    ]
    if report.queues():
        rows.append(f"{'opd':<28}{'moved in':>10}{'moved out':>11}{'newly triaged':>15}\n")
    for q in report.queues():
        rows.append(
            f"{q:<28}{report.moved_in[q]:>10}{report.moved_out[q]:>11}"
            f"{report.newly_triaged[q]:>15}\n"
        )
    return "".join(rows)
