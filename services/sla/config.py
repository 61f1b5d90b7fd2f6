"""The sla's one settings class, built once in `__main__` and passed down."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared import topics
from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Configuration of the sla service (environment variables prefixed `SLA_`)."""

    model_config = SettingsConfigDict(env_prefix="SLA_")

    service_name: str = "sla"
    http_port: int = 8003
    group_id: str = "sla"
    topic_received: str = topics.COMPLAINTS_RECEIVED
    topic_assigned: str = topics.COMPLAINTS_ASSIGNED
    topic_updates: str = topics.COMPLAINTS_UPDATES
    topic_resolved: str = topics.COMPLAINTS_RESOLVED
    # Used when the sla creates missing topics: equal to the other complaint topics'.
    topic_partitions: int = Field(default=3, ge=1)
    topic_replication_factor: int = Field(default=1, ge=1)
    state_collection: str = "case_state"
    cases_collection: str = "cases"
    # How many applied event ids each case remembers to recognise a redelivery.
    keep_event_ids: int = Field(default=64, ge=1)
    # Transient (Mongo) failures: tries in all and the first back-off wait, then dead-letter.
    retry_attempts: int = Field(default=5, ge=1)
    retry_base_s: float = Field(default=0.2, ge=0)
    live_max_age_s: float = 30.0
