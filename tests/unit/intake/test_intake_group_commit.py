"""Group commit: concurrent inserts share one insert_many; each caller learns its own fate."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from pymongo.errors import BulkWriteError, ServerSelectionTimeoutError

from services.intake.group_commit import DuplicateKey, GroupInserter


class Store:
    """insert_many with a unique `u` field, like the real index; counts round trips."""

    def __init__(self) -> None:
        self.docs: dict[str, Any] = {}
        self.calls: list[int] = []
        self.gate = threading.Event()
        self.gate.set()
        self.away = False

    def insert_many(self, docs: list[dict[str, Any]]) -> None:
        self.gate.wait(timeout=10)
        self.calls.append(len(docs))
        if self.away:
            raise ServerSelectionTimeoutError("mongo away")
        errors = []
        for index, doc in enumerate(docs):
            if doc["u"] in self.docs:
                errors.append({"index": index, "code": 11000, "errmsg": "E11000 duplicate key"})
            else:
                self.docs[doc["u"]] = doc
        if errors:
            raise BulkWriteError({"writeErrors": errors})


def insert_concurrently(inserter: GroupInserter, docs: list[dict[str, Any]]) -> list[Any]:
    outcomes: list[Any] = [None] * len(docs)

    def one(n: int) -> None:
        try:
            inserter.insert(docs[n])
            outcomes[n] = "stored"
        except Exception as exc:
            outcomes[n] = exc

    threads = [threading.Thread(target=one, args=(n,)) for n in range(len(docs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return outcomes


def test_concurrent_inserts_share_round_trips_and_all_are_stored() -> None:
    store = Store()
    store.gate.clear()  # hold the first group so the others queue up behind it
    inserter = GroupInserter(store.insert_many, max_batch=50, max_wait_s=0.05)
    docs = [{"u": f"c{n}"} for n in range(40)]
    released = threading.Timer(0.2, store.gate.set)
    released.start()
    outcomes = insert_concurrently(inserter, docs)
    inserter.stop()
    assert outcomes == ["stored"] * 40
    assert len(store.docs) == 40 and sum(store.calls) == 40
    assert len(store.calls) < 40 / 4, store.calls


def test_a_duplicate_fails_only_its_own_caller() -> None:
    store = Store()
    store.docs["taken"] = {"u": "taken"}
    inserter = GroupInserter(store.insert_many, max_batch=10, max_wait_s=0.05)
    outcomes = insert_concurrently(inserter, [{"u": "new"}, {"u": "taken"}, {"u": "other"}])
    inserter.stop()
    assert outcomes[0] == "stored" and outcomes[2] == "stored"
    assert isinstance(outcomes[1], DuplicateKey)


def test_an_outage_fails_every_caller_of_the_group_and_stores_nothing() -> None:
    store = Store()
    store.away = True
    inserter = GroupInserter(store.insert_many, max_batch=10, max_wait_s=0.05)
    outcomes = insert_concurrently(inserter, [{"u": "a"}, {"u": "b"}])
    inserter.stop()
    assert all(isinstance(o, ServerSelectionTimeoutError) for o in outcomes)
    assert store.docs == {}


def test_a_lone_insert_is_stored_without_waiting_for_company() -> None:
    store = Store()
    inserter = GroupInserter(store.insert_many, max_batch=100, max_wait_s=0.01)
    inserter.insert({"u": "alone"})
    inserter.stop()
    assert store.calls == [1]


def test_a_store_that_hangs_times_the_caller_out() -> None:
    store = Store()
    store.gate.clear()
    inserter = GroupInserter(store.insert_many, max_batch=10, max_wait_s=0.01, timeout_s=0.2)
    with pytest.raises(TimeoutError):
        inserter.insert({"u": "slow"})
    store.gate.set()
    inserter.stop()
