"""The publisher's own store of resolved cases, for the periodic report: the facts a
complaint-handling report counts, never a text and never anything personal. Confidential
cases are kept too: they count in the totals, they are just never published one by one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

from services.publisher.catalogue import answer
from shared.events import CaseResolved
from shared.mongo import Index, ensure_indexes

_DUPLICATE_KEY = 11000


def case_facts(complaint_id: str, case: CaseResolved) -> dict[str, Any]:
    """Return the stored facts of one resolved case version."""
    return {
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
        if not facts:
            return
        try:
            self._c.insert_many(list(facts), ordered=False)
        except BulkWriteError as exc:
            if any(e.get("code") != _DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                raise

    def resolved_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Return the latest version of each case resolved in [start, end)."""
        latest: dict[str, dict[str, Any]] = {}
        for doc in self._c.find({"resolved_at": {"$gte": start, "$lt": end}}):
            known = latest.get(doc["complaint_id"])
            if known is None or doc["case_version"] > known["case_version"]:
                latest[doc["complaint_id"]] = doc
        return list(latest.values())
