"""Session infrastructure and per-test factories (topics, consumer groups, databases).

`infra` starts (or finds) Kafka and MongoDB lazily, the first time an integration or e2e test
asks for it; unit tests never touch it. See tests/support/infra.py for how it is chosen.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from kafka import KafkaAdminClient
from pymongo import MongoClient

from shared.kafka.admin import TopicSpec, ensure_topics

if TYPE_CHECKING:  # importing it costs a second; unit-only runs do not need it
    from shared.service import ConsumeService

# `tests.support` must be importable from every test module; the bare `pytest` script does not
# put the repository root on sys.path (only `python -m pytest` does).
ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from hypothesis import settings as hypothesis_settings  # noqa: E402

from tests.support.background import BackgroundServices  # noqa: E402
from tests.support.infra import (  # noqa: E402 - needs the sys.path entry above
    Infra,
    choose_backends,
    describe,
    docker_engine_available,
    provision,
)

INFRA_MARKERS = ("integration", "e2e")

# In CI the property tests run the same examples every time (a fresh clone has no example
# database): a red CI then always means a change broke something. Locally they explore.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    hypothesis_settings.load_profile("ci")
_used: list[str] = []  # what `infra` provided, for the summary at the end


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Refuse `infra` (and the factories built on it) to tests not marked integration or e2e."""
    uses_infra = "infra" in getattr(item, "fixturenames", ())
    if uses_infra and not any(item.get_closest_marker(m) for m in INFRA_MARKERS):
        pytest.fail(
            f"{item.nodeid} uses real infrastructure: mark it @pytest.mark.integration or e2e",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    """Kafka, MongoDB (and Prometheus when local) for this session: external, containers or local."""
    choice = choose_backends(os.environ, docker_engine_available())
    with ExitStack() as stack:
        started = provision(choice, os.environ, stack)
        _used.append(describe(choice, started))
        yield started


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say which infrastructure the integration tests ran against."""
    for line in _used:
        terminalreporter.write_line(f"infra: {line}")


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


@pytest.fixture
def new_topics(infra: Infra) -> Iterator[Callable[..., dict[str, str]]]:
    """Factory: `new_topics(*base_names, partitions=3, dead_letter=True)` -> {base: actual name}.

    Creates `<base>.<8 hex>` per base name (and its `.dlq` twin when `dead_letter`), ready to use;
    deletes them after the test.
    """
    created: list[str] = []

    def make(*base_names: str, partitions: int = 3, dead_letter: bool = True) -> dict[str, str]:
        suffix = uuid.uuid4().hex[:8]
        names = {base: f"{base}.{suffix}" for base in base_names}
        specs = [
            spec
            for name in names.values()
            for spec in TopicSpec(name, partitions, dead_letter=dead_letter).with_dead_letter()
        ]
        ensure_topics(infra.kafka_bootstrap, specs)
        created.extend(spec.name for spec in specs)
        return names

    yield make
    if created:
        admin = KafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap)
        try:
            admin.delete_topics(created, raise_errors=False)
        finally:
            admin.close()


@pytest.fixture
def new_group() -> Callable[[], str]:
    """Factory: a consumer group id no other test uses."""
    return lambda: _unique("test-group-")


@pytest.fixture
def new_db(infra: Infra) -> Iterator[Callable[[], str]]:
    """Factory: a database name no other test uses; every such database is dropped afterwards."""
    names: list[str] = []

    def make() -> str:
        names.append(_unique("test_"))
        return names[-1]

    yield make
    if names:
        client: MongoClient[dict[str, object]] = MongoClient(infra.mongodb_uri)
        try:
            for name in names:
                client.drop_database(name)
        finally:
            client.close()


@pytest.fixture
def run_in_background() -> Iterator[Callable[..., ConsumeService]]:
    """Factory: `run_in_background(service, name="...")` runs a built ConsumeService's loop in a
    thread and returns the service. At teardown every loop is stopped, its thread joined and the
    service closed; a loop still running or one that raised fails the test."""
    services = BackgroundServices()
    yield services.start
    services.stop_all()
