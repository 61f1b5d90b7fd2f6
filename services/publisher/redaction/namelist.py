"""The list of Indonesian names (`given_names.txt`) and its spellings.

A name is written in many spellings: the old one (Soeharto, Djoko, Tjahjo, Sjamsul), the
English-looking one (Rudy, Rizky, Sumiyati) and the doubled one (Anna, Yusuff). `canonical`
compares a word with the list in a normalised form: oe/u, dj/j, tj/c, sj/sy, ch/kh/h, dh/d,
th/t, ph/f, q/k, y/i, double letters as one, a final -ie as -i. The list holds one
spelling of each name; a variant finds it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

NAMES_FILE = Path(__file__).with_name("given_names.txt")
# Old and new spellings, longest first where they overlap ("tj" before a lone "j").
_RESPELL = (
    *(("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("ch", "h"), ("kh", "h")),
    *(("dh", "d"), ("th", "t"), ("ph", "f"), ("q", "k"), ("y", "i")),
)
_DOUBLE = re.compile(r"(.)\1+")
# A variant must be this long: shorter words meet everyday words too often.
MIN_VARIANT_LENGTH = 4


def _load(path: Path) -> frozenset[str]:
    """Return the names listed in `path`: words of the lines that are not comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


def normalise(bare: str) -> str:
    """Return the spelling-neutral form of a lower-case word ("soemiyati" -> "sumiati")."""
    for old, new in _RESPELL:
        bare = bare.replace(old, new)
    bare = _DOUBLE.sub(r"\1", bare)
    return bare[:-1] if bare.endswith("ie") else bare


NAMES = _load(NAMES_FILE)
_BY_FORM = {normalise(name): name for name in sorted(NAMES) if len(name) >= MIN_VARIANT_LENGTH}


@lru_cache(maxsize=8192)
def canonical(bare: str) -> str | None:
    """Return the listed name that a lower-case word spells, or None."""
    if bare in NAMES:
        return bare
    if len(bare) < MIN_VARIANT_LENGTH:
        return None
    return _BY_FORM.get(normalise(bare))
