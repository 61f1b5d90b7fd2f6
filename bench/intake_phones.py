"""`python -m bench.intake_phones`: the regex-only phone normaliser against `phonenumbers`.

The regex rule is the one intake used before (kept here only as the baseline). Each contender
is scored on a labelled set of numbers as connectors send them, and timed per number.
"""

from __future__ import annotations

import re
import sys
import timeit
from collections.abc import Callable

from services.intake.contact import normalise_line, normalise_phone

_SEPARATORS = re.compile(r"[\s.\-()/]")
_MOBILE_SUBSCRIBER = re.compile(r"^8\d{8,11}$")

# (raw, expected mobile E.164 or None when it must be refused)
MOBILE_CASES: list[tuple[str, str | None]] = [
    ("081234567890", "+6281234567890"),
    ("0812-3456-7890", "+6281234567890"),
    ("+62 812 3456 7890", "+6281234567890"),
    ("6281234567890", "+6281234567890"),
    ("+62-857-1234-5678", "+6285712345678"),
    ("0896 1234 5678", "+6289612345678"),
    ("(0812) 345.678", "+62812345678"),
    ("+62 (0)812 3456 7890", "+6281234567890"),
    ("0062 812 3456 7890", "+6281234567890"),
    ("0800123456", None),  # toll-free, not a person's phone
    ("0801234567890", None),  # no such mobile prefix
    ("081234567", None),  # too short
    ("+6581234567", None),  # Singapore
    ("0812abc4567", None),  # letters
    ("81234567890", None),  # no prefix: ambiguous
    ("0311234567", None),  # a Surabaya landline is not a mobile
    ("112", None),
]
# Call-center caller numbers may be landlines.
LINE_CASES: list[tuple[str, str | None]] = [
    ("(031) 5678 123", "+62315678123"),
    ("021-3456-7890", "+622134567890"),
    ("+62 21 3456789", "+62213456789"),
    ("081234567890", "+6281234567890"),
    ("0800123456", None),
]


def regex_phone(raw: str) -> str:
    """The earlier rule: strip separators, accept 8 followed by 8 to 11 digits after a prefix."""
    compact = _SEPARATORS.sub("", raw)
    for prefix in ("+62", "62", "0"):
        if compact.startswith(prefix):
            subscriber = compact[len(prefix) :]
            if _MOBILE_SUBSCRIBER.fullmatch(subscriber):
                return "+62" + subscriber
            break
    raise ValueError("not a mobile number")


def score(normalise: Callable[[str], str], cases: list[tuple[str, str | None]]) -> int:
    """Count the cases a normaliser gets right (right number, or refused when it must be)."""
    right = 0
    for raw, expected in cases:
        try:
            got: str | None = normalise(raw)
        except ValueError:
            got = None
        right += got == expected
    return right


def per_number_us(normalise: Callable[[str], str]) -> float:
    """Median-ish cost of one typical number, in microseconds (best of 3 runs of 20,000)."""
    runs = timeit.repeat(lambda: normalise("+62 812-3456-7890"), number=20_000, repeat=3)
    return min(runs) / 20_000 * 1e6


def run() -> str:
    """Return the comparison as a table."""
    rows = [
        ("regex (before)", regex_phone, regex_phone),
        ("phonenumbers + guard (now)", normalise_phone, normalise_line),
    ]
    lines = ["| normaliser | mobile cases right | landline cases right | µs per number |"]
    lines.append("|---|---|---|---|")
    for name, mobile, line in rows:
        lines.append(
            f"| {name} | {score(mobile, MOBILE_CASES)}/{len(MOBILE_CASES)} "
            f"| {score(line, LINE_CASES)}/{len(LINE_CASES)} | {per_number_us(mobile):.1f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(run() + "\n")
