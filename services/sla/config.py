"""The sla's one settings class, built once in `__main__` and passed down."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from services.sla.calendar import CalendarConfig
from services.sla.clock_policy import ClockPolicy
from services.sla.followups import FollowUpPolicy
from shared.config import ConsumerSettings


class Settings(ConsumerSettings):
    """Configuration of the sla service (environment variables prefixed `SLA_`; the nested
    models as JSON, e.g. `SLA_CLOCKS='{"completion_days": {"pengaduan": 10}}'`)."""

    model_config = SettingsConfigDict(env_prefix="SLA_")

    service_name: str = "sla"
    http_port: int = 8003
    group_id: str = "sla"
    # Each case's state and public view, one document (the status API reads it).
    cases_collection: str = "cases"
    # Each case's timer, held-until and backlog labels: all that a partition's assignment reads.
    timers_collection: str = "case_timers"
    # One fingerprint per judged follow-up: the OPDs' earlier replies across restarts.
    replies_collection: str = "reply_prints"
    # How many applied event ids each case remembers to recognise a redelivery.
    keep_event_ids: int = Field(default=64, ge=1)
    # An OPD event read before its case could take it waits this long, then is dead-lettered.
    held_max_age_s: float = Field(default=600.0, gt=0)
    # The alert timer runs this often: an alert goes out within about this long of its due time.
    tick_interval_s: float = Field(default=1.0, gt=0, le=5)
    # After an assignment, each tick reads the new partitions' timers for at most this long, so
    # a batch waits at most about this long (more: the load takes longer in all, see README).
    load_slice_s: float = Field(default=0.5, gt=0)
    # CaseResolved's version: 2 carries the sla's judgement of each follow-up; 1 for as long as
    # a consumer of complaints.resolved has not been upgraded to read version 2.
    resolved_version: Literal[1, 2] = 2
    clocks: ClockPolicy = Field(default_factory=ClockPolicy)
    calendar: CalendarConfig = Field(default_factory=CalendarConfig)
    followups: FollowUpPolicy = Field(default_factory=FollowUpPolicy)
    # Per-OPD API keys for `/v1/opd/...`: {"dpupr": "key"}; an OPD sees only its own cases.
    opd_keys: dict[str, SecretStr] = Field(default_factory=dict)
