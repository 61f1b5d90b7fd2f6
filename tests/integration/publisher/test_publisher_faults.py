"""Faults on real Kafka and FerretDB against both contract servers: a 10-minute outage (on the
servers' clock, not waited out), a timeout after acceptance, a 5xx storm, and a publisher
killed mid-batch. Each ends with every case once at each target and nothing dead-lettered."""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from publisher_support import CKAN_TOKEN, TOKEN, Env, LaporServer
from test_publisher_lapor import resolved_event

from services.publisher.config import Settings
from services.publisher.service import build
from shared.service import ConsumeService
from tests.support.kafka import read_to_end, send_events
from tests.support.processes import ServiceProcess, free_port
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration
Start = Callable[..., ConsumeService]


def events(n: int) -> list[Any]:
    return [resolved_event(anonymous=False) for _ in range(n)]


def exactly_once(lapor: LaporServer, ckan: LaporServer, sent: list[Any]) -> bool:
    """Every case once in LAPOR! (with its resolution) and once in the catalogue."""
    ids = Counter(c["complaint"]["external_id"] for c in lapor.complaints())
    finished = sum(1 for c in lapor.complaints() if c["follow_ups"])
    rows = Counter(r["id_publik"] for r in ckan.rows())
    wanted = {f"{e.subject}:1" for e in sent}
    return set(ids) == wanted == set(rows) and max(ids.values()) == 1 and finished == len(sent)


def test_a_ten_minute_outage_is_caught_up_without_loss_or_duplicate(
    env: Env,
    lapor_server: LaporServer,
    ckan_server: LaporServer,
    both_settings: Callable[..., Settings],
    run_in_background: Start,
) -> None:
    for server in (lapor_server, ckan_server):
        server.faults(outage_s=600)
    breaker = {"breaker_failure_threshold": 2, "breaker_cooldown_s": 0.3}
    service = run_in_background(build(both_settings(lapor=breaker, ckan=breaker)), name="publisher")
    sent = events(30)
    send_events(env.kafka_bootstrap, env.topic, *sent)

    down = service.loop.progress.down
    wait_until(lambda: {"lapor", "ckan"} & set(down()), timeout=30, message="a target down")
    wait_until(lambda: lapor_server.received()["requests"] >= 5, timeout=30, message="retries")
    assert lapor_server.complaints() == []
    for server in (lapor_server, ckan_server):
        server.advance(600)  # ten minutes pass on the servers' clock

    wait_until(
        lambda: exactly_once(lapor_server, ckan_server, sent), timeout=120, message="caught up"
    )
    assert read_to_end(env.kafka_bootstrap, env.topic + ".dlq") == []


def test_a_timeout_after_acceptance_creates_no_duplicate(
    env: Env,
    lapor_server: LaporServer,
    ckan_server: LaporServer,
    both_settings: Callable[..., Settings],
    run_in_background: Start,
) -> None:
    lapor_server.faults(hang_after_next=1, hang_ms=2500)
    ckan_server.faults(hang_after_next=2, hang_ms=2500)
    short = {"read_timeout_s": 1.0}
    run_in_background(build(both_settings(lapor=short, ckan=short)), name="publisher")
    sent = events(3)
    send_events(env.kafka_bootstrap, env.topic, *sent)

    wait_until(lambda: exactly_once(lapor_server, ckan_server, sent), timeout=90, message="once")
    assert lapor_server.received()["hung"] == 1
    assert read_to_end(env.kafka_bootstrap, env.topic + ".dlq") == []


def test_a_5xx_storm_and_rate_limits_end_with_every_case_once(
    env: Env,
    lapor_server: LaporServer,
    ckan_server: LaporServer,
    both_settings: Callable[..., Settings],
    run_in_background: Start,
) -> None:
    lapor_server.faults(storm_ratio=0.3, storm_status=502, rate_per_s=40)
    ckan_server.faults(storm_ratio=0.3, storm_status=503)
    breaker = {"breaker_failure_threshold": 3, "breaker_cooldown_s": 0.2}
    run_in_background(build(both_settings(lapor=breaker, ckan=breaker)), name="publisher")
    sent = events(40)
    send_events(env.kafka_bootstrap, env.topic, *sent)

    wait_until(
        lambda: lapor_server.received()["injected_failures"] > 5, timeout=60, message="storm"
    )
    wait_until(lambda: exactly_once(lapor_server, ckan_server, sent), timeout=180, message="once")
    assert read_to_end(env.kafka_bootstrap, env.topic + ".dlq") == []


def test_a_publisher_killed_mid_batch_and_restarted_sends_each_case_once(
    env: Env, lapor_server: LaporServer, ckan_server: LaporServer, tmp_path: Path
) -> None:
    lapor_server.faults(delay_ms=300)  # slow enough that the kill lands inside a batch
    sent = events(60)
    send_events(env.kafka_bootstrap, env.topic, *sent)
    first = _publisher_process(env, lapor_server, ckan_server, tmp_path / "first.log")
    with first:
        wait_until(lambda: len(lapor_server.complaints()) >= 10, timeout=60, message="some sent")
        first.popen.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert len(lapor_server.complaints()) < 60  # it died with work left

    lapor_server.faults(delay_ms=0)
    with _publisher_process(env, lapor_server, ckan_server, tmp_path / "second.log") as second:
        wait_until(
            lambda: exactly_once(lapor_server, ckan_server, sent), timeout=120, message="once"
        )
        assert second.stop(timeout=30) == 0
    assert read_to_end(env.kafka_bootstrap, env.topic + ".dlq") == []


def _publisher_process(
    env: Env, lapor: LaporServer, ckan: LaporServer, log: Path
) -> ServiceProcess:
    port = free_port()
    variables = {
        "KAFKA_BOOTSTRAP_SERVERS": env.kafka_bootstrap,
        "MONGODB_URI": env.mongodb_uri,
        "PUBLISHER_TOPICS__RESOLVED": env.topic,
        "PUBLISHER_GROUP_ID": env.group,
        "PUBLISHER_MONGODB_DATABASE": env.database,
        "PUBLISHER_HTTP_PORT": str(port),
        "PUBLISHER_LAPOR__BASE_URL": lapor.base_url,
        "PUBLISHER_LAPOR__TOKEN": TOKEN,
        "PUBLISHER_CKAN__BASE_URL": ckan.base_url,
        "PUBLISHER_CKAN__TOKEN": CKAN_TOKEN,
        "PUBLISHER_LEASE_S": "3",  # the killed owner's claims lapse quickly
        "PUBLISHER_RETRY_BASE_S": "0.05",
        "PUBLISHER_RETRY_CAP_S": "0.5",
        "PUBLISHER_MAX_POLL_RECORDS": "60",
    }
    return ServiceProcess.start(
        "publisher", ["-m", "services.publisher"], log=log, env={**os.environ, **variables}
    )
