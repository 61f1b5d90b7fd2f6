"""The triage queue: one Mongo document per case waiting for a coordinator, by complaint id.

Written when the router sends a case to a triage desk (in the batch's `Then`, after the sends,
before the offsets commit; insert-only at receipt: a replay finds the document and keeps it), when
a returned case falls back to triage (replaced: it carries the new exclusions) and when a
coordinator acts.
Only by-key writes; the listing reads this small collection, never the cases that flowed past.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict
from pymongo import ReplaceOne
from pymongo.collection import Collection

from shared.events import ComplaintReceived
from shared.mongo import insert_new


class TriagedCase(BaseModel):
    """A case in triage: where it waits, why, and the complaint to dispatch once disposed."""

    model_config = ConfigDict(frozen=True)

    complaint_id: str
    correlation_id: str
    desk: str  # the triage desk's OPD code
    triaged_at: datetime
    not_competent: bool = False
    institution: str | None = None  # who is competent, when a rule said bukan wewenang
    excluded: list[str] = []  # OPDs that returned the case as not their competence
    postponed: list[str] = []  # tunda: what the reporter must still give
    complaint: ComplaintReceived


class TriageStore(Protocol):
    """Where triaged cases wait (Mongo in service, a dict in tests)."""

    def add(self, cases: Iterable[TriagedCase]) -> None: ...
    def put(self, cases: Iterable[TriagedCase]) -> None: ...
    def get(self, complaint_id: str) -> TriagedCase | None: ...
    def remove(self, complaint_id: str) -> None: ...
    def waiting(self, desk: str | None = None) -> list[TriagedCase]: ...


class MongoTriage:
    """The triage queue in a Mongo collection keyed by complaint id."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self._collection = collection

    def add(self, cases: Iterable[TriagedCase]) -> None:
        """Queue newly triaged cases, insert-only: a replay finds its case and leaves it as it is
        (a coordinator may have postponed it since). An upsert per case costs FerretDB a
        read-modify-write each: it made the router 5x slower."""
        insert_new(self._collection, (_doc(c) for c in cases))

    def put(self, cases: Iterable[TriagedCase]) -> None:
        """Store (or replace) these cases, one bulk write."""
        writes = [ReplaceOne({"_id": c.complaint_id}, _doc(c), upsert=True) for c in cases]
        if writes:
            self._collection.bulk_write(writes, ordered=False)

    def get(self, complaint_id: str) -> TriagedCase | None:
        """Return the case waiting under this id, if any."""
        doc = self._collection.find_one({"_id": complaint_id})
        return TriagedCase.model_validate(doc["case"]) if doc else None

    def remove(self, complaint_id: str) -> None:
        """The case left triage."""
        self._collection.delete_one({"_id": complaint_id})

    def waiting(self, desk: str | None = None) -> list[TriagedCase]:
        """Every waiting case (of one desk), oldest first."""
        found = [TriagedCase.model_validate(d["case"]) for d in self._collection.find({})]
        return sorted(
            (c for c in found if desk is None or c.desk == desk), key=lambda c: c.triaged_at
        )


class MemoryTriage:
    """The triage queue in a dict, for tests and `explain`-like tools."""

    def __init__(self) -> None:
        self.cases: dict[str, TriagedCase] = {}

    def add(self, cases: Iterable[TriagedCase]) -> None:
        """Queue newly triaged cases; one already queued stays as it is."""
        for case in cases:
            self.cases.setdefault(case.complaint_id, case)

    def put(self, cases: Iterable[TriagedCase]) -> None:
        """Store (or replace) these cases."""
        self.cases.update({c.complaint_id: c for c in cases})

    def get(self, complaint_id: str) -> TriagedCase | None:
        """Return the case waiting under this id, if any."""
        return self.cases.get(complaint_id)

    def remove(self, complaint_id: str) -> None:
        """The case left triage."""
        self.cases.pop(complaint_id, None)

    def waiting(self, desk: str | None = None) -> list[TriagedCase]:
        """Every waiting case (of one desk), oldest first."""
        found = (c for c in self.cases.values() if desk is None or c.desk == desk)
        return sorted(found, key=lambda c: c.triaged_at)


def _doc(case: TriagedCase) -> dict[str, Any]:
    return {"_id": case.complaint_id, "case": case.model_dump(mode="json")}
