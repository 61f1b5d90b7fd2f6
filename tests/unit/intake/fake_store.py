"""An in-memory stand-in for the intake's store boundary (repository, relay, SMS part store).

Only the store is replaced: routes, auth, limits, adapters and `accept` run for real.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from services.intake.accept import RelayClaim
from services.intake.repository import DuplicateComplaint, StoredComplaint
from services.intake.sms_concat import SmsPart, current, is_complete


class FakeRepository:
    """Keeps complaints in a dict and enforces the same unique keys as the real indexes."""

    def __init__(self) -> None:
        self.complaints: dict[str, StoredComplaint] = {}
        self._lock = threading.Lock()  # a unique index is atomic, even for concurrent inserts

    def insert(self, complaint: StoredComplaint) -> None:
        with self._lock:
            for other in self.complaints.values():
                if _key(other) == _key(complaint) or (
                    other.tracking_number == complaint.tracking_number
                ):
                    raise DuplicateComplaint("duplicate key")
            self.complaints[complaint.complaint_id] = complaint

    def find_by_channel_ref(
        self, channel: str, channel_ref: str, connector_id: str
    ) -> StoredComplaint | None:
        wanted = (connector_id, channel, channel_ref)
        return next((c for c in self.complaints.values() if _key(c) == wanted), None)

    def find(self, complaint_id: str) -> StoredComplaint | None:
        return self.complaints.get(complaint_id)

    def find_by_tracking_number(self, tracking_number: str) -> StoredComplaint | None:
        found = (c for c in self.complaints.values() if c.tracking_number == tracking_number)
        return next(found, None)


def _key(complaint: StoredComplaint) -> tuple[str, str, str]:
    return (complaint.connector_id, complaint.channel, complaint.channel_ref)


class FakeRelay:
    """Keeps what it is offered instead of publishing."""

    def __init__(self) -> None:
        self.offered: list[StoredComplaint] = []

    def claim(self) -> RelayClaim:
        return RelayClaim(owner="test-relay", lease=timedelta(seconds=60))

    def offer(self, complaint: StoredComplaint) -> None:
        self.offered.append(complaint)


class MemoryPartStore:
    """The SMS part store's contract, in a dict."""

    def __init__(self) -> None:
        self.groups: dict[str, dict[int, SmsPart]] = {}

    def add(self, key: str, part: SmsPart) -> dict[int, SmsPart] | None:
        group = current({**self.groups.get(key, {}), part.number: part}, part)
        self.groups[key] = group
        if not is_complete(group, part.total):
            return None
        del self.groups[key]
        return group


def install(app: FastAPI) -> dict[str, Any]:
    """Put the fakes where the lifespan would put the real store; return them."""
    fakes = {"repo": FakeRepository(), "relay": FakeRelay(), "sms_parts": MemoryPartStore()}
    for name, fake in fakes.items():
        setattr(app.state, name, fake)
    return fakes
