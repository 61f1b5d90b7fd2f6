"""Region codes of Indonesian governments: one type, both written forms, one canonical form.

A province is two digits (`35`, Jawa Timur); a kabupaten/kota adds two more, written the BPS way
(`3578`) or the Kemendagri way (`35.78`, Kota Surabaya). Inside the pipeline the dotted form is
the one kept, so a comparison never has to care how a connector wrote it.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

REGION_PATTERN = r"^\d{2}(\.?\d{2})?$"
_FORM = re.compile(REGION_PATTERN)


def canonical_region(code: str) -> str:
    """Return `code` in the canonical form (`35` or `35.78`); raise ValueError when malformed."""
    text = code.strip()
    if not _FORM.fullmatch(text):
        raise ValueError("a region code is a province (35) or kabupaten/kota (35.78 or 3578)")
    digits = text.replace(".", "")
    return digits if len(digits) == 2 else f"{digits[:2]}.{digits[2:]}"


def region_digits(code: str) -> str:
    """Return the code without its dot, for prefix tests (`35` is a prefix of `3578`)."""
    return code.replace(".", "")


def province_of(code: str) -> str:
    """Return the province part of a region code."""
    return canonical_region(code)[:2]


# The pattern stays in the JSON Schema (unchanged from the frozen event schemas); the validator
# then rewrites `3578` as `35.78`.
RegionCode = Annotated[
    str, StringConstraints(pattern=REGION_PATTERN), AfterValidator(canonical_region)
]
