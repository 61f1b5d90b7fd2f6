"""Tracking numbers."""

from __future__ import annotations

from services.intake.tracking import ALPHABET, is_tracking_number, new_tracking_number


def test_tracking_number_is_grouped_crockford_base32() -> None:
    number = new_tracking_number()
    assert is_tracking_number(number), number
    assert len(number) == len("ADU-XXXX-XXXX")


def test_alphabet_leaves_out_easily_confused_letters() -> None:
    assert len(ALPHABET) == 32
    assert not set("ILOU") & set(ALPHABET)


def test_tracking_numbers_do_not_repeat_in_a_large_draw() -> None:
    numbers = {new_tracking_number() for _ in range(20_000)}
    assert len(numbers) == 20_000
    assert all(set(n[4:].replace("-", "")) <= set(ALPHABET) for n in numbers)


def test_format_check_refuses_lookalikes() -> None:
    assert not is_tracking_number("ADU-7K3M-9QXO")  # O is not in the alphabet
    assert not is_tracking_number("adu-7k3m-9qxp")
    assert not is_tracking_number("ADU-7K3M9QXP")
