"""Property-based tests of every adapter: no input crashes it, and whatever it accepts maps to a
valid ComplaintReceived."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channel_samples import SAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from intake_support import RECEIVED_AT
from pydantic import ValidationError

from services.intake.adapters import ADAPTERS, Receipt
from services.intake.api import field_errors
from services.intake.rfc822 import UnreadableMessage, parse_message
from shared.events import ComplaintReceived

RECEIPT = Receipt("ADU-0000-0000", RECEIVED_AT, "fuzz")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def _dumps(value: object) -> bytes:
    """The stdlib encoder: unlike orjson it writes integers beyond 64 bits, as a client may."""
    return json.dumps(value).encode()


def check(channel: str, raw: bytes) -> None:
    """Either a 422-style refusal with reasons, or an event that validates again."""
    adapter = ADAPTERS[channel]
    try:
        body = adapter.parse(raw)
    except ValidationError as exc:
        assert all(error["msg"] for error in field_errors(exc))
        return
    event = adapter.to_payload(body, RECEIPT)
    again = ComplaintReceived.model_validate_json(event.model_dump_json())
    assert again.channel_ref == adapter.channel_ref(body) and again.title and again.body


@pytest.mark.parametrize("channel", sorted(SAMPLES))
@SETTINGS
@given(data=st.data())
def test_a_sample_with_any_field_replaced_never_crashes(channel: str, data: st.DataObject) -> None:
    body: dict[str, Any] = SAMPLES[channel]()
    keys = st.sampled_from(sorted(body)) | st.text(max_size=10)
    changes = data.draw(st.dictionaries(keys, JSON, max_size=3))
    check(channel, _dumps(body | changes))


@pytest.mark.parametrize("channel", sorted(SAMPLES))
@SETTINGS
@given(raw=st.binary(max_size=300))
def test_any_bytes_never_crash_an_adapter(channel: str, raw: bytes) -> None:
    check(channel, raw)


@SETTINGS
@given(text=st.text(max_size=600))
def test_any_raw_email_text_is_parsed_or_refused_with_a_reason(text: str) -> None:
    check("email", _dumps({"raw": text}))


@SETTINGS
@given(raw=st.binary(max_size=600))
def test_the_mail_parser_raises_only_its_own_error(raw: bytes) -> None:
    try:
        mail = parse_message(raw)
    except UnreadableMessage as exc:
        assert "cannot be read" in str(exc)
    else:
        assert isinstance(mail.text, str)
