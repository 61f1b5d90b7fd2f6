"""The publication ledger: one entry per (complaint, target, case version), and what to do next.

Pure: the entry is a plain model, folded from the journal steps repository.py stores. States:
  pending  claimed; `remote_id` is set once the target has created its record
  sent     done (the target's id and sent_at recorded): a redelivery is skipped
  failed   the target refused it for good (reason recorded); a replay may claim it again

The window exactly-once cannot close: the process dies after the target created the record
but before `remote_id` is stored. `in_flight_since` marks an attempt whose outcome is unknown,
so the next claim knows a resend may duplicate; the `external_id` we send lets a
reconciliation find such twins at the target.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class LedgerState(StrEnum):
    """Where one publication stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Step(StrEnum):
    """What the publisher must do next for a claimed entry."""

    SKIP = "skip"  # already sent: a duplicate delivery, not an error
    CREATE = "create"  # create the record at the target
    FOLLOW_UP = "follow_up"  # the record exists; post the resolution
    MARK_SENT = "mark_sent"  # everything reached the target; only the ledger lags


class LedgerKey(BaseModel):
    """The identity of one publication."""

    model_config = ConfigDict(frozen=True)

    complaint_id: str
    target: str
    case_version: int

    def as_filter(self) -> dict[str, object]:
        """Return the Mongo filter of this key."""
        return self.model_dump()


class LedgerEntry(BaseModel):
    """The stored document of one publication (not a wire model)."""

    complaint_id: str
    target: str
    case_version: int
    state: LedgerState
    attempts: int = 1
    external_id: str | None = None
    remote_id: str | None = None
    remote_tracking_id: str | None = None
    follow_up_sent: bool = False
    follow_ups_sent: int = 0  # how many follow-ups reached the target, in order
    in_flight_since: datetime | None = None
    # Set by a claim that may send a create (no remote id yet): the create's own mark is
    # written with the batch's other steps at its end, so a crash before then leaves only
    # this one, and the next claim treats the create as possibly sent (look it up first).
    armed_at: datetime | None = None
    # Who works on the entry, until when: a second publisher waits for a live claim.
    owner: str | None = None
    lease_until: datetime | None = None
    last_error: str | None = None
    reason: str | None = None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None = None
    failed_at: datetime | None = None
    seq: int = 0  # the last journal step folded in

    def held_by_other(self, owner: str, now: datetime) -> bool:
        """Whether another publisher's live lease keeps `owner` from claiming this entry."""
        if self.state is not LedgerState.PENDING or self.owner in (None, owner):
            return False
        return self.lease_until is not None and self.lease_until > now

    @property
    def key(self) -> LedgerKey:
        """Return this entry's identity."""
        return LedgerKey(
            complaint_id=self.complaint_id, target=self.target, case_version=self.case_version
        )


def new_entry(
    key: LedgerKey, *, external_id: str, owner: str, lease_until: datetime, now: datetime
) -> LedgerEntry:
    """Return the pending entry a first claim inserts, claimed by `owner`."""
    return LedgerEntry(
        **key.model_dump(),
        state=LedgerState.PENDING,
        external_id=external_id,
        owner=owner,
        lease_until=lease_until,
        created_at=now,
        updated_at=now,
    )


def next_step(entry: LedgerEntry, *, send_follow_up: bool) -> Step:
    """Decide the next step of a claimed entry from what it records as done."""
    if entry.state is LedgerState.SENT:
        return Step.SKIP
    if entry.remote_id is None:
        return Step.CREATE
    if send_follow_up and not entry.follow_up_sent:
        return Step.FOLLOW_UP
    return Step.MARK_SENT


def may_duplicate(entry: LedgerEntry) -> bool:
    """Whether an earlier create attempt may have reached the target without being recorded."""
    return entry.remote_id is None and entry.in_flight_since is not None


def key_string(key: LedgerKey) -> str:
    """Return the one-field form of a key, which the journal is queried by."""
    return f"{key.target}:{key.complaint_id}:{key.case_version}"


def fold(steps: Iterable[Mapping[str, Any]]) -> LedgerEntry:
    """Return the entry that journal steps (in sequence order) add up to."""
    entry: LedgerEntry | None = None
    for step in steps:
        entry = apply_step(entry, step)
    if entry is None:
        raise ValueError("an entry needs at least one step")
    return entry


def apply_step(entry: LedgerEntry | None, step: Mapping[str, Any]) -> LedgerEntry:
    """Return the entry after one more journal step."""
    at, kind = step["at"], step["step"]
    if entry is None:
        key = LedgerKey(
            complaint_id=step["complaint_id"],
            target=step["target"],
            case_version=step["case_version"],
        )
        entry = new_entry(
            key, external_id=step.get("external_id") or "", owner="", lease_until=at, now=at
        )
        entry = entry.model_copy(update={"attempts": 0, "owner": None, "lease_until": None})
    update: dict[str, Any] = {"seq": step["seq"], "updated_at": at, **_STEPS[kind](entry, step)}
    return entry.model_copy(update=update)


def _claim(entry: LedgerEntry, s: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "in_flight_since": entry.in_flight_since or entry.armed_at,
        "armed_at": s["at"] if s.get("armed") else None,
        "state": LedgerState.PENDING,
        "owner": s["owner"],
        "lease_until": s["lease_until"],
        "attempts": entry.attempts + 1,
        "external_id": s.get("external_id") or entry.external_id,
    }


def _transient(entry: LedgerEntry, s: Mapping[str, Any]) -> dict[str, Any]:
    cleared = {"in_flight_since": None, "armed_at": None} if s.get("certain") else {}
    return {"last_error": s.get("error"), **cleared}


def _follow_up(entry: LedgerEntry, s: Mapping[str, Any]) -> dict[str, Any]:
    count = s.get("follow_ups_sent")
    return {"follow_up_sent": count is None, "follow_ups_sent": count or entry.follow_ups_sent}


def _closed(state: LedgerState, when: str) -> Any:
    def apply(entry: LedgerEntry, s: Mapping[str, Any]) -> dict[str, Any]:
        extra = {"reason": s.get("reason")} if state is LedgerState.FAILED else {}
        return {
            "state": state,
            when: s["at"],
            "in_flight_since": None,
            "armed_at": None,
            "owner": None,
            "lease_until": None,
            **extra,
        }

    return apply


_STEPS: dict[str, Any] = {
    "claim": _claim,
    "in_flight": lambda e, s: {"in_flight_since": s["at"]},
    "created": lambda e, s: {
        "remote_id": s["remote_id"],
        "remote_tracking_id": s.get("tracking_id"),
        "in_flight_since": None,
        "armed_at": None,
    },
    "follow_up": _follow_up,
    "transient": _transient,
    # reconciliation found the target lost the record: publish it from scratch
    "reset": lambda e, s: {
        "state": LedgerState.PENDING,
        "remote_id": None,
        "remote_tracking_id": None,
        "follow_up_sent": False,
        "follow_ups_sent": 0,
        "in_flight_since": None,
        "armed_at": None,
        "owner": None,
        "lease_until": None,
    },
    "sent": _closed(LedgerState.SENT, "sent_at"),
    "failed": _closed(LedgerState.FAILED, "failed_at"),
}
