"""The store of SMS parts still waiting for the rest of their message (pymongo only).

One document per (connector, gateway, sender, reference, total), one part per field, so adding
a part is one atomic upsert, and parts arriving at the same time on two replicas both land.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.collection import Collection

from services.intake.sms_concat import SmsPart, current, is_complete


class SmsPartStore:
    """Add parts; hand back all of them once the message is complete, and forget them."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self._collection = collection

    def add(self, key: str, part: SmsPart) -> dict[int, SmsPart] | None:
        """Store a part; return every part when this one completed the message, else None.

        Two replicas completing the same message at once both return it; the complaint's
        unique index (same first-part id) then makes it one complaint.
        """
        doc = self._collection.find_one_and_update(
            {"_id": key},
            {"$set": {f"parts.{part.number}": _to_doc(part)}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        stored = doc["parts"] if doc else {}  # an upsert returning AFTER always has one
        parts = current({int(n): _from_doc(int(n), part.total, d) for n, d in stored.items()}, part)
        if not is_complete(parts, part.total):
            return None
        self._collection.delete_one({"_id": key})
        return parts


def _to_doc(part: SmsPart) -> dict[str, Any]:
    return {"message_id": part.message_id, "text": part.text, "received_at": part.received_at}


def _from_doc(number: int, total: int, doc: dict[str, Any]) -> SmsPart:
    received: datetime = doc["received_at"]
    return SmsPart(number, total, doc["message_id"], doc["text"], received)
