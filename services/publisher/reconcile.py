"""Drift between the ledger and what a target holds, by external id. Pure.

missing    the ledger says sent, the target has no record of it
duplicate  the target holds several records under one external id (a resend after a lost answer)
extra      the target holds a record the ledger does not count as sent (an unknown outcome
           that did go through, or a record that must not be there, e.g. a confidential case)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from services.publisher.ledger import LedgerEntry, LedgerState


@dataclass(frozen=True)
class Drift:
    """What differs, per kind; ids are our external ids."""

    target: str
    missing: list[str] = field(default_factory=list)
    duplicate: dict[str, list[str]] = field(default_factory=dict)  # external id -> remote ids
    extra: dict[str, list[str]] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        """Whether the target matches the ledger."""
        return not (self.missing or self.duplicate or self.extra)

    def as_dict(self) -> dict[str, object]:
        """Return the JSON report."""
        return {
            "target": self.target,
            "missing": self.missing,
            "duplicate": self.duplicate,
            "extra": self.extra,
            "clean": self.clean,
        }


def drift(target: str, entries: Iterable[LedgerEntry], remote: Mapping[str, list[str]]) -> Drift:
    """Compare the ledger's entries with the target's records {external id: [remote ids]}."""
    sent = {e.external_id: e for e in entries if e.state is LedgerState.SENT and e.external_id}
    result = Drift(target)
    for external in sorted(sent):
        held = remote.get(external, [])
        if not held:
            result.missing.append(external)
        elif len(held) > 1:
            result.duplicate[external] = sorted(held)
    for external, held in sorted(remote.items()):
        if external not in sent:
            result.extra[external] = sorted(held)
    return result


def surplus(held: list[str], keep: str | None) -> list[str]:
    """Return the duplicates to withdraw: all but the ledger's record (else the first)."""
    kept = keep if keep in held else sorted(held)[0]
    return [r for r in held if r != kept]
