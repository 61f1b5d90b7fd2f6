"""The OPD simulator's HTTP side against a real gateway: a dispatched case reaches the OPD by
signed webhook and is answered through the inbox, as `make run` shows."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
import uvicorn
from fastapi import FastAPI
from gateway_support import GatewayRun

from deploy.local.opd_http import HttpOpds
from shared.events import decode
from tests.support.events import dispatched
from tests.support.kafka import read_to_end, send_events
from tests.support.processes import free_port
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def serve() -> Iterator[Callable[[FastAPI, int], None]]:
    """Factory: serve an app on 127.0.0.1:`port` in a thread until the test ends."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app: FastAPI, port: int) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread))
        wait_until(lambda: server.started, timeout=10, message="server started")

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


def test_the_simulator_answers_a_webhook_through_the_inbox(
    start_gateway: Callable[..., GatewayRun], serve: Callable[[FastAPI, int], None]
) -> None:
    simulator_port = free_port()
    secrets = {"3578-pupr": ["new-secret", "old-secret"]}
    keys = {"3578-pupr": "pupr-key"}
    hook = f"http://127.0.0.1:{simulator_port}/webhooks/3578-pupr"
    run = start_gateway(
        opds=[{"code": "3578-pupr", "webhook_url": hook}], secrets=secrets, keys=keys
    )
    serve(run.gateway.web, run.settings.http_port)
    opds = HttpOpds(gateway_url=f"http://127.0.0.1:{run.settings.http_port}",
                    secrets={"3578-pupr": ["old-secret"]}, keys=keys)  # fmt: skip
    simulator = FastAPI()
    simulator.include_router(opds.router())
    serve(simulator, simulator_port)
    try:
        case = dispatched("c-sim", "ADU-SIM", opd="3578-pupr")
        send_events(run.settings.kafka.bootstrap_servers, run.opd_topic("3578-pupr"), case)
        wait_until(
            lambda: run.inbox.get("/v1/inbox/cases/c-sim", headers={"X-API-Key": "pupr-key"})
            .json().get("status") == "resolved",
            timeout=60, message="the simulator resolved the case through the inbox",
        )  # fmt: skip
        records = read_to_end(run.settings.kafka.bootstrap_servers, run.settings.topics.updates, 2)
        events = [decode(r.value) for r in records]
        assert [(e.type, e.data.opd_code) for e in events] == [  # type: ignore[attr-defined]
            ("id.aduan.complaint.followup_posted", "3578-pupr"),
            ("id.aduan.complaint.resolved", "3578-pupr"),
        ]
    finally:
        opds.close()
