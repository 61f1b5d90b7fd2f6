"""API-key authentication."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from services.intake.auth import Unauthorized, authenticate

KEYS = {"webform-jatim": SecretStr("k-jatim"), "webform-kaltara": SecretStr("k-kaltara")}


def test_key_identifies_its_connector() -> None:
    assert authenticate(KEYS, "k-kaltara") == "webform-kaltara"
    assert authenticate(KEYS, "k-jatim") == "webform-jatim"


def test_missing_key_says_the_header_is_required() -> None:
    with pytest.raises(Unauthorized, match="required"):
        authenticate(KEYS, None)


@pytest.mark.parametrize("key", ["k-jati", "k-jatim ", "K-JATIM"])
def test_wrong_key_is_refused(key: str) -> None:
    with pytest.raises(Unauthorized, match="valid key"):
        authenticate(KEYS, key)


def test_no_configured_keys_refuse_everyone() -> None:
    with pytest.raises(Unauthorized):
        authenticate({}, "anything")
