"""The CKAN contract server's state: packages, resources, datastore tables (in memory)."""

from __future__ import annotations

import json
import threading
import uuid
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any


class Missing(Exception):
    """CKAN's Not Found Error."""


class Invalid(Exception):
    """CKAN's Validation Error, by field."""

    def __init__(self, fields: dict[str, Any]) -> None:
        super().__init__(str(fields))
        self.fields = fields


class Store:
    """Everything the server holds, behind one lock (uvicorn may serve from several threads)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Forget everything."""
        with self.lock:
            self.packages: dict[str, dict[str, Any]] = {}
            self.resources: dict[str, dict[str, Any]] = {}
            self.tables: dict[str, dict[str, Any]] = {}  # resource id -> {fields, key, rows}
            self.uploads: dict[str, bytes] = {}

    def dump(self) -> dict[str, Any]:
        """Return everything, for tests."""
        with self.lock:
            tables = {
                rid: {"primary_key": t["key"], "records": list(t["rows"].values())}
                for rid, t in self.tables.items()
            }
            uploads = {rid: data.decode(errors="replace") for rid, data in self.uploads.items()}
            return {
                "packages": list(self.packages.values()),
                "datastore": tables,
                "uploads": uploads,
            }

    def find_package(self, name_or_id: str) -> dict[str, Any] | None:
        """Return a package by name or id."""
        with self.lock:
            for package in self.packages.values():
                if name_or_id in (package["id"], package["name"]):
                    return package
            return None

    def package(self, name_or_id: str) -> dict[str, Any]:
        """package_show."""
        found = self.find_package(name_or_id)
        if found is None:
            raise Missing("Dataset not found")
        return found

    def put_package(self, package: dict[str, Any]) -> dict[str, Any]:
        """Store a new package."""
        with self.lock:
            self.packages[package["id"]] = package
            return package

    def patch_package(self, name_or_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """package_patch: change the given fields, keep the rest."""
        with self.lock:
            package = self.package(name_or_id)
            package.update({k: v for k, v in data.items() if k not in ("id", "resources")})
            return package

    def search(self, q: str, rows: int) -> dict[str, Any]:
        """package_search over names and titles."""
        with self.lock:
            hits = [p for p in self.packages.values() if q in p["name"] or q in str(p.get("title"))]
            return {"count": len(hits), "results": hits[:rows]}

    def create_resource(self, data: dict[str, Any]) -> dict[str, Any]:
        """resource_create: JSON, or multipart with an `upload` file."""
        with self.lock:
            package = self.package(str(data.get("package_id", "")))
            upload = data.pop("upload", None)
            resource = {**data, "id": str(uuid.uuid4()), "package_id": package["id"]}
            if isinstance(upload, bytes):
                self.uploads[resource["id"]] = upload
                resource["url"] = f"/dataset/{package['name']}/resource/{resource['id']}/download"
                resource["url_type"] = "upload"
            package["resources"].append(resource)
            self.resources[resource["id"]] = resource
            return resource

    def datastore_create(self, data: dict[str, Any]) -> dict[str, Any]:
        """datastore_create on an existing resource, or with a `resource` dict to create one."""
        with self.lock:
            resource_id = (
                data.get("resource_id") or self.create_resource(dict(data["resource"]))["id"]
            )
            if resource_id not in self.resources:
                raise Missing("Resource not found")
            key = data.get("primary_key") or []
            key = [key] if isinstance(key, str) else list(key)
            table = self.tables.setdefault(resource_id, {"fields": [], "key": key, "rows": {}})
            table["fields"] = data.get("fields") or table["fields"]
            self.resources[resource_id]["datastore_active"] = True
            self._upsert(table, data.get("records") or [])
            return {"resource_id": resource_id, "fields": table["fields"], "primary_key": key}

    def datastore_upsert(self, data: dict[str, Any]) -> dict[str, Any]:
        """datastore_upsert (method upsert): insert or replace rows by the primary key."""
        with self.lock:
            table = self._table(data)
            if not table["key"]:
                raise Invalid({"message": "table does not have a unique key defined"})
            self._upsert(table, data.get("records") or [])
            return {"resource_id": data["resource_id"], "method": data.get("method", "upsert")}

    def datastore_search(self, data: dict[str, Any]) -> dict[str, Any]:
        """datastore_search with equality filters, limit and offset."""
        with self.lock:
            table = self._table(data)
            filters = data.get("filters") or {}
            filters = json.loads(filters) if isinstance(filters, str) else filters
            rows = [
                r for r in table["rows"].values() if all(r.get(k) == v for k, v in filters.items())
            ]
            offset, limit = int(data.get("offset", 0)), int(data.get("limit", 100))
            return {"records": rows[offset : offset + limit], "total": len(rows)}

    def datastore_delete(self, data: dict[str, Any]) -> dict[str, Any]:
        """datastore_delete of the rows matching `filters`."""
        with self.lock:
            table = self._table(data)
            filters = data.get("filters") or {}
            for pk, row in list(table["rows"].items()):
                if all(row.get(k) == v for k, v in filters.items()):
                    del table["rows"][pk]
            return {"resource_id": data["resource_id"]}

    def _table(self, data: dict[str, Any]) -> dict[str, Any]:
        table = self.tables.get(str(data.get("resource_id", "")))
        if table is None:
            raise Missing("Resource not found in the DataStore")
        return table

    @staticmethod
    def _upsert(table: dict[str, Any], records: list[dict[str, Any]]) -> None:
        for record in records:
            missing = [k for k in table["key"] if k not in record]
            if missing:
                raise Invalid({"records": [f"primary key field missing: {missing}"]})
            table["rows"][tuple(str(record[k]) for k in table["key"])] = record


def form_fields(content_type: str, body: bytes) -> dict[str, Any]:
    """Parse multipart/form-data with the standard library: text fields, and files as bytes."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        is_file = part.get_filename() is not None
        fields[str(name)] = payload if is_file else payload.decode()
    return fields
