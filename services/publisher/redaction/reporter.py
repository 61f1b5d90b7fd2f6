"""The reporter's own data, matched literally wherever it appears in the text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from services.publisher.redaction.lexicon import (
    COMMON,
    POSITIONS,
    STRONG_HONORIFICS,
    TITLES,
    WEAK_HONORIFICS,
)
from services.publisher.redaction.model import Kind, Reporter, Span

MIN_NAME_PART = 3
MIN_DIGITS = 6


def find(text: str, reporter: Reporter | None) -> Iterator[Span]:
    """Yield every occurrence of the reporter's name (and its parts) and other data."""
    if reporter is None:
        return
    for pattern, kind in _patterns(reporter):
        for match in pattern.finditer(text):
            yield Span(match.start(), match.end(), kind)


def _patterns(reporter: Reporter) -> Iterator[tuple[re.Pattern[str], Kind]]:
    """Yield a search pattern for each piece of the reporter block."""
    if reporter.name:
        for part in _name_parts(reporter.name):
            yield _words(part), Kind.NAME
    for value, kind in ((reporter.nik, Kind.NIK), (reporter.phone, Kind.PHONE)):
        digits = re.sub(r"\D", "", value or "")
        if len(digits) >= MIN_DIGITS:
            yield _digits(_national(digits) if kind is Kind.PHONE else digits), kind
    if reporter.email:
        yield re.compile(re.escape(reporter.email), re.IGNORECASE), Kind.EMAIL
    if reporter.address:
        yield _words(reporter.address), Kind.ADDRESS


def _name_parts(name: str) -> list[str]:
    """Return the full name, then each part long enough and not a title or common word."""
    words = [w.strip(".,") for w in name.split()]
    skip = STRONG_HONORIFICS | WEAK_HONORIFICS | TITLES | POSITIONS | COMMON
    parts = [w for w in words if len(w) >= MIN_NAME_PART and w.lower() not in skip]
    return [name, *parts]


def _words(value: str) -> re.Pattern[str]:
    """Match the words of `value` in order, any case, any blanks between them."""
    words = [re.escape(w) for w in value.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def _digits(digits: str) -> re.Pattern[str]:
    """Match the digits in order with optional separators, and a phone's usual prefixes."""
    body = r"[\s.\-]?".join(digits)
    return re.compile(r"(?:(?:\+?62|0)[\s.\-]?)?" + body + r"(?!\d)")


def _national(digits: str) -> str:
    """Strip a phone's country code or trunk zero."""
    if digits.startswith("62"):
        return digits[2:]
    return digits[1:] if digits.startswith("0") else digits
