"""`python -m services.router` as a real process: readiness, routing, metrics, SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from router_kafka import BOOTSTRAP, RouterTopics, received_event, router_topics

from shared.events import ComplaintAssigned, decode
from tests.support.kafka import read_records, send_records

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "router exited early"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)  # polling interval of a condition with a deadline, not a sync sleep
    raise AssertionError(f"{url} not ready in {timeout_s}s")


@pytest.fixture
def topics() -> Iterator[RouterTopics]:
    with router_topics() as t:
        yield t


def test_serves_health_routes_and_stops_on_sigterm(topics: RouterTopics) -> None:
    port = _free_port()
    env = os.environ | {
        "KAFKA_BOOTSTRAP_SERVERS": BOOTSTRAP,
        "ROUTER_HTTP_PORT": str(port),
        "ROUTER_RECEIVED_TOPIC": topics.received,
        "ROUTER_ASSIGNED_TOPIC": topics.assigned,
        "ROUTER_OPD_TOPIC_TEMPLATE": topics.opd_template,
        "ROUTER_GROUP_ID": topics.group,
    }
    process = subprocess.Popen([sys.executable, "-m", "services.router"], cwd=REPO, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(f"{base}/readyz", process)
        ready = httpx.get(f"{base}/readyz").json()
        assert ready["checks"] == {"kafka": "ok", "rules": "ok"}
        assert httpx.get(f"{base}/livez").status_code == 200

        event = received_event("c-p", "lampu merah mati total")
        send_records(BOOTSTRAP, topics.received, [("c-p", event)])
        assigned = decode(read_records(BOOTSTRAP, topics.assigned, 1)[0].value).data
        assert isinstance(assigned, ComplaintAssigned) and assigned.opd_code == "dishub"
        metrics = httpx.get(f"{base}/metrics").text
        assert 'router_decisions_total{opd="dishub",outcome="assigned"} 1.0' in metrics
        version = yaml.safe_load((REPO / "deploy/config/rules.yaml").read_text())["version"]
        assert f'router_rules_info{{version="{version}"}} 1.0' in metrics

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
