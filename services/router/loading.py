"""Reading a YAML config file into a pydantic model, with errors that name the line, item and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]


class ConfigFileError(ValueError):
    """A rules or OPD directory file is unreadable or invalid; the message says where."""


# libyaml's parser when present: the pure-Python one takes seconds on a 600-rule file.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Builder(_BaseLoader):  # type: ignore[valid-type,misc]  # chosen at import time
    """Builds plain Python data from YAML nodes, noting the line each value starts on."""

    def to_python(self, node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> Any:
        lines[loc] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)  # resolves `<<:` merge keys
            return {
                self.construct_object(k, deep=True): self.to_python(
                    v, (*loc, str(self.construct_object(k, deep=True))), lines
                )
                for k, v in node.value
            }
        if isinstance(node, yaml.SequenceNode):
            return [self.to_python(item, (*loc, i), lines) for i, item in enumerate(node.value)]
        return self.construct_object(node, deep=True)


def read_yaml(path: Path) -> tuple[Any, dict[Loc, int]]:
    """Parse `path` as YAML; return the data and the line of every value, by its path."""
    lines: dict[Loc, int] = {}
    try:
        text = path.read_text(encoding="utf-8")
        builder = _Builder(text)
        try:
            node = builder.get_single_node()
            data = None if node is None else builder.to_python(node, (), lines)
        finally:
            builder.dispose()
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigFileError(f"{path}: cannot read: {exc}") from exc
    return data, lines


def line_of(lines: dict[Loc, int], loc: Loc) -> int | None:
    """Return the line of `loc`, or of its nearest enclosing value that has one."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def load_yaml_model(
    path: Path, model: type[M], *, list_key: str, id_key: str, context: dict[str, Any] | None = None
) -> M:
    """Parse `path` as YAML and validate it as `model`; raise ConfigFileError on any problem."""
    return load_yaml_model_with_lines(
        path, model, list_key=list_key, id_key=id_key, context=context
    )[0]


def load_yaml_model_with_lines(
    path: Path, model: type[M], *, list_key: str, id_key: str, context: dict[str, Any] | None = None
) -> tuple[M, dict[Loc, int]]:
    """Like `load_yaml_model`, also returning the line map for later checks."""
    raw, lines = read_yaml(path)
    try:
        return model.model_validate(raw, context=context), lines
    except ValidationError as exc:
        problems = [
            f"{path}:{line_of(lines, tuple(err['loc'])) or 1}: "
            f"{_describe(err, raw, list_key, id_key)}"
            for err in exc.errors()
        ]
        raise ConfigFileError(f"{path}: invalid:\n  " + "\n  ".join(problems)) from None


def _describe(err: Any, raw: Any, list_key: str, id_key: str) -> str:
    """Say which item (by its id, when it has one) and which field an error is about."""
    loc = list(err["loc"])
    where = ".".join(str(part) for part in loc) or "(top level)"
    if len(loc) >= 2 and loc[0] == list_key and isinstance(loc[1], int):
        where = f"{item_label(raw, list_key, id_key, loc[1])} field "
        where += ".".join(str(part) for part in loc[2:]) or "(whole entry)"
    return f"{where}: {err['msg']}"


def item_label(raw: Any, list_key: str, id_key: str, index: int) -> str:
    """Return `rules[3] (id 'x')`, or `rules[3] (entry #4)` when the item has no id."""
    items = raw.get(list_key) if isinstance(raw, dict) else None
    item = items[index] if isinstance(items, list) and 0 <= index < len(items) else None
    item_id = item.get(id_key) if isinstance(item, dict) else None
    label = f"{id_key} {item_id!r}" if item_id is not None else f"entry #{index + 1}"
    return f"{list_key}[{index}] ({label})"
