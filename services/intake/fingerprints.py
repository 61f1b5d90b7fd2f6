"""The `intake_fingerprints` collection: who was filed under which blocking key (pymongo only).

Two kinds of document, both insert-only:
  {_id: "k|<blocking key>|<complaint id>", k: key, d: day}   one per key and complaint
  (the key holds no day: a look-up asks for each key once and keeps the postings of the window)
  {_id: "s|<complaint id>", d: day, tn, ch, sk: sketch}      one per complaint
Insert-only, because replicas file at the same time: an `$addToSet` into one document per key
is a read-modify-write on FerretDB, and concurrent ones lost members (and made pymongo fail
on a reply without `nModified`). Postings are read by `k $in` and sketches by `_id $in`, both
index look-ups on the patched FerretDB (range queries and sorts would scan every document):
a look-up is two finds whatever the collection holds; a write is one unordered insert_many.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
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
    """A complaint as the linker filed it."""

    complaint_id: str
    tracking_number: str
    channel: str
    sketch: Sketch


class FingerprintStore:
    """Blocking keys and sketches of recent complaints, in one collection."""

    def __init__(self, collection: Collection[dict[str, Any]], max_candidates: int = 200) -> None:
        self._collection = collection
        # A hot key (a flooded district on a stormy day) must not make one look-up unbounded.
        self._max_candidates = max_candidates

    def ensure_indexes(self) -> None:
        """Create the key index look-ups rely on and the day index pruning relies on."""
        ensure_indexes(self._collection, INDEXES)

    def candidates(self, keys: list[str], since: date) -> list[Filed]:
        """Return the complaints filed under any of `keys` from `since` on, most shared keys
        first, bounded."""
        if not keys:
            return []
        hits: Counter[str] = Counter()
        # One batch: a getMore round trip per 101 documents would grow with the window.
        # `k $in` is the index look-up; the day range is checked on what it found (not indexed).
        window = {"k": {"$in": keys}, "d": {"$gte": since.isoformat()}}
        postings = self._collection.find(window, {"_id": 1}, batch_size=10_000)
        hits.update(doc["_id"].rsplit("|", 1)[1] for doc in postings)
        # Most keys in common first; among equals the newest (ULIDs sort by time).
        chosen = sorted(hits, key=lambda cid: (hits[cid], cid), reverse=True)
        chosen = chosen[: self._max_candidates]
        if not chosen:
            return []
        ids = [f"s|{cid}" for cid in chosen]
        docs = self._collection.find({"_id": {"$in": ids}}, batch_size=len(ids))
        return [_filed(doc) for doc in docs]

    def file(self, filed: Filed, keys: list[str]) -> None:
        """Store the sketch and one posting per key (idempotent)."""
        day = filed.sketch.day.isoformat()
        sketch = {
            "_id": f"s|{filed.complaint_id}",
            "d": day,
            "tn": filed.tracking_number,
            "ch": filed.channel,
            "sk": filed.sketch.to_doc(),
        }
        postings = [{"_id": f"k|{key}|{filed.complaint_id}", "k": key, "d": day} for key in keys]
        # Filing the same complaint again (a retry) meets its own documents: nothing is lost.
        insert_new(self._collection, [sketch, *postings])

    def prune(self, today: date, keep_days: int, horizon_days: int = 30) -> int:
        """Delete the day buckets older than `keep_days` (up to `horizon_days` back); count them."""
        removed = 0
        for age in range(keep_days + 1, keep_days + horizon_days + 1):
            day = (today - timedelta(days=age)).isoformat()
            removed += self._collection.delete_many({"d": day}).deleted_count
        return removed


def _filed(doc: dict[str, Any]) -> Filed:
    return Filed(doc["_id"][2:], doc["tn"], doc["ch"], Sketch.from_doc(doc["sk"]))
