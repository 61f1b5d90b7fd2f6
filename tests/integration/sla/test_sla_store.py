"""The sla's `cases` collection on the real store: upgrading from the versions that kept case
states apart (`case_state`) from their views moves each state beside its view, and the
assignment's one query reads through the `partition` index, not a scan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import MongoClient

from services.sla.repository import CaseRepository, StateRepository
from tests.support.infra import Infra

pytestmark = pytest.mark.integration


def test_old_states_move_beside_their_views_and_a_newer_state_is_kept(
    infra: Infra, new_db: Callable[[], str]
) -> None:
    with MongoClient(infra.mongodb_uri, tz_aware=True) as client:
        db = client[new_db()]
        old, cases = db["case_state"], db["cases"]
        state = {"revision": 3, "held_until": None, "partition": 1, "status": "assigned"}
        old.insert_many(
            [{"_id": f"c{n}", **state, "case": {"complaint_id": f"c{n}"}} for n in range(7)]
        )
        view = {
            "tracking_number": "ADU-0000-0001",
            "status": "assigned",
            "status_label": "Terdisposisi",
            "title": "Jalan",
            "updated_at": datetime(2026, 3, 2, tzinfo=UTC),
        }
        newer = {"_id": "c2", "revision": 9, "case": {"complaint_id": "c2", "newer": True}}
        cases.insert_many([{"_id": "c1", **view}, newer])

        states = StateRepository(cases)
        states.ensure_indexes()
        assert states.adopt(old, chunk=3) == 7

        assert "case_state" not in db.list_collection_names()
        assert cases.count_documents({}) == 7
        merged: Any = cases.find_one({"_id": "c1"})
        assert merged["case"] == {"complaint_id": "c1"} and merged["revision"] == 3
        assert merged["title"] == "Jalan", "the view's fields stay beside the state"
        assert cases.find_one({"_id": "c2"}) == newer, "a state written since is not overwritten"
        assert cases.find_one({"_id": "c5"})["partition"] == "1"  # type: ignore[index]
        found = CaseRepository(cases).by_tracking_number("ADU-0000-0001")
        assert found is not None and found.id == "c1" and found.title == "Jalan"


def test_the_assignment_reads_its_partitions_through_the_partition_index(
    infra: Infra, new_db: Callable[[], str]
) -> None:
    with MongoClient(infra.mongodb_uri, tz_aware=True) as client:
        cases = client[new_db()]["cases"]
        states = StateRepository(cases)
        states.ensure_indexes()
        cases.insert_many(
            [{"_id": f"c{n}", "partition": str(n % 3), "status": "assigned"} for n in range(30)]
        )
        owned = list(states.owned([0, 2]))
        assert sorted(o.complaint_id for o in owned) == sorted(
            f"c{n}" for n in range(30) if n % 3 in (0, 2)
        )
        plan = str(cases.find({"partition": {"$in": ["0", "2"]}}).explain())
        ferretdb = "USING INDEX" in plan and "detail=SCAN" not in plan
        mongodb = "IXSCAN" in plan and "COLLSCAN" not in plan
        assert ferretdb or mongodb, f"the assignment's query scans the collection: {plan}"
