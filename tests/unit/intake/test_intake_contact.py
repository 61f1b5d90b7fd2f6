"""Phone, e-mail and NIK normalisation."""

from __future__ import annotations

import pytest

from services.intake.contact import normalise_email, normalise_line, normalise_nik, normalise_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("081234567890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("(0812) 345.678", "+62812345678"),  # 10 digits: the shortest mobile number
        ("0812345678901", "+62812345678901"),  # 13 digits: the longest
        ("+62 (0)812 3456 7890", "+6281234567890"),  # the trunk 0 kept in brackets
        ("0062 812 3456 7890", "+6281234567890"),  # international dialling prefix
        ("6285712345678", "+6285712345678"),  # WhatsApp's wa_id form
    ],
)
def test_mobile_numbers_in_every_form_become_e164(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "081234567",  # 9 digits
        "08123456789012",  # 14 digits
        "0311234567",  # a Surabaya landline, not a mobile number
        "+6581234567",  # Singapore
        "81234567890",  # no prefix at all
        "0812abc4567",  # the library alone would read letters as keypad digits
        "0800123456",  # toll-free
        "0801234567890",  # no such mobile prefix
        "",
    ],
)
def test_other_numbers_are_refused_with_the_rule(raw: str) -> None:
    with pytest.raises(ValueError, match="Indonesian mobile number"):
        normalise_phone(raw)


def test_email_domain_is_lowercased_and_local_part_kept() -> None:
    assert normalise_email("  Siti.A@Example.GO.ID ") == "Siti.A@example.go.id"


@pytest.mark.parametrize("raw", ["siti", "siti@", "@example.id", "siti@example", "a b@example.id"])
def test_malformed_email_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="email"):
        normalise_email(raw)


def test_nik_accepts_16_digits_with_separators() -> None:
    assert normalise_nik("3578 0141 0190 0001") == "3578014101900001"


@pytest.mark.parametrize("raw", ["357801410190000", "35780141019000011", "357801410190000X"])
def test_nik_of_wrong_length_or_with_letters_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="16 digits"):
        normalise_nik(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("(031) 5678 123", "+62315678123"), ("021-3456-7890", "+622134567890")],
)
def test_call_center_lines_accept_landlines(raw: str, expected: str) -> None:
    assert normalise_line(raw) == expected


def test_landline_rule_still_refuses_toll_free_and_foreign_numbers() -> None:
    for raw in ("0800123456", "+6581234567"):
        with pytest.raises(ValueError, match="Indonesian phone number"):
            normalise_line(raw)


def test_nik_in_other_scripts_is_refused() -> None:
    with pytest.raises(ValueError, match="16 digits"):
        normalise_nik("٣٥٧٨٠١٤١٠١٩٠٠٠٠١")  # Arabic-Indic digits match \d, not the rule
