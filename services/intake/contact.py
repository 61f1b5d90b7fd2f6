"""Checking and normalising a reporter's contact details (pure functions).

The `phonenumbers` package is not installed in this project, so Indonesian mobile numbers are
normalised by the small rule set below, which covers the forms connectors send: `08…`, `628…`,
`+628…`, with spaces, dots, dashes or parentheses between the digits.
"""

from __future__ import annotations

import re

# Separators people and forms put inside phone numbers.
_SEPARATORS = re.compile(r"[\s.\-()/]")
# After the country code: a mobile number starts with 8 and is 9 to 12 digits long, i.e.
# 10 to 13 digits in the national `08…` form.
_MOBILE_SUBSCRIBER = re.compile(r"^8\d{8,11}$")
# Deliberately simple: one @, no spaces, a dotted domain. Full RFC 5322 parsing would accept
# addresses no mail system delivers; the connector is the place for stricter checks.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_NIK = re.compile(r"^\d{16}$")

PHONE_RULE = "an Indonesian mobile number: 08…, 628… or +628…, 10 to 13 digits in the 08… form"


def normalise_phone(raw: str) -> str:
    """Return an Indonesian mobile number in E.164 form (+628…); raise ValueError otherwise."""
    compact = _SEPARATORS.sub("", raw)
    if compact.startswith("+62"):
        subscriber = compact[3:]
    elif compact.startswith("62"):
        subscriber = compact[2:]
    elif compact.startswith("0"):
        subscriber = compact[1:]
    else:
        raise ValueError(f"phone must be {PHONE_RULE}")
    if not _MOBILE_SUBSCRIBER.fullmatch(subscriber):
        raise ValueError(f"phone must be {PHONE_RULE}")
    return "+62" + subscriber


def normalise_email(raw: str) -> str:
    """Return the address trimmed with its domain lower-cased; raise ValueError if malformed."""
    address = raw.strip()
    if len(address) > 254 or not _EMAIL.fullmatch(address):
        raise ValueError("email must be an address like name@example.go.id")
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def normalise_nik(raw: str) -> str:
    """Return a NIK without separators; raise ValueError unless it is exactly 16 digits."""
    compact = _SEPARATORS.sub("", raw)
    if not _NIK.fullmatch(compact):
        raise ValueError("nik must be exactly 16 digits")
    return compact
