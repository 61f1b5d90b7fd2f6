"""The publisher's own store of resolved cases, for the periodic report: the facts a
complaint-handling report counts, never a text and never anything personal. Confidential
cases are kept too: they count in the totals, they are just never published one by one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo.collection import Collection

from services.publisher.catalogue import answer
from shared.events import CaseResolved
from shared.mongo import Index, ensure_indexes, insert_new


def case_facts(complaint_id: str, case: CaseResolved, event: str | None = None) -> dict[str, Any]:
    """Return the stored facts of one resolved case version; `event` is the encoded source
    event (no reporter identity in it), kept so reconciliation can publish a lost record again."""
    return {
        "event": event,
        "_id": f"{complaint_id}:{case.case_version}",
        "complaint_id": complaint_id,
        "case_version": case.case_version,
        "opd": case.opd_code,
        "category": case.category or "lainnya",
        "classification": case.classification.value,
        "region": case.region_code,
        "confidential": case.confidential,
        "received_at": case.received_at,
        "assigned_at": case.assigned_at,
        "first_follow_up_at": case.first_follow_up_at,
        "resolved_at": case.resolved_at,
        "substantive": answer(case)[1],
    }


class CaseStats:
    """Insert-only (cheap on FerretDB); a replayed case is a duplicate key, ignored."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self._c = collection

    def ensure_indexes(self) -> None:
        """Index the resolution time the report selects by."""
        ensure_indexes(self._c, (Index(("resolved_at",)),))

    def record(self, facts: Sequence[dict[str, Any]]) -> None:
        """Store the facts of a batch's cases in one insert."""
        insert_new(self._c, facts)

    def events(self, ids: Sequence[str]) -> dict[str, str]:
        """Return the stored source events of `<complaint>:<version>` ids, in one query."""
        docs = self._c.find({"_id": {"$in": list(ids)}}, {"event": 1})
        return {str(d["_id"]): d["event"] for d in docs if d.get("event")}

    def resolved_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Return the latest version of each case resolved in [start, end)."""
        latest: dict[str, dict[str, Any]] = {}
        for doc in self._c.find({"resolved_at": {"$gte": start, "$lt": end}}):
            known = latest.get(doc["complaint_id"])
            if known is None or doc["case_version"] > known["case_version"]:
                latest[doc["complaint_id"]] = doc
        return list(latest.values())
