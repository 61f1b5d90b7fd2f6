"""The status API's edges without Mongo: an unavailable store is a 503 with a reason."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pymongo.errors import ServerSelectionTimeoutError

from services.sla.web import create_web_app


class AwayViews:
    def by_tracking_number(self, tracking_number: str) -> None:
        raise ServerSelectionTimeoutError("mongo away")


def test_the_status_api_answers_503_with_a_reason_when_the_store_is_away() -> None:
    app = create_web_app(AwayViews(), live={}, ready={})  # type: ignore[arg-type]
    answer = TestClient(app).get("/v1/cases/ADU-0001")
    assert answer.status_code == 503
    assert "unavailable" in answer.json()["detail"] and answer.headers["Retry-After"] == "5"
