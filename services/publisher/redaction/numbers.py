"""NIK, KK and phone numbers: digit runs with separators, classified by length and context."""

from __future__ import annotations

import re
from collections.abc import Iterator

from services.publisher.redaction.model import Kind, Span

# A run of digit groups joined by one separator each: space, dot, dash, slash-free. A leading
# "+" and parentheses around an area code belong to the run ("+62 812-...", "(031) 5678").
_GROUP = r"\(?\d+\)?"
_RUN = re.compile(rf"(?<![\w+])\+?{_GROUP}(?:(?:[ .\-]|\) ?| ?- ?){_GROUP})*(?!\w)")
# Cue words; a placeholder ("[NIK]") left by an earlier pass is no cue (idempotence).
_KK_CUE = re.compile(
    r"(?<!\[)(?:\bk\.?k\b|kartu\s+keluarga|\bnkk\b|\bno\.?\s*kk\b)(?!\])", re.IGNORECASE
)
_NIK_CUE = re.compile(
    r"(?<!\[)(?:\bnik\b|\bktp\b|\bn\.i\.k\b|\bktp-?el\b|e-?ktp)(?!\])", re.IGNORECASE
)
_LOOKBACK = 40
NIK_LENGTH = 16
MAX_PIECES = 8


def find(text: str) -> Iterator[Span]:
    """Yield the NIK, KK and phone numbers in `text`."""
    for run in _RUN.finditer(text):
        start, end = _unbracket(run.group())
        yield from _split(text, run.start() + start, run.group()[start:end])


def _unbracket(run: str) -> tuple[int, int]:
    """Drop a parenthesis that only encloses the number, "(3578...)": it is not an area code."""
    start, end = 0, len(run)
    if run.startswith("(") and not re.match(r"\(0\d{1,3}\)", run):
        start = 1
    if run.endswith(")") and "(" not in run[start:]:
        end -= 1
    return start, end


def _split(text: str, offset: int, run: str) -> Iterator[Span]:
    """Split a run into numbers: from each piece, the longest stretch of pieces that is one."""
    # A run can hold two numbers side by side ("2023 0812 3456 7890"): greedy, left to right.
    parts = [(m.start(), m.end()) for m in re.finditer(r"\S+", run)]
    first = 0
    while first < len(parts):
        found = _longest(text, offset, run, parts, first)
        if found is None:
            first += 1
            continue
        last, kind = found
        yield Span(offset + parts[first][0], offset + parts[last][1], kind)
        first = last + 1


def _longest(
    text: str, offset: int, run: str, parts: list[tuple[int, int]], first: int
) -> tuple[int, Kind] | None:
    """Return the last piece and kind of the longest number starting at piece `first`."""
    # Bounded: a number is written in at most MAX_PIECES pieces, and a long run stays linear.
    for last in range(min(len(parts), first + MAX_PIECES) - 1, first - 1, -1):
        chunk = run[parts[first][0] : parts[last][1]]
        kind = _classify(text, offset + parts[first][0], chunk)
        if kind is not None:
            return last, kind
    return None


def _classify(text: str, offset: int, chunk: str) -> Kind | None:
    """Return the kind of one candidate number, or None when it is no personal number."""
    digits = re.sub(r"\D", "", chunk)
    if chunk.startswith(("+", "(")):
        return Kind.PHONE if _is_phone(digits, chunk) else None
    cue = _cue(text[max(0, offset - _LOOKBACK) : offset])
    unbroken = " " not in chunk
    # Longer unbroken digit strings go too: no run of 16 digits may survive.
    if (
        len(digits) == NIK_LENGTH
        or (cue and 14 <= len(digits) <= 18)
        or (unbroken and len(digits) > NIK_LENGTH)
    ):
        # Without a cue it is taken as a NIK (the commoner); it goes either way.
        return cue or Kind.NIK
    return Kind.PHONE if _is_phone(digits, chunk) else None


def _cue(before: str) -> Kind | None:
    """Return KK or NIK after the nearest cue word in the text before a number, if any."""
    kk = [m.end() for m in _KK_CUE.finditer(before)]
    nik = [m.end() for m in _NIK_CUE.finditer(before)]
    if not kk and not nik:
        return None
    return Kind.KK if max(kk, default=-1) > max(nik, default=-1) else Kind.NIK


def _is_phone(digits: str, chunk: str) -> bool:
    """Tell whether the digits are an Indonesian mobile or landline number."""
    national = _national(digits)
    if national is None:
        return False
    if national.startswith("8"):
        return 9 <= len(national) <= 12
    # A landline needs an area code that is visibly separated or in parentheses.
    return 8 <= len(national) <= 11 and bool(re.search(r"[()\s\-.]", chunk.strip()))


def _national(digits: str) -> str | None:
    """Return the number without its trunk prefix 0 or country code 62, else None."""
    if digits.startswith("62"):
        return digits[2:]
    if digits.startswith("0") and not digits.startswith("00"):
        return digits[1:]
    return None
