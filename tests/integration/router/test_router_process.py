"""`python -m services.router` as a real process: readiness, routing, metrics, SIGTERM."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml
from router_kafka import SMALL, RouterTopics, received_event

from shared.events import ComplaintAssigned, decode
from tests.support.kafka import read_records, send_records
from tests.support.processes import ServiceProcess, free_port
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration


def test_serves_health_routes_and_stops_on_sigterm(topics: RouterTopics, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": topics.bootstrap,
        "ROUTER_HTTP_PORT": str(port),
        "ROUTER_TOPICS__RECEIVED": topics.received,
        "ROUTER_TOPICS__UPDATES": topics.updates,
        "ROUTER_MONGODB_DATABASE": topics.database,
        "ROUTER_TOPICS__ASSIGNED": topics.assigned,
        "ROUTER_TOPICS__OPD_TEMPLATE": topics.opd_template,
        "ROUTER_GROUP_ID": topics.group,
        "ROUTER_TRANSACTIONAL_ID": f"router-{topics.group}",
        "ROUTER_OPD_FILE": str(SMALL / "opd.yaml"),  # the topic check needs each OPD's topic
        "ROUTER_RULES_FILE": str(SMALL / "rules.yaml"),
    }
    with ServiceProcess.start(
        "router",
        ["-m", "services.router"],
        log=tmp_path / "router.log",
        env=env,
        ready_url=f"{base}/readyz",
    ) as router:
        router.wait_ready(timeout=30)
        ready = httpx.get(f"{base}/readyz").json()
        assert ready["checks"] == {"kafka": "ok", "rules": "ok", "dependencies": "ok"}
        assert httpx.get(f"{base}/livez").status_code == 200

        event = received_event("c-p", "lampu jalan mati total", region="35.78")
        send_records(topics.bootstrap, topics.received, [("c-p", event)])
        assigned = decode(read_records(topics.bootstrap, topics.assigned, 1)[0].value).data
        assert isinstance(assigned, ComplaintAssigned) and assigned.opd_code == "3578-dishub"
        counted = 'router_decisions_total{opd="3578-dishub",outcome="assigned"} 1.0'

        # Counted once the batch is stored, just before its commit: the record may show first.
        def counted_metrics() -> str | None:
            text = httpx.get(f"{base}/metrics").text
            return text if counted in text else None

        metrics = wait_until(counted_metrics, timeout=30, message="the decision counted")
        assert 'router_assignments_total{opd="3578-dishub",rule="lampu"} 1.0' in metrics
        assert 'router_assignments_total{opd="3578-pupr",rule="jalan"} 0.0' in metrics  # zeroed
        assert 'router_returns_total{opd="3578-pupr"} 0.0' in metrics
        assert "router_dispatch_latency_seconds_count 1.0" in metrics
        assert "router_rules_file_valid 1.0" in metrics
        version = yaml.safe_load((SMALL / "rules.yaml").read_text())["version"]
        assert f'router_rules_info{{version="{version}"}} 1.0' in metrics

        assert router.stop(timeout=30) == 0
