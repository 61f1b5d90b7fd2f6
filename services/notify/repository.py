"""The notifier's collections (pymongo only), every one insert-only with one document per key,
so concurrent writers never meet in a document (FerretDB updates are not atomic):

- `notify_contacts`: one per complaint, its reporter's `Contact` (personal data: internal only);
- `notify_ledger`: one per message id, written once the message was sent; a replay finds it;
- `notify_waiting`: one per event that arrived before its complaint's receipt, by event id,
  found again by `complaint_id` (an index look-up) when the receipt comes.

Reads are one `$in` per batch on `_id` or on an index's first field: index look-ups on the
patched FerretDB, never scans. Mongo away: pymongo's errors name the dependency and the consume
loop waits and retries the batch, unsent and uncommitted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pymongo.collection import Collection

from services.notify.contact import Contact
from shared.events import Envelope, ReporterNotice, encode
from shared.mongo import Index, ensure_indexes, insert_new

Docs = Collection[dict[str, Any]]


class ContactBook:
    """Each complaint's contact, stored at receipt."""

    def __init__(self, collection: Docs) -> None:
        self._c = collection

    def find(self, complaint_ids: Iterable[str]) -> dict[str, Contact]:
        """Return the stored contacts of these complaints, by complaint id."""
        ids = sorted(set(complaint_ids))
        if not ids:
            return {}
        docs = self._c.find({"_id": {"$in": ids}})
        return {d["_id"]: Contact(complaint_id=d["_id"], **_fields(d)) for d in docs}

    def store(self, contacts: Iterable[Contact]) -> None:
        """Store new contacts; a complaint's first stored contact stays."""
        docs = [{"_id": c.complaint_id, **c.model_dump(exclude={"complaint_id"})} for c in contacts]
        insert_new(self._c, docs)


class Ledger:
    """The messages sent, by message id."""

    def __init__(self, collection: Docs) -> None:
        self._c = collection

    def sent(self, message_ids: Iterable[str]) -> set[str]:
        """Return which of these messages were sent before."""
        ids = sorted(set(message_ids))
        if not ids:
            return set()
        return {d["_id"] for d in self._c.find({"_id": {"$in": ids}}, {"_id": 1})}

    def record(self, notices: Iterable[Envelope[ReporterNotice]]) -> None:
        """Record messages as sent (no personal data: kind, channel and case only)."""
        now = datetime.now(UTC)
        docs = [
            {"_id": n.id, "complaint_id": n.subject, "kind": n.data.kind.value,
             "channel": n.data.channel, "sent_at": now}
            for n in notices
        ]  # fmt: skip
        insert_new(self._c, docs)


class Waiting:
    """Events read before their complaint's receipt (Kafka orders a case only within a topic)."""

    INDEXES = (Index(("complaint_id",)),)

    def __init__(self, collection: Docs) -> None:
        self._c = collection

    def ensure_indexes(self) -> None:
        """Create the complaint-id index the receipt's look-up uses."""
        ensure_indexes(self._c, self.INDEXES)

    def park(self, events: Iterable[Envelope[Any]]) -> None:
        """Keep events until their complaint's receipt arrives."""
        docs = {e.id: {"_id": e.id, "complaint_id": e.subject, "event": encode(e).decode()}
                for e in events}  # fmt: skip
        insert_new(self._c, list(docs.values()))

    def of(self, complaint_ids: Iterable[str]) -> list[bytes]:
        """Return the encoded events waiting for these complaints, oldest event first."""
        ids = sorted(set(complaint_ids))
        if not ids:
            return []
        docs = self._c.find({"complaint_id": {"$in": ids}})
        return [d["event"].encode() for d in sorted(docs, key=lambda d: d["_id"])]


def _fields(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "_id"}
