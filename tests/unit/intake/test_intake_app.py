"""Which routes an intake process serves, chosen on the command line."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.intake.__main__ import parse_args
from services.intake.app import create_app
from services.intake.config import Settings


def _paths(channels: list[str] | None) -> set[str]:
    """The documented API paths."""
    return set(create_app(Settings(), channels).openapi()["paths"])


def test_default_process_serves_every_channel_and_health() -> None:
    assert "/v1/channels/web/complaints" in _paths(None)
    # Without its lifespan (no Mongo here) the health checks cannot run, but they are routed.
    client = TestClient(create_app(Settings(), None), raise_server_exceptions=False)
    assert client.get("/metrics").status_code == 200
    assert client.get("/livez").status_code != 404
    assert client.get("/readyz").status_code != 404


def test_channel_flag_restricts_the_routes() -> None:
    assert parse_args(["--channel", "web"]).channel == ["web"]
    assert parse_args([]).channel is None
    assert "/v1/channels/web/complaints" in _paths(["web"])
    assert parse_args(["--channel", "sms"]).channel == ["sms"]
    assert _paths(["sms"]) & {p for p in _paths(None) if "/channels/" in p} == {
        "/v1/channels/sms/complaints"
    }


def test_unknown_channel_is_refused() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--channel", "fax"])
    with pytest.raises(ValueError, match="fax"):
        create_app(Settings(), ["fax"])


def test_openapi_documents_the_web_body() -> None:
    schema = create_app(Settings()).openapi()
    body = schema["paths"]["/v1/channels/web/complaints"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/WebComplaint"
    }
    assert "form_id" in schema["components"]["schemas"]["WebComplaint"]["properties"]
