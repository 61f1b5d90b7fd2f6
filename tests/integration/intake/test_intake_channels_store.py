"""Per-connector idempotency and the SMS part store on the real FerretDB."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import ASCENDING, MongoClient
from pymongo.database import Database

from services.intake.repository import ComplaintRepository
from services.intake.sms_concat import SmsPart
from services.intake.sms_parts import SmsPartStore
from tests.support.infra import Infra
from tests.unit.intake.intake_support import stored

pytestmark = pytest.mark.integration


@pytest.fixture
def db(infra: Infra, intake_db: str) -> Iterator[Database[dict[str, Any]]]:
    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, tz_aware=True)
    yield client[intake_db]
    client.close()


def test_old_channel_key_is_dropped_and_two_connectors_may_share_a_reference(
    db: Database[dict[str, Any]],
) -> None:
    collection = db["complaints"]
    old = [("channel", ASCENDING), ("channel_ref", ASCENDING)]
    collection.create_index(old, unique=True, name="channel_channel_ref_unique")
    repo = ComplaintRepository(collection)
    repo.ensure_indexes()
    assert "channel_channel_ref_unique" not in collection.index_information()
    first = stored("wf-9", "ADU-0000-0009")
    second = first.model_copy(
        update={
            "complaint_id": "01JOTHER",
            "tracking_number": "ADU-0000-0010",
            "connector_id": "other",
        }
    )
    repo.insert(first)
    repo.insert(second)
    found = repo.find_by_channel_ref("web", "wf-9", "other")
    assert found is not None and found.tracking_number == "ADU-0000-0010"


def test_sms_parts_complete_once_and_are_forgotten(db: Database[dict[str, Any]]) -> None:
    store = SmsPartStore(db["sms_parts"])
    at = datetime(2025, 3, 4, 1, tzinfo=UTC)
    key = "gw|1708|+6281234567890|9|2"
    assert store.add(key, SmsPart(2, 2, "m-2", "lubang", at)) is None
    assert store.add(key, SmsPart(2, 2, "m-2", "lubang", at)) is None  # delivered twice
    parts = store.add(key, SmsPart(1, 2, "m-1", "banyak ", at))
    assert parts is not None and [parts[n].text for n in (1, 2)] == ["banyak ", "lubang"]
    assert db["sms_parts"].count_documents({}) == 0


def test_sms_parts_arriving_at_once_on_many_replicas_all_land(
    db: Database[dict[str, Any]],
) -> None:
    store = SmsPartStore(db["sms_parts"])
    at = datetime(2025, 3, 4, 1, tzinfo=UTC)
    total, messages = 4, 12
    parts = [
        (m, SmsPart(n, total, f"m-{m}-{n}", f"{n}", at))
        for m in range(messages)
        for n in range(1, total + 1)
    ]
    with ThreadPoolExecutor(16) as pool:
        done = list(pool.map(lambda mp: store.add(f"gw|{mp[0]}|{total}", mp[1]), parts))
    completed = [p for p in done if p is not None]
    # Every message completes (twice at worst, when its last two parts meet), whole.
    assert messages <= len(completed) <= 2 * messages
    assert all(sorted(p) == [1, 2, 3, 4] for p in completed)
    assert db["sms_parts"].count_documents({}) == 0
