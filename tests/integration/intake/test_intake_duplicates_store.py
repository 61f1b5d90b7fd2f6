"""Possible-duplicate links on the real FerretDB: same answers as in memory, flat look-ups."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

from bench.duplicates import TODAY, Commands, complaint, fill
from services.intake.fingerprints import Filed, FingerprintStore
from services.intake.linker import DuplicateLinker, filed_of
from services.intake.similarity import blocking_keys
from tests.support.infra import Infra
from tests.unit.intake.duplicate_set import replay
from tests.unit.intake.memory_fingerprints import MemoryFingerprints

pytestmark = pytest.mark.integration


@pytest.fixture
def listener() -> Commands:
    return Commands()


@pytest.fixture
def collection(
    infra: Infra, new_db: Callable[[], str], listener: Commands
) -> Iterator[Collection[dict[str, Any]]]:
    client: MongoClient[dict[str, Any]] = MongoClient(
        infra.mongodb_uri, tz_aware=True, event_listeners=[listener]
    )
    yield client[new_db()]["intake_fingerprints"]
    client.close()


def test_the_labelled_set_links_the_same_on_ferretdb(
    collection: Collection[dict[str, Any]],
) -> None:
    store = FingerprintStore(collection)
    store.ensure_indexes()
    on_ferret = replay(DuplicateLinker(store), batch_size=10)  # as the relay: a batch at once
    in_memory = replay(DuplicateLinker(MemoryFingerprints()))
    assert on_ferret.found == in_memory.found
    assert on_ferret.precision >= 0.85 and on_ferret.recall >= 0.9


def test_filing_twice_is_harmless_and_pruning_drops_old_days(
    collection: Collection[dict[str, Any]],
) -> None:
    store = FingerprintStore(collection)
    store.ensure_indexes()
    linker = DuplicateLinker(store, window_days=7)
    old = complaint(random.Random(1), 1, TODAY - timedelta(days=20))
    linker.file_all([("01OLD", old)])
    linker.file_all([("01OLD", old)])  # a retry meets its own sketch
    assert collection.count_documents({"_id": "s|01OLD"}) == 1
    assert store.prune(TODAY, keep_days=7) > 0
    assert collection.count_documents({}) == 0


def test_a_look_up_sends_the_same_commands_at_1k_and_10k(
    infra: Infra, new_db: Callable[[], str], listener: Commands
) -> None:
    client: MongoClient[dict[str, Any]] = MongoClient(
        infra.mongodb_uri, tz_aware=True, event_listeners=[listener]
    )
    commands = {}
    try:
        for size in (1_000, 10_000):
            collection = client[new_db()]["intake_fingerprints"]
            rng = random.Random(size)
            store = FingerprintStore(collection)
            store.ensure_indexes()
            fill(collection, size, 100, rng)  # 100 a day: a bigger size is a longer history
            linker = DuplicateLinker(store)
            listener.count = 0
            for n in range(20):
                linker.find(complaint(rng, 10**6 + n, TODAY))
            commands[size] = listener.count
    finally:
        client.close()
    # Two index look-ups each (postings by key, sketches by _id), at most one more round trip:
    # independent of the history.
    assert commands[1_000] == commands[10_000] <= 3 * 20


def test_a_batch_of_100_is_looked_up_with_two_finds(
    infra: Infra, new_db: Callable[[], str], listener: Commands
) -> None:
    client: MongoClient[dict[str, Any]] = MongoClient(
        infra.mongodb_uri, tz_aware=True, event_listeners=[listener]
    )
    try:
        collection = client[new_db()]["intake_fingerprints"]
        rng = random.Random(3)
        store = FingerprintStore(collection)
        store.ensure_indexes()
        fill(collection, 1_000, 100, rng)
        batch = [(f"01N{n:023d}", complaint(rng, 10**6 + n, TODAY)) for n in range(100)]
        listener.count = 0
        found = DuplicateLinker(store).find_all(batch)
        # Postings of every key, then the candidates' sketches (at most one getMore more), as
        # for a single complaint.
        assert listener.count <= 3
        assert len(found) == 100 and any(found)
    finally:
        client.close()


def test_replicas_filing_at_once_lose_no_posting(collection: Collection[dict[str, Any]]) -> None:
    store = FingerprintStore(collection)
    store.ensure_indexes()
    base = filed_of("01BASE", complaint(random.Random(7), 7, TODAY))
    keys = blocking_keys(base.sketch)
    filed = [Filed(f"01C{n:023d}", f"ADU-C{n:07d}", "web", base.sketch) for n in range(48)]
    with ThreadPoolExecutor(16) as pool:  # all 48 share every key: the worst contention
        list(pool.map(lambda f: store.file([(f, keys)]), filed))
    postings = store.postings(keys, base.sketch.day)
    ids = [f.complaint_id for f in filed]
    assert {key: sorted(found) for key, found in postings.items()} == {key: ids for key in keys}
    assert sorted(f.complaint_id for f in store.sketches(ids)) == ids


def test_a_batch_files_one_posting_document_per_key_and_older_forms_are_read(
    collection: Collection[dict[str, Any]],
) -> None:
    store = FingerprintStore(collection)
    store.ensure_indexes()
    base = filed_of("01BASE", complaint(random.Random(9), 9, TODAY))
    keys, day = blocking_keys(base.sketch), base.sketch.day
    filed = [Filed(f"01D{n:023d}", f"ADU-D{n:07d}", "web", base.sketch) for n in range(10)]
    store.file([(f, keys) for f in filed])
    assert collection.count_documents({}) == len(keys) + len(filed)  # not len(keys) * 10
    # A posting of the form before batches, and a complaint filed again in another batch.
    collection.insert_one({"_id": f"k|{keys[0]}|01OLDFORM", "k": keys[0], "d": day.isoformat()})
    store.file([(filed[0], keys)])
    ids = [f.complaint_id for f in filed]
    assert store.postings(keys, day) == {key: ids for key in keys} | {
        keys[0]: sorted([*ids, "01OLDFORM"])
    }
