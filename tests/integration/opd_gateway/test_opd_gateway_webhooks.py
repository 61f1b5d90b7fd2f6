"""Webhooks on the real Kafka and FerretDB: a receiver down for a while, then up, gets each
event once and in order, and another OPD's deliveries go on meanwhile."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from gateway_support import GatewayRun, Receiver

from tests.support.events import dispatched, follow_up, resolved
from tests.support.kafka import send_events
from tests.support.processes import free_port
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration


def test_a_receiver_down_then_up_gets_each_event_once_in_order_and_holds_only_its_opd(
    start_gateway: Callable[..., GatewayRun],
) -> None:
    down = Receiver(free_port(), secret="pupr-new")
    up = Receiver(free_port(), secret="disdik-secret")
    up.start()
    run = start_gateway(
        opds=[{"code": "3578-pupr", "webhook_url": down.url},
              {"code": "35-disdik", "webhook_url": up.url}],
        # pupr is rotating its secret: its receiver knows only the new one.
        secrets={"3578-pupr": ["pupr-new", "pupr-old"], "35-disdik": ["disdik-secret"]},
        keys={"3578-pupr": "key-pupr", "35-disdik": "key-disdik"},
    )  # fmt: skip
    bootstrap = run.settings.kafka.bootstrap_servers
    pupr = [dispatched(f"c-pupr-{n}", f"ADU-P{n}", opd="3578-pupr") for n in range(3)]
    disdik = dispatched("c-disdik", "ADU-D1", opd="35-disdik")
    send_events(bootstrap, run.opd_topic("3578-pupr"), *pupr)
    send_events(bootstrap, run.opd_topic("35-disdik"), disdik)
    # The OPD answers once it has the case (the gateway tracks it): the updates come after.
    wait_until(lambda: run.inbox.get("/v1/inbox/cases/c-pupr-0",
                                     headers={"X-API-Key": "key-pupr"}).status_code == 200,
               timeout=60, message="the first pupr case is tracked")  # fmt: skip
    later = [follow_up("c-pupr-0", opd="3578-pupr"), resolved("c-pupr-0", opd="3578-pupr")]
    send_events(bootstrap, run.settings.topics.updates, *later)

    def log(key: str) -> list[dict[str, object]]:
        answer = run.inbox.get("/v1/inbox/deliveries", headers={"X-API-Key": key})
        assert answer.status_code == 200
        return answer.json()

    # pupr's receiver is down: its first delivery is tried again and again, the rest wait.
    wait_until(lambda: any(int(d["attempts"]) >= 3 for d in log("key-pupr")), timeout=60,
               message="pupr's head delivery retried")  # fmt: skip
    wait_until(lambda: len(log("key-pupr")) == 5, timeout=60, message="pupr's 5 queued")
    attempted = [d for d in log("key-pupr") if int(d["attempts"]) > 0]
    assert [d["event_id"] for d in attempted] == [pupr[0].id], "only the head was tried"
    # disdik's receiver is up: its delivery is not held by pupr's outage.
    wait_until(lambda: up.received == [disdik.id], timeout=30, message="disdik delivered")

    down.start()
    try:
        expected = [*(e.id for e in pupr), *(e.id for e in later)]
        wait_until(lambda: len(down.received) >= len(expected), timeout=60,
                   message="pupr's deliveries after the receiver came back")  # fmt: skip
        assert down.received == expected  # each once, in the order they were consumed
        assert down.bad_signatures == 0
        wait_until(lambda: all(d["state"] == "delivered" for d in log("key-pupr")), timeout=30)
        assert down.received == expected  # and nothing came twice afterwards
    finally:
        down.stop()
        up.stop()


def test_updates_read_before_their_dispatch_are_delivered_after_it(
    start_gateway: Callable[..., GatewayRun],
) -> None:
    receiver = Receiver(free_port(), secret="s")
    receiver.start()
    run = start_gateway(
        opds=[{"code": "3578-pupr", "webhook_url": receiver.url}],
        secrets={"3578-pupr": ["s"]}, keys={"3578-pupr": "k"},
    )  # fmt: skip
    bootstrap = run.settings.kafka.bootstrap_servers
    answers = [follow_up("c-late", opd="3578-pupr"), resolved("c-late", opd="3578-pupr")]
    other = follow_up("c-kafka-opd", opd="3578-dinkes")  # another OPD's, on Kafka: not kept
    send_events(bootstrap, run.settings.topics.updates, *answers, other)
    db = run.gateway_db()
    wait_until(lambda: db["opd_early_events"].count_documents({}) == 2, timeout=60,
               message="the two early events kept aside")  # fmt: skip
    dispatch = dispatched("c-late", "ADU-L", opd="3578-pupr")
    send_events(bootstrap, run.opd_topic("3578-pupr"), dispatch)
    try:
        expected = [dispatch.id, *(e.id for e in answers)]
        wait_until(lambda: len(receiver.received) >= 3, timeout=60, message="3 delivered")
        assert receiver.received == expected
        case = run.inbox.get("/v1/inbox/cases/c-late", headers={"X-API-Key": "k"}).json()
        assert case["status"] == "resolved"
        wait_until(lambda: db["opd_early_events"].count_documents({}) == 0, timeout=30)
    finally:
        receiver.stop()
