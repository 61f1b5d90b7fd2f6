"""The intake's one settings object, built once in `__main__` and passed down."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Intake settings; environment variables are prefixed `INTAKE_` (infrastructure excepted)."""

    model_config = SettingsConfigDict(
        env_prefix="INTAKE_", env_nested_delimiter="__", extra="ignore"
    )

    service_name: str = "intake"
    http_port: int = 8001
    # connector id -> API key, given as a JSON object: {"webform-jatim": "s3cret", ...}.
    api_keys: dict[str, SecretStr] = Field(default_factory=dict)
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # Per-channel exceptions to max_body_bytes: an e-mail carries its attachments inline.
    channel_max_body_bytes: dict[str, int] = Field(default_factory=lambda: {"email": 10 << 20})
    collection: str = "intake_complaints"
    sms_parts: str = "intake_sms_parts"  # the collection of long-SMS parts awaiting the rest
    # Outbox relay: batch size, idle poll, how long a claimed batch is reserved for this
    # process, and how long one flush may wait for the broker's acknowledgements.
    # Group commit: concurrent submissions share one insert_many of up to this many complaints;
    # a group waits at most this long for company after its first complaint.
    group_commit_max: int = Field(default=200, ge=1, le=5_000)
    group_commit_wait_s: float = Field(default=0.002, ge=0, le=1)
    relay_batch_size: int = Field(default=200, ge=1, le=5_000)
    relay_poll_s: float = Field(default=1.0, gt=0)
    relay_lease_s: float = Field(default=60.0, gt=0)
    relay_flush_timeout_s: float = Field(default=30.0, ge=20)  # also the delivery timeout
    relay_connect_timeout_s: float = Field(default=5.0, gt=0)
    # /livez fails when the relay loop has not gone round for this long.
    live_max_age_s: float = Field(default=120.0, gt=0)
    # Intake keeps accepting complaints while Kafka is down (the outbox holds them), so an
    # operator may choose to keep it in the load balancer then; the convention is to require it.
    ready_requires_kafka: bool = True
