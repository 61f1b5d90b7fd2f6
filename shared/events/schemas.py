"""JSON Schema export of every event version, and the backward-compatibility rule they obey.

`python -m shared.events.schemas` rewrites `shared/events/schemas/*.json`; a unit test fails when
the committed schemas are stale or when a change would stop old events from parsing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson

from shared.events.registry import ENVELOPE_CLASSES, type_of

SCHEMA_DIR = Path(__file__).parent / "schemas"


def current_schemas() -> dict[str, dict[str, Any]]:
    """Return the JSON Schema of each event envelope, by file name `<type>.v<version>.json`."""
    schemas: dict[str, dict[str, Any]] = {}
    for model, event_class in ENVELOPE_CLASSES.items():
        event_type, version = type_of(model)
        schemas[f"{event_type}.v{version}.json"] = event_class.model_json_schema(by_alias=True)
    return schemas


def breaking_changes(old: dict[str, Any], new: dict[str, Any], path: str = "$") -> list[str]:
    """List the changes from `old` to `new` that would make an event valid under `old` invalid.

    The rule, applied recursively through object properties and `$defs`: no property may
    disappear (extra fields are kept, but a consumer relying on it would break), no property
    may become required, and a property's type and enum may only widen.
    """
    problems: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name in old_props.keys() - new_props.keys():
        problems.append(f"{path}.{name}: removed")
    for name in set(new.get("required", [])) - set(old.get("required", [])):
        problems.append(f"{path}.{name}: newly required")
    for name in old_props.keys() & new_props.keys():
        problems += _narrowed(old_props[name], new_props[name], f"{path}.{name}")
    old_defs, new_defs = old.get("$defs", {}), new.get("$defs", {})
    for name in old_defs.keys() & new_defs.keys():
        problems += _narrowed(old_defs[name], new_defs[name], f"{path}.$defs.{name}")
    for name in old_defs.keys() - new_defs.keys():
        problems.append(f"{path}.$defs.{name}: removed")
    return problems


def _narrowed(old: dict[str, Any], new: dict[str, Any], path: str) -> list[str]:
    problems: list[str] = []
    if _types(old) - _types(new) and _types(new):
        problems.append(f"{path}: type {sorted(_types(old))} -> {sorted(_types(new))}")
    if "enum" in old and set(old["enum"]) - set(new.get("enum", old["enum"])):
        problems.append(f"{path}: enum values removed")
    if "const" in old and new.get("const", old["const"]) != old["const"]:
        problems.append(f"{path}: const changed")
    return problems + breaking_changes(old, new, path)


def _types(prop: dict[str, Any]) -> set[str]:
    """The JSON types a property allows, looking through anyOf and $ref."""
    if "type" in prop:
        return {prop["type"]} if isinstance(prop["type"], str) else set(prop["type"])
    if "$ref" in prop:
        return {"ref:" + prop["$ref"]}
    return set().union(*(_types(p) for p in prop.get("anyOf", []))) if "anyOf" in prop else set()


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write every current schema to `directory`; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in current_schemas().items():
        path = directory / name
        path.write_bytes(
            orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
        )
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_schemas():
        sys.stdout.write(f"wrote {written_path}\n")
