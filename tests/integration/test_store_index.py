"""By-key queries on the store are index lookups, not scans of the collection.

On FerretDB this holds only for the build patched with deploy/local/ferretdb/pushdown-index.patch
(infra.sh `install`); upstream 1.24 scans for every query. On MongoDB it always holds. The proof
is the server's own plan (`explain`), not timings. The results are also checked, since the patch
turns the SQL WHERE clause into a pre-filter that must never drop a matching document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pymongo
import pytest
from bson import ObjectId
from pymongo import ASCENDING, MongoClient, ReplaceOne
from pymongo.collection import Collection

from tests.support.infra import Infra

pytestmark = pytest.mark.integration

Doc = dict[str, Any]
NOT_PATCHED = (
    "the store scanned the collection: a FerretDB not built with "
    "deploy/local/ferretdb/pushdown-index.patch? Run `deploy/local/infra.sh install` and "
    "restart the FerretDB on {uri}"
)


@pytest.fixture
def cases(infra: Infra, new_db: Callable[[], str]) -> Iterator[Collection[Doc]]:
    """A collection of 300 cases with the indexes the services declare, plus awkward keys."""
    client: MongoClient[Doc] = MongoClient(infra.mongodb_uri)
    coll = client[new_db()]["cases"]
    coll.create_index([("tracking_number", ASCENDING)], unique=True)
    coll.create_index([("connector", ASCENDING), ("channel_ref", ASCENDING)], unique=True)
    coll.insert_many(
        [
            {
                "_id": f"C{n:05d}",
                "revision": 1,
                "tracking_number": f"ADN-{n:05d}",
                "connector": "web",
                "channel_ref": f"ref-{n}",
            }
            for n in range(300)
        ]
        + [
            # escapes and non-BMP characters must compare equal after the JSON round trip
            {
                "_id": 'ü<&>"\\ 😀',
                "tracking_number": "X<&>😀",
                "connector": "web",
                "channel_ref": "x",
            },
            # {f: v} matches an array that holds v: the pre-filter must keep these
            {"_id": ObjectId(), "tracking_number": ["A-1", "A-2"], "connector": ["web", "sms"]},
        ]
    )
    yield coll
    client.close()


def _plan(coll: Collection[Doc], flt: Doc) -> str:
    explained = coll.database.command("explain", {"find": coll.name, "filter": flt})
    return str(explained.get("queryPlanner", explained))


def _index_backed(plan: str) -> bool:
    ferretdb = "USING INDEX" in plan and "detail=SCAN" not in plan  # SQLite's query plan
    mongodb = any(stage in plan for stage in ("IDHACK", "IXSCAN", "EXPRESS"))
    return (ferretdb or mongodb) and "COLLSCAN" not in plan


@pytest.mark.parametrize(
    "flt",
    [
        {"_id": "C00042"},
        {"_id": "C00042", "revision": 1},  # the optimistic write's filter
        {"_id": {"$in": ["C00001", "C00100", "C00299"]}},
        {"tracking_number": "ADN-00042"},
        {"connector": "web", "channel_ref": "ref-42"},
        {"tracking_number": {"$in": ["ADN-00001", "ADN-00299"]}},
    ],
    ids=["_id", "_id+revision", "_id $in", "unique field", "compound unique", "field $in"],
)
def test_by_key_queries_use_an_index(cases: Collection[Doc], infra: Infra, flt: Doc) -> None:
    plan = _plan(cases, flt)
    assert _index_backed(plan), NOT_PATCHED.format(uri=infra.mongodb_uri) + f"\nplan: {plan}"


def test_by_key_queries_find_exactly_the_matching_documents(cases: Collection[Doc]) -> None:
    assert cases.find_one({"_id": "C00042"}) is not None
    assert cases.find_one({"_id": "C00042", "revision": 2}) is None
    found = cases.find({"_id": {"$in": ["C00001", "C00299", "nope"]}})
    assert sorted(d["_id"] for d in found) == ["C00001", "C00299"]
    assert cases.find_one({"_id": 'ü<&>"\\ 😀'}) is not None
    assert cases.find_one({"tracking_number": "X<&>😀"}) is not None
    assert cases.find_one({"tracking_number": "A-2"}) is not None
    assert cases.find_one({"connector": "sms", "channel_ref": None}) is not None
    assert cases.count_documents({"connector": "web"}) == 302
    found = cases.find({"tracking_number": {"$in": ["ADN-00001", "A-1", "X<&>😀", "nope"]}})
    assert len(list(found)) == 3  # an array holding one of the values matches too


def test_optimistic_and_bulk_writes_hit_exactly_one_document(cases: Collection[Doc]) -> None:
    if not _index_backed(_plan(cases, {"_id": "C00001"})):
        # Unpatched FerretDB would wedge this database for good (and hang the test).
        pytest.skip("not a patched FerretDB nor MongoDB: see test_by_key_queries_use_an_index")
    assert cases.replace_one({"_id": "C00007", "revision": 1}, {"revision": 2}).modified_count == 1
    assert cases.replace_one({"_id": "C00007", "revision": 1}, {"revision": 3}).modified_count == 0
    # More than 100 statements in one command wedged unpatched FerretDB (its pool has 100).
    ops = [ReplaceOne({"_id": f"C{n:05d}"}, {"revision": 5}) for n in range(150)]
    with pymongo.timeout(30):
        assert cases.bulk_write(ops, ordered=False).modified_count == 150
    assert cases.count_documents({"revision": 5}) == 150
