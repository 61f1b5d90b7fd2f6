"""Which infrastructure the integration tests use: each branch of the choice."""

from __future__ import annotations

import pytest

from tests.support.infra import Choice, choose_backends, docker_engine_available

KAFKA = {"KAFKA_BOOTSTRAP_SERVERS": "kafka.example:9092"}
MONGO = {"MONGODB_URI": "mongodb://mongo.example:27017/"}


def test_without_docker_both_run_locally() -> None:
    assert choose_backends({}, docker_available=False) == Choice(kafka="local", mongodb="local")


def test_with_docker_both_run_in_containers() -> None:
    assert choose_backends({}, docker_available=True) == Choice("testcontainers", "testcontainers")


@pytest.mark.parametrize("docker", [True, False])
def test_both_set_means_both_external(docker: bool) -> None:
    assert choose_backends({**KAFKA, **MONGO}, docker) == Choice("external", "external")


def test_only_kafka_set_starts_only_mongodb_locally() -> None:
    assert choose_backends(KAFKA, docker_available=False) == Choice("external", "local")


def test_only_mongodb_set_starts_only_kafka_in_a_container() -> None:
    assert choose_backends(MONGO, docker_available=True) == Choice("testcontainers", "external")


def test_testcontainers_can_be_turned_off() -> None:
    env = {"ADUAN_TESTCONTAINERS": "0"}
    assert choose_backends(env, docker_available=True) == Choice("local", "local")


def test_testcontainers_switch_other_values_keep_containers() -> None:
    env = {"ADUAN_TESTCONTAINERS": "1"}
    assert choose_backends(env, docker_available=True) == Choice("testcontainers", "testcontainers")


def test_empty_variables_count_as_unset() -> None:
    env = {"KAFKA_BOOTSTRAP_SERVERS": "", "MONGODB_URI": ""}
    assert choose_backends(env, docker_available=False) == Choice("local", "local")


def test_no_engine_answers_on_an_unused_socket() -> None:
    # Nothing listens on this socket path: the check must say no, not hang.
    assert docker_engine_available({"DOCKER_HOST": "unix:///nonexistent/docker.sock"}) is False
