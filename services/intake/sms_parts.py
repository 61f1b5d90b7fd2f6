"""The store of SMS parts still waiting for the rest of their message (pymongo only).

One document per part, `_id` "<message key>|<part number>", read back by `_id $in` (the key
holds the total, so every part's id is known). One document per message with a field per
part would be simpler, but `$set` into a shared document is a read-modify-write on FerretDB:
two parts arriving at the same time on two replicas lost one of them.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from services.intake.sms_concat import SmsPart, current, is_complete


class SmsPartStore:
    """Add parts; hand back all of them once the message is complete, and forget them."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self._collection = collection

    def add(self, key: str, part: SmsPart) -> dict[int, SmsPart] | None:
        """Store a part; return every part when this one completed the message, else None.

        Each part reads the others after its own write, so of two parts arriving at once the
        later one, at least, sees both. Two replicas completing the same message at once both
        return it; the complaint's unique index (same first-part id) then makes it one complaint.
        """
        # Replace: a gateway reusing a reference later sends new parts under old numbers. The
        # same part delivered twice at the same moment may meet its own insert: stored once.
        with suppress(DuplicateKeyError):
            self._collection.replace_one(
                {"_id": _part_id(key, part.number)}, _to_doc(part), upsert=True
            )
        ids = [_part_id(key, n) for n in range(1, part.total + 1)]
        stored = self._collection.find({"_id": {"$in": ids}})
        parts = current({d["n"]: _from_doc(part.total, d) for d in stored}, part)
        if not is_complete(parts, part.total):
            return None
        self._collection.delete_many({"_id": {"$in": ids}})
        return parts


def _part_id(key: str, number: int) -> str:
    return f"{key}|{number}"


def _to_doc(part: SmsPart) -> dict[str, Any]:
    return {
        "n": part.number,
        "message_id": part.message_id,
        "text": part.text,
        "received_at": part.received_at,
    }


def _from_doc(total: int, doc: dict[str, Any]) -> SmsPart:
    received: datetime = doc["received_at"]
    return SmsPart(doc["n"], total, doc["message_id"], doc["text"], received)
