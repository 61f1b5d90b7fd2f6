"""The case view in MongoDB (pymongo only). FerretDB has no transactions: every write is one
whole-document replace keyed by complaint id, which is idempotent."""

from __future__ import annotations

from typing import Any

from pymongo.collection import Collection

from services.sla.view import CaseDocument
from shared.mongo import Index, ensure_indexes

INDEXES = (Index(("tracking_number",), unique=True), Index(("opd_code", "status")))


class CaseRepository:
    """Reads and writes the `cases` collection."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self._cases = collection

    def ensure_indexes(self) -> None:
        """Create the unique tracking-number index and the OPD backlog index."""
        ensure_indexes(self._cases, INDEXES)

    def upsert(self, doc: CaseDocument) -> None:
        """Replace the case's view document, creating it when new."""
        body = doc.to_mongo()
        self._cases.replace_one({"_id": body["_id"]}, body, upsert=True)

    def by_tracking_number(self, tracking_number: str) -> CaseDocument | None:
        """Return the view of the case with this tracking number, if any."""
        found = self._cases.find_one({"tracking_number": tracking_number})
        return CaseDocument.model_validate(found) if found else None
