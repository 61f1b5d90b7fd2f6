"""Webhook signatures: what a receiver computes on its own must match, rotation included."""

from __future__ import annotations

import hashlib
import hmac

from services.opd_gateway.signing import SIGNATURE, TIMESTAMP, signature_headers, verify

BODY = b'{"id":"01JABC","type":"id.aduan.complaint.dispatched"}'
NOW = 1_764_410_000


def receiver_signature(secret: str, timestamp: str, body: bytes) -> str:
    """What an OPD's receiver computes from the documented scheme, without our code."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    headers = signature_headers(["s3cret"], NOW, BODY)
    assert headers[TIMESTAMP] == str(NOW)
    assert headers[SIGNATURE] == "v1=" + receiver_signature("s3cret", str(NOW), BODY)


def test_during_a_rotation_both_secrets_sign_the_new_one_first() -> None:
    headers = signature_headers(["new", "old"], NOW, BODY)
    offered = [part.strip() for part in headers[SIGNATURE].split(",")]
    assert offered == [
        "v1=" + receiver_signature("new", str(NOW), BODY),
        "v1=" + receiver_signature("old", str(NOW), BODY),
    ]
    # A receiver that knows only one of them, either one, accepts the request.
    assert verify(headers, BODY, "old", now=NOW)
    assert verify(headers, BODY, "new", now=NOW)


def test_a_changed_body_a_wrong_secret_or_an_old_timestamp_is_refused() -> None:
    headers = signature_headers(["s3cret"], NOW, BODY)
    assert not verify(headers, BODY + b" ", "s3cret", now=NOW)
    assert not verify(headers, BODY, "other", now=NOW)
    assert not verify(headers, BODY, "s3cret", now=NOW + 301)
    assert verify(headers, BODY, "s3cret", now=NOW + 299)


def test_a_moved_timestamp_breaks_the_signature() -> None:
    headers = signature_headers(["s3cret"], NOW, BODY)
    assert not verify({**headers, TIMESTAMP: str(NOW + 1)}, BODY, "s3cret", now=NOW)


def test_missing_or_malformed_headers_are_refused_not_raised() -> None:
    assert not verify({}, BODY, "s3cret", now=NOW)
    assert not verify({TIMESTAMP: "soon", SIGNATURE: "v1=00"}, BODY, "s3cret", now=NOW)
    assert not verify({TIMESTAMP: str(NOW), SIGNATURE: "v0=abc"}, BODY, "s3cret", now=NOW)
