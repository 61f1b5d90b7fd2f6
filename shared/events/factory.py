"""Making new events: ids, times, and the correlation chain."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from ulid import ULID

from shared.events.envelope import Envelope
from shared.events.payloads import Payload
from shared.events.registry import ENVELOPE_CLASSES

P = TypeVar("P", bound=Payload)


def new_event(
    data: P,
    *,
    complaint_id: str,
    source: str,
    correlation_id: str | None = None,
    time: datetime | None = None,
) -> Envelope[P]:
    """Wrap a payload in a new envelope; the first event of a chain correlates to itself."""
    event_id = str(ULID())
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
    """Return a new event caused by `parent`: same case, same correlation id."""
    return new_event(
        data,
        complaint_id=parent.subject,
        source=source,
        correlation_id=parent.correlation_id,
        time=time,
    )
