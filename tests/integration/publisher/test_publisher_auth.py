"""LAPOR! refuses our token mid-run (rotated at the partner): the cases wait, nothing is
dead-lettered; once an operator puts the new token in the token file they go through, once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from publisher_support import TOKEN, Env, LaporServer, PublisherFactory, committed
from test_publisher_lapor import resolved_event, state_of

from tests.support.kafka import read_to_end, send_events
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_rotated_token_holds_the_cases_until_the_token_file_is_updated(
    env: Env,
    lapor_server: LaporServer,
    start_publisher: PublisherFactory,
    ledger: Any,
    tmp_path: Path,
) -> None:
    token_file = tmp_path / "lapor.token"
    token_file.write_text(TOKEN + "\n")
    start_publisher(token_file=token_file, breaker_cooldown_s=0.5)
    first = resolved_event()
    send_events(env.kafka_bootstrap, env.topic, first)
    wait_until(lambda: state_of(ledger, first) == "sent", timeout=30, message="first sent")
    refused_before = sample("publisher_auth_failures_total", target="lapor")

    lapor_server.http.post("/_contract/token", json={"token": "rotated"}).raise_for_status()
    waiting = [resolved_event(), resolved_event()]
    send_events(env.kafka_bootstrap, env.topic, *waiting)

    wait_until(
        lambda: sample("publisher_auth_failures_total", target="lapor") >= refused_before + 2,
        timeout=30,
        message="the refusals counted",
    )
    assert sample("aduan_dependency_up", service="publisher", dependency="lapor") == 0
    assert len(lapor_server.complaints()) == 1  # the waiting cases did not get in
    assert [state_of(ledger, e) for e in waiting] != ["sent", "sent"]
    assert read_to_end(env.kafka_bootstrap, env.topic + ".dlq") == []

    token_file.write_text("rotated\n")  # the operator's fix; no restart

    wait_until(
        lambda: all(state_of(ledger, e) == "sent" for e in waiting),
        timeout=30,
        message="the waiting cases sent",
    )
    wait_until(lambda: committed(env) == 3, timeout=30, message="all three committed")
    complaints = lapor_server.complaints()
    external_ids = sorted(c["complaint"]["external_id"] for c in complaints)
    assert len(external_ids) == 3 and len(set(external_ids)) == 3  # none lost, none twice
    assert all(len(c["follow_ups"]) == 1 for c in complaints)
    assert read_to_end(env.kafka_bootstrap, env.topic + ".dlq") == []
    assert sample("aduan_dependency_up", service="publisher", dependency="lapor") == 1
