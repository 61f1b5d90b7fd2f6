"""The sla's one settings class, built once in `__main__` and passed down."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import ConsumerSettings


class Settings(ConsumerSettings):
    """Configuration of the sla service (environment variables prefixed `SLA_`)."""

    model_config = SettingsConfigDict(env_prefix="SLA_")

    service_name: str = "sla"
    http_port: int = 8003
    group_id: str = "sla"
    state_collection: str = "case_state"
    cases_collection: str = "cases"
    # How many applied event ids each case remembers to recognise a redelivery.
    keep_event_ids: int = Field(default=64, ge=1)
    # An OPD event read before its case could take it waits this long, then is dead-lettered.
    held_max_age_s: float = Field(default=600.0, gt=0)
