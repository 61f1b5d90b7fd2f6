"""Bad input everywhere, on the real stack: schemathesis over intake's OpenAPI, and its bodies
through the bulk import.

Intake runs as a real process (every channel, Open311) on the real Kafka and FerretDB, and
schemathesis reads its `/openapi.json` over HTTP and sends valid and invalid requests to every
operation: the seven channel routes, and Open311's discovery, services, definition, requests
and tokens. No answer may be a 5xx; every 4xx must say why (`detail`, or the Open311 shape
`[{"code", "description"}]` in JSON or XML); answers must match the document. The bulk import
has no HTTP route: the walk-in and web bodies schemathesis makes from the same document are
imported as JSONL, and every row must get an outcome, a rejected one with its reason.
(tests/unit/intake/test_intake_openapi.py fuzzes the channel routes in process with the store
stubbed, harder and faster; this one proves the same with the store, Open311 and the import.)
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from intake_helpers import API_KEY, CONNECTOR
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from services.intake import bulk_cli
from services.intake.__main__ import parse_args
from services.intake.config import Settings
from tests.support.api_checks import reason_of
from tests.support.infra import Infra
from tests.support.processes import ServiceProcess, free_port

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))  # per operation and generation mode
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,  # the same cases every run: a failure here is reproducible
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def intake_api(infra: Infra, received_topic: str, intake_db: str, tmp_path: Path) -> Iterator[Any]:
    """A real intake process serving everything; its OpenAPI document, loaded by schemathesis."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "INTAKE_HTTP_PORT": str(port),
        # No rate limit in the way: the fuzzer sends as fast as intake answers.
        "INTAKE_CONNECTORS": json.dumps(
            {CONNECTOR: {"api_key": API_KEY, "rate_per_s": 100_000, "burst": 100_000}}
        ),
        "INTAKE_TOPICS__RECEIVED": received_topic,
        "INTAKE_MONGODB_DATABASE": intake_db,
        "MONGODB_URI": infra.mongodb_uri,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
    }
    with ServiceProcess.start(
        "intake", ["-m", "services.intake"], log=tmp_path / "intake.log", env=env,
        ready_url=f"{base}/readyz",
    ) as intake:  # fmt: skip
        intake.wait_ready(timeout=60)
        yield schemathesis.openapi.from_url(f"{base}/openapi.json")


def test_every_operation_refuses_bad_input_with_a_reason(intake_api: Any) -> None:
    operations = [result.ok() for result in intake_api.get_all_operations()]
    labels = {op.label for op in operations}
    assert {"POST /v1/channels/sms/complaints", "POST /open311/v2/requests.{fmt}"} <= labels
    seen: dict[int, int] = {}
    for operation in operations:
        fuzz_operation(operation, seen)
    accepted = sum(n for status, n in seen.items() if status < 300)
    refused = sum(n for status, n in seen.items() if 400 <= status < 500)
    assert accepted and refused, f"the fuzzing reached both outcomes: {seen}"


def cases_of(operation: Any) -> Any:
    """Valid and invalid requests for one operation."""
    return st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )


def fuzz_operation(operation: Any, seen: dict[int, int]) -> None:
    """Send one operation's fuzzed requests; count the answers by status in `seen`."""
    excluded = [positive_data_acceptance]  # rules JSON Schema cannot say: see the unit test
    if operation.path.startswith("/open311/"):
        # A form carries text only: a "wrong type" field (5 for a string) arrives as "5",
        # which is valid; and a path such as /services/{code}.{fmt} may be refused as
        # unknown (404) rather than invalid.
        excluded.append(negative_data_rejection)

    @FUZZ
    @given(case=cases_of(operation))
    def fuzz(case: Any) -> None:
        case.headers = {**(case.headers or {}), "X-Api-Key": API_KEY}
        response = case.call(timeout=60)
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        assert response.status_code < 500, f"{operation.label}: {response.status_code}"
        if response.status_code >= 400:
            assert reason_of(response), f"{operation.label}: {response.status_code} no reason"
        if response.status_code != 413:  # a limit schemathesis does not expect
            case.validate_response(response, excluded_checks=excluded)

    fuzz()


def jsonl_line(body: Any) -> bytes:
    """One JSONL line: a body as JSON, or raw bytes as they are (on one line)."""
    if isinstance(body, bytes):
        return body.replace(b"\n", b" ").replace(b"\r", b" ") + b"\n"
    return json.dumps(body).encode() + b"\n"


def bodies_of(operation: Any) -> list[Any]:
    """The valid and invalid bodies schemathesis makes for one operation."""
    bodies: list[Any] = []

    @FUZZ
    @given(case=cases_of(operation))
    def collect(case: Any) -> None:
        bodies.append(case.body)

    collect()
    return bodies


def test_fuzzed_bodies_through_the_bulk_import_each_get_an_outcome(
    intake_api: Any,
    settings_for: Callable[..., Settings],
    tmp_path: Path,
    capsys: Any,
) -> None:
    settings = settings_for()
    for channel in ("walkin", "web"):
        bodies = bodies_of(intake_api[f"/v1/channels/{channel}/complaints"]["POST"])
        backlog = tmp_path / f"{channel}.jsonl"
        # Bodies that are not objects, or not JSON, as well: a JSONL line may be anything.
        backlog.write_bytes(b"".join(jsonl_line(b) for b in bodies) + b"not json\n")
        report = tmp_path / f"{channel}.report.csv"
        argv = ["import", str(backlog), "--channel", channel, "--report", str(report)]
        assert bulk_cli.run(parse_args(argv), settings) == 0, capsys.readouterr().err
        with report.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        lines = [line for line in backlog.read_bytes().splitlines() if line.strip()]
        assert len(rows) == len(lines) > len(bodies) // 2, "one outcome per (non-blank) line"
        assert {row["outcome"] for row in rows} <= {"accepted", "duplicate", "rejected"}
        rejected = [row for row in rows if row["outcome"] == "rejected"]
        assert rejected and all(row["reason"] for row in rejected)
