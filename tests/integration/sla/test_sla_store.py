"""The sla's `cases` and `case_timers` collections on the real store: upgrading from the
versions that kept case states apart (`case_state`) from their views moves each state beside its
view; each case write writes its timer, a stale timer write changes nothing; the assignment's one
query reads the small timer documents through the `p` index, not a scan; a store written before
`case_timers` existed has its timers copied from `cases` once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import MongoClient

from services.sla.case import Case
from services.sla.repository import CaseRepository, StaleCase, StateRepository, Write
from shared.lifecycle import Status
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

        states = StateRepository(cases, db["case_timers"])
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


DUE = datetime(2026, 12, 1, 9, tzinfo=UTC)


def write(
    cid: str, revision: int, *, partition: int = 0, status: Status = Status.ASSIGNED
) -> Write:
    case = Case(complaint_id=cid, status=status, opd_code="dpupr", region_code="35.78")
    return Write(case, revision, partition, next_alert_at=DUE, overdue=False)


def test_each_case_write_writes_its_timer_and_a_stale_one_changes_nothing(
    infra: Infra, new_db: Callable[[], str]
) -> None:
    with MongoClient(infra.mongodb_uri, tz_aware=True) as client:
        db = client[new_db()]
        states = StateRepository(db["cases"], db["case_timers"])
        states.ensure_indexes()
        states.save_many([write("c1", 0), write("c2", 0, partition=2)])
        states.save_many([write("c1", 1, status=Status.IN_PROGRESS)])

        [c1] = [o for o in states.owned([0])]
        assert (c1.complaint_id, c1.revision, c1.status) == ("c1", 2, "in_progress")
        assert c1.next_alert_at == DUE and c1.opd_code == "dpupr" and c1.region_code == "35.78"
        with pytest.raises(StaleCase):  # another writer stored revision 2 first
            states.save_many([write("c1", 1, status=Status.RESOLVED)])
        states.save_timers([replace(c1, revision=1, status="received")])  # an older timer
        assert [o.status for o in states.owned([0])] == ["in_progress"]
        states.save_timers([replace(c1, next_alert_at=DUE + timedelta(days=1))])  # the same one
        assert [o.next_alert_at for o in states.owned([0])] == [DUE + timedelta(days=1)]
        assert [o.complaint_id for o in states.owned([2])] == ["c2"]


def test_timers_are_copied_once_from_the_cases_of_an_older_store(
    infra: Infra, new_db: Callable[[], str]
) -> None:
    with MongoClient(infra.mongodb_uri, tz_aware=True) as client:
        db = client[new_db()]
        cases, timers = db["cases"], db["case_timers"]
        old = {"revision": 4, "status": "assigned", "opd_code": "dpupr", "next_alert_at": DUE}
        cases.insert_many([{"_id": f"c{n}", "partition": str(n % 3), **old} for n in range(9)])
        states = StateRepository(cases, timers)
        states.ensure_indexes()
        states.save_many([write("c0", 4, status=Status.IN_PROGRESS)])  # written since: newer

        owned = {o.complaint_id: o for o in states.owned([0, 1])}

        assert sorted(owned) == sorted(f"c{n}" for n in range(9) if n % 3 in (0, 1))
        assert owned["c3"].revision == 4 and owned["c3"].next_alert_at == DUE
        assert owned["c0"].status == "in_progress", "the newer timer is kept"
        cases.insert_one({"_id": "c9", "partition": "0", **old})  # as a stopped old worker
        assert states.adopt_timers([0, 1]) == 0, "copied once: partitions 0 and 1 are done"
        assert "c9" not in {o.complaint_id for o in states.owned([0])}
        assert states.adopt_timers([2]) == 3
        assert timers.count_documents({"p": {"$exists": True}}) == 9


def test_the_assignment_reads_its_partitions_through_the_timers_index(
    infra: Infra, new_db: Callable[[], str]
) -> None:
    with MongoClient(infra.mongodb_uri, tz_aware=True) as client:
        db = client[new_db()]
        states = StateRepository(db["cases"], db["case_timers"])
        states.ensure_indexes()
        states.save_many([write(f"c{n}", 0, partition=n % 3) for n in range(30)])
        owned = list(states.owned([0, 2]))
        assert sorted(o.complaint_id for o in owned) == sorted(
            f"c{n}" for n in range(30) if n % 3 in (0, 2)
        )
        plan = str(db["case_timers"].find({"p": {"$in": ["0", "2"]}}).explain())
        ferretdb = "USING INDEX" in plan and "detail=SCAN" not in plan
        mongodb = "IXSCAN" in plan and "COLLSCAN" not in plan
        assert ferretdb or mongodb, f"the assignment's query scans the collection: {plan}"


def test_an_ended_case_leaves_a_tombstone_that_the_loading_does_not_read(
    infra: Infra, new_db: Callable[[], str]
) -> None:
    with MongoClient(infra.mongodb_uri, tz_aware=True) as client:
        db = client[new_db()]
        states = StateRepository(db["cases"], db["case_timers"])
        states.ensure_indexes()
        states.save_many([write("c1", 0), write("c2", 0)])
        ended = replace(write("c1", 1, status=Status.CLOSED), next_alert_at=None)
        states.save_many([ended])

        assert [o.complaint_id for o in states.owned([0])] == ["c2"]
        assert db["case_timers"].find_one({"_id": "c1"}) == {
            "_id": "c1",
            "revision": 2,
            "status": "closed",
        }
        [older] = [t for t in [write("c1", 0).timer()] if t is not None]  # a stale writer
        states.save_timers([older])
        assert [o.complaint_id for o in states.owned([0])] == ["c2"], "the tombstone kept"
        states.save_many([write("c1", 2, status=Status.IN_PROGRESS)])  # reopened
        assert sorted(o.complaint_id for o in states.owned([0])) == ["c1", "c2"]
