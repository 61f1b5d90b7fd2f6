"""The event contract: a CloudEvents 1.0 envelope around versioned pydantic payloads."""

from shared.events.envelope import CONTENT_TYPE, Envelope, encode
from shared.events.factory import follow, new_event
from shared.events.payloads import (
    Attachment,
    CaseResolved,
    Channel,
    Classification,
    ComplaintAssigned,
    ComplaintDispatched,
    ComplaintReceived,
    ComplaintResolved,
    Entry,
    FollowUpKind,
    FollowUpPosted,
    Location,
    Payload,
    Priority,
    Reporter,
    Thread,
)
from shared.events.registry import EVENT_TYPES, decode, type_of

__all__ = [
    "CONTENT_TYPE",
    "EVENT_TYPES",
    "Attachment",
    "CaseResolved",
    "Channel",
    "Classification",
    "ComplaintAssigned",
    "ComplaintDispatched",
    "ComplaintReceived",
    "ComplaintResolved",
    "Entry",
    "Envelope",
    "FollowUpKind",
    "FollowUpPosted",
    "Location",
    "Payload",
    "Priority",
    "Reporter",
    "Thread",
    "decode",
    "encode",
    "follow",
    "new_event",
    "type_of",
]
