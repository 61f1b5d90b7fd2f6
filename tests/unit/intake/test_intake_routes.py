"""The channel routes over the app with only the store stubbed: split SMS, per-connector keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from channel_samples import sms, social
from fake_store import FakeRepository, install
from fastapi.testclient import TestClient
from pydantic import SecretStr

from services.intake.app import create_app
from services.intake.config import Settings
from services.intake.sms_concat import SmsPart, current, is_complete, join

KEYS = {"gw-a": SecretStr("key-a"), "gw-b": SecretStr("key-b")}


@pytest.fixture
def app_and_fakes() -> tuple[TestClient, dict[str, Any]]:
    app = create_app(Settings(api_keys=KEYS))
    fakes = install(app)
    return TestClient(app), fakes


def part(n: int, text: str, total: int = 3) -> dict[str, Any]:
    return sms(message_id=f"gw1-77{n}", text=text, concat={"ref": 77, "part": n, "total": total})


def test_split_sms_becomes_one_complaint_when_its_last_part_arrives(app_and_fakes: Any) -> None:
    client, fakes = app_and_fakes
    url, auth = "/v1/channels/sms/complaints", {"X-Api-Key": "key-a"}
    texts = [
        "Jalan di depan SDN 2 Sumberejo rusak ",
        "parah, bnyk lubang, kmrn ada yg ",
        "jatuh 🙏",
    ]
    answers = [client.post(url, json=part(n, texts[n - 1]), headers=auth) for n in (2, 3)]
    assert [a.json()["status"] for a in answers] == ["partial", "partial"]
    assert client.post(url, json=part(2, texts[1]), headers=auth).json()["status"] == "partial"
    done = client.post(url, json=part(1, texts[0]), headers=auth)
    assert done.status_code == 202 and done.json()["status"] == "received"
    [stored] = fakes["repo"].complaints.values()
    assert stored.complaint["body"] == "".join(texts)
    assert stored.channel_ref == "gw1-771"  # the first part's id, whatever the arrival order


def test_same_reference_from_two_connectors_is_two_complaints(app_and_fakes: Any) -> None:
    client, fakes = app_and_fakes
    url = "/v1/channels/social/complaints"
    first = client.post(url, json=social(), headers={"X-Api-Key": "key-a"})
    other = client.post(url, json=social(), headers={"X-Api-Key": "key-b"})
    again = client.post(url, json=social(), headers={"X-Api-Key": "key-a"})
    assert (first.status_code, other.status_code, again.status_code) == (202, 202, 200)
    assert again.json()["tracking_number"] == first.json()["tracking_number"]
    assert other.json()["tracking_number"] != first.json()["tracking_number"]
    assert len(fakes["repo"].complaints) == 2


def test_confidential_as_a_number_is_a_422_with_the_field(app_and_fakes: Any) -> None:
    client, _ = app_and_fakes
    answer = client.post(
        "/v1/channels/sms/complaints", json=sms(confidential=0), headers={"X-Api-Key": "key-a"}
    )
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["detail"]] == ["confidential"]


def _part(n: int, text: str, at: datetime) -> SmsPart:
    return SmsPart(n, 2, f"id-{n}", text, at)


def test_join_orders_parts_and_keeps_the_first_id_and_earliest_time() -> None:
    now = datetime(2025, 3, 4, tzinfo=UTC)
    parts = {2: _part(2, "lubang", now), 1: _part(1, "banyak ", now + timedelta(seconds=5))}
    assert is_complete(parts, 2) and not is_complete({1: parts[1]}, 2)
    whole = join(parts)
    assert (whole.text, whole.message_id, whole.received_at) == ("banyak lubang", "id-1", now)


def test_parts_of_an_older_message_with_a_reused_reference_are_ignored() -> None:
    now = datetime(2025, 3, 4, tzinfo=UTC)
    stale = _part(1, "lama ", now - timedelta(days=2))
    fresh = _part(2, "baru", now)
    assert current({1: stale, 2: fresh}, fresh) == {2: fresh}


class SlowStore(FakeRepository):
    """A store whose group commit does not finish in time (GroupInserter raises TimeoutError)."""

    def insert(self, complaint: Any) -> None:
        raise TimeoutError("the group commit did not finish in time")


def test_a_group_commit_timeout_is_a_503_not_a_500(app_and_fakes: Any) -> None:
    client, _ = app_and_fakes
    client.app.state.repo = SlowStore()
    answer = client.post(
        "/v1/channels/social/complaints", json=social(), headers={"X-Api-Key": "key-a"}
    )
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
    assert "retry" in answer.json()["detail"]
    form = {"api_key": "key-a", "service_code": "jalan", "description": "Jalan rusak",
            "address_string": "Jl. Darmo"}  # fmt: skip
    open311 = client.post("/open311/v2/requests.json", data=form)
    assert open311.status_code == 503 and open311.json()[0]["code"] == 503
