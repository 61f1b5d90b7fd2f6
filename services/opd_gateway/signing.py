"""Webhook signatures: HMAC-SHA256 over `<timestamp>.<body>`, the scheme OPD receivers verify.

    X-Aduan-Timestamp: 1764410000
    X-Aduan-Signature: v1=<hex>, v1=<hex>

One `v1=` per configured secret, the current one first: during a rotation a receiver that still
knows only the old secret, or already only the new one, finds a signature it can check. The
timestamp is signed too, so a receiver refuses a replayed request older than its tolerance.
Pure: the caller passes the time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

TIMESTAMP = "X-Aduan-Timestamp"
SIGNATURE = "X-Aduan-Signature"
SCHEME = "v1"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Return the hex HMAC-SHA256 of `<timestamp>.<body>` under `secret`."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_headers(secrets: Sequence[str], timestamp: int, body: bytes) -> dict[str, str]:
    """Return the timestamp and signature headers, one signature per secret, in order."""
    if not secrets:
        raise ValueError("at least one secret is needed to sign")
    signed = ", ".join(f"{SCHEME}={signature(s, timestamp, body)}" for s in secrets)
    return {TIMESTAMP: str(timestamp), SIGNATURE: signed}


def verify(
    headers: Mapping[str, str], body: bytes, secret: str, *, now: int, tolerance_s: int = 300
) -> bool:
    """Whether one of the request's signatures is `secret`'s and its timestamp is recent."""
    try:
        timestamp = int(headers[TIMESTAMP])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = signature(secret, timestamp, body)
    offered = [part.strip() for part in headers.get(SIGNATURE, "").split(",")]
    return any(
        hmac.compare_digest(value, expected)
        for scheme, _, value in (part.partition("=") for part in offered)
        if scheme == SCHEME
    )
