"""The case agent under faust's `agent.test_context()`: table, view, emitted and dead-lettered
records, without Kafka or Mongo (the edges are tested for real in tests/integration/sla)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import faust
import pymongo.errors

from services.sla.app import SlaApp, create_app
from services.sla.config import Settings
from services.sla.view import CaseDocument
from shared import headers
from shared.events import CaseResolved, Envelope, decode, encode
from tests.support.events import REPORTER, assigned, follow_up, received, resolved

CID = "01JAGENT000000000000000001"
Sent = list[tuple[str, bytes | None, bytes, dict[str, bytes]]]


class MemoryRepository:
    """Keeps view documents in a dict; `failing` makes every write a Mongo hiccup."""

    def __init__(self, *, failing: bool = False) -> None:
        self.docs: dict[str, CaseDocument] = {}
        self.writes = 0
        self.failing = failing

    def upsert(self, doc: CaseDocument) -> None:
        self.writes += 1
        if self.failing:
            raise pymongo.errors.AutoReconnect("connection refused")
        self.docs[doc.id] = doc

    def by_tracking_number(self, tracking_number: str) -> CaseDocument | None:
        return next((d for d in self.docs.values() if d.tracking_number == tracking_number), None)


def run_agent(
    repository: MemoryRepository,
    body: Callable[[Any, SlaApp], Awaitable[None]],
    sent: Sent | None = None,
) -> tuple[SlaApp, Sent]:
    """Build the sla app on a fresh faust app and run `body(agent, sla)` in a test context."""
    settings = Settings(mongo_backoff_s=0.0, mongo_attempts=3)
    sent = [] if sent is None else sent

    async def send(topic: str, key: bytes | None, value: bytes, hdrs: Any) -> None:
        sent.append((topic, key, value, dict(hdrs)))

    app = faust.App("sla-unit", store="memory://", key_serializer="json", web_enabled=False)
    sla = create_app(settings, repository=repository, ready={}, app=app, send=send)  # type: ignore[arg-type]

    async def main() -> None:
        async with sla.agent.test_context() as agent:
            await body(agent, sla)

    asyncio.run(main())
    return sla, sent


async def put(agent: Any, event: Envelope[Any]) -> None:
    await agent.put(encode(event), key=event.subject.encode())


async def until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Wait for the agent: `put` can return while the handler still awaits (a retry wait)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "agent did not get there in time"
        await asyncio.sleep(0.01)


def test_lifecycle_updates_table_and_view_and_emits_once() -> None:
    repository = MemoryRepository()

    async def body(agent: Any, sla: SlaApp) -> None:
        for event in (received(CID), assigned(CID), follow_up(CID), resolved(CID)):
            await put(agent, event)
        await until(lambda: repository.writes == 4)
        assert sla.table[CID]["status"] == "resolved"

    _, sent = run_agent(repository, body)
    assert repository.docs[CID].status == "resolved"
    assert REPORTER.name not in repository.docs[CID].model_dump_json()
    assert [topic for topic, *_ in sent] == ["complaints.resolved"]
    _, key, value, hdrs = sent[0]
    assert key == CID.encode()
    assert isinstance(decode(value).data, CaseResolved)
    assert hdrs[headers.CONTENT_TYPE] == b"application/cloudevents+json"


def test_poison_and_invalid_events_are_dead_lettered_and_the_agent_goes_on() -> None:
    repository = MemoryRepository()

    async def body(agent: Any, sla: SlaApp) -> None:
        await agent.put(b"{broken", key=b"x")
        await put(agent, received(CID))
        await put(agent, assigned(CID, tracking="ADU-9999"))  # contradicts the case
        await until(lambda: CID in repository.docs)
        assert sla.table[CID]["status"] == "received"

    _, sent = run_agent(repository, body)
    # test_context names its channel "<internal>": the dead letter goes to that topic's twin.
    assert len(sent) == 2
    for topic, _, _, hdrs in sent:
        assert topic == hdrs[headers.DLQ_SOURCE_TOPIC].decode() + ".dlq"
    poison, invalid = sent[0][3], sent[1][3]
    assert sent[0][2] == b"{broken"
    assert poison[headers.DLQ_ERROR_CLASS] == b"ValidationError"
    assert invalid[headers.DLQ_ERROR_CLASS] == b"InvalidTransition"
    assert b"tracking number" in invalid[headers.DLQ_ERROR_MESSAGE]
    assert invalid[headers.DLQ_SERVICE] == b"sla"
    assert set(invalid) >= {
        headers.DLQ_SOURCE_TOPIC,
        headers.DLQ_SOURCE_PARTITION,
        headers.DLQ_SOURCE_OFFSET,
        headers.DLQ_ATTEMPTS,
        headers.DLQ_FAILED_AT,
    }
    assert CID in repository.docs


def test_mongo_failure_is_retried_then_dead_lettered_and_state_is_kept() -> None:
    repository = MemoryRepository(failing=True)
    sent: Sent = []

    async def body(agent: Any, sla: SlaApp) -> None:
        await put(agent, received(CID))
        await until(lambda: len(sent) == 1)
        assert sla.table[CID]["status"] == "received"

    _, sent = run_agent(repository, body, sent)
    assert repository.writes == 3
    (topic, _, _, hdrs) = sent[0]
    assert topic.endswith(".dlq")
    assert hdrs[headers.DLQ_ERROR_CLASS] == b"AutoReconnect"
    assert hdrs[headers.DLQ_ATTEMPTS] == b"3"


def test_redelivery_reprojects_without_emitting_again() -> None:
    repository = MemoryRepository()
    resolution = resolved(CID)

    async def body(agent: Any, sla: SlaApp) -> None:
        for event in (received(CID), assigned(CID), resolution, resolution):
            await put(agent, event)
        await until(lambda: repository.writes == 4)

    _, sent = run_agent(repository, body)
    assert [topic for topic, *_ in sent] == ["complaints.resolved"]
    assert repository.writes == 4
