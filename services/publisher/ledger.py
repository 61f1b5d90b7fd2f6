"""The publication ledger: one entry per (complaint, target, case version), and what to do next.

Pure: the entry is a plain model; repository.py stores it. States:
  pending  claimed; `remote_id` is set once the target has created its record
  sent     done (the target's id and sent_at recorded): a redelivery is skipped
  failed   the target refused it for good (reason recorded); a replay may claim it again

The window exactly-once cannot close: the process dies after the target created the record
but before `remote_id` is stored. `in_flight_since` marks an attempt whose outcome is unknown,
so the next claim knows a resend may duplicate; the `external_id` we send lets a
reconciliation find such twins at the target.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

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
    in_flight_since: datetime | None = None
    # Who works on the entry, until when: a second publisher waits for a live claim.
    owner: str | None = None
    lease_until: datetime | None = None
    last_error: str | None = None
    reason: str | None = None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None = None
    failed_at: datetime | None = None

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
