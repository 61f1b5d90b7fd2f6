"""The publisher's one settings class; built once in __main__ and passed down."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.publisher.catalogue import CatalogueMapping
from services.publisher.http import Credentials
from services.publisher.mapping import LaporMapping
from shared.config import ConsumerSettings


class HttpTarget(BaseModel):
    """How to reach one external system over HTTP, and when to stop calling it for a while."""

    base_url: str
    # One of the two is required (a missing token fails at start-up). The file wins when both
    # are set: operators rotate the token there, and a 401/403 makes the publisher re-read it.
    token: SecretStr | None = None
    token_file: Path | None = None
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 10.0
    breaker_failure_threshold: int = Field(5, ge=1)
    breaker_cooldown_s: float = Field(30.0, ge=0)

    @model_validator(mode="after")
    def _has_credentials(self) -> HttpTarget:
        if self.token is None and self.token_file is None:
            raise ValueError("set the token or token_file")
        return self

    def credentials(self) -> Credentials:
        """The token the calls carry, re-read from token_file on a refusal."""
        token = self.token.get_secret_value() if self.token is not None else None
        return Credentials(token, self.token_file)


class AttachmentUploads(BaseModel):
    """Which attachments LAPOR! gets as bytes, fetched from their URL (else by reference)."""

    max_bytes: int = Field(10_000_000, ge=0, description="Larger: by reference; 0: never fetch.")
    media_types: list[str] = Field(
        default_factory=lambda: ["application/pdf", "image/jpeg", "image/png"]
    )
    fetch_timeout_s: float = Field(10.0, gt=0)


class LaporSettings(HttpTarget):
    """How to reach LAPOR! (env: PUBLISHER_LAPOR__BASE_URL, PUBLISHER_LAPOR__TOKEN, ...)."""

    base_url: str = "http://127.0.0.1:8081"
    send_resolution: bool = Field(True, description="Post the resolution as a follow-up.")
    mapping: LaporMapping = Field(default_factory=LaporMapping)
    uploads: AttachmentUploads = Field(default_factory=AttachmentUploads)


class CkanSettings(HttpTarget):
    """The PPID catalogue's CKAN (env: PUBLISHER_CKAN__BASE_URL, PUBLISHER_CKAN__TOKEN, ...);
    unset, nothing goes to the catalogue."""

    base_url: str = "http://127.0.0.1:8082"
    mapping: CatalogueMapping = Field(default_factory=CatalogueMapping)
    utc_offset_hours: int = Field(7, description="Region time zone for dates (WIB = 7).")
    days_off: list[date] = Field(default_factory=list, description="Local days off.")


class Settings(ConsumerSettings):
    """Everything the publisher reads from the environment (prefix PUBLISHER_)."""

    model_config = SettingsConfigDict(env_prefix="PUBLISHER_")

    service_name: str = "publisher"
    http_port: int = 8004
    group_id: str = "publisher"
    ledger_collection: str = "ledger"
    stats_collection: str = "resolved_cases"  # the facts the periodic report counts
    lapor: LaporSettings
    ckan: CkanSettings | None = None
    # Where `report` writes its files before (optionally) publishing them.
    report_dir: str = ".local/reports"
    # A claim on a ledger entry lapses after this long; it must outlast one case's calls
    # (create and follow-up: 2 x (connect + read timeout) = 26 s by default).
    lease_s: float = Field(120.0, gt=0)
    # Sends run concurrently, at most this many cases at once (a bounded thread pool); the
    # batch's commit waits for all of them, which is the backpressure on the consumer. Above
    # max_poll_records, so that a whole batch is one wave: a case is two calls, and at 200 ms a
    # call a batch of 200 then takes about 0.4 s (128 in flight made it two waves, 164-193
    # cases/s in the bench against 232-283 with one).
    max_in_flight: int = Field(256, ge=1, le=512)
    # A batch must end inside max.poll.interval.ms (300 s) and inside its lease: 200 cases,
    # each a few calls of at most connect + read timeout, even when slow.
    max_poll_records: int = Field(200, ge=1)
    retry_base_s: float = Field(0.5, gt=0)
    retry_cap_s: float = Field(30.0, gt=0)
