"""The router's settings: the one place that reads the environment."""

from __future__ import annotations

import socket
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import ConsumerSettings

# deploy/config/ of this checkout (the Docker image copies it to the same relative place).
_CONFIG_DIR = Path(__file__).resolve().parents[2] / "deploy" / "config"


class Settings(ConsumerSettings):
    """Router settings; environment variables are prefixed `ROUTER_`."""

    model_config = SettingsConfigDict(env_prefix="ROUTER_")

    service_name: str = "router"
    http_port: int = 8002
    rules_file: Path = _CONFIG_DIR / "rules.yaml"
    opd_file: Path = _CONFIG_DIR / "opd.yaml"
    # The rules file is re-read when its mtime changes, checked at most this often.
    rules_check_interval_s: float = Field(default=3.0, ge=0)
    group_id: str = "router"
    # Exactly once: each batch's assignments and its offsets commit in one Kafka transaction.
    # The id must be stable per instance (a restart fences its own zombie) and unique across
    # replicas (two replicas sharing one fence each other): a StatefulSet's pod name fits.
    transactional: bool = True
    # The coordinator API: {user: key} and, for users limited to some desks, {user: [desk]}.
    admin_users: dict[str, str] = Field(default_factory=dict)
    admin_desks: dict[str, list[str]] = Field(default_factory=dict)
    triage_collection: str = "router_triage"
    # One document per routed case (cases.py): what a returned case is routed again with.
    cases_collection: str = "router_cases"
    # Intake's complaints, read by `dry-run --mongo` (never written by the router).
    intake_collection: str = "intake_complaints"
    # How soon a dead router's partitions move on (the broker's minimum is 6 s by default).
    session_timeout_ms: int = Field(default=10_000, ge=1_000)
    transactional_id: str = Field(default_factory=lambda: f"router-{socket.gethostname()}")
