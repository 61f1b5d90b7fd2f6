"""The notifier's settings: the one place that reads the environment (prefix `NOTIFY_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.config import ConsumerSettings

# deploy/config/ of this checkout (the Docker image copies it to the same relative place).
_CONFIG_DIR = Path(__file__).resolve().parents[2] / "deploy" / "config"


class SmtpSettings(BaseModel):
    """The mail server the e-mail sender hands messages to (env `NOTIFY_SMTP__HOST`, ...)."""

    host: str = "127.0.0.1"
    port: int = 8025
    timeout_s: float = Field(default=10.0, gt=0)
    starttls: bool = False
    username: str | None = None
    password: SecretStr | None = None
    sender: str = "Layanan Pengaduan <pengaduan@aduan.local>"
    # Our Message-IDs are `<aduan.{message id}.{complaint id}@{domain}>`: a reply that cites one
    # names its case, which is how intake knows a reply from a new complaint.
    message_id_domain: str = "aduan.local"


class Settings(ConsumerSettings):
    """Notifier settings; `python -m services.notify email` uses the `email_*` ones."""

    model_config = SettingsConfigDict(env_prefix="NOTIFY_")

    service_name: str = "notify"
    http_port: int = 8006
    group_id: str = "notify"
    templates_file: Path = _CONFIG_DIR / "notify_templates.yaml"
    opd_file: Path = _CONFIG_DIR / "opd.yaml"
    # Where a reporter checks the case (the sla's citizen API by default); `{tracking}`.
    status_url: str = "http://127.0.0.1:8003/v1/cases/{tracking}"
    contacts_collection: str = "notify_contacts"
    ledger_collection: str = "notify_ledger"
    waiting_collection: str = "notify_waiting"
    # The e-mail sender: its own consumer group on notify.email, its own ledger and port.
    email_group_id: str = "notify-email"
    email_http_port: int = 8007
    mail_ledger_collection: str = "notify_mail_ledger"
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
