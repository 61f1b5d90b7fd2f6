"""The sla's collections (pymongo only): `cases`, read and written once per batch, and
`case_timers`, what a partition's assignment reads back.

FerretDB has no transactions, so a case is one document holding both its state (the source of
truth, `case`, with an optimistic `revision`) and its public view (the `CaseDocument` fields,
a projection of the state, at the top level where the status API's indexes find them). One
write stores both, so a view can never lag its state. A batch reads all its cases with one
`$in` query and writes them with one unordered bulk write: a round trip per batch, not per
record. A case whose tracking number is not known yet (only held events) has no view fields.

Each write of a case also writes its timer document (`case_timers`: `{_id, p, revision,
next_alert_at, held_until, status, opd_code, region_code, overdue}`, about 200 bytes), the only
thing the rebuild on a partition's assignment reads: FerretDB decodes a whole document to
project a few fields, so reading the timers from `cases` (about 2.5 kB a case) took about
0.6 ms per case, 605 s at 1,000,000 cases (57 s from `case_timers`). The case is written first (the source of truth),
then its timer, over any older revision of the timer; a timer write that finds a newer one
changes nothing. A failure between the two leaves the batch uncommitted: its replay finds its
events applied and writes their cases' timers again (`CaseWriter.rewrite_timers`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import InsertOne, ReplaceOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

from services.sla.case import Case
from services.sla.followups import Fingerprint
from services.sla.quality import Reply
from services.sla.view import CaseDocument
from shared.lifecycle import Status
from shared.mongo import DUPLICATE_KEY, Index, ensure_indexes, insert_new
from shared.retry import MONGO, TransientError

# An OPD's replies are found by equality on `opd` (an index lookup); the sort by time then
# reads that OPD's documents only.
REPLY_INDEXES = (Index(("opd",)),)
# A partition's timers are found by equality (`$in`) on `p`, the partition as a string: an index
# lookup on the patched FerretDB (it pushes down strings and ObjectIDs, not integers).
TIMER_INDEXES = (Index(("p",)),)
# Marks a partition whose timers were copied from `cases` (stores written before `case_timers`
# existed): `{_id: "adopted:<partition>"}`, without `p`, so the rebuild never reads it.
_ADOPTED = "adopted:"
# Cases in these statuses stay ended unless reopened: their timers are tombstones (`Owned.ended`).
_ENDED = frozenset({Status.CLOSED.value, Status.ARCHIVED.value})
_TIMER_FIELDS = ("next_alert_at", "held_until", "status", "opd_code", "region_code", "overdue")
# `partition` finds a partition's cases once, when their timers are copied into `case_timers`
# (`adopt_timers`); `next_alert_at` and `held_until` are never queried: FerretDB plans range
# queries as full scans (the timer heap and the held cases are in memory).
# The tracking number is not unique here: cases known only by their held events lack it, and
# a unique index counts every missing value as one null (FerretDB 1.x has no partial index).
# Intake makes tracking numbers unique.
INDEXES = (
    Index(("partition",)),
    Index(("tracking_number",)),
    Index(("opd_code", "status")),
    Index(("opd_code", "received_at")),
    Index(("received_at",)),
)
# Declared by the versions that kept states and views apart: dropped at start.
SUPERSEDED = ("held_until", "tracking_number_unique")
# What the status API never reads back.
_STATE_ONLY = {"case": 0, "revision": 0, "held_until": 0, "next_alert_at": 0, "partition": 0}


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
    """A case to store over `revision`, with its view and what the timers, the held-event
    sweep and the backlog read back."""

    case: Case
    revision: int
    partition: int | None
    next_alert_at: datetime | None
    overdue: bool
    held_until: datetime | None = None
    view: CaseDocument | None = None  # None until the tracking number is known

    def timer(self) -> Owned | None:
        """The case's timer document as this write stores it (None: no partition, so no
        worker's assignment would read it)."""
        if self.partition is None:
            return None
        case = self.case
        return Owned(
            complaint_id=case.complaint_id,
            partition=self.partition,
            next_alert_at=self.next_alert_at,
            status=case.status.value,
            opd_code=case.opd_code,
            region_code=case.region_code,
            overdue=self.overdue,
            held_until=self.held_until,
            revision=self.revision + 1,
        )


@dataclass(frozen=True)
class Owned:
    """What a partition's assignment reads of a case (its `case_timers` document): its timer,
    its held events' expiry and its backlog labels, as of the case's `revision`."""

    complaint_id: str
    partition: int
    next_alert_at: datetime | None
    status: str
    opd_code: str | None
    region_code: str | None
    overdue: bool
    held_until: datetime | None = None
    revision: int = 0

    @classmethod
    def from_mongo(cls, doc: dict[str, Any]) -> Owned:
        """A timer document, or the same fields of a `cases` document (`partition`, not `p`)."""
        return cls(
            complaint_id=doc["_id"],
            partition=int(doc["p"] if "p" in doc else doc["partition"]),
            next_alert_at=_utc(doc.get("next_alert_at")),
            status=doc["status"],
            opd_code=doc.get("opd_code"),
            region_code=doc.get("region_code"),
            overdue=bool(doc.get("overdue")),
            held_until=_utc(doc.get("held_until")),
            revision=int(doc.get("revision", 0)),
        )

    @property
    def ended(self) -> bool:
        """Closed or archived with nothing pending: no worker needs to read it back."""
        quiet = self.next_alert_at is None and self.held_until is None
        return quiet and self.status in _ENDED

    def to_mongo(self) -> dict[str, Any]:
        """The `case_timers` document; an ended case's is a tombstone without `p`, which keeps
        its revision (so an older timer write still changes nothing) but which no partition's
        loading reads. A reopen writes the whole document again."""
        if self.ended:
            return {"_id": self.complaint_id, "revision": self.revision, "status": self.status}
        return {
            "_id": self.complaint_id,
            "p": _partition_key(self.partition),
            "revision": self.revision,
            "next_alert_at": self.next_alert_at,
            "held_until": self.held_until,
            "status": self.status,
            "opd_code": self.opd_code,
            "region_code": self.region_code,
            "overdue": self.overdue,
        }


class StateRepository:
    """The states in the `cases` collection: `{_id, revision, held_until, partition, …, case}`
    per case, beside its view fields; and their timers in `case_timers`."""

    def __init__(
        self, collection: Collection[dict[str, Any]], timers: Collection[dict[str, Any]]
    ) -> None:
        self._states = collection
        self._timers = timers

    def ensure_indexes(self) -> None:
        """Create the indexes of the states and views (one collection) and of the timers."""
        ensure_indexes(self._states, INDEXES, superseded=SUPERSEDED)
        ensure_indexes(self._timers, TIMER_INDEXES)

    def adopt(self, old: Collection[dict[str, Any]], chunk: int = 500) -> int:
        """Move the states that an earlier version kept apart (`case_state`) into their case
        documents, beside the view fields already there, then drop `old`; return how many.

        Safe to run again after a crash midway, and beside a running worker: a case document
        that already holds a state is left alone (its write is newer)."""
        moved = 0
        batch: list[dict[str, Any]] = []
        for doc in old.find({}):
            batch.append(doc)
            if len(batch) == chunk:
                moved += self._adopt(batch)
                batch = []
        moved += self._adopt(batch)
        old.drop()
        return moved

    def _adopt(self, states: list[dict[str, Any]]) -> int:
        if not states:
            return 0
        found = self._states.find({"_id": {"$in": [doc["_id"] for doc in states]}})
        there = {doc["_id"]: doc for doc in found}
        ops: list[InsertOne[Any] | ReplaceOne[Any]] = []
        for old in states:
            view = there.get(old["_id"])
            doc = {**old, "partition": _partition_key(old.get("partition"))}
            if view is None:
                ops.append(InsertOne(doc))
            elif "case" not in view:  # the filter keeps a state written meanwhile
                ops.append(ReplaceOne({"_id": doc["_id"], "case": {"$exists": False}}, view | doc))
        try:
            if ops:
                self._states.bulk_write(ops, ordered=False)
        except BulkWriteError as exc:  # duplicate _id: a state was written meanwhile
            if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                raise
        return len(states)

    def load_many(self, complaint_ids: Iterable[str]) -> dict[str, Stored]:
        """Return the stored cases among `complaint_ids` (absent ones are new)."""
        found = self._states.find({"_id": {"$in": list(set(complaint_ids))}})
        return {doc["_id"]: _stored(doc) for doc in found}

    def save_many(self, changes: Sequence[Write]) -> None:
        """Write each case with its view over its revision read, then its timer; raise
        StaleCase when any case changed meanwhile (its timer is then not written either: the
        batch is read again, and its replay rewrites the timers of the cases it finds applied)."""
        if not changes:
            return
        ops = [_write(change) for change in changes]
        try:
            result = self._states.bulk_write(ops, ordered=False)
        except BulkWriteError as exc:  # a new case was created meanwhile (duplicate _id)
            raise StaleCase(f"{len(exc.details.get('writeErrors', []))} cases changed") from exc
        updates = sum(1 for change in changes if change.revision > 0)
        if result.matched_count < updates:
            raise StaleCase(f"{updates - result.matched_count} cases changed since read")
        self.save_timers([timer for change in changes if (timer := change.timer())])

    def save_timers(self, timers: Sequence[Owned]) -> None:
        """Write each timer over an older or equal revision; one whose stored timer is newer is
        left alone. A case's first timer is inserted; a replace that finds no timer (a newer
        one, or none: a write cut short before it) is followed by an insert, which keeps a
        newer one (duplicate key). No upsert: this FerretDB drops the rest of an unordered
        update batch after an upsert's duplicate key (checked 2026-11-29)."""
        first = [t.to_mongo() for t in timers if t.revision == 1]
        later = [t for t in timers if t.revision != 1]
        insert_new(self._timers, first)
        if not later:
            return
        ops = [
            ReplaceOne({"_id": t.complaint_id, "revision": {"$lte": t.revision}}, t.to_mongo())
            for t in later
        ]
        if self._timers.bulk_write(ops, ordered=False).matched_count < len(later):
            insert_new(self._timers, [t.to_mongo() for t in later])

    def owned(self, partitions: Iterable[int], batch_size: int = 1000) -> Iterator[Owned]:
        """The timer documents of the open cases in `partitions` (on assignment: one query by
        the `p` index, read `batch_size` documents per round trip; the loader keeps it open
        between ticks, and closing this generator closes the cursor). A partition never read
        since `case_timers` came is first filled from `cases`, once (`adopt_timers`)."""
        keys = [_partition_key(p) for p in sorted(partitions)]
        self.adopt_timers(partitions)
        with self._timers.find({"p": {"$in": keys}}, batch_size=batch_size) as found:
            for doc in found:
                yield Owned.from_mongo(doc)

    def bury(self, timers: Sequence[Owned]) -> None:
        """Replace whole timer documents of ended cases (written before tombstones existed)
        by their tombstones, each only at the revision read: a newer write is left alone."""
        ops = [
            ReplaceOne({"_id": t.complaint_id, "revision": t.revision}, t.to_mongo())
            for t in timers
        ]
        if ops:
            self._timers.bulk_write(ops, ordered=False)

    def adopt_timers(self, partitions: Iterable[int], chunk: int = 1000) -> int:
        """Fill the timers of `partitions` from their `cases` documents, for a store written
        before `case_timers` existed; return how many were copied. Each partition is done once:
        a marker is written when its copy is complete, so a copy cut short runs again (its
        inserts meet the timers already there and leave them: those are as new or newer).

        Slow, once: it reads the whole case documents (about 0.6 ms each on FerretDB). Workers
        of the earlier version must be stopped first: their writes would not reach the timers."""
        markers = {f"{_ADOPTED}{p}": p for p in partitions}
        done = {doc["_id"] for doc in self._timers.find({"_id": {"$in": list(markers)}}, ["_id"])}
        todo = sorted(p for marker, p in markers.items() if marker not in done)
        if not todo:
            return 0
        query = {"partition": {"$in": [_partition_key(p) for p in todo]}}
        found = self._states.find(query, ["partition", "revision", *_TIMER_FIELDS])
        copied = 0
        for docs in _chunks((Owned.from_mongo(doc).to_mongo() for doc in found), chunk):
            insert_new(self._timers, docs)
            copied += len(docs)
        insert_new(self._timers, [{"_id": f"{_ADOPTED}{p}"} for p in todo])
        return copied


def _chunks(docs: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _stored(doc: dict[str, Any]) -> Stored:
    partition = doc.get("partition")
    return Stored(
        Case.from_state(doc["case"]),
        int(doc["revision"]),
        int(partition) if partition is not None else None,
        bool(doc.get("overdue")),
    )


def _partition_key(partition: int | None) -> str | None:
    """The partition as stored: a string, because the local store's patched index push-down
    serves only strings and ObjectIDs (an integer `$in` scans the collection: about 5 s per
    1,000 cases of 5 kB on the shared 2-core machine)."""
    return None if partition is None else str(partition)


def _utc(value: datetime | None) -> datetime | None:
    """Mongo keeps UTC without the zone; put it back."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _write(change: Write) -> InsertOne[Any] | ReplaceOne[Any]:
    case, revision = change.case, change.revision
    view = change.view.to_mongo() if change.view is not None else {}
    body = {
        **view,  # its status, opd_code and region_code are the state's (one projection)
        "_id": case.complaint_id,
        "revision": revision + 1,
        "held_until": change.held_until,
        "partition": _partition_key(change.partition),
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
    """The views in the `cases` collection, as the status API reads them (the states'
    repository writes them)."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self._cases = collection

    def by_tracking_number(self, tracking_number: str) -> CaseDocument | None:
        """Return the view of the case with this tracking number, if any."""
        found = self._cases.find_one({"tracking_number": tracking_number}, _STATE_ONLY)
        return CaseDocument.model_validate(found) if found else None

    def of_opd(self, opd_code: str, *, status: str | None, limit: int) -> list[CaseDocument]:
        """The OPD's cases, newest first (optionally of one status)."""
        query: dict[str, Any] = {"opd_code": opd_code}
        if status:
            query["status"] = status
        found = self._cases.find(query, _STATE_ONLY).sort("received_at", -1).limit(limit)
        return _views(found)

    def open311(self, query: Open311Query) -> list[CaseDocument]:
        """The cases an Open311 `requests.json` query asks for, newest first."""
        found = self._cases.find(query.to_mongo(), _STATE_ONLY)
        return _views(found.sort("received_at", -1).limit(query.limit))


def _views(docs: Iterable[dict[str, Any]]) -> list[CaseDocument]:
    """The views among `docs`: a case known only by its held events has none yet (a query
    that meets such cases may return fewer than its limit)."""
    return [CaseDocument.model_validate(doc) for doc in docs if "tracking_number" in doc]
