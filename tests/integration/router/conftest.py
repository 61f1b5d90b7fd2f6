"""Fixtures for the router's integration tests: Kafka from tests/conftest.py's `infra`, and per
test its own received and updates topics (with their .dlq twins), assigned and opd.<code> topics and group."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from router_kafka import OPD_CODES, RouterTopics

from shared.config import Topics
from shared.topics import COMPLAINTS_ASSIGNED, COMPLAINTS_RECEIVED, COMPLAINTS_UPDATES
from tests.support.infra import Infra

opd_topic = Topics().opd


@pytest.fixture
def topics(
    infra: Infra,
    new_topics: Callable[..., dict[str, str]],
    new_group: Callable[[], str],
    new_db: Callable[[], str],
) -> RouterTopics:
    """Fresh topics, consumer group and database for this test; dropped afterwards."""
    consumed = new_topics(COMPLAINTS_RECEIVED, COMPLAINTS_UPDATES)
    # One call, one suffix: every opd.<code> topic fits one template.
    flow = new_topics(COMPLAINTS_ASSIGNED, *map(opd_topic, OPD_CODES), dead_letter=False)
    suffix = flow[COMPLAINTS_ASSIGNED].removeprefix(COMPLAINTS_ASSIGNED)
    result = RouterTopics(
        bootstrap=infra.kafka_bootstrap,
        received=consumed[COMPLAINTS_RECEIVED],
        updates=consumed[COMPLAINTS_UPDATES],
        assigned=flow[COMPLAINTS_ASSIGNED],
        opd_template=opd_topic("{code}") + suffix,
        group=new_group(),
        database=new_db(),
    )
    assert all(result.opd(code) == flow[opd_topic(code)] for code in OPD_CODES)
    return result
