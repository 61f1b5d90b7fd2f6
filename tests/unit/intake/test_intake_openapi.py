"""The intake's OpenAPI document is valid, and the app keeps it under fuzzing (schemathesis).

The fuzzing runs in process over ASGI with only the store boundary stubbed (fake_store.py):
what is checked here (validation, status codes, reasons, schema conformance) all happens before
the store, and hundreds of fuzzed inserts into FerretDB, which scans per query, would make the
unit suite slow on a shared machine. The real store's part (unique keys, duplicates) is covered
by tests/integration/intake.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest
import schemathesis
from fake_store import install
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from pydantic import SecretStr
from referencing.exceptions import PointerToNowhere
from schemathesis.specs.openapi.checks import positive_data_acceptance

from services.intake.app import create_app
from services.intake.config import Settings
from tests.support import api_checks  # noqa: F401 - registers the shared checks

KEY = "fuzz-key"
APP = create_app(Settings(api_keys={"fuzzer": SecretStr(KEY)}))
FAKES = install(APP)
DOCUMENT = APP.openapi()


def test_openapi_document_is_valid() -> None:
    validate(copy.deepcopy(DOCUMENT))


def test_validator_would_catch_a_dangling_ref() -> None:
    broken = copy.deepcopy(DOCUMENT)
    del broken["components"]["schemas"]["LocationIn"]
    with pytest.raises((OpenAPIValidationError, PointerToNowhere)):
        validate(broken)


@pytest.mark.parametrize("status", ["401", "413", "422", "503"])
def test_every_channel_documents_its_refusals(status: str) -> None:
    for path, item in DOCUMENT["paths"].items():
        if path.startswith("/v1/channels/"):
            assert status in item["post"]["responses"], path


def test_flags_are_strict_booleans_and_personal_data_rules_are_in_the_schema() -> None:
    schemas = DOCUMENT["components"]["schemas"]
    assert schemas["ReporterIn"]["properties"]["nik"]["anyOf"][0]["pattern"].count("[0-9]{4}") == 4
    assert "@" in schemas["ReporterIn"]["properties"]["email"]["anyOf"][0]["pattern"]
    assert schemas["WebComplaint"]["properties"]["confidential"]["type"] == "boolean"


SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)


@SCHEMA.include(path_regex="^/v1/channels/").parametrize()
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_fuzzed_submissions_never_fail_the_server(case: Any) -> None:
    case.headers = {**(case.headers or {}), "X-Api-Key": KEY}
    # Some rules cannot be said in JSON Schema (a phone number's prefixes, "one of raw and
    # raw_base64", part <= total): a schema-valid body may still be refused, with its reason.
    response = case.call()
    if response.status_code == 413:  # a refusal schemathesis does not list for bad data
        assert "limit" in response.json()["detail"]
        return
    case.validate_response(response, excluded_checks=[positive_data_acceptance])
