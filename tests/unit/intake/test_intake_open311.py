"""Open311 GeoReport v2 write side, with requests shaped like the specification's examples."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from fake_store import install
from fastapi.testclient import TestClient
from pydantic import SecretStr

from services.intake.app import create_app
from services.intake.config import Settings
from services.intake.connectors import Connector
from services.intake.open311_catalogue import Open311Service, default_services

FORM = {
    "api_key": "k-311",
    "service_code": "jalan",
    "lat": "-7.2575",
    "long": "112.7521",
    "description": "Jalan berlubang besar di depan pasar Wonokromo",
    "first_name": "Siti",
    "last_name": "Aminah",
    "phone": "0812-3456-7890",
    "device_id": "android-abc",
    "media_url": "https://files.example.id/lubang.jpg",
}


@pytest.fixture
def client() -> tuple[TestClient, dict[str, Any]]:
    batch = Open311Service(service_code="batchy", service_name="Batch", type="batch")
    settings = Settings(
        connectors={"app-311": Connector(api_key=SecretStr("k-311"), region="3578")},
        open311_services=[*default_services(), batch],
    )
    app = create_app(settings)
    return TestClient(app), install(app)


def test_service_list_and_definition_in_json_and_xml(client: Any) -> None:
    http, _ = client
    services = http.get("/open311/v2/services.json").json()
    assert {"service_code": "jalan", "metadata": False}.items() <= services[0].items()
    xml = ET.fromstring(http.get("/open311/v2/services.xml").content)
    assert xml.tag == "services" and xml.find("service/service_code").text == "jalan"
    assert http.get("/open311/v2/services/jalan.json").json() == {
        "service_code": "jalan",
        "attributes": [],
    }
    missing = http.get("/open311/v2/services/nope.json")
    assert missing.status_code == 404 and "nope" in missing.json()[0]["description"]


def test_form_encoded_request_becomes_a_complaint(client: Any) -> None:
    http, fakes = client
    answer = http.post("/open311/v2/requests.json", data=FORM)
    assert answer.status_code == 200, answer.text
    [row] = answer.json()
    [stored] = fakes["repo"].complaints.values()
    assert row["service_request_id"] == stored.tracking_number
    data = stored.complaint
    assert data["channel"] == "open311" and data["category_hint"] == "infrastruktur"
    assert data["location"] == {
        "text": None,
        "lat": -7.2575,
        "lon": 112.7521,
        "region_code": "35.78",
    }
    assert (
        data["reporter"]["name"] == "Siti Aminah" and data["reporter"]["phone"] == "+6281234567890"
    )
    again = http.post("/open311/v2/requests.json", data=FORM)  # a client's retry
    assert again.json()[0]["service_request_id"] == row["service_request_id"]
    assert len(fakes["repo"].complaints) == 1


def test_json_body_and_xml_answer(client: Any) -> None:
    http, _ = client
    body = {**FORM, "lat": None, "long": None, "address_string": "Jl. Raya Darmo 1"}
    answer = http.post("/open311/v2/requests.xml", json={k: v for k, v in body.items() if v})
    xml = ET.fromstring(answer.content)
    assert xml.tag == "service_requests" and xml.find("request/service_request_id").text


def test_batch_service_answers_a_token_that_resolves(client: Any) -> None:
    http, _ = client
    [row] = http.post("/open311/v2/requests.json", data={**FORM, "service_code": "batchy"}).json()
    resolved = http.get(f"/open311/v2/tokens/{row['token']}.json").json()
    assert resolved[0]["service_request_id"].startswith("ADU-")
    assert http.get("/open311/v2/tokens/x~y.json").status_code == 404


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ({"api_key": "wrong"}, 403, "valid key"),
        ({"service_code": "fax"}, 400, "service_code"),
        ({"lat": "", "long": ""}, 400, "address_string"),
        ({"long": ""}, 400, "together"),
        ({"description": ""}, 400, "description"),
    ],
)
def test_errors_take_the_open311_shape(
    client: Any, change: dict[str, str], status: int, reason: str
) -> None:
    http, _ = client
    answer = http.post("/open311/v2/requests.json", data={**FORM, **change})
    assert answer.status_code == status
    [err] = answer.json()
    assert err["code"] == status and reason in err["description"]
    xml = ET.fromstring(http.post("/open311/v2/requests.xml", data={**FORM, **change}).content)
    assert xml.find("error/code").text == str(status)
