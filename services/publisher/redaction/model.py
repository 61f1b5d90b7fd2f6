"""Values of redaction: the kinds of personal data, found spans and the public result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """A kind of personal data; its value is the placeholder's label."""

    NIK = "NIK"
    KK = "KK"
    PHONE = "TELEPON"
    EMAIL = "EMAIL"
    NAME = "NAMA"
    ADDRESS = "ALAMAT"
    PLATE = "PLAT"

    @property
    def placeholder(self) -> str:
        """Return the typed placeholder that replaces a removed item, e.g. `[NIK]`."""
        return f"[{self.value}]"


# When two findings overlap and are equally long, the more certain kind names the union.
PRIORITY: dict[Kind, int] = {
    Kind.EMAIL: 0,
    Kind.KK: 1,
    Kind.NIK: 2,
    Kind.PHONE: 3,
    Kind.PLATE: 4,
    Kind.ADDRESS: 5,
    Kind.NAME: 6,
}


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the input text, [start, end), that holds personal data of one kind."""

    start: int
    end: int
    kind: Kind


@dataclass(frozen=True, slots=True)
class Removed:
    """One removed item, as it stood in the input."""

    kind: Kind
    value: str

    def as_dict(self) -> dict[str, str]:
        """Return the JSON form `{"kind": ..., "value": ...}`; kind is the placeholder label."""
        return {"kind": self.kind.value, "value": self.value}


@dataclass(frozen=True, slots=True)
class Redaction:
    """The public text and, in text order, what was removed from it."""

    text: str
    removed: tuple[Removed, ...]


@dataclass(frozen=True, slots=True)
class Reporter:
    """What the complaint itself says about its reporter; every field is optional."""

    name: str | None = None
    nik: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, object] | None) -> Reporter | None:
        """Build from a reporter block (a dict); unknown keys and non-text values are ignored."""
        if not data:
            return None
        fields = ("name", "nik", "phone", "email", "address")
        values = {key: _text(data.get(key)) for key in fields}
        return cls(**values)


def _text(value: object) -> str | None:
    """Return a non-blank string value, else None."""
    return value.strip() or None if isinstance(value, str) else None
