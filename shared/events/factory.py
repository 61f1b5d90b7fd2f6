"""Making new events: ids, times, and the correlation chain."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, TypeVar

from ulid import ULID

from shared.events.envelope import Envelope
from shared.events.payloads import Payload
from shared.events.registry import ENVELOPE_CLASSES, type_of

P = TypeVar("P", bound=Payload)


def new_event(
    data: P,
    *,
    complaint_id: str,
    source: str,
    correlation_id: str | None = None,
    time: datetime | None = None,
    event_id: str | None = None,
) -> Envelope[P]:
    """Wrap a payload in a new envelope; the first event of a chain correlates to itself."""
    event_id = event_id or str(ULID())
    event_class = ENVELOPE_CLASSES[type(data)]
    return event_class(  # type: ignore[call-arg]
        id=event_id,
        source=source,
        time=time or datetime.now(UTC),
        subject=complaint_id,
        correlation_id=correlation_id or event_id,
        data=data,
    )


def follow(
    parent: Envelope[Any], data: P, *, source: str, time: datetime | None = None
) -> Envelope[P]:
    """Return the event `parent` caused: same case, same correlation id, and an id and time
    derived from the parent alone, so a replay of `parent` yields the very same event."""
    return new_event(
        data,
        complaint_id=parent.subject,
        source=source,
        correlation_id=parent.correlation_id,
        time=time or parent.time,
        event_id=derived_id(parent.id, type_of(type(data))[0]),
    )


def derived_id(parent_id: str, derived_type: str) -> str:
    """Return a ULID for the `derived_type` event caused by event `parent_id`: it keeps the
    parent's timestamp (ids stay time-sortable) and hashes the pair for the random part."""
    digest = hashlib.sha256(f"{parent_id}|{derived_type}".encode()).digest()
    try:
        stamp = ULID.from_str(parent_id).bytes[:6]
    except ValueError:  # a parent id from outside (not a ULID): hash it all
        stamp = digest[10:16]
    return str(ULID.from_bytes(stamp + digest[:10]))
