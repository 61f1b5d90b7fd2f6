"""Connector authentication by API key (pure)."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from pydantic import SecretStr

API_KEY_HEADER = "X-Api-Key"


class Unauthorized(Exception):
    """The request carries no key, or one no connector owns; the message says which."""


def authenticate(keys: Mapping[str, SecretStr], presented: str | None) -> str:
    """Return the connector id whose key was presented; raise Unauthorized otherwise.

    Every configured key is compared, in constant time each, so the answer's timing does not
    reveal which connector's key was close.
    """
    if not presented:
        raise Unauthorized(f"the {API_KEY_HEADER} header is required")
    offered = presented.encode()
    matched: str | None = None
    for connector_id, key in keys.items():
        if hmac.compare_digest(offered, key.get_secret_value().encode()):
            matched = connector_id
    if matched is None:
        raise Unauthorized(f"the {API_KEY_HEADER} header does not hold a valid key")
    return matched
