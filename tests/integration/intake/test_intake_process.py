"""`python -m services.intake` as a real process: serves, accepts, stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import httpx
import pytest
from intake_helpers import API_KEY, CONNECTOR

from tests.support.infra import Infra
from tests.support.kafka import read_records
from tests.support.processes import ServiceProcess, free_port

pytestmark = pytest.mark.integration


def test_process_serves_one_channel_and_exits_cleanly_on_sigterm(
    infra: Infra, received_topic: str, intake_db: str, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "INTAKE_HTTP_PORT": str(port),
        "INTAKE_API_KEYS": json.dumps({CONNECTOR: API_KEY}),
        "INTAKE_TOPICS__RECEIVED": received_topic,
        "INTAKE_MONGODB_DATABASE": intake_db,
        "MONGODB_URI": infra.mongodb_uri,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
    }
    with ServiceProcess.start(
        "intake",
        ["-m", "services.intake", "--channel", "web"],
        log=tmp_path / "intake.log",
        env=env,
        ready_url=f"{base}/readyz",
    ) as intake:
        intake.wait_ready(timeout=30)
        answer = httpx.post(
            f"{base}/v1/channels/web/complaints",
            json={"form_id": "wf-proc", "title": "Banjir", "body": "Selokan tersumbat."},
            headers={"X-Api-Key": API_KEY},
        )
        assert answer.status_code == 202, answer.text
        read_records(infra.kafka_bootstrap, received_topic, 1)  # the event is on the topic
        # uvicorn shuts down gracefully, then re-raises the signal: -SIGTERM is a clean exit.
        assert intake.stop(timeout=30) in (0, -signal.SIGTERM)
    lines = intake.log_text().splitlines()
    logs = [json.loads(line) for line in lines if line.startswith("{")]
    accepted = [log for log in logs if log["message"] == "complaint accepted"]
    assert accepted and accepted[0]["complaint_id"] == answer.json()["complaint_id"]
    assert accepted[0]["service"] == "intake" and accepted[0]["correlation_id"]
    assert any(log["message"].startswith("stopped") for log in logs)  # the lifespan finished
