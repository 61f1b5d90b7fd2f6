"""The ledger collection (pymongo only). Single-document writes and a unique index: FerretDB
has no transactions, and needs none here."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from services.publisher.ledger import LedgerEntry, LedgerKey, LedgerState, new_entry
from shared.mongo import Index, ensure_indexes
from shared.retry import TransientError

INDEXES = (
    Index(("complaint_id", "target", "case_version"), unique=True, name="publication_unique"),
    Index(("state",)),
)


class ClaimHeld(TransientError):
    """Another publisher holds a live claim on the entry: wait for it to finish or lapse."""

    dependency = "ledger"


class LedgerRepository:
    """Claims and state changes of ledger entries."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self._c = collection

    def ensure_indexes(self) -> None:
        """Create the unique publication index (the exactly-once guard) and the state index."""
        ensure_indexes(self._c, INDEXES)

    def claim(
        self, key: LedgerKey, *, external_id: str, owner: str, lease: timedelta, now: datetime
    ) -> LedgerEntry:
        """Insert a pending entry, or take over an unsent one whose lease is ours or has
        lapsed; return the entry. A `sent` entry is returned untouched: the caller skips it.
        Raises ClaimHeld while another owner's lease runs."""
        lease_until = now + lease
        entry = new_entry(
            key, external_id=external_id, owner=owner, lease_until=lease_until, now=now
        )
        try:
            self._c.insert_one(entry.model_dump())
            return entry
        except DuplicateKeyError:
            pass
        doc = self._c.find_one_and_update(
            {
                **key.as_filter(),
                "state": {"$ne": LedgerState.SENT.value},
                "$or": [{"owner": owner}, {"owner": None}, {"lease_until": {"$lte": now}}],
            },
            {
                "$set": {
                    "state": LedgerState.PENDING.value,
                    "owner": owner,
                    "lease_until": lease_until,
                    "updated_at": now,
                },
                "$inc": {"attempts": 1},
            },
            return_document=ReturnDocument.AFTER,
        )
        found = self._entry(doc if doc is not None else self._c.find_one(key.as_filter()))
        if doc is None and found.state is not LedgerState.SENT:
            raise ClaimHeld(f"{found.owner} holds the claim until {found.lease_until}")
        return found

    def get(self, key: LedgerKey) -> LedgerEntry | None:
        """Return the entry of `key`, if any."""
        doc = self._c.find_one(key.as_filter())
        return None if doc is None else self._entry(doc)

    def mark_in_flight(self, key: LedgerKey, *, now: datetime) -> None:
        """Note that a create request is about to go out (its outcome unknown until recorded)."""
        self._set(key, {"in_flight_since": now, "updated_at": now})

    def record_created(
        self, key: LedgerKey, *, remote_id: str, tracking_id: str | None, now: datetime
    ) -> None:
        """Store the target's id the moment it is known, before any further call."""
        self._set(
            key,
            {
                "remote_id": remote_id,
                "remote_tracking_id": tracking_id,
                "in_flight_since": None,
                "updated_at": now,
            },
        )

    def record_follow_up(self, key: LedgerKey, *, now: datetime) -> None:
        """Note that the resolution reached the target."""
        self._set(key, {"follow_up_sent": True, "updated_at": now})

    def record_transient(self, key: LedgerKey, *, error: str, certain: bool, now: datetime) -> None:
        """Note a transient failure; `certain` means the target surely did not act on it."""
        fields: dict[str, Any] = {"last_error": error[:500], "updated_at": now}
        if certain:
            fields["in_flight_since"] = None
        self._set(key, fields)

    def mark_sent(self, key: LedgerKey, *, now: datetime) -> None:
        """Close the entry as sent."""
        self._set(
            key,
            {
                "state": LedgerState.SENT.value,
                "sent_at": now,
                "in_flight_since": None,
                "owner": None,
                "lease_until": None,
                "updated_at": now,
            },
        )

    def mark_failed(self, key: LedgerKey, *, reason: str, now: datetime) -> None:
        """Close the entry as refused for good, with the reason."""
        self._set(
            key,
            {
                "state": LedgerState.FAILED.value,
                "reason": reason[:1000],
                "failed_at": now,
                "in_flight_since": None,
                "owner": None,
                "lease_until": None,
                "updated_at": now,
            },
        )

    def _set(self, key: LedgerKey, fields: dict[str, Any]) -> None:
        self._c.update_one(key.as_filter(), {"$set": fields})

    @staticmethod
    def _entry(doc: dict[str, Any] | None) -> LedgerEntry:
        if doc is None:  # deleted between our two calls: nobody deletes ledger entries
            raise RuntimeError("ledger entry vanished during claim")
        return LedgerEntry.model_validate({k: v for k, v in doc.items() if k != "_id"})
