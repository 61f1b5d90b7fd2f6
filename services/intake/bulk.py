"""Bulk import rows (pure): read CSV or JSONL into channel bodies, each with a stable reference.

JSONL: one channel body per line, exactly as that channel's HTTP route takes it. CSV: one
column per field, nested fields as dotted names (`citizen.name`, `location.region_code`),
`tags` separated by `;`, `anonymous`/`confidential` as true/false (ya/tidak, 1/0), `lat`/`lon`
as numbers; empty cells are left out. A row without its channel's reference field (or a generic
`ref` column) gets `<first 16 hex of the file's sha256>:<row number>`, so the same file imported
again names every row the same way.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

# The field that holds each importable channel's native reference (the idempotency key).
REF_FIELDS = {"walkin": "form_id", "web": "form_id", "callcenter": "call_id", "social": "post_id"}
_TRUE, _FALSE = {"true", "ya", "yes", "1", "y"}, {"false", "tidak", "no", "0", "n"}
_BOOLEANS = {"anonymous", "confidential"}
_NUMBERS = {"location.lat", "location.lon"}


@dataclass(frozen=True)
class Row:
    """One row: its 1-based number, its reference, and its body or why it cannot be read."""

    number: int
    ref: str
    body: dict[str, Any] | None
    error: str | None = None


def file_id(data: bytes) -> str:
    """Return the file's stable id: the first 16 hex digits of its sha256."""
    return hashlib.sha256(data).hexdigest()[:16]


def detect_format(path: str, given: str | None) -> str:
    """Return `csv` or `jsonl`: as given, else from the file name."""
    if given:
        return given
    return "jsonl" if path.lower().endswith((".jsonl", ".ndjson", ".json")) else "csv"


def read_rows(data: bytes, fmt: str, channel: str) -> Iterator[Row]:
    """Yield every row of the file with its reference filled in."""
    source = file_id(data)
    raw = _jsonl(data) if fmt == "jsonl" else _csv(data)
    for number, (fields, error) in enumerate(raw, start=1):
        ref = f"{source}:{number}"
        if fields is None:
            yield Row(number, ref, None, error)
            continue
        body = _with_ref(fields, channel, ref)
        yield Row(number, str(body.get(REF_FIELDS[channel], ref)), body)


def _with_ref(fields: dict[str, Any], channel: str, default: str) -> dict[str, Any]:
    key = REF_FIELDS[channel]
    generic = fields.pop("ref", None)
    if not fields.get(key):
        fields[key] = generic or default
    return fields


def _jsonl(data: bytes) -> Iterator[tuple[dict[str, Any] | None, str | None]]:
    for line in data.splitlines():
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield None, f"not JSON: {exc}"
            continue
        yield (value, None) if isinstance(value, dict) else (None, "a line must be a JSON object")


def _csv(data: bytes) -> Iterator[tuple[dict[str, Any] | None, str | None]]:
    text = data.decode("utf-8-sig")  # spreadsheets often write a byte-order mark
    for cells in csv.DictReader(io.StringIO(text)):
        try:
            yield _nested(cells), None
        except ValueError as exc:
            yield None, str(exc)


def _nested(cells: dict[str, str | None]) -> dict[str, Any]:
    """Turn dotted column names into nested objects, converting the few typed columns."""
    body: dict[str, Any] = {}
    for column, cell in cells.items():
        if column is None or cell is None or not cell.strip():
            continue
        name = column.strip()
        *parents, leaf = name.split(".")
        target = body
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = _typed(name, cell.strip())
    return body


def _typed(column: str, cell: str) -> Any:
    if column in _BOOLEANS:
        if cell.lower() in _TRUE | _FALSE:
            return cell.lower() in _TRUE
        raise ValueError(f"{column}: write true or false (ya/tidak)")
    if column in _NUMBERS:
        try:
            return float(cell)
        except ValueError:
            raise ValueError(f"{column}: not a number") from None
    if column == "tags":
        return [tag.strip() for tag in cell.split(";") if tag.strip()]
    return cell
