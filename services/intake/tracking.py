"""Tracking numbers: short, human-friendly, unguessable (pure functions)."""

from __future__ import annotations

import re
import secrets

# Crockford base32: digits and letters without I, L, O and U, so a number read aloud or
# copied by hand is not mistaken for another.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "ADU"
_LENGTH = 8  # 32**8 ≈ 1.1e12 numbers: collisions are rare and retried on the unique index
_FORMAT = re.compile(rf"^{PREFIX}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")
_IN_TEXT = re.compile(rf"\b{PREFIX}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}\b")


def new_tracking_number() -> str:
    """Return a fresh tracking number such as `ADU-7K3M-9QXP`, drawn from a CSPRNG."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(_LENGTH))
    return f"{PREFIX}-{chars[:4]}-{chars[4:]}"


def is_tracking_number(text: str) -> bool:
    """Tell whether `text` has the tracking number format."""
    return bool(_FORMAT.fullmatch(text))


def tracking_numbers_in(text: str) -> list[str]:
    """Return the tracking numbers written in `text` (e.g. a reply's subject), in order."""
    return list(dict.fromkeys(_IN_TEXT.findall(text.upper())))
