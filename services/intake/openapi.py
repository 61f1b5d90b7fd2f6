"""The intake's OpenAPI document, with every body schema under `components/schemas`.

The channel routes read their bodies themselves (size limit first), so FastAPI does not know
the body models: each route embeds its model's JSON Schema, whose nested models pydantic puts
under a local `$defs` while referring to them as `#/components/schemas/...`. Hoisting those
definitions into the components makes every `$ref` resolve.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi


def hoist_body_schemas(document: dict[str, Any]) -> dict[str, Any]:
    """Move each request body's schema and its `$defs` into components; refer to it by name."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for operation in _operations(document):
        for media in operation.get("requestBody", {}).get("content", {}).values():
            schema = media.get("schema", {})
            components.update(schema.pop("$defs", {}))
            if "title" in schema:
                components[schema["title"]] = schema
                media["schema"] = {"$ref": f"#/components/schemas/{schema['title']}"}
    return document


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for path in document.get("paths", {}).values() for op in path.values()]


def openapi_builder(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """Return the app's `openapi()` replacement: built once, body schemas hoisted."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title, version=app.version, routes=app.routes, description=app.description
            )
            app.openapi_schema = hoist_body_schemas(document)
        return app.openapi_schema

    return build
