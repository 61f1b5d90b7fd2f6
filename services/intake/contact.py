"""Checking and normalising a reporter's contact details (pure functions).

Phone numbers go through `phonenumbers` (libphonenumber's metadata: which Indonesian prefixes
and lengths exist), behind a guard of our own: the library reads letters as keypad digits and
takes numbers of any country, which a complaint's contact number must not be. The README says
why this beat the earlier regex-only normaliser, with the measurements.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

# Only digits, a leading + and the separators people and forms put inside numbers.
_PHONE_CHARS = re.compile(r"^\+?[0-9 .\-()/]{6,40}$")
_SEPARATORS = re.compile(r"[ .\-()/]")
_MOBILE = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_ANY_LINE = _MOBILE | {PhoneNumberType.FIXED_LINE}
# Deliberately simple: one @, no spaces, a dotted domain. Full RFC 5322 parsing would accept
# addresses no mail system delivers; the connector is the place for stricter checks.
EMAIL_PATTERN = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
_EMAIL = re.compile(EMAIL_PATTERN)
NIK_PATTERN = r"^[0-9]{4} ?[0-9]{4} ?[0-9]{4} ?[0-9]{4}$"  # ASCII digits: \d takes any script
_NIK = re.compile(NIK_PATTERN)

PHONE_RULE = "an Indonesian mobile number: 08…, 628… or +628…, 10 to 13 digits in the 08… form"
LINE_RULE = "an Indonesian phone number: 08…, 628…, +628… or a landline such as 031-…"


def normalise_phone(raw: str) -> str:
    """Return an Indonesian mobile number in E.164 form (+628…); raise ValueError otherwise."""
    return _normalise(raw, _MOBILE, PHONE_RULE)


def normalise_line(raw: str) -> str:
    """Return an Indonesian mobile or landline number in E.164 form; raise ValueError otherwise.

    Call centers see landlines too; SMS and WhatsApp senders are always mobile.
    """
    return _normalise(raw, _ANY_LINE, LINE_RULE)


def _normalise(raw: str, kinds: frozenset[int], rule: str) -> str:
    # A number without 0, 62 or + in front ("812…") is ambiguous: refuse it rather than guess.
    compact = _SEPARATORS.sub("", raw.strip())
    if not _PHONE_CHARS.fullmatch(raw.strip()) or not compact.startswith(("0", "62", "+")):
        raise ValueError(f"phone must be {rule}")
    number = _parse(_international(raw))
    if number is None or phonenumbers.region_code_for_number(number) != "ID":
        raise ValueError(f"phone must be {rule}")
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in kinds:
        raise ValueError(f"phone must be {rule}")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _international(raw: str) -> str:
    """Spell the forms the library would misread (628…, 00628…) with a leading +."""
    compact = _SEPARATORS.sub("", raw.strip())
    if compact.startswith("00"):
        return "+" + compact[2:]
    if compact.startswith("62"):  # national numbers start with 0, so 62… is the country code
        return "+" + compact
    return raw


def _parse(text: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, "ID")
    except NumberParseException:
        return None


def normalise_email(raw: str) -> str:
    """Return the address trimmed with its domain lower-cased; raise ValueError if malformed."""
    address = raw.strip()
    if len(address) > 254 or not _EMAIL.fullmatch(address):
        raise ValueError("email must be an address like name@example.go.id")
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def normalise_nik(raw: str) -> str:
    """Return a NIK without separators; raise ValueError unless it is exactly 16 digits."""
    if not _NIK.fullmatch(raw.strip()):
        raise ValueError("nik must be exactly 16 digits")
    return _SEPARATORS.sub("", raw)
