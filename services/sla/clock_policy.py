"""The SLA clocks' configuration and input: clock names, alert levels, limits in working days
(defaults from DOMAIN.md), and the times of a case the clocks start and stop on. Pure data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.events import Classification


class ClockName(StrEnum):
    """The clocks of DOMAIN.md's deadlines table, plus the substantive-reply clock."""

    VERIFICATION = "verification"  # received -> disposed (assigned, tunda, bukan wewenang, arsip)
    FIRST_FOLLOW_UP = "first_follow_up"  # assigned -> any follow-up (RTL as LAPOR! counts it)
    SUBSTANTIVE_REPLY = "substantive_reply"  # assigned -> a substantive follow-up
    COMPLETION = "completion"  # received -> resolved, limit by classification
    TUNDA = "tunda"  # postponed -> the reporter completes the data (else archive)
    AUTO_CLOSE = "auto_close"  # last OPD answer -> a reply from the reporter (else close)


class AlertLevel(StrEnum):
    """How far a clock has run; in the order they fire."""

    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    ESCALATED = "escalated"


ALL_LEVELS = tuple(AlertLevel)
PAUSABLE = frozenset({ClockName.FIRST_FOLLOW_UP, ClockName.SUBSTANTIVE_REPLY, ClockName.COMPLETION})


def _default_completion() -> dict[Classification, float]:
    return {
        Classification.ASPIRASI: 5,
        Classification.PERMINTAAN_INFORMASI: 5,
        Classification.PENGADUAN: 14,
        Classification.PENGADUAN_PENGAWASAN: 60,
    }


def _default_levels() -> dict[ClockName, tuple[AlertLevel, ...]]:
    # Tunda and auto-close end in an action (archive, close) at their due time, not in a warning.
    levels = dict.fromkeys(ClockName, ALL_LEVELS)
    return levels | {
        ClockName.TUNDA: (AlertLevel.OVERDUE,),
        ClockName.AUTO_CLOSE: (AlertLevel.OVERDUE,),
    }


class ClockPolicy(BaseModel):
    """The limits in working days and the alert settings; defaults from DOMAIN.md."""

    model_config = ConfigDict(frozen=True)

    verification_days: float = Field(default=3, gt=0)
    first_follow_up_days: float = Field(default=5, gt=0)
    substantive_reply_days: float | None = Field(default=5, gt=0)  # None: no such clock
    completion_days: dict[Classification, float] = Field(default_factory=_default_completion)
    default_classification: Classification = Classification.PENGADUAN  # when none is known
    tunda_days: float = Field(default=10, gt=0)
    auto_close_days: float = Field(default=10, gt=0)
    auto_close_needs_resolution: bool = False  # True: only a resolution starts auto-close
    at_risk_share: float = Field(default=0.75, gt=0, lt=1)
    escalation_grace_days: float = Field(default=2, ge=0)
    levels: dict[ClockName, tuple[AlertLevel, ...]] = Field(default_factory=_default_levels)


@dataclass(frozen=True, slots=True)
class Postponement:
    """A tunda: from `start` until the reporter completed the data (`end`; None: still waiting)."""

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """A follow-up an OPD posted."""

    at: datetime
    substantive: bool


@dataclass(frozen=True, slots=True)
class ClockInput:
    """The times of one case that the clocks start and stop on (see the sla README for how to
    build it from the stored case)."""

    complaint_id: str
    received_at: datetime | None = None
    classification: Classification | None = None
    disposed_at: datetime | None = None  # first assigned to an OPD, tunda, bukan wewenang or arsip
    assigned_at: datetime | None = None  # the latest assignment to an OPD
    reopened_at: datetime | None = None  # the latest reopen
    answers: tuple[Answer, ...] = ()
    replies: tuple[datetime, ...] = ()  # the reporter's (or an admin's) replies
    postponements: tuple[Postponement, ...] = ()
    resolved_at: datetime | None = None  # the latest resolution
    ended_at: datetime | None = None  # closed or archived (and not reopened since)
