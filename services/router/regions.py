"""Region codes: BPS `3578` and Kemendagri `35.78` are one code; `35.78` is the canonical form."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from shared.events.payloads import RegionCode


def canonical(code: str) -> str:
    """Return `35.78` for `3578` or `35.78` (and `35` for `35`), digits in pairs, dotted."""
    digits = code.replace(".", "")
    return ".".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def digits(code: str) -> str:
    """Return the code without dots, for prefix tests (`35` is a prefix of `3578`)."""
    return code.replace(".", "")


# A province or kabupaten/kota in either form (the shared contract's type), kept canonical.
RulePrefix = Annotated[RegionCode, AfterValidator(canonical)]
