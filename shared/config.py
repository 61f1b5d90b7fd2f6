"""The settings base every service's one `Settings` class extends."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    # The consume loop exits non-zero when Kafka has been unreachable this long, so the
    # supervisor (systemd, Kubernetes) restarts the process instead of it hanging forever.
    kafka_unavailable_exit_s: float = 60.0
