"""Local CKAN contract server: a test double of the CKAN Action API a PPID catalogue runs on.

Like CKAN (docs.ckan.org, "API guide" and "DataStore extension"): every call is
`POST /api/3/action/<action>` with a JSON body (reads also as GET with query parameters), the
API token in the `Authorization` header, and an answer `{"help", "success", "result"}` or
`{"success": false, "error": {"__type": ..., ...}}` with 403 (Authorization Error), 404 (Not
Found Error) or 409 (Validation Error, by field). Implemented: package_show, package_create,
package_patch, package_search, resource_create (JSON, or multipart with an `upload` file),
datastore_create, datastore_upsert, datastore_search, datastore_delete. A package name is
unique (409 "That URL is already in use."); datastore_upsert needs the table's primary key.

Test helpers: GET /_contract/received, POST /_contract/faults, /_contract/advance,
/_contract/reset (see contract_faults.py). Run from the repository root:
  python -m deploy.local.ckan_server --port 8082 [--token TOKEN]
The token defaults to $CKAN_TOKEN, else "local-ckan-token". State is in memory only.
"""

from __future__ import annotations

import argparse
import os
import re
import uuid
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

try:  # run as a module (python -m deploy.local.ckan_server) or as a script
    from deploy.local.ckan_store import Invalid, Missing, Store, form_fields
    from deploy.local.contract_faults import Injector, install
except ImportError:  # pragma: no cover - script mode puts deploy/local on the path
    from ckan_store import Invalid, Missing, Store, form_fields  # type: ignore[no-redef]
    from contract_faults import Injector, install  # type: ignore[no-redef]

DEFAULT_TOKEN = "local-ckan-token"  # a test double's well-known local token
_NAME = re.compile(r"^[a-z0-9_-]{2,100}$")


def create_app(token: str) -> FastAPI:
    """Build the contract server accepting `token` as its only API token."""
    app = FastAPI(title="CKAN contract server (local test double)")
    store = Store()
    faults = Injector(token)
    install(app, faults, api_prefix="/api/")

    @app.api_route("/api/3/action/{action}", methods=["GET", "POST"])
    async def action(action: str, request: Request) -> Response:
        given = request.headers.get("authorization", "").removeprefix("Bearer ")
        if not faults.token_ok(given):
            return _failure(403, {"__type": "Authorization Error", "message": "Access denied"})
        handler = _ACTIONS.get(action)
        if handler is None:
            return _failure(400, {"__type": "Bad request", "message": f"unknown action {action}"})
        try:
            data = await _params(request)
            return _success(action, handler(store, data))
        except Missing as exc:
            return _failure(404, {"__type": "Not Found Error", "message": str(exc)})
        except Invalid as exc:
            return _failure(409, {"__type": "Validation Error", **exc.fields})

    @app.get("/_contract/received")
    async def received() -> dict[str, Any]:
        return {**store.dump(), "requests": faults.requests, "injected_failures": faults.injected}

    @app.post("/_contract/reset", status_code=204)
    async def reset() -> None:
        store.reset()
        faults.reset()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def _params(request: Request) -> dict[str, Any]:
    if request.method == "GET":
        return dict(request.query_params)
    kind = request.headers.get("content-type", "")
    body = await request.body()
    if kind.startswith("multipart/form-data"):
        return form_fields(kind, body)
    if not body:
        return {}
    try:
        data = await request.json()
    except ValueError:
        raise Invalid({"message": "body is not JSON"}) from None
    if not isinstance(data, dict):
        raise Invalid({"message": "body must be a JSON object"})
    return data


def _package_create(store: Store, data: dict[str, Any]) -> dict[str, Any]:
    name = str(data.get("name") or "")
    if not _NAME.match(name):
        raise Invalid(
            {
                "name": [
                    "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_"
                ]
            }
        )
    if store.find_package(name) is not None:
        raise Invalid({"name": ["That URL is already in use."]})
    package = {**data, "id": str(uuid.uuid4()), "resources": [], "state": "active"}
    return store.put_package(package)


_ACTIONS: dict[str, Any] = {
    "package_show": lambda s, d: s.package(str(d.get("id", ""))),
    "package_create": _package_create,
    "package_patch": lambda s, d: s.patch_package(str(d.get("id", "")), d),
    "package_search": lambda s, d: s.search(str(d.get("q", "")), int(d.get("rows", 1000))),
    "resource_create": lambda s, d: s.create_resource(d),
    "datastore_create": lambda s, d: s.datastore_create(d),
    "datastore_upsert": lambda s, d: s.datastore_upsert(d),
    "datastore_search": lambda s, d: s.datastore_search(d),
    "datastore_delete": lambda s, d: s.datastore_delete(d),
}


def _success(action: str, result: Any) -> JSONResponse:
    return JSONResponse(
        {"help": f"/api/3/action/help_show?name={action}", "success": True, "result": result}
    )


def _failure(status: int, error: dict[str, Any]) -> JSONResponse:
    return JSONResponse({"help": "", "success": False, "error": error}, status_code=status)


def main(argv: list[str] | None = None) -> int:
    """Serve the contract server until interrupted."""
    parser = argparse.ArgumentParser(description="Local CKAN contract server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--token", default=os.environ.get("CKAN_TOKEN", DEFAULT_TOKEN))
    args = parser.parse_args(argv)
    uvicorn.run(create_app(args.token), host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
