"""Which routes an intake process serves, chosen on the command line."""

from __future__ import annotations

import pytest

from services.intake.__main__ import parse_args
from services.intake.app import create_app
from services.intake.config import Settings


def _paths(channels: list[str] | None) -> set[str]:
    """Documented API paths plus the (undocumented) health routes."""
    app = create_app(Settings(), channels)
    documented = set(app.openapi()["paths"])
    return documented | {getattr(route, "path", "") for route in app.routes}


def test_default_process_serves_every_channel_and_health() -> None:
    paths = _paths(None)
    assert "/v1/channels/web/complaints" in paths
    assert {"/livez", "/readyz", "/metrics"} <= paths


def test_channel_flag_restricts_the_routes() -> None:
    assert parse_args(["--channel", "web"]).channel == ["web"]
    assert parse_args([]).channel is None
    assert "/v1/channels/web/complaints" in _paths(["web"])


def test_unknown_channel_is_refused() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--channel", "fax"])
    with pytest.raises(ValueError, match="fax"):
        create_app(Settings(), ["fax"])


def test_openapi_documents_the_web_body() -> None:
    schema = create_app(Settings()).openapi()
    body = schema["paths"]["/v1/channels/web/complaints"]["post"]["requestBody"]
    assert "form_id" in body["content"]["application/json"]["schema"]["properties"]
