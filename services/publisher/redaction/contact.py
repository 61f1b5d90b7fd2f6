"""E-mail addresses (also spelt out: "budi at gmail dot com") and vehicle plates."""

from __future__ import annotations

import re
from collections.abc import Iterator

from services.publisher.redaction.lexicon import PLATE_CODES
from services.publisher.redaction.model import Kind, Span

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
# Spelt out: the "dot" / "titik" and a known top-level domain at the end keep this from
# matching ordinary prose that happens to contain the English "at".
_AT = r"\s*(?:@|\(at\)|\[at\]|\bat\b)\s*"
_DOT = r"\s*(?:\.|\(dot\)|\[dot\]|\bdot\b|\btitik\b)\s*"
_TLD = r"(?:com|net|org|id|co|go|ac|sch|or|web|my|info|biz)"
_OBFUSCATED = re.compile(
    rf"(?<![\w.+-])[A-Za-z0-9][\w.+-]*{_AT}[A-Za-z0-9-]+(?:{_DOT}{_TLD}\b)+",
    re.IGNORECASE,
)
# "L 1234 AB", "B1234XYZ", "KT 1234 AB"; lower case only after a cue word (plat, nopol). Not a
# piece of a hyphenated code such as a tracking number ("ADU-N7PE-H95H").
_PLATE = re.compile(r"(?<![\w-])([A-Za-z]{1,2}) ?-?(\d{1,4}) ?-?([A-Za-z]{1,3})(?![\w-])")
_PLATE_CUE = re.compile(
    r"(?:plat|pelat|nopol|no\.?\s*pol|nomor\s+polisi|no\.?\s*kendaraan|tnkb)\W*(?:nomor|no\.?)?\W*$",
    re.IGNORECASE,
)


def find(text: str) -> Iterator[Span]:
    """Yield the e-mail addresses and vehicle plates in `text`."""
    for match in _EMAIL.finditer(text):
        yield Span(match.start(), match.end(), Kind.EMAIL)
    for match in _OBFUSCATED.finditer(text):
        if "@" not in match.group():
            yield Span(match.start(), match.end(), Kind.EMAIL)
    for match in _PLATE.finditer(text):
        if _is_plate(match, text):
            yield Span(match.start(), match.end(), Kind.PLATE)


def _is_plate(match: re.Match[str], text: str) -> bool:
    """Tell whether a letters-digits-letters group is a plate: a known region code, and
    upper case with at least two digits, or any case right after a cue word."""
    code, digits, suffix = match.groups()
    if code.lower() not in PLATE_CODES:
        return False
    if _PLATE_CUE.search(text[max(0, match.start() - 25) : match.start()]):
        return True
    upper = code.isupper() and suffix.isupper()
    return upper and len(digits) >= 2
