"""Publishing the public record of a resolved case to the PPID catalogue (CKAN).

One dataset per OPD holds its DIP entry (package extras) and one DataStore resource whose
primary key is our external id; each case is one row, written with `datastore_upsert`. An
upsert by primary key is idempotent, so a resend after a lost answer cannot duplicate, and
no look-up is needed. The dataset and resource are found or made once per process and OPD
(package_create, or the existing one on a name in use; package_patch refreshes the DIP extras; resource_create
plus datastore_create for the table), under a lock per OPD so two cases cannot make two.
A confidential case is not published at all.
"""

from __future__ import annotations

import contextlib
import threading
from collections import defaultdict
from typing import Any

from services.publisher.catalogue import (
    FIELDS,
    PRIMARY_KEY,
    CatalogueMapping,
    dataset,
    public_record,
)
from services.publisher.ckan import TARGET, CkanClient, NameTaken
from services.publisher.ledger import LedgerEntry, LedgerKey
from services.publisher.target import TargetPublisher
from services.publisher.workdays import Calendar
from shared.events import CaseResolved


class CkanPublisher(TargetPublisher):
    """The PPID catalogue: one upserted row per resolved, non-confidential case."""

    name = TARGET

    def __init__(
        self, *, client: CkanClient, mapping: CatalogueMapping, calendar: Calendar, **base: Any
    ) -> None:
        super().__init__(**base)
        self._client = self.client = client
        self._mapping = self.mapping = mapping
        self._calendar = calendar
        self._resources: dict[str, str] = {}  # OPD code -> DataStore resource id
        self._locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)

    def wants(self, case: CaseResolved) -> bool:
        """Never a confidential (rahasia) case."""
        return not case.confidential

    def _publish(self, entry: LedgerEntry, case: CaseResolved, ctx: Any) -> None:
        row = public_record(case, self.external_id(entry.key), self._mapping, self._calendar)
        resource_id = self.resource_for(entry.key, case.opd_code)
        body = {"resource_id": resource_id, "records": [row], "method": "upsert", "force": True}
        self.call(
            entry.key, "datastore_upsert", lambda: self._client.action("datastore_upsert", body)
        )
        self.ledger.record_created(
            entry.key, remote_id=row[PRIMARY_KEY], tracking_id=resource_id, now=self.now()
        )

    def resource_for(self, key: LedgerKey, opd_code: str) -> str:
        """Return the OPD's DataStore resource id, making the dataset and table if needed."""
        with self._locks[opd_code]:
            found = self._resources.get(opd_code)
            if found is None:
                found = self._resources[opd_code] = self._ensure(key, opd_code)
            return found

    def _ensure(self, key: LedgerKey, opd_code: str) -> str:
        wanted = dataset(opd_code, self._mapping)
        package = self._package(key, wanted)
        for resource in package.get("resources") or []:
            if resource.get("name") == self._mapping.resource_name and resource.get(
                "datastore_active"
            ):
                return str(resource["id"])
        table = {
            "resource": {
                "package_id": package["id"],
                "name": self._mapping.resource_name,
                "format": "CSV",
            },
            "fields": FIELDS,
            "primary_key": [PRIMARY_KEY],
            "force": True,
        }
        created = self.call(
            key, "resource_create", lambda: self._client.action("datastore_create", table)
        )
        return str(created["resource_id"])

    def _package(self, key: LedgerKey, wanted: dict[str, Any]) -> dict[str, Any]:
        """package_create, or the existing package of that name; package_patch its DIP extras."""
        name = wanted["name"]
        with contextlib.suppress(NameTaken):  # it exists: patched below
            self.call(key, "package_create", lambda: self._client.action("package_create", wanted))
        patch = {"id": name, "extras": wanted["extras"], "notes": wanted["notes"]}
        result: dict[str, Any] = self.call(
            key, "package_patch", lambda: self._client.action("package_patch", patch)
        )
        return result

    def held(self) -> dict[str, list[str]]:
        """Return every row of every OPD table as {external id: [resource ids]}."""
        prefix = self._mapping.dataset_name.split("{")[0]
        found: dict[str, list[str]] = {}
        packages = self._client.action("package_search", {"q": prefix, "rows": 1000})
        for package in packages.get("results") or []:
            for resource in package.get("resources") or []:
                if resource.get("name") == self._mapping.resource_name:
                    for row in self._rows(str(resource["id"])):
                        found.setdefault(str(row[PRIMARY_KEY]), []).append(str(resource["id"]))
        return found

    def delete(self, external: str, resource_ids: list[str]) -> None:
        """Delete a row that must not be in the catalogue."""
        for resource_id in resource_ids:
            body = {"resource_id": resource_id, "filters": {PRIMARY_KEY: external}, "force": True}
            self._client.action("datastore_delete", body)

    def _rows(self, resource_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            query = {"resource_id": resource_id, "limit": 1000, "offset": len(found)}
            page = self._client.action("datastore_search", query)
            found += page.get("records") or []
            if len(found) >= int(page.get("total", 0)) or not page.get("records"):
                return found
