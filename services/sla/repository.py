"""The sla's two collections (pymongo only), read and written once per batch.

FerretDB has no transactions, so each write is one document: the case state (the source of
truth, with an optimistic revision) and the public view (a projection, rewritten whole, so
writing it again is harmless). A batch reads all its cases with one `$in` query and writes
them with one unordered bulk write per collection: a round trip per batch, not per record.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import InsertOne, ReplaceOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

from services.sla.case import Case
from services.sla.followups import Fingerprint
from services.sla.quality import Reply
from services.sla.view import CaseDocument
from shared.mongo import Index, ensure_indexes
from shared.retry import MONGO, TransientError

# `partition` and `next_alert_at` are read once per partition assignment (the timer heap),
# never per tick: FerretDB plans range queries as full scans (see timers.py).
STATE_INDEXES = (Index(("held_until",)), Index(("partition",)))
# An OPD's replies are found by equality on `opd` (an index lookup); the sort by time then
# reads that OPD's documents only.
REPLY_INDEXES = (Index(("opd",)),)
VIEW_INDEXES = (
    Index(("tracking_number",), unique=True),
    Index(("opd_code", "status")),
    Index(("opd_code", "received_at")),
    Index(("received_at",)),
)


class StaleCase(TransientError):
    """Another writer changed a case since the batch read it: read the batch again."""

    dependency = MONGO


@dataclass(frozen=True)
class Stored:
    """A case as read, with the revision a write must still find."""

    case: Case
    revision: int
    partition: int | None = None
    overdue: bool = False  # as counted in the backlog when it was written


@dataclass(frozen=True)
class Write:
    """A case to store over `revision`, with what the timers and the backlog read back."""

    case: Case
    revision: int
    partition: int | None
    next_alert_at: datetime | None
    overdue: bool


@dataclass(frozen=True)
class Owned:
    """What a partition's assignment reads of a case: its timer and its backlog labels."""

    complaint_id: str
    partition: int
    next_alert_at: datetime | None
    status: str
    opd_code: str | None
    region_code: str | None
    overdue: bool


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

    def save_many(self, changes: Sequence[Write], *, held_max_age: timedelta) -> None:
        """Write each case over its revision read; raise StaleCase when any changed meanwhile."""
        if not changes:
            return
        ops = [_write(change, held_max_age) for change in changes]
        try:
            result = self._states.bulk_write(ops, ordered=False)
        except BulkWriteError as exc:  # a new case was created meanwhile (duplicate _id)
            raise StaleCase(f"{len(exc.details.get('writeErrors', []))} cases changed") from exc
        updates = sum(1 for change in changes if change.revision > 0)
        if result.matched_count < updates:
            raise StaleCase(f"{updates - result.matched_count} cases changed since read")

    def with_expired_held(self, now: datetime) -> list[Stored]:
        """Cases holding an event past its time (the sweep's one range query)."""
        return [_stored(doc) for doc in self._states.find({"held_until": {"$lte": now}})]

    def owned(self, partitions: Iterable[int]) -> Iterator[Owned]:
        """The timer and backlog fields of every case in `partitions` (on assignment)."""
        query = {"partition": {"$in": sorted(partitions)}}
        for doc in self._states.find(query, {"case": 0, "revision": 0, "held_until": 0}):
            yield Owned(
                complaint_id=doc["_id"],
                partition=int(doc["partition"]),
                next_alert_at=_utc(doc.get("next_alert_at")),
                status=doc["status"],
                opd_code=doc.get("opd_code"),
                region_code=doc.get("region_code"),
                overdue=bool(doc.get("overdue")),
            )


def _stored(doc: dict[str, Any]) -> Stored:
    partition = doc.get("partition")
    return Stored(
        Case.from_state(doc["case"]),
        int(doc["revision"]),
        int(partition) if partition is not None else None,
        bool(doc.get("overdue")),
    )


def _utc(value: datetime | None) -> datetime | None:
    """Mongo keeps UTC without the zone; put it back."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _write(change: Write, held_max_age: timedelta) -> InsertOne[Any] | ReplaceOne[Any]:
    case, revision = change.case, change.revision
    held_until = min(h.held_at for h in case.held) + held_max_age if case.held else None
    body = {
        "_id": case.complaint_id,
        "revision": revision + 1,
        "held_until": held_until,
        "partition": change.partition,
        "next_alert_at": change.next_alert_at,
        "status": case.status.value,
        "opd_code": case.opd_code,
        "region_code": case.region_code,
        "overdue": change.overdue,
        "case": case.to_state(),
    }
    if revision == 0:
        return InsertOne(body)
    return ReplaceOne({"_id": case.complaint_id, "revision": revision}, body)


class ReplyRepository:
    """The `reply_prints` collection: `{_id: follow-up event id, opd, at, sketch}` per judged
    reply, the sketch's 64-bit hashes as signed BSON longs. Insert-only: one document per reply,
    written by the worker that owns the reply's case, so writers never share a document."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self._replies = collection

    def ensure_indexes(self) -> None:
        """Create the index `latest` reads."""
        ensure_indexes(self._replies, REPLY_INDEXES)

    def add_many(self, replies: Sequence[Reply]) -> None:
        """Store each reply's fingerprint (again: the same document, so no change)."""
        ops = [ReplaceOne({"_id": _reply_id(r)}, _reply_doc(r), upsert=True) for r in replies]
        if ops:
            self._replies.bulk_write(ops, ordered=False)

    def latest(self, opd: str, count: int) -> list[Fingerprint]:
        """The OPD's latest `count` fingerprints, oldest first."""
        found = self._replies.find({"opd": opd}).sort([("at", -1), ("_id", -1)]).limit(count)
        prints = [
            Fingerprint(frozenset(_unsigned(h) for h in d["sketch"]), d.get("ref")) for d in found
        ]
        return prints[::-1]


def _reply_id(reply: Reply) -> str:
    return reply.print_.ref or f"{reply.opd}@{reply.at.isoformat()}"


def _reply_doc(reply: Reply) -> dict[str, Any]:
    sketch = sorted(_signed(h) for h in reply.print_.sketch)
    return {
        "_id": _reply_id(reply),
        "ref": reply.print_.ref,
        "opd": reply.opd,
        "at": reply.at,
        "sketch": sketch,
    }


def _signed(value: int) -> int:
    """A 64-bit hash as a BSON long (signed)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def _unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


@dataclass(frozen=True)
class Open311Query:
    """Open311 filters: tracking numbers, or categories, a receipt window and statuses."""

    tracking_numbers: list[str] | None = None
    categories: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    statuses: list[str] | None = None
    limit: int = 1000

    def to_mongo(self) -> dict[str, Any]:
        """The Mongo filter of these conditions."""
        if self.tracking_numbers is not None:
            return {"tracking_number": {"$in": self.tracking_numbers}}
        found: dict[str, Any] = {}
        if self.categories is not None:
            found["category"] = {"$in": self.categories}
        if self.statuses is not None:
            found["status"] = {"$in": self.statuses}
        window = {op: at for op, at in (("$gte", self.start), ("$lte", self.end)) if at}
        if window:
            found["received_at"] = window
        return found


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

    def of_opd(self, opd_code: str, *, status: str | None, limit: int) -> list[CaseDocument]:
        """The OPD's cases, newest first (optionally of one status)."""
        query: dict[str, Any] = {"opd_code": opd_code}
        if status:
            query["status"] = status
        found = self._cases.find(query).sort("received_at", -1).limit(limit)
        return [CaseDocument.model_validate(doc) for doc in found]

    def open311(self, query: Open311Query) -> list[CaseDocument]:
        """The cases an Open311 `requests.json` query asks for, newest first."""
        found = self._cases.find(query.to_mongo()).sort("received_at", -1).limit(query.limit)
        return [CaseDocument.model_validate(doc) for doc in found]
