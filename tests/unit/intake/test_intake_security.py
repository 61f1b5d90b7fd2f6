"""Per-connector credentials, replays, rate limits and regions: the gate alone, then the route."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fake_store import install
from fastapi.testclient import TestClient
from intake_support import web_form
from pydantic import SecretStr

from services.intake.app import create_app
from services.intake.config import Settings
from services.intake.connectors import Connector, registry
from services.intake.security import Gate, GateLimits, RateLimited, RateLimiter, Unauthorized, sign

NOW = 1_741_067_100.0
CONNECTORS = {
    "kab-malang": Connector(hmac_secret=SecretStr("rahasia-malang"), region="3507"),
    "webform": Connector(api_key=SecretStr("k-web")),
}


def gate(clock: float = NOW, **limits: Any) -> Gate:
    return Gate(CONNECTORS, GateLimits(**limits), clock=lambda: clock)


def test_a_valid_signature_names_its_connector_once() -> None:
    g, body, ts = gate(), b'{"a": 1}', str(int(NOW) - 10)
    signature = sign("rahasia-malang", ts, body)
    assert g.by_signature(ts, signature, body) == "kab-malang"
    with pytest.raises(Unauthorized, match="replayed"):
        g.by_signature(ts, signature, body)


@pytest.mark.parametrize(
    ("timestamp", "reason"),
    [(str(int(NOW) - 301), "300 s"), (str(int(NOW) + 301), "300 s"), ("yesterday", "Unix")],
)
def test_old_future_or_unreadable_timestamps_are_refused(timestamp: str, reason: str) -> None:
    signature = sign("rahasia-malang", timestamp, b"{}")
    with pytest.raises(Unauthorized, match=reason):
        gate().by_signature(timestamp, signature, b"{}")


def test_a_signature_over_another_body_or_secret_is_refused() -> None:
    ts = str(int(NOW))
    with pytest.raises(Unauthorized, match="does not match"):
        gate().by_signature(ts, sign("rahasia-malang", ts, b"{}"), b'{"x": 1}')
    with pytest.raises(Unauthorized, match="does not match"):
        gate().by_signature(ts, sign("tebakan", ts, b"{}"), b"{}")
    with pytest.raises(Unauthorized, match="required"):
        gate().by_signature(None, "abc", b"{}")


def test_api_keys_still_identify_their_connector() -> None:
    assert gate().by_key("k-web") == "webform"
    with pytest.raises(Unauthorized, match="HMAC"):
        gate().by_key(None)
    with pytest.raises(Unauthorized, match="valid key"):
        gate().by_key("rahasia-malang")  # an HMAC secret is not an API key


def test_token_bucket_refuses_past_the_burst_and_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    for _ in range(3):
        limiter.take("c", rate_per_s=2.0, burst=3)
    with pytest.raises(RateLimited) as refused:
        limiter.take("c", rate_per_s=2.0, burst=3)
    assert refused.value.retry_after_s == pytest.approx(0.5)
    now[0] = 0.5
    limiter.take("c", rate_per_s=2.0, burst=3)  # one token came back
    limiter.take("other", rate_per_s=2.0, burst=3)  # buckets are per connector


def test_api_keys_fold_into_connectors_and_must_agree() -> None:
    merged = registry(CONNECTORS, {"webform": SecretStr("k-web"), "old": SecretStr("k-old")})
    assert merged["old"].api_key is not None and merged["kab-malang"].region == "35.07"
    with pytest.raises(ValueError, match="two different API keys"):
        registry(CONNECTORS, {"webform": SecretStr("other")})


def _client(**settings: Any) -> tuple[TestClient, dict[str, Any]]:
    app = create_app(Settings(**{"connectors": CONNECTORS, **settings}))
    return TestClient(app), install(app)


def test_signed_submission_gets_the_connector_region_when_it_gives_none() -> None:
    client, fakes = _client(hmac_max_age_s=1e12)  # any timestamp is recent enough
    body = json.dumps(web_form(location={"text": "Kepanjen"})).encode()
    ts = "1741067100"
    headers = {
        "X-Aduan-Timestamp": ts,
        "X-Aduan-Signature": "sha256=" + sign("rahasia-malang", ts, body),
    }
    answer = client.post("/v1/channels/web/complaints", content=body, headers=headers)
    assert answer.status_code == 202, answer.text
    [stored] = fakes["repo"].complaints.values()
    assert stored.connector_id == "kab-malang"
    assert stored.complaint["location"]["region_code"] == "35.07"
    again = client.post("/v1/channels/web/complaints", content=body, headers=headers)
    assert again.status_code == 401 and "replayed" in again.json()["detail"]


def test_a_region_in_the_payload_wins_over_the_connector_region() -> None:
    client, fakes = _client(connectors={"c": Connector(api_key=SecretStr("k"), region="35")})
    answer = client.post("/v1/channels/web/complaints", json=web_form(), headers={"X-Api-Key": "k"})
    assert answer.status_code == 202
    [stored] = fakes["repo"].complaints.values()
    assert stored.complaint["location"]["region_code"] == "35.78"


def test_over_the_rate_is_a_429_with_retry_after() -> None:
    limited = Connector(api_key=SecretStr("k"), rate_per_s=0.01, burst=1)
    client, _ = _client(connectors={"c": limited})
    url, auth = "/v1/channels/web/complaints", {"X-Api-Key": "k"}
    assert client.post(url, json=web_form(form_id="a"), headers=auth).status_code == 202
    refused = client.post(url, json=web_form(form_id="b"), headers=auth)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 90 and "rate" in refused.json()["detail"]
