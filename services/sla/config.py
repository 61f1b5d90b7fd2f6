"""The sla's one settings class, built once in `__main__` and passed down."""

from __future__ import annotations

import tempfile
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared import topics
from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Configuration of the sla service (environment variables prefixed `SLA_`)."""

    model_config = SettingsConfigDict(env_prefix="SLA_")

    service_name: str = "sla"
    http_port: int = 8003
    # The faust app id: also the consumer group and the prefix of the changelog topic.
    app_id: str = "aduan-sla"
    topic_received: str = topics.COMPLAINTS_RECEIVED
    topic_assigned: str = topics.COMPLAINTS_ASSIGNED
    topic_updates: str = topics.COMPLAINTS_UPDATES
    topic_resolved: str = topics.COMPLAINTS_RESOLVED
    # Must equal the complaint topics' partition count: the table is co-partitioned with them.
    topic_partitions: int = Field(default=3, ge=1)
    topic_replication_factor: int = Field(default=1, ge=1)
    cases_collection: str = "cases"
    # How many applied event ids each case remembers to recognise a redelivery.
    keep_event_ids: int = Field(default=64, ge=1)
    # Mongo projection: tries in all and the first back-off wait before dead-lettering the event.
    mongo_attempts: int = Field(default=5, ge=1)
    mongo_backoff_s: float = Field(default=0.2, ge=0)
    # faust's working directory (its table metadata); the memory store keeps nothing else here.
    data_dir: Path = Path(tempfile.gettempdir()) / "aduan-sla"
    # Short enough that a dead worker's partitions move on quickly.
    broker_session_timeout_s: float = 10.0
    live_max_age_s: float = 30.0
    # How long a send (CaseResolved, dead letter) may wait for Kafka before it fails; a dead
    # letter that cannot be sent stops the worker without acknowledging the record.
    producer_request_timeout_s: float = Field(default=30.0, gt=0)
