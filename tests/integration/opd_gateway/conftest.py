"""Fixtures for the OPD gateway's integration tests: the gateway built on this test's topics,
consumer group and database, its loop and webhook senders running in this process."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from gateway_support import GatewayRun

from services.opd_gateway.config import Delivery, Settings
from services.opd_gateway.service import build
from shared.config import Topics
from shared.kafka.admin import TopicSpec, ensure_topics
from shared.topics import COMPLAINTS_RESOLVED, COMPLAINTS_UPDATES
from tests.support.infra import Infra
from tests.support.processes import free_port


@pytest.fixture
def start_gateway(
    infra: Infra,
    new_topics: Callable[..., dict[str, str]],
    new_group: Callable[[], str],
    new_db: Callable[[], str],
    run_in_background: Callable[..., Any],
    tmp_path: Path,
) -> Iterator[Callable[..., GatewayRun]]:
    """Factory: `start_gateway(opds=[{"code", "webhook_url"?}], secrets={}, keys={})`."""
    clients: list[TestClient] = []
    runs: list[GatewayRun] = []

    def start(
        opds: list[dict[str, str]], secrets: dict[str, list[str]], keys: dict[str, str]
    ) -> GatewayRun:
        topics = new_topics(COMPLAINTS_UPDATES, COMPLAINTS_RESOLVED)
        suffix = uuid.uuid4().hex[:8]
        template = "opd.{code}." + suffix
        specs = [
            spec
            for opd in opds
            for spec in TopicSpec(
                template.format(code=opd["code"]), 1, dead_letter=True
            ).with_dead_letter()
        ]
        ensure_topics(infra.kafka_bootstrap, specs)
        registry = tmp_path / f"opds-{suffix}.yaml"
        registry.write_text(yaml.safe_dump({"opds": opds}))
        settings = Settings(
            http_port=free_port(), group_id=new_group(), mongodb_database=new_db(),
            topics=Topics(updates=topics[COMPLAINTS_UPDATES], resolved=topics[COMPLAINTS_RESOLVED],
                          opd_template=template),
            opds_file=registry, webhook_secrets=secrets, inbox_keys=keys, retry_base_s=0.05,
            delivery=Delivery(retry_base_s=0.05, retry_cap_s=0.3, breaker_failure_threshold=3,
                              breaker_cooldown_s=0.3, poll_interval_s=0.2),
        )  # fmt: skip
        gateway = build(settings)
        gateway.senders.start()
        run_in_background(gateway.service, name="opd-gateway")
        client = TestClient(gateway.web)
        clients.append(client)
        run = GatewayRun(settings, gateway, client, [])
        runs.append(run)
        return run

    yield start
    for client in clients:
        client.close()
    for run in runs:
        for mongo in run.clients:
            mongo.close()
