"""Indonesian text normalisation for keyword matching: pure functions, no I/O."""

from __future__ import annotations

import re
from typing import Final

# Common informal spellings and abbreviations in Indonesian complaints (SMS, WhatsApp, social
# media), mapped to the standard word(s) the rules are written in. Keys are single tokens.
SLANG: Final[dict[str, str]] = {
    "jl": "jalan",
    "jln": "jalan",
    "gk": "tidak",
    "ga": "tidak",
    "gak": "tidak",
    "nggak": "tidak",
    "enggak": "tidak",
    "tdk": "tidak",
    "tak": "tidak",
    "yg": "yang",
    "dgn": "dengan",
    "dg": "dengan",
    "rs": "rumah sakit",
    "rsud": "rumah sakit umum daerah",
    "pkm": "puskesmas",
    "sy": "saya",
    "sya": "saya",
    "bgt": "banget",
    "udh": "sudah",
    "sdh": "sudah",
    "blm": "belum",
    "krn": "karena",
    "karna": "karena",
    "utk": "untuk",
    "tp": "tapi",
    "dr": "dari",
    "sm": "sama",
    "kpd": "kepada",
    "bpk": "bapak",
    "tlg": "tolong",
    "tolongin": "tolong",
    "skrg": "sekarang",
    "lg": "lagi",
    "bnyk": "banyak",
    "byk": "banyak",
    "dlm": "dalam",
    "kab": "kabupaten",
    "kec": "kecamatan",
    "kel": "kelurahan",
    "ektp": "ktp",
}

_REDUPLICATION = re.compile(r"\b([^\W\d_]+)2\b")  # "anak2" is written for "anak-anak"
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")  # three or more of one letter: "rusakkkk"
_SPACES = re.compile(r"\s+")


def _collapse_repeats(text: str) -> str:
    """Shrink runs of 3+ equal letters to one; runs of 2 stay ("saat", "maaf" are words)."""
    return _REPEATS.sub(r"\1", text)


def normalise(text: str) -> str:
    """Return lower-case, punctuation-free text with repeats collapsed and slang expanded."""
    text = text.lower()
    text = _REDUPLICATION.sub(r"\1 \1", text)
    text = _PUNCTUATION.sub(" ", text)
    text = _collapse_repeats(text)
    words = [SLANG.get(word, word) for word in text.split()]
    return _SPACES.sub(" ", " ".join(words)).strip()


def contains_phrase(normalised_text: str, normalised_phrase: str) -> bool:
    """Say whether the phrase occurs in the text as whole words."""
    if not normalised_phrase:
        return False
    return f" {normalised_phrase} " in f" {normalised_text} "
