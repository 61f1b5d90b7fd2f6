"""Where the integration and e2e tests find Kafka and MongoDB (DESIGN §4).

Per service, in this order:
  external        KAFKA_BOOTSTRAP_SERVERS / MONGODB_URI are set: use them as they are;
  testcontainers  a Docker engine answers and ADUAN_TESTCONTAINERS is not "0": containers;
  local           deploy/local/infra.sh up (Kafka jars, FerretDB, Prometheus in .local/).
`choose_backends` decides (pure, unit-tested); `provision` carries the decision out.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from shared.kafka.admin import ensure_topics, load_topic_specs

Backend = Literal["external", "testcontainers", "local"]

ROOT = Path(__file__).resolve().parents[2]
INFRA_SH = ROOT / "deploy" / "local" / "infra.sh"
TOPICS_FILE = ROOT / "deploy" / "kafka" / "topics.yaml"
LOCAL_KAFKA = "127.0.0.1:9092"
LOCAL_MONGODB = "mongodb://127.0.0.1:27017/"
KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"  # Confluent images: what `.with_kraft()` supports
MONGODB_IMAGE = "mongo:7.0"


@dataclass(frozen=True)
class Infra:
    """Addresses of the running infrastructure, as the tests see it."""

    kafka_bootstrap: str
    mongodb_uri: str
    prometheus_url: str | None = None


@dataclass(frozen=True)
class Choice:
    """Which path provides each part."""

    kafka: Backend
    mongodb: Backend


def choose_backends(env: Mapping[str, str], docker_available: bool) -> Choice:
    """Choose, per service, between the external server, testcontainers and local processes."""
    containers = docker_available and env.get("ADUAN_TESTCONTAINERS", "1") != "0"
    fallback: Backend = "testcontainers" if containers else "local"
    return Choice(
        kafka="external" if env.get("KAFKA_BOOTSTRAP_SERVERS") else fallback,
        mongodb="external" if env.get("MONGODB_URI") else fallback,
    )


def docker_engine_available(env: Mapping[str, str] = os.environ, timeout: float = 2.0) -> bool:
    """Tell whether a Docker engine answers a ping (False at once when there is no socket)."""
    host = env.get("DOCKER_HOST", "")
    if not host and not Path("/var/run/docker.sock").exists():
        return False
    try:
        import docker  # noqa: PLC0415 - imported only when an engine may be there

        client = docker.DockerClient(
            base_url=host or "unix:///var/run/docker.sock", timeout=timeout
        )
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # any failure means "no usable engine"
        return False


def start_local(env: Mapping[str, str]) -> Infra:
    """Run `deploy/local/infra.sh up` (reuses what already runs) and return its addresses.

    `env` carries KAFKA_BOOTSTRAP_SERVERS / MONGODB_URI for parts provided elsewhere:
    infra.sh then starts only the rest (and still creates the declared topics on that Kafka).
    """
    proc = subprocess.run(
        [str(INFRA_SH), "up"],
        env=dict(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"deploy/local/infra.sh up failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    # infra.sh skips Prometheus when it is not installed; its last line says what is up.
    started = re.search(r"PROMETHEUS_URL=(\S+)", proc.stderr)
    return Infra(
        kafka_bootstrap=env.get("KAFKA_BOOTSTRAP_SERVERS") or LOCAL_KAFKA,
        mongodb_uri=env.get("MONGODB_URI") or LOCAL_MONGODB,
        prometheus_url=env.get("PROMETHEUS_URL") or (started.group(1) if started else None),
    )


def start_kafka_container(stack: ExitStack) -> str:
    """Start a KRaft Kafka container configured like deploy/local; return its bootstrap address."""
    # testcontainers costs ~0.6 s to import: only when Docker is used (testcontainers 4.x path).
    from testcontainers.community.kafka import KafkaContainer  # noqa: PLC0415

    container = (
        KafkaContainer(KAFKA_IMAGE)
        .with_kraft()
        .with_env("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
        .with_env("KAFKA_NUM_PARTITIONS", "3")
        # One broker: the transaction log cannot need more than one replica.
        .with_env("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .with_env("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
    )
    container.start(timeout=120)
    stack.callback(container.stop)
    return str(container.get_bootstrap_server())


def start_mongodb_container(stack: ExitStack) -> str:
    """Start a MongoDB container; return its connection URI."""
    from testcontainers.community.mongodb import MongoDbContainer  # noqa: PLC0415

    container = MongoDbContainer(MONGODB_IMAGE)
    container.start()
    stack.callback(container.stop)
    return str(container.get_connection_url())


def create_declared_topics(bootstrap: str) -> None:
    """Create deploy/kafka/topics.yaml's topics (what infra.sh does on the local path)."""
    ensure_topics(bootstrap, load_topic_specs(TOPICS_FILE))


def provision(choice: Choice, env: Mapping[str, str], stack: ExitStack) -> Infra:
    """Carry out `choice`; containers are stopped when `stack` closes, local processes stay."""
    resolved = dict(env)
    if choice.kafka == "testcontainers":
        resolved["KAFKA_BOOTSTRAP_SERVERS"] = start_kafka_container(stack)
    if choice.mongodb == "testcontainers":
        resolved["MONGODB_URI"] = start_mongodb_container(stack)
    if "local" in (choice.kafka, choice.mongodb):
        return start_local(resolved)
    create_declared_topics(resolved["KAFKA_BOOTSTRAP_SERVERS"])
    return Infra(
        kafka_bootstrap=resolved["KAFKA_BOOTSTRAP_SERVERS"],
        mongodb_uri=resolved["MONGODB_URI"],
        prometheus_url=resolved.get("PROMETHEUS_URL"),
    )


def describe(choice: Choice, infra: Infra) -> str:
    """One line for the test report header."""
    return (
        f"kafka={infra.kafka_bootstrap} ({choice.kafka}), "
        f"mongodb={infra.mongodb_uri.split('@')[-1]} ({choice.mongodb}), "
        f"prometheus={infra.prometheus_url or '-'}"
    )
