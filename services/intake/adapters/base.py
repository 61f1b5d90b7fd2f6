"""What a channel adapter is: its wire model and the pure mapping to ComplaintReceived."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from shared.events import Channel, ComplaintReceived

B = TypeVar("B", bound=BaseModel)


@dataclass(frozen=True)
class Receipt:
    """What intake adds to every submission: its tracking number, when, and through whom."""

    tracking_number: str
    received_at: datetime
    connector_id: str


@dataclass(frozen=True)
class Citation:
    """What a message cites that may make it a reply on an existing case rather than a new
    complaint (an e-mail answering one of notify's messages)."""

    complaint_ids: tuple[str, ...]  # cases named by the Message-IDs it answers
    tracking_numbers: tuple[str, ...]  # tracking numbers in its subject
    sender: str | None  # the sender's address, normalised: it must be the case's reporter
    text: str


@dataclass(frozen=True)
class Adapter(Generic[B]):
    """One channel's HTTP intake: the body its connector sends and how it becomes an event.

    Adding a channel is one new module that defines an `Adapter` and one line in the
    registry (`adapters/__init__.py`); the route, auth, limits, storage and relay are shared.
    """

    channel: Channel
    model: type[B]
    channel_ref: Callable[[B], str]  # the channel's native id: the idempotency key
    to_payload: Callable[[B, Receipt], ComplaintReceived]
    # For channels whose messages come in parts (long SMS): given the body, the connector id
    # and the app's state, return the whole message, or None while parts are still missing.
    gather: Callable[[B, str, Any], B | None] | None = None
    # For channels whose messages can answer ours (e-mail): what the body cites, or None.
    cites: Callable[[B], Citation | None] | None = None

    def parse(self, raw: bytes) -> B:
        """Validate a JSON body; raise pydantic.ValidationError with per-field reasons."""
        return self.model.model_validate_json(raw)

    def schema(self) -> dict[str, Any]:
        """Return the body's JSON Schema, for the OpenAPI document."""
        return self.model.model_json_schema(ref_template="#/components/schemas/{model}")
