"""The settings base every service's one `Settings` class extends."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import topics


class KafkaSettings(BaseSettings):
    """How to reach Kafka; SASL/TLS fields are passed through to the clients when set."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore")

    bootstrap_servers: str = "127.0.0.1:9092"
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_plain_username: str | None = None
    sasl_plain_password: SecretStr | None = None
    ssl_cafile: str | None = None

    def client_options(self) -> dict[str, object]:
        """Return the connection options common to kafka-python producers, consumers and admins."""
        options: dict[str, object] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.sasl_mechanism:
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.sasl_plain_username
            if self.sasl_plain_password is not None:
                options["sasl_plain_password"] = self.sasl_plain_password.get_secret_value()
        if self.ssl_cafile:
            options["ssl_cafile"] = self.ssl_cafile
        return options


class Topics(BaseModel):
    """The topic names of the complaint flow, the same fields in every service
    (`<PREFIX>TOPICS__RECEIVED`, ...), which is how tests give each test its own topics."""

    received: str = topics.COMPLAINTS_RECEIVED
    assigned: str = topics.COMPLAINTS_ASSIGNED
    updates: str = topics.COMPLAINTS_UPDATES
    resolved: str = topics.COMPLAINTS_RESOLVED
    alerts: str = topics.SLA_ALERTS
    # `{code}` is the OPD code; tests and staging may add a prefix or suffix around it.
    opd_template: str = topics.OPD_TEMPLATE
    raw_template: str = topics.INTAKE_RAW_TEMPLATE  # `{channel}`: intake's raw connector topics
    notify_template: str = topics.NOTIFY_TEMPLATE  # `{channel}`: messages to reporters

    def opd(self, code: str) -> str:
        """Return the topic an OPD's work arrives on (the one place this rule lives)."""
        return self.opd_template.format(code=code)

    def raw(self, channel: str) -> str:
        """Return the topic a channel's connectors produce raw payloads to."""
        return self.raw_template.format(channel=channel)

    def notify(self, channel: str) -> str:
        """Return the topic a channel's messages to reporters go to."""
        return self.notify_template.format(channel=channel)


class ServiceSettings(BaseSettings):
    """Settings every service has. Nothing but a service's `Settings` reads the environment.

    A service's `Settings` sets its own `env_prefix` (`INTAKE_`, ...); the infrastructure
    addresses keep their well-known unprefixed names (`MONGODB_URI`, `KAFKA_BOOTSTRAP_SERVERS`)
    so one environment points every service at the same cluster.
    """

    model_config = SettingsConfigDict(env_nested_delimiter="__", extra="ignore")

    service_name: str
    http_host: str = "127.0.0.1"
    http_port: int
    log_level: str = "INFO"
    mongodb_uri: str = Field("mongodb://127.0.0.1:27017/", validation_alias="MONGODB_URI")
    mongodb_database: str = "aduan"
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    topics: Topics = Field(default_factory=Topics)


class ConsumerSettings(ServiceSettings):
    """Settings of a service that runs the shared consume loop; `shared.service.loop_policy`
    turns them into the loop's policy."""

    group_id: str
    # Waits between tries of a batch whose dependency is away: capped, jittered, unbounded.
    retry_base_s: float = Field(default=0.2, gt=0)
    retry_cap_s: float = Field(default=10.0, gt=0)
    # Records waiting this long without a commit fail /livez and end the process (exit 3), so
    # the supervisor restarts it: an outage is waited out, a stuck client is not.
    stall_limit_s: float = Field(default=300.0, gt=0)
    # /livez fails when the loop has not gone round for this long (a handler hung).
    live_max_age_s: float = Field(default=60.0, gt=0)
    max_poll_records: int = Field(default=500, ge=1)
    # How often the loop runs the service's timer work (`tick`) between batches.
    tick_interval_s: float = Field(default=5.0, gt=0)
