"""One supervised stack for the whole fault suite (starting it takes about a minute)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.stack import FaultStack
from tests.support.broker import DisposableKafka
from tests.support.ferret import DisposableFerret


@pytest.fixture(scope="session")
def stack() -> Iterator[FaultStack]:
    if not (DisposableKafka.available() and DisposableFerret.available()):
        pytest.fail("Kafka jars or FerretDB missing: run `make infra-install`")
    running = FaultStack.start()
    yield running
    running.close()
