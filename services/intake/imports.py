"""The import batches' ledger and the rollback (pymongo only).

Kept apart from `repository.py` (the complaints' own repository): these are small functions on
the same complaints collection plus a collection of batches, `{_id: batch, file, sha256,
channel, connector_id, started_at, finished_at, complaint_ids: [...], counts}`. A complaint is
withdrawn only while its outbox entry is neither published nor leased by a relay, so a rollback
never races a send: what is under way is reported as in flight, what was sent as too late.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo.collection import Collection


class UnknownBatch(LookupError):
    """No import batch has this id."""


@dataclass
class Rollback:
    """What a rollback did: withdrawn, already routed, and under way (try again)."""

    withdrawn: list[str] = field(default_factory=list)
    too_late: list[tuple[str, str]] = field(default_factory=list)  # (complaint id, tracking)
    in_flight: list[str] = field(default_factory=list)


class ImportLedger:
    """Record which complaints each import batch created; withdraw a batch's unrouted ones."""

    def __init__(
        self, batches: Collection[dict[str, Any]], complaints: Collection[dict[str, Any]]
    ) -> None:
        self._batches = batches
        self._complaints = complaints

    def open(self, batch_id: str, meta: dict[str, Any]) -> None:
        """Start a batch document."""
        self._batches.insert_one({"_id": batch_id, "complaint_ids": [], **meta})

    def record(self, batch_id: str, complaint_ids: Sequence[str]) -> None:
        """Add complaints the batch created (called per chunk, so a crash loses little)."""
        if complaint_ids:
            add = {"$push": {"complaint_ids": {"$each": list(complaint_ids)}}}
            self._batches.update_one({"_id": batch_id}, add)

    def close(self, batch_id: str, *, finished_at: datetime, counts: dict[str, int]) -> None:
        """Mark the batch finished with its counts."""
        done = {"$set": {"finished_at": finished_at, "counts": counts}}
        self._batches.update_one({"_id": batch_id}, done)

    def rollback(self, batch_id: str, *, now: datetime) -> Rollback:
        """Delete the batch's complaints not yet routed; list the others."""
        batch = self._batches.find_one({"_id": batch_id})
        if batch is None:
            raise UnknownBatch(batch_id)
        ids = list(batch["complaint_ids"])
        unrouted = {
            "_id": {"$in": ids},
            "outbox.published_at": None,
            "outbox.lease_until": {"$lte": now},
        }
        withdrawable = [d["_id"] for d in self._complaints.find(unrouted, {"_id": 1})]
        if withdrawable:
            self._complaints.delete_many({**unrouted, "_id": {"$in": withdrawable}})
        left = self._complaints.find(
            {"_id": {"$in": ids}}, {"tracking_number": 1, "outbox.published_at": 1}
        )
        result = Rollback()
        for doc in left:
            if doc.get("outbox", {}).get("published_at") is None:
                result.in_flight.append(doc["_id"])
            else:
                result.too_late.append((doc["_id"], doc["tracking_number"]))
        gone = {d for d in withdrawable} - {*result.in_flight, *(c for c, _ in result.too_late)}
        result.withdrawn = sorted(gone)
        self._batches.update_one({"_id": batch_id}, {"$set": {"rolled_back_at": now}})
        return result
