"""The sla's two collections (pymongo only), read and written once per batch.

FerretDB has no transactions, so each write is one document: the case state (the source of
truth, with an optimistic revision) and the public view (a projection, rewritten whole, so
writing it again is harmless). A batch reads all its cases with one `$in` query and writes
them with one unordered bulk write per collection: a round trip per batch, not per record.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo import InsertOne, ReplaceOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

from services.sla.case import Case
from services.sla.view import CaseDocument
from shared.mongo import Index, ensure_indexes
from shared.retry import MONGO, TransientError

STATE_INDEXES = (Index(("held_until",)),)
VIEW_INDEXES = (Index(("tracking_number",), unique=True), Index(("opd_code", "status")))


class StaleCase(TransientError):
    """Another writer changed a case since the batch read it: read the batch again."""

    dependency = MONGO


@dataclass(frozen=True)
class Stored:
    """A case as read, with the revision a write must still find."""

    case: Case
    revision: int


class StateRepository:
    """The `case_state` collection: `{_id, revision, held_until, case}` per case."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self._states = collection

    def ensure_indexes(self) -> None:
        """Create the index the held-event sweep reads."""
        ensure_indexes(self._states, STATE_INDEXES)

    def load_many(self, complaint_ids: Iterable[str]) -> dict[str, Stored]:
        """Return the stored cases among `complaint_ids` (absent ones are new)."""
        found = self._states.find({"_id": {"$in": list(set(complaint_ids))}})
        return {doc["_id"]: _stored(doc) for doc in found}

    def save_many(self, changes: Sequence[tuple[Case, int]], *, held_max_age: timedelta) -> None:
        """Write each (case, revision read); raise StaleCase when any was changed meanwhile."""
        if not changes:
            return
        ops = [_write(case, revision, held_max_age) for case, revision in changes]
        try:
            result = self._states.bulk_write(ops, ordered=False)
        except BulkWriteError as exc:  # a new case was created meanwhile (duplicate _id)
            raise StaleCase(f"{len(exc.details.get('writeErrors', []))} cases changed") from exc
        updates = sum(1 for _, revision in changes if revision > 0)
        if result.matched_count < updates:
            raise StaleCase(f"{updates - result.matched_count} cases changed since read")

    def with_expired_held(self, now: datetime) -> list[Stored]:
        """Cases holding an event past its time (the sweep's one range query)."""
        return [_stored(doc) for doc in self._states.find({"held_until": {"$lte": now}})]

    def all_cases(self) -> Iterator[Case]:
        """Every case (for recounting the backlog gauge at start-up)."""
        for doc in self._states.find({}, {"case": 1}):
            yield Case.from_state(doc["case"])


def _stored(doc: dict[str, Any]) -> Stored:
    return Stored(Case.from_state(doc["case"]), int(doc["revision"]))


def _write(case: Case, revision: int, held_max_age: timedelta) -> InsertOne[Any] | ReplaceOne[Any]:
    held_until = min(h.held_at for h in case.held) + held_max_age if case.held else None
    body = {
        "_id": case.complaint_id,
        "revision": revision + 1,
        "held_until": held_until,
        "case": case.to_state(),
    }
    if revision == 0:
        return InsertOne(body)
    return ReplaceOne({"_id": case.complaint_id, "revision": revision}, body)


class CaseRepository:
    """The `cases` collection: the view the status API reads."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self._cases = collection

    def ensure_indexes(self) -> None:
        """Create the unique tracking-number index and the OPD backlog index."""
        ensure_indexes(self._cases, VIEW_INDEXES)

    def upsert_many(self, docs: Iterable[CaseDocument]) -> None:
        """Replace each case's view document, creating it when new."""
        ops = [ReplaceOne({"_id": d.id}, d.to_mongo(), upsert=True) for d in docs]
        if ops:
            self._cases.bulk_write(ops, ordered=False)

    def by_tracking_number(self, tracking_number: str) -> CaseDocument | None:
        """Return the view of the case with this tracking number, if any."""
        found = self._cases.find_one({"tracking_number": tracking_number})
        return CaseDocument.model_validate(found) if found else None
