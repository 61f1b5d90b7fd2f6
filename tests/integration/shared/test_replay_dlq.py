"""`replay-dlq` on the real Kafka: dead letters go back to their topic once, with a marker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shared import headers
from tests.support.kafka import read_to_end, send_records_with_headers

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]


def dead_letter(topic: str, key: str, value: bytes) -> tuple[str, bytes, list[tuple[str, bytes]]]:
    return (
        key,
        value,
        [
            ("content-type", b"application/cloudevents+json"),
            (headers.DLQ_SOURCE_TOPIC, topic.encode()),
            (headers.DLQ_ERROR_CLASS, b"InvalidTransition"),
        ],
    )


def replay_cli(infra: Any, topic: str, *args: str) -> str:
    env = os.environ | {
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
        "ROUTER_TOPICS__RECEIVED": topic,
    }
    done = subprocess.run(
        [sys.executable, "-m", "services.router", "replay-dlq", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_replay_sends_back_once_with_the_original_record_and_a_marker(
    infra: Any, new_topics: Any
) -> None:
    topic = new_topics("complaints.received")["complaints.received"]
    send_records_with_headers(
        infra.kafka_bootstrap,
        topic + ".dlq",
        [dead_letter(topic, "c-1", b'{"id": "ev-1"}'), dead_letter(topic, "c-2", b"{not json")],
    )

    listed = replay_cli(infra, topic, "--all", "--dry-run")
    assert "would replay 2;" in listed
    assert read_to_end(infra.kafka_bootstrap, topic) == []

    one = replay_cli(infra, topic, "--id", "ev-1")
    assert "replayed 1; 0 replayed before; 1 not selected" in one
    [back] = read_to_end(infra.kafka_bootstrap, topic, at_least=1)
    assert (back.key, back.value) == (b"c-1", b'{"id": "ev-1"}')
    found = dict(back.headers)
    assert found["content-type"] == b"application/cloudevents+json"
    assert headers.DLQ_ERROR_CLASS not in found
    assert found[headers.REPLAYED_FROM].startswith((topic + ".dlq:").encode())

    rest = replay_cli(infra, topic, "--all")
    assert "replayed 1; 1 replayed before; 0 not selected" in rest
    again = replay_cli(infra, topic, "--all")
    assert "replayed 0; 2 replayed before" in again
    assert sorted(r.key for r in read_to_end(infra.kafka_bootstrap, topic, at_least=2)) == [
        b"c-1",
        b"c-2",
    ]
