"""Reading a YAML config file into a pydantic model, with errors that name the item and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class ConfigFileError(ValueError):
    """A rules or OPD directory file is unreadable or invalid; the message says where."""


def load_yaml_model(
    path: Path, model: type[M], *, list_key: str, id_key: str, context: dict[str, Any] | None = None
) -> M:
    """Parse `path` as YAML and validate it as `model`; raise ConfigFileError on any problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigFileError(f"{path}: cannot read: {exc}") from exc
    try:
        return model.model_validate(raw, context=context)
    except ValidationError as exc:
        problems = [_describe(err, raw, list_key, id_key) for err in exc.errors()]
        raise ConfigFileError(f"{path}: invalid:\n  " + "\n  ".join(problems)) from None


def _describe(err: Any, raw: Any, list_key: str, id_key: str) -> str:
    """Say which item (by its id, when it has one) and which field an error is about."""
    loc = list(err["loc"])
    where = ".".join(str(part) for part in loc) or "(top level)"
    if len(loc) >= 2 and loc[0] == list_key and isinstance(loc[1], int):
        item = _item(raw, list_key, loc[1])
        item_id = item.get(id_key) if isinstance(item, dict) else None
        field = ".".join(str(part) for part in loc[2:]) or "(whole entry)"
        label = f"{id_key} {item_id!r}" if item_id is not None else f"entry #{loc[1] + 1}"
        where = f"{list_key}[{loc[1]}] ({label}) field {field}"
    return f"{where}: {err['msg']}"


def _item(raw: Any, list_key: str, index: int) -> Any:
    items = raw.get(list_key) if isinstance(raw, dict) else None
    if isinstance(items, list) and 0 <= index < len(items):
        return items[index]
    return None
