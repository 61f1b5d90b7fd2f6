"""The case lifecycle's transition table: which event may move a case from which status. Pure.

The sla applies it to every case (`services.sla.lifecycle`); the OPD gateway checks an inbox
action against it before accepting it, so an OPD on HTTP is refused exactly what the sla would
refuse from an OPD on Kafka. One table, here, so the two cannot disagree.

`TRANSITIONS`: (status, kind of event) -> the next status, KEEP (merge the event's data, the
status stays), HOLD (too early: the sla keeps the event until the case can take it), or no entry,
which refuses the event. `None` is the status of a case not seen yet.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from shared.events import (
    ComplaintArchived,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintForwarded,
    ComplaintPostponed,
    ComplaintReassigned,
    ComplaintReceived,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintReturned,
    FollowUpPosted,
)


class Status(StrEnum):
    """Where a case stands; `TRANSITIONS` below says how it moves."""

    RECEIVED = "received"  # belum terverifikasi
    TRIAGE = "triage"  # in the admin's triage queue, not yet disposed to an OPD
    ASSIGNED = "assigned"  # terdisposisi belum ditindaklanjuti
    IN_PROGRESS = "in_progress"  # terdisposisi sedang diproses (after a follow-up)
    POSTPONED = "postponed"  # tertunda: waits for data from the reporter
    RESOLVED = "resolved"  # terdisposisi selesai
    CLOSED = "closed"  # the reporter's window passed, or the reporter accepted
    ARCHIVED = "archived"  # arsip
    FORWARDED = "forwarded"  # bukan wewenang: forwarded to the competent institution

    @property
    def label(self) -> str:
        """Return the Indonesian label a citizen sees."""
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: "Belum terverifikasi",
    Status.TRIAGE: "Sedang diverifikasi",
    Status.ASSIGNED: "Terdisposisi - belum ditindaklanjuti",
    Status.IN_PROGRESS: "Terdisposisi - sedang diproses",
    Status.POSTPONED: "Tertunda",
    Status.RESOLVED: "Terdisposisi - selesai",
    Status.CLOSED: "Selesai - ditutup",
    Status.ARCHIVED: "Arsip",
    Status.FORWARDED: "Diteruskan - bukan wewenang",
}


class Kind(StrEnum):
    """What an event does to a case."""

    RECEIVED = "received"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    FOLLOW_UP = "follow_up"
    RESOLVED = "resolved"
    REASSIGNED = "reassigned"
    RETURNED = "returned"  # the OPD says: not our competence
    POSTPONED = "postponed"  # tunda: data from the reporter is missing
    REOPENED = "reopened"  # the reporter answered a resolution
    CLOSED = "closed"
    ARCHIVED = "archived"
    FORWARDED = "forwarded"  # bukan wewenang: another institution is competent


class Keep(StrEnum):
    """Table outcomes that are not a status."""

    KEEP = "keep"
    HOLD = "hold"


KEEP: Final = Keep.KEEP
HOLD: Final = Keep.HOLD
S = Status
K = Kind
# Late data about the case (a `received` read after its assignment) merges in any state.
_LATE: dict[Kind, Status | Keep] = {K.RECEIVED: KEEP, K.TRIAGED: KEEP, K.ASSIGNED: KEEP}
_WITH_OPD: dict[Kind, Status | Keep] = {
    **_LATE,
    K.FOLLOW_UP: S.IN_PROGRESS,
    K.RESOLVED: S.RESOLVED,
    K.REASSIGNED: S.ASSIGNED,
    K.RETURNED: S.TRIAGE,
    K.POSTPONED: S.POSTPONED,
    K.ARCHIVED: S.ARCHIVED,
}
TRANSITIONS: Final[dict[tuple[Status | None, Kind], Status | Keep]] = {
    (None, K.RECEIVED): S.RECEIVED,
    (None, K.TRIAGED): S.TRIAGE,
    (None, K.ASSIGNED): S.ASSIGNED,
    (None, K.FOLLOW_UP): HOLD,
    (None, K.RESOLVED): HOLD,
    **{(S.RECEIVED, kind): to for kind, to in _LATE.items()},
    (S.RECEIVED, K.TRIAGED): S.TRIAGE,
    (S.RECEIVED, K.ASSIGNED): S.ASSIGNED,
    (S.RECEIVED, K.FOLLOW_UP): HOLD,
    (S.RECEIVED, K.RESOLVED): HOLD,
    (S.RECEIVED, K.POSTPONED): S.POSTPONED,
    (S.RECEIVED, K.ARCHIVED): S.ARCHIVED,
    (S.RECEIVED, K.FORWARDED): S.FORWARDED,
    **{(S.TRIAGE, kind): to for kind, to in _LATE.items()},
    (S.TRIAGE, K.ASSIGNED): S.ASSIGNED,
    (S.TRIAGE, K.REASSIGNED): S.ASSIGNED,
    (S.TRIAGE, K.POSTPONED): S.POSTPONED,
    (S.TRIAGE, K.ARCHIVED): S.ARCHIVED,
    (S.TRIAGE, K.FORWARDED): S.FORWARDED,
    **{(S.ASSIGNED, kind): to for kind, to in _WITH_OPD.items()},
    **{(S.IN_PROGRESS, kind): to for kind, to in _WITH_OPD.items()},
    **{(S.POSTPONED, kind): to for kind, to in _LATE.items()},
    (S.POSTPONED, K.REASSIGNED): S.ASSIGNED,
    (S.POSTPONED, K.ARCHIVED): S.ARCHIVED,
    **{(S.FORWARDED, kind): to for kind, to in _LATE.items()},
    **{(S.RESOLVED, kind): to for kind, to in _LATE.items()},
    (S.RESOLVED, K.REOPENED): S.IN_PROGRESS,
    (S.RESOLVED, K.CLOSED): S.CLOSED,
    **{(S.CLOSED, kind): to for kind, to in _LATE.items()},
    **{(S.ARCHIVED, kind): to for kind, to in _LATE.items()},
}
# Events an OPD sends: only the OPD that owns the case may send them.
FROM_OPD: Final = frozenset({K.FOLLOW_UP, K.RESOLVED, K.RETURNED})


_KINDS: Final[dict[type, Kind]] = {
    ComplaintReceived: K.RECEIVED,
    FollowUpPosted: K.FOLLOW_UP,
    ComplaintResolved: K.RESOLVED,
    ComplaintReopened: K.REOPENED,
    ComplaintClosed: K.CLOSED,
    ComplaintReassigned: K.REASSIGNED,
    ComplaintReturned: K.RETURNED,
    ComplaintPostponed: K.POSTPONED,
    ComplaintArchived: K.ARCHIVED,
    ComplaintForwarded: K.FORWARDED,
}


def kind_of(data: object) -> Kind | None:
    """Return what a payload does to a case (None: not a case event)."""
    if isinstance(data, ComplaintAssigned):
        return K.TRIAGED if data.triage else K.ASSIGNED
    return _KINDS.get(type(data))


def next_status(status: Status | None, kind: Kind) -> Status | Keep | None:
    """Return what the table says `kind` does to a case in `status` (None: refused)."""
    return TRANSITIONS.get((status, kind))
