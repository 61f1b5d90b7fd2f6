"""The `intake_fingerprints` collection: who was filed under which blocking key (pymongo only).

Two kinds of document, both insert-only:
  {_id: "k|<blocking key>|<digest of ids>", k: key, d: day, ids: [complaint id, ...]}
      one per key and filed batch: the complaints of the batch filed under that key that day
      (the key holds no day: a look-up asks for each key once and keeps the postings of the
      window). Before 2026-11-29 one per key and complaint, `_id` "k|<key>|<complaint id>" and
      no `ids`; both are read.
  {_id: "s|<complaint id>", d: day, at, tn, ch, sk: sketch}  one per complaint
A look-up's cost is the posting documents it reads (about 0.04 ms each on the local FerretDB,
against 0.005 ms per `$in` value), so a batch's complaints that share a key (a burst about one
street) share one document: under load the documents per complaint fall.
Insert-only, because replicas file at the same time: an `$addToSet` into one document per key
is a read-modify-write on FerretDB, and concurrent ones lost members (and made pymongo fail
on a reply without `nModified`). Postings are read by `k $in` and sketches by `_id $in`, both
index look-ups on the patched FerretDB (range queries and sorts would scan every document):
a look-up of a whole batch is two finds whatever the collection holds; filing a batch is one
unordered insert_many. Which keys to ask for and which complaints to compare is the linker's
choice (linker.py), so the in-memory double of this store behaves the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo.collection import Collection

from services.intake.similarity import Sketch
from shared.mongo import Index, ensure_indexes, insert_new

INDEXES = (
    Index(("k",)),  # look-ups: postings by blocking key
    Index(("d",)),  # pruning deletes one day bucket at a time, by equality
)


@dataclass(frozen=True)
class Filed:
    """A complaint as the linker filed it; `received_at` None for one filed before it was kept."""

    complaint_id: str
    tracking_number: str
    channel: str
    sketch: Sketch
    received_at: datetime | None = None


class FingerprintStore:
    """Blocking keys and sketches of recent complaints, in one collection."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self._collection = collection

    def ensure_indexes(self) -> None:
        """Create the key index look-ups rely on and the day index pruning relies on."""
        ensure_indexes(self._collection, INDEXES)

    def postings(self, keys: Iterable[str], since: date) -> dict[str, list[str]]:
        """Return {key: ids of the complaints filed under it from `since` on}, in one find."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        # One batch: a getMore round trip per 101 documents would grow with the window.
        # `k $in` is the index look-up; the day range is checked on what it found (not indexed).
        window = {"k": {"$in": wanted}, "d": {"$gte": since.isoformat()}}
        found: dict[str, set[str]] = {}
        for doc in self._collection.find(window, {"k": 1, "ids": 1}, batch_size=10_000):
            ids = doc.get("ids") or [doc["_id"].rsplit("|", 1)[1]]  # one id: the older form
            found.setdefault(doc["k"], set()).update(ids)  # a re-filed complaint counts once
        return {key: sorted(ids) for key, ids in found.items()}

    def sketches(self, complaint_ids: Iterable[str]) -> list[Filed]:
        """Return the filed complaints among `complaint_ids`, in one find by `_id`."""
        ids = [f"s|{cid}" for cid in sorted(set(complaint_ids))]
        if not ids:
            return []
        docs = self._collection.find({"_id": {"$in": ids}}, batch_size=len(ids))
        return [_filed(doc) for doc in docs]

    def file(self, batch: Iterable[tuple[Filed, list[str]]]) -> None:
        """Store each complaint's sketch and one posting per key, all in one insert (idempotent)."""
        docs: list[dict[str, Any]] = []
        postings: dict[tuple[str, str], list[str]] = {}
        for filed, keys in batch:
            day = filed.sketch.day.isoformat()
            for key in keys:
                postings.setdefault((key, day), []).append(filed.complaint_id)
            docs.append(
                {
                    "_id": f"s|{filed.complaint_id}",
                    "d": day,
                    "at": filed.received_at,
                    "tn": filed.tracking_number,
                    "ch": filed.channel,
                    "sk": filed.sketch.to_doc(),
                }
            )
        docs += [
            {"_id": f"k|{key}|{_digest(ids)}", "k": key, "d": day, "ids": ids}
            for (key, day), ids in postings.items()
        ]
        # Filing the same batch again (a retry) meets its own documents; the same complaints in
        # another batch make other documents, read as one posting each: nothing is lost.
        insert_new(self._collection, docs)

    def prune(self, today: date, keep_days: int, horizon_days: int = 30) -> int:
        """Delete the day buckets older than `keep_days` (up to `horizon_days` back); count them."""
        removed = 0
        for age in range(keep_days + 1, keep_days + horizon_days + 1):
            day = (today - timedelta(days=age)).isoformat()
            removed += self._collection.delete_many({"d": day}).deleted_count
        return removed


def _digest(ids: list[str]) -> str:
    return hashlib.blake2b("|".join(sorted(ids)).encode(), digest_size=12).hexdigest()


def _filed(doc: dict[str, Any]) -> Filed:
    at = doc.get("at")
    if at is not None and at.tzinfo is None:  # a client without tz_aware reads UTC, naive
        at = at.replace(tzinfo=UTC)
    return Filed(doc["_id"][2:], doc["tn"], doc["ch"], Sketch.from_doc(doc["sk"]), at)
