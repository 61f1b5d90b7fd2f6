"""The GSM 03.38 7-bit alphabet: what fits in one SMS (160 septets) and how to get there. Pure."""

from __future__ import annotations

from typing import Final

SMS_LIMIT: Final = 160
_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs an escape septet too.
_EXTENDED: Final = frozenset("^{}\\[~]|€\f")
# Typographic characters that have a plain GSM-7 look-alike; anything else becomes "?".
_LOOK_ALIKES: Final = {
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',  # curly quotes
    "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\t": " ",
}  # fmt: skip


def septets(text: str) -> int:
    """Return the septets `text` takes in one GSM-7 SMS; raise ValueError for other characters."""
    bad = sorted({ch for ch in text if ch not in _BASIC and ch not in _EXTENDED})
    if bad:
        raise ValueError(f"not in the GSM-7 alphabet: {bad!r}")
    return len(text) + sum(ch in _EXTENDED for ch in text)


def to_gsm7(text: str) -> str:
    """Return `text` in the GSM-7 alphabet: look-alikes for typographic marks, `?` for the rest
    (a UCS-2 SMS holds only 70 characters, so one odd character would cost the message)."""
    out = (_LOOK_ALIKES.get(ch, ch) for ch in text)
    return "".join(ch if ch in _BASIC or ch in _EXTENDED else "?" for chunk in out for ch in chunk)
