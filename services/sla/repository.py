"""The sla's two collections (pymongo only). FerretDB has no transactions, so each write is one
document: the case state (the source of truth, with an optimistic revision) and the public view
(a projection, rewritten whole, so replaying it is harmless)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from services.sla.case import Case
from services.sla.view import CaseDocument
from shared.mongo import Index, ensure_indexes
from shared.retry import TransientError

VIEW_INDEXES = (Index(("tracking_number",), unique=True), Index(("opd_code", "status")))


class StaleCase(TransientError):
    """Another writer changed the case since it was read: read it again and retry."""


class StateRepository:
    """The `case_state` collection: one document per case, `{_id, revision, case}`."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self._states = collection

    def load(self, complaint_id: str) -> tuple[Case | None, int]:
        """Return the case and its revision (0 when the case is new)."""
        found = self._states.find_one({"_id": complaint_id})
        if found is None:
            return None, 0
        return Case.from_state(found["case"]), int(found["revision"])

    def save(self, case: Case, revision: int) -> None:
        """Store the case if it is still at `revision`; raise StaleCase otherwise."""
        body = {"_id": case.complaint_id, "revision": revision + 1, "case": case.to_state()}
        if revision == 0:
            try:
                self._states.insert_one(body)
            except DuplicateKeyError:
                raise StaleCase(f"case {case.complaint_id} was created meanwhile") from None
            return
        done = self._states.replace_one({"_id": case.complaint_id, "revision": revision}, body)
        if done.matched_count == 0:
            raise StaleCase(f"case {case.complaint_id} changed since revision {revision}")

    def all_cases(self) -> Iterator[Case]:
        """Every case (for recounting the backlog gauge at start-up)."""
        for doc in self._states.find({}, {"case": 1}):
            yield Case.from_state(doc["case"])


class CaseRepository:
    """The `cases` collection: the view the status API reads."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self._cases = collection

    def ensure_indexes(self) -> None:
        """Create the unique tracking-number index and the OPD backlog index."""
        ensure_indexes(self._cases, VIEW_INDEXES)

    def upsert(self, doc: CaseDocument) -> None:
        """Replace the case's view document, creating it when new."""
        body = doc.to_mongo()
        self._cases.replace_one({"_id": body["_id"]}, body, upsert=True)

    def by_tracking_number(self, tracking_number: str) -> CaseDocument | None:
        """Return the view of the case with this tracking number, if any."""
        found = self._cases.find_one({"tracking_number": tracking_number})
        return CaseDocument.model_validate(found) if found else None
