"""JSON Schema export of every event version, and the backward-compatibility rule they obey.

Two sets of files:
  schemas/<type>.v<N>.json         the current models, rewritten by `python -m shared.events.schemas`
                                   (documentation for connector teams; optional additions show here)
  schemas/frozen/<type>.v<N>.json  each (type, version) as it was released, written once by
                                   `python -m shared.events.schemas --freeze` and never again;
                                   FROZEN.sha256 pins their bytes.
Unit tests check the models against every frozen file (no breaking change, `breaking_changes`)
and fail when a frozen file was edited: regenerating cannot let a breaking change pass. A
breaking change is a new version (a new entry in `EVENT_TYPES`), frozen in its turn.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import orjson

from shared.events.registry import ENVELOPE_CLASSES, type_of

SCHEMA_DIR = Path(__file__).parent / "schemas"
FROZEN_DIR = SCHEMA_DIR / "frozen"
FROZEN_HASHES = FROZEN_DIR / "FROZEN.sha256"


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
        path.write_bytes(_dump(schema))
        written.append(path)
    return written


def freeze_new_versions(directory: Path = FROZEN_DIR) -> list[Path]:
    """Freeze the versions not frozen yet (never touching a frozen one); return the new files."""
    directory.mkdir(parents=True, exist_ok=True)
    frozen = []
    for name, schema in current_schemas().items():
        path = directory / name
        if not path.exists():
            path.write_bytes(_dump(schema))
            frozen.append(path)
    # Appended only: an edited frozen file must not get its new bytes pinned.
    with (directory / FROZEN_HASHES.name).open("a", encoding="utf-8") as hashes:
        hashes.writelines(f"{digest(path)}  {path.name}\n" for path in frozen)
    return frozen


def pinned_hashes(hashes: Path = FROZEN_HASHES) -> dict[str, str]:
    """Return {file name: sha256} as pinned when each version was frozen."""
    lines = (line.split() for line in hashes.read_text().splitlines() if line.strip())
    return {name: sha for sha, name in lines}


def digest(path: Path) -> str:
    """Return the sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _dump(schema: dict[str, Any]) -> bytes:
    return orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


if __name__ == "__main__":
    made = freeze_new_versions() if sys.argv[1:] == ["--freeze"] else write_schemas()
    for made_path in made:
        sys.stdout.write(f"wrote {made_path}\n")
