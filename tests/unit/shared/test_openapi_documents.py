"""Every service's HTTP API publishes a valid OpenAPI document (clients and fuzzers use it)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from openapi_spec_validator import validate

from services.intake.app import create_app
from services.intake.config import Settings as IntakeSettings
from services.sla.web import create_web_app
from shared.health import health_routes


def health_only() -> FastAPI:
    """What the router and the publisher serve: the shared health routes."""
    app = FastAPI()
    app.include_router(health_routes(live=dict, ready=dict))
    return app


APPS = {
    "intake": lambda: create_app(IntakeSettings()),
    "sla": lambda: create_web_app(object(), live={}, ready={}, opd_keys={"x": "k"}),  # type: ignore[arg-type]
    "router, publisher": health_only,
}


@pytest.mark.parametrize("name", sorted(APPS))
def test_the_openapi_document_is_valid(name: str) -> None:
    document: dict[str, Any] = APPS[name]().openapi()
    validate(document)
    assert document["info"]["title"]
