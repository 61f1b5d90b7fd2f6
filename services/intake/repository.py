"""The intake's complaints collection (pymongo only).

FerretDB has no transactions, so a complaint and its outbox entry are ONE document written by
one insert: either both exist or neither does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from services.intake.group_commit import DuplicateKey, GroupInserter
from shared.mongo import Index, ensure_indexes

# Claims older than this are free to take: a lease in the past means "nobody holds it".
_UNCLAIMED = datetime(1970, 1, 1, tzinfo=UTC)

INDEXES = (
    # Idempotency is per connector: two connectors may reuse the same form id for two citizens.
    Index(("connector_id", "channel", "channel_ref"), unique=True),
    Index(("tracking_number",), unique=True),
    Index(("outbox.published_at", "_id")),
)
# The key before idempotency became per connector: left in place it would still refuse the
# second connector's complaint, so it is dropped at start-up.
_SUPERSEDED = "channel_channel_ref_unique"


class DuplicateComplaint(Exception):
    """An insert hit a unique index: same (connector, channel, ref) or same tracking number."""


class Outbox(BaseModel):
    """The relay's state, carried inside the complaint document."""

    model_config = ConfigDict(frozen=True)

    event: str  # the encoded CloudEvent as sent, but for the possible duplicates the relay adds
    published_at: datetime | None = None
    lease_until: datetime = _UNCLAIMED
    owner: str | None = None


class StoredComplaint(BaseModel):
    """A complaint as stored by intake; the wire models are converted to and from this."""

    model_config = ConfigDict(frozen=True)

    complaint_id: str
    tracking_number: str
    channel: str
    channel_ref: str
    connector_id: str
    correlation_id: str
    received_at: datetime
    complaint: dict[str, Any]  # the ComplaintReceived payload, JSON-shaped
    outbox: Outbox

    def to_mongo(self) -> dict[str, Any]:
        """Return the Mongo document, keyed by complaint id."""
        doc = self.model_dump(exclude={"complaint_id"})
        return {"_id": self.complaint_id, **doc}

    @classmethod
    def from_mongo(cls, doc: dict[str, Any]) -> StoredComplaint:
        """Build from a Mongo document."""
        return cls(complaint_id=doc["_id"], **{k: v for k, v in doc.items() if k != "_id"})


class ComplaintRepository:
    """Insert complaints, find them by channel reference, and serve the outbox relay."""

    def __init__(
        self, collection: Collection[dict[str, Any]], inserter: GroupInserter | None = None
    ) -> None:
        self._collection = collection
        # Without an inserter (tools, tests) each insert is its own round trip.
        self._inserter = inserter

    def ensure_indexes(self) -> None:
        """Create the unique indexes idempotency and tracking numbers rely on."""
        ensure_indexes(self._collection, INDEXES, superseded=[_SUPERSEDED])

    def insert(self, complaint: StoredComplaint) -> None:
        """Insert a new complaint; raise DuplicateComplaint when a unique index refuses it."""
        try:
            if self._inserter is None:
                self._collection.insert_one(complaint.to_mongo())
            else:
                self._inserter.insert(complaint.to_mongo())
        except (DuplicateKeyError, DuplicateKey) as exc:
            raise DuplicateComplaint(str(exc)) from exc

    def find_by_channel_ref(
        self, channel: str, channel_ref: str, connector_id: str
    ) -> StoredComplaint | None:
        """Return the complaint this connector already delivered under this native id, if any."""
        key = {"connector_id": connector_id, "channel": channel, "channel_ref": channel_ref}
        doc = self._collection.find_one(key)
        return StoredComplaint.from_mongo(doc) if doc else None

    def find(self, complaint_id: str) -> StoredComplaint | None:
        """Return a complaint by id (an `_id` look-up)."""
        doc = self._collection.find_one({"_id": complaint_id})
        return StoredComplaint.from_mongo(doc) if doc else None

    def find_by_tracking_number(self, tracking_number: str) -> StoredComplaint | None:
        """Return the complaint with this tracking number (its unique index)."""
        doc = self._collection.find_one({"tracking_number": tracking_number})
        return StoredComplaint.from_mongo(doc) if doc else None

    def claim_pending(
        self, *, owner: str, limit: int, lease: timedelta, now: datetime
    ) -> list[StoredComplaint]:
        """Reserve up to `limit` unpublished complaints, oldest first, for `owner`.

        On MongoDB each document's update is atomic, so when several intake replicas relay at
        once each document goes to one of them. FerretDB's updates are read-modify-write, so two
        claims can both win: the complaint is then relayed twice under the same event id, which
        every consumer drops as a replay. A crashed owner's lease simply runs out.
        """
        free = {"outbox.published_at": None, "outbox.lease_until": {"$lte": now}}
        candidates = self._collection.find(free, {"_id": 1}).sort("_id", 1).limit(limit)
        ids = [doc["_id"] for doc in candidates]
        if not ids:
            return []
        claim = {"$set": {"outbox.owner": owner, "outbox.lease_until": now + lease}}
        self._collection.update_many({"_id": {"$in": ids}, **free}, claim)
        held = {
            "outbox.published_at": None,
            "outbox.owner": owner,
            "outbox.lease_until": {"$gt": now},
        }
        mine = self._collection.find({"_id": {"$in": ids}, **held})
        return sorted((StoredComplaint.from_mongo(d) for d in mine), key=lambda c: c.complaint_id)

    def mark_published(self, complaint_ids: list[str], *, at: datetime) -> None:
        """Record that the broker acknowledged these complaints' events."""
        if complaint_ids:
            self._collection.update_many(
                {"_id": {"$in": complaint_ids}},
                {"$set": {"outbox.published_at": at, "outbox.lease_until": _UNCLAIMED}},
            )

    def release(self, complaint_ids: list[str]) -> None:
        """Give claimed but unsent complaints back, so the next round retries them at once."""
        if complaint_ids:
            self._collection.update_many(
                {"_id": {"$in": complaint_ids}, "outbox.published_at": None},
                {"$set": {"outbox.lease_until": _UNCLAIMED}},
            )

    def count_pending(self) -> int:
        """Return how many complaints still wait for the relay."""
        return self._collection.count_documents({"outbox.published_at": None})
