"""The inbox's actions: the request bodies, the event each becomes, and whether the case may
take it now. Pure.

An action is checked against the shared transition table with the case's status as the
gateway last read it, moved on by the actions it accepted since (they may not be back from
Kafka yet), so two quick actions are checked in the order they were accepted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.opd_gateway.case import OpdCase, moved
from shared.events import (
    Attachment,
    ComplaintPostponed,
    ComplaintResolved,
    ComplaintReturned,
    FollowUpKind,
    FollowUpPosted,
    Payload,
)
from shared.lifecycle import Kind, Status

# Blank text is refused here (422) as the event models would refuse it later.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FollowUpCreate(_Body):
    """A follow-up: `normative` (a template answer) or `substantive`; attachments by reference."""

    text: Text
    kind: FollowUpKind
    author: Name | None = None
    attachments: list[Attachment] = Field(default_factory=list, max_length=20)


class ResolveCreate(_Body):
    """The OPD declares the case finished."""

    resolution: Text
    resolved_by: Name | None = None


class ReturnCreate(_Body):
    """Not our competence (bukan wewenang): the case goes back to the coordinator's triage."""

    reason: Text
    by: Name | None = None


class PostponeCreate(_Body):
    """Tunda: the reporter must first send what is missing."""

    missing: list[Name] = Field(min_length=1, max_length=20)
    note: Text | None = None
    by: Name


ActionBody = FollowUpCreate | ResolveCreate | ReturnCreate | PostponeCreate


@dataclass(frozen=True)
class Refusal:
    """The case cannot take the action now (HTTP 409), and why."""

    reason: str


def kind_of_action(body: ActionBody) -> Kind:
    """Return what the action does to a case, in the transition table's terms."""
    kinds: dict[type[ActionBody], Kind] = {
        FollowUpCreate: Kind.FOLLOW_UP,
        ResolveCreate: Kind.RESOLVED,
        ReturnCreate: Kind.RETURNED,
        PostponeCreate: Kind.POSTPONED,
    }
    return kinds[type(body)]


def status_now(case: OpdCase, accepted_since: Iterable[Kind]) -> Status:
    """Return the case's status once the actions accepted since its last read are applied."""
    status = case.status
    for kind in accepted_since:
        status = moved(status, kind) or status
    return status


def check(status: Status, kind: Kind) -> Status | Refusal:
    """Return the status `kind` moves the case to, or the refusal the sla would give."""
    target = moved(status, kind)
    if target is None:
        return Refusal(f"{kind} is not allowed when the case is {status}")
    return target


def payload_of(body: ActionBody, opd_code: str, now: datetime) -> Payload:
    """Return the event payload a Kafka-speaking OPD would send for this action."""
    if isinstance(body, FollowUpCreate):
        return FollowUpPosted(
            opd_code=opd_code, text=body.text, kind=body.kind, author=body.author,
            attachments=body.attachments, posted_at=now,
        )  # fmt: skip
    if isinstance(body, ResolveCreate):
        return ComplaintResolved(
            opd_code=opd_code, resolution=body.resolution, resolved_at=now,
            resolved_by=body.resolved_by,
        )  # fmt: skip
    if isinstance(body, ReturnCreate):
        return ComplaintReturned(opd_code=opd_code, reason=body.reason, returned_at=now, by=body.by)
    return ComplaintPostponed(missing=body.missing, note=body.note, by=body.by, postponed_at=now)
