"""`python -m services.intake` as a real process: serves, accepts, stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from intake_helpers import API_KEY, CONNECTOR

from tests.support.infra import Infra
from tests.support.kafka import read_records
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def test_process_serves_one_channel_and_exits_cleanly_on_sigterm(
    infra: Infra, received_topic: str, intake_db: str
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "INTAKE_HTTP_PORT": str(port),
        "INTAKE_API_KEYS": json.dumps({CONNECTOR: API_KEY}),
        "INTAKE_RECEIVED_TOPIC": received_topic,
        "INTAKE_MONGODB_DATABASE": intake_db,
        "MONGODB_URI": infra.mongodb_uri,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.intake", "--channel", "web"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _ready(base), timeout=30, message="the process to be ready")
        answer = httpx.post(
            f"{base}/v1/channels/web/complaints",
            json={"form_id": "wf-proc", "title": "Banjir", "body": "Selokan tersumbat."},
            headers={"X-Api-Key": API_KEY},
        )
        assert answer.status_code == 202, answer.text
        read_records(infra.kafka_bootstrap, received_topic, 1)  # the event is on the topic
        proc.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal: -SIGTERM is a clean exit.
        assert proc.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.stderr is not None
    logs = [json.loads(line) for line in proc.stderr.read().splitlines() if line.startswith("{")]
    accepted = [log for log in logs if log["message"] == "complaint accepted"]
    assert accepted and accepted[0]["complaint_id"] == answer.json()["complaint_id"]
    assert accepted[0]["service"] == "intake" and accepted[0]["correlation_id"]
    assert any(log["message"].startswith("stopped") for log in logs)  # the lifespan finished
