"""Open311 GeoReport v2 driven by code we did not write, on the real Kafka and FerretDB.

Intake (the write side) and the sla (the read side) run as real processes, wired as in
production: intake's relay sends each accepted request to the topic the sla reads.

- `georeport` 0.3.1 (PyPI, Apache-2.0): services list and service definition from intake, and
  the request's status from the sla, in JSON and XML (it parses XML with xmltodict). It has
  no call to create a request, nor to resolve a token.
- Creating requests and resolving tokens: the two other Python clients on PyPI, `open311` 1.1
  (2011) and `three` 0.8.0 (2013), are Python 2 only (`from api import API`,
  `from itertools import ifilter`) and do not import on 3.11; npm's `open311` 0.0.12 depends
  on a git URL the registry cannot serve. So those calls are made here as `three`'s `post`
  makes them (form-encoded fields, `api_key` among them, to `requests.<format>`) with
  `requests`, and read with xmltodict as georeport reads XML, against the GeoReport v2 spec.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import xmltodict
from georeport import GeoReport
from intake_helpers import API_KEY, CONNECTOR

from services.intake.open311_catalogue import Open311Service, default_services
from shared.topics import (
    COMPLAINTS_ASSIGNED,
    COMPLAINTS_RECEIVED,
    COMPLAINTS_RESOLVED,
    COMPLAINTS_UPDATES,
    SLA_ALERTS,
)
from tests.support.infra import Infra
from tests.support.processes import ServiceProcess, free_port
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration

BATCH = Open311Service(service_code="batchy", service_name="Laporan massal", type="batch")
REQUEST = {
    "api_key": API_KEY,
    "service_code": "jalan",
    "lat": "-7.2575",
    "long": "112.7521",
    "address_string": "Jl. Raya Wonokromo depan pasar",
    "description": "Jalan berlubang besar di depan pasar Wonokromo, sudah 2 minggu",
    "first_name": "Siti",
    "last_name": "Aminah",
    "email": "siti@example.id",
    "phone": "0812-3456-7890",
    "device_id": "android-abc",
    "media_url": "https://files.example.id/lubang.jpg",
}


@pytest.fixture
def services(
    infra: Infra,
    new_topics: Callable[..., dict[str, str]],
    new_group: Callable[[], str],
    new_db: Callable[[], str],
    tmp_path: Path,
) -> Iterator[tuple[str, str]]:
    """Intake and the sla as real processes on this test's topics and databases; their URLs."""
    topics = new_topics(
        COMPLAINTS_RECEIVED, COMPLAINTS_ASSIGNED, COMPLAINTS_UPDATES, COMPLAINTS_RESOLVED,
        SLA_ALERTS,
    )  # fmt: skip
    common = {"KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap, "MONGODB_URI": infra.mongodb_uri}
    intake_port, sla_port = free_port(), free_port()
    catalogue = [s.model_dump() for s in (*default_services(), BATCH)]
    intake_env = common | {
        "INTAKE_HTTP_PORT": str(intake_port),
        "INTAKE_CONNECTORS": json.dumps({CONNECTOR: {"api_key": API_KEY, "region": "3578"}}),
        "INTAKE_OPEN311_SERVICES": json.dumps(catalogue),
        "INTAKE_TOPICS__RECEIVED": topics[COMPLAINTS_RECEIVED],
        "INTAKE_MONGODB_DATABASE": new_db(),
    }
    sla_env = common | {
        "SLA_HTTP_PORT": str(sla_port),
        "SLA_GROUP_ID": new_group(),
        "SLA_MONGODB_DATABASE": new_db(),
        "SLA_TOPICS__RECEIVED": topics[COMPLAINTS_RECEIVED],
        "SLA_TOPICS__ASSIGNED": topics[COMPLAINTS_ASSIGNED],
        "SLA_TOPICS__UPDATES": topics[COMPLAINTS_UPDATES],
        "SLA_TOPICS__RESOLVED": topics[COMPLAINTS_RESOLVED],
        "SLA_TOPICS__ALERTS": topics[SLA_ALERTS],
    }
    intake_url, sla_url = f"http://127.0.0.1:{intake_port}", f"http://127.0.0.1:{sla_port}"
    with (
        ServiceProcess.start(
            "intake", ["-m", "services.intake"], log=tmp_path / "intake.log", env=intake_env,
            ready_url=f"{intake_url}/readyz",
        ) as intake,
        ServiceProcess.start(
            "sla", ["-m", "services.sla"], log=tmp_path / "sla.log", env=sla_env,
            ready_url=f"{sla_url}/readyz",
        ) as sla,
    ):  # fmt: skip
        intake.wait_ready(timeout=60)
        sla.wait_ready(timeout=60)
        yield f"{intake_url}/open311/v2", f"{sla_url}/open311/v2"


def post(root: str, fmt: str, fields: dict[str, str]) -> requests.Response:
    """POST a service request as `three`'s `Three.post` does: form-encoded, api_key inside."""
    return requests.post(f"{root}/requests.{fmt}", data=fields, timeout=30)


def test_discovery_services_and_definitions_with_the_georeport_client(
    services: tuple[str, str],
) -> None:
    write, _ = services
    for fmt in ("json", "xml"):
        client = GeoReport(write, output_format=fmt)
        listed = client.get_service_list()
        codes = [s["service_code"] for s in listed]
        assert codes[0] == "jalan" and "batchy" in codes
        jalan = listed[0]
        assert jalan["service_name"] == "Jalan dan jembatan rusak"
        assert jalan["type"] == "realtime" and jalan["group"] == "infrastruktur"
        assert str(jalan["metadata"]).lower() == "false"  # xml: the spec's "false"
        definition = client.get_service_definition("jalan")
        assert definition["service_code"] == "jalan"  # one object, as the spec shows
        with pytest.raises(requests.HTTPError) as missing:
            client.get_service_definition("nope")
        assert missing.value.response.status_code == 404

    discovery = requests.get(f"{write}/discovery.json", timeout=10).json()
    [endpoint] = discovery["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and "application/json" in endpoint["formats"]
    as_xml = xmltodict.parse(requests.get(f"{write}/discovery.xml", timeout=10).content)
    assert as_xml["discovery"]["endpoints"]["endpoint"]["type"] == "production"


def test_posted_requests_are_tracked_on_the_read_side(services: tuple[str, str]) -> None:
    write, read = services
    answer = post(write, "json", REQUEST)
    assert answer.status_code == 200, answer.text
    [created] = answer.json()
    tracking = created["service_request_id"]
    assert tracking.startswith("ADU-") and tracking in created["service_notice"]
    retry = post(write, "json", REQUEST)  # a client's retry: the same request
    assert retry.json()[0]["service_request_id"] == tracking

    as_xml = post(write, "xml", {**REQUEST, "description": "Lampu jalan mati di Jl. Darmo"})
    assert as_xml.status_code == 200 and as_xml.headers["content-type"].startswith("text/xml")
    second = xmltodict.parse(as_xml.content)["service_requests"]["request"]["service_request_id"]
    assert second.startswith("ADU-") and second != tracking

    reader = GeoReport(read)
    found = wait_until(
        lambda: _status(reader, tracking), 60, message="the sla shows the posted request"
    )
    assert found["service_request_id"] == tracking and found["status"] == "open"
    assert found["service_code"] == "infrastruktur"  # the service's category
    assert "Siti" not in json.dumps(found), "no reporter on the public read side"
    in_xml = wait_until(
        lambda: _status(GeoReport(read, output_format="xml"), second), 60, message="xml status"
    )
    assert in_xml["service_request_id"] == second


def test_a_batch_service_answers_a_token_that_resolves(services: tuple[str, str]) -> None:
    write, _ = services
    answer = post(write, "json", {**REQUEST, "service_code": "batchy"})
    assert answer.status_code == 200, answer.text
    [row] = answer.json()
    token = row["token"]
    resolved = requests.get(f"{write}/tokens/{token}.json", timeout=10).json()
    assert resolved[0]["token"] == token and resolved[0]["service_request_id"].startswith("ADU-")
    as_xml = xmltodict.parse(requests.get(f"{write}/tokens/{token}.xml", timeout=10).content)
    assert as_xml["service_requests"]["request"]["token"] == token
    unknown = requests.get(f"{write}/tokens/{CONNECTOR}~nothing.json", timeout=10)
    assert unknown.status_code == 404 and unknown.json()[0]["code"] == 404


def test_errors_take_the_open311_shape(services: tuple[str, str]) -> None:
    write, _ = services
    no_key = post(write, "json", {k: v for k, v in REQUEST.items() if k != "api_key"})
    assert no_key.status_code == 403
    assert no_key.json()[0]["code"] == 403 and no_key.json()[0]["description"]
    bad = post(write, "xml", {**REQUEST, "service_code": "nope"})
    error = xmltodict.parse(bad.content)["errors"]["error"]
    assert (
        bad.status_code == 400 and error["code"] == "400" and "service_code" in error["description"]
    )
    no_place = {k: v for k, v in REQUEST.items() if k not in ("lat", "long", "address_string")}
    refused = post(write, "json", no_place)
    assert refused.status_code == 400 and refused.json()[0]["description"]
    assert "0812" not in refused.text, "the input is never echoed"


def _status(client: GeoReport, tracking: str) -> dict[str, Any] | None:
    """The read side's answer for one request, or None while it does not know it yet."""
    try:
        found = client.get_service_request(tracking)
    except requests.HTTPError as exc:
        if exc.response.status_code == 404:
            return None
        raise
    return dict(found)
