"""The OPD gateway's one settings class, and the registry of OPDs it serves; built once in
__main__ and passed down."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.config import ConsumerSettings

DEFAULT_OPDS_FILE = Path(__file__).parents[2] / "deploy" / "config" / "opd_gateway.yaml"


class OpdEndpoint(BaseModel):
    """One OPD on HTTP: where its webhook goes (none: inbox only). Secrets are not here."""

    code: str = Field(min_length=1)
    webhook_url: str | None = None


class Delivery(BaseModel):
    """How webhooks are sent, retried and stopped for a while (env OPD_GATEWAY_DELIVERY__...)."""

    connect_timeout_s: float = Field(3.0, gt=0)
    read_timeout_s: float = Field(10.0, gt=0)
    retry_base_s: float = Field(0.5, gt=0)
    retry_cap_s: float = Field(60.0, gt=0)
    breaker_failure_threshold: int = Field(5, ge=1)
    breaker_cooldown_s: float = Field(30.0, ge=0)
    # A worker looks for new deliveries at least this often (the consumer also wakes it).
    poll_interval_s: float = Field(1.0, gt=0)


class Settings(ConsumerSettings):
    """Everything the gateway reads from the environment (prefix OPD_GATEWAY_).

    The OPD list (codes, webhook URLs) is the YAML file `opds_file`; the secrets come from the
    environment only: `OPD_GATEWAY_WEBHOOK_SECRETS='{"35-dinkes": ["new", "old"]}'` (the first
    signs, every one is sent during a rotation) and `OPD_GATEWAY_INBOX_KEYS='{"35-dinkes": "k"}'`.
    """

    model_config = SettingsConfigDict(env_prefix="OPD_GATEWAY_")

    service_name: str = "opd-gateway"
    http_port: int = 8005
    group_id: str = "opd-gateway"
    opds_file: Path = DEFAULT_OPDS_FILE
    webhook_secrets: dict[str, list[SecretStr]] = Field(default_factory=dict)
    inbox_keys: dict[str, SecretStr] = Field(default_factory=dict)
    delivery: Delivery = Field(default_factory=Delivery)
    cases_collection: str = "opd_cases"
    deliveries_collection: str = "opd_deliveries"
    actions_collection: str = "opd_inbox_actions"
    early_collection: str = "opd_early_events"
    # How long the inbox waits for Kafka to take an action before answering 503.
    produce_timeout_s: float = Field(10.0, gt=0)
    keep_event_ids: int = Field(64, ge=1)

    def opds(self) -> list[OpdEndpoint]:
        """Return the OPDs of the registry file."""
        raw = yaml.safe_load(self.opds_file.read_text()) or {}
        return [OpdEndpoint.model_validate(item) for item in raw.get("opds", [])]

    @model_validator(mode="after")
    def _secrets_non_empty(self) -> Settings:
        for code, secrets in self.webhook_secrets.items():
            if not secrets:
                raise ValueError(f"OPD {code!r}: a webhook needs at least one secret")
        return self
