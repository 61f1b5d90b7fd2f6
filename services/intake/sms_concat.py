"""Joining a long SMS sent in parts (pure functions; the part store is in sms_parts.py).

Gateways deliver each part of a concatenated SMS as its own message with the UDH's reference,
part number and total. Parts may come in any order and more than once; the message is complete
when every number from 1 to total is there, and its text is the parts' texts in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

# A gateway's reference is one byte (or two) and gets reused: parts older than this belong to
# an earlier message whose other parts never came, and are ignored.
MAX_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class SmsPart:
    """One delivered part."""

    number: int
    total: int
    message_id: str
    text: str
    received_at: datetime


def group_key(connector_id: str, gateway_id: str, msisdn: str, ref: int, total: int) -> str:
    """The parts of one message share connector, gateway, sender, UDH reference and total."""
    return f"{connector_id}|{gateway_id}|{msisdn}|{ref}|{total}"


def current(parts: Mapping[int, SmsPart], newest: SmsPart) -> dict[int, SmsPart]:
    """Keep the parts that can belong to the same message as `newest` (not too old)."""
    oldest = newest.received_at - MAX_AGE
    return {n: p for n, p in parts.items() if p.received_at >= oldest or n == newest.number}


def is_complete(parts: Mapping[int, SmsPart], total: int) -> bool:
    """Tell whether every part from 1 to `total` has arrived."""
    return all(number in parts for number in range(1, total + 1))


def join(parts: Mapping[int, SmsPart]) -> SmsPart:
    """Return the whole message: texts in part order, the first part's id and time.

    Parts are cut at a byte boundary, not a word, so they are joined with nothing between.
    """
    ordered = [parts[number] for number in sorted(parts)]
    first = ordered[0]
    return SmsPart(
        number=1,
        total=1,
        message_id=first.message_id,
        text="".join(part.text for part in ordered),
        received_at=min(part.received_at for part in ordered),
    )
