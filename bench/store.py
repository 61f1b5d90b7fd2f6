"""By-key operations on a MongoDB-wire store, at several collection sizes.

`python -m bench.store [--uri URI ...] [--sizes 1000,20000,100000]` fills a scratch collection
(documents shaped like an sla case state, about 600 bytes of JSON, with the indexes the services
declare) and times, at each size, the operations the services' hot paths use: a lookup by
`_id`, an optimistic `replace_one` on `{_id, revision}`, a batch read by `_id $in`, an upsert,
a `bulk_write` of 500 replacements and an `insert_many` of 100. It also times a range read on an
indexed field and reports, from `explain`, whether the server used an index for it and for the
lookup by `_id`. Each figure is a rate over a bounded number of calls (or seconds), so a slow
server ends in bounded time; one that would need minutes for a bulk call is reported as an
estimate from the single-call rate instead, and so is the bulk write on a server that scans
for `_id` (unpatched FerretDB 1.24 wedges a database on any update command of more than 100
statements: deploy/local/README.md). The bulk write runs last, under a client-side timeout, and
each size gets its own scratch database.

Point it at a private server (the default is MONGODB_URI or mongodb://127.0.0.1:27017/): it
writes into scratch databases, `bench_store_<random>`, and drops them at the end.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pymongo
from pymongo import ASCENDING, MongoClient, ReplaceOne
from pymongo.collection import Collection
from pymongo.errors import PyMongoError

BATCH_IN = 100
BULK = 500
INSERT_MANY = 100
# One measurement runs at most this many calls, or this many seconds, whichever comes first.
MAX_CALLS = 300
MAX_SECONDS = 3.0
# A bulk call estimated to take longer than this is estimated, not run.
MAX_BULK_SECONDS = 30.0
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
DEFAULT_URI = "mongodb://127.0.0.1:27017/"

Doc = dict[str, Any]


def case_doc(n: int, revision: int = 1) -> Doc:
    """A case state of about 600 bytes of JSON, keyed like the sla's."""
    return {
        "_id": f"C{n:012d}",
        "revision": revision,
        "tracking_number": f"ADN-{n:08d}",
        "opd": f"opd-{n % 37:02d}",
        "status": "in_progress",
        "due": EPOCH + timedelta(minutes=n),
        "channel": "web",
        "channel_ref": f"ref-{n}",
        "title": "Jalan berlubang di depan pasar",
        "body": "Lubang besar di badan jalan membahayakan pengendara motor. " * 4,
        "timeline": [
            {"at": EPOCH, "kind": "received"},
            {"at": EPOCH + timedelta(hours=1), "kind": "assigned", "opd": f"opd-{n % 37:02d}"},
        ],
    }


def _rate(call: Callable[[int], int], max_calls: int = MAX_CALLS) -> float:
    """Items per second of `call(i)` (which returns how many items it handled)."""
    items, calls, start = 0, 0, time.perf_counter()
    while calls < max_calls and (calls < 3 or time.perf_counter() - start < MAX_SECONDS):
        items += call(calls)
        calls += 1
    return items / (time.perf_counter() - start)


def _fmt(rate: float) -> str:
    """A rate with enough digits to tell a slow server's figures apart."""
    return f"{rate:,.0f}" if rate >= 10 else f"{rate:.2f}"


def _uses_index(coll: Collection[Doc], flt: Doc, sort: list[tuple[str, int]] | None = None) -> str:
    """What the server's explain says about `flt`: the plan lines that name a scan or index."""
    cmd: Doc = {"find": coll.name, "filter": flt}
    if sort:
        cmd["sort"] = dict(sort)
        cmd["limit"] = 10
    plan = coll.database.command("explain", cmd, verbosity="queryPlanner")
    text = str(plan.get("queryPlanner", plan))
    if "USING INDEX" in text or "Index Scan" in text or "IXSCAN" in text:
        return "index"
    if "SCAN" in text or "Seq Scan" in text or "COLLSCAN" in text or text in ("{}", ""):
        return "full scan"
    return "?"


def measure(coll: Collection[Doc], size: int) -> dict[str, str]:
    """Fill `coll` to `size` documents and time every operation; {operation: figure}."""
    coll.drop()
    coll.create_index([("tracking_number", ASCENDING)], unique=True, name="tracking_number")
    coll.create_index([("due", ASCENDING)], name="due")
    for start in range(0, size, 1000):
        coll.insert_many([case_doc(n) for n in range(start, min(size, start + 1000))])
    step = max(1, size // 997)  # spread the keys over the whole collection
    keys: Iterator[int] = itertools.cycle(range(0, size, step))
    revisions: dict[int, int] = {}
    out: dict[str, str] = {}

    def find_one(_: int) -> int:
        return int(coll.find_one({"_id": f"C{next(keys):012d}"}) is not None)

    def replace(_: int) -> int:
        n = next(keys)
        rev = revisions.get(n, 1)
        done = coll.replace_one({"_id": f"C{n:012d}", "revision": rev}, case_doc(n, rev + 1))
        revisions[n] = rev + 1
        return done.modified_count

    def find_in(_: int) -> int:
        ids = [f"C{next(keys):012d}" for _ in range(BATCH_IN)]
        return len(list(coll.find({"_id": {"$in": ids}})))

    fresh = itertools.count(size + 10_000_000)

    def upsert(i: int) -> int:  # alternately an existing case and a new one
        n = next(keys) if i % 2 else next(fresh)
        coll.update_one({"_id": f"C{n:012d}"}, {"$set": {"status": "seen"}}, upsert=True)
        return 1

    def by_range(i: int) -> int:
        due = EPOCH + timedelta(minutes=(i * 7919) % size)
        return len(list(coll.find({"due": {"$lte": due}}).sort("due", 1).limit(10))) and 1

    def insert_many(_: int) -> int:
        docs = [case_doc(next(fresh)) for _ in range(INSERT_MANY)]
        return len(coll.insert_many(docs).inserted_ids)

    out["find_one by _id (ops/s)"] = _fmt(_rate(find_one))
    single_replace = _rate(replace)
    out["replace_one by _id + revision (ops/s)"] = _fmt(single_replace)
    out["find _id $in 100 ids (docs/s)"] = _fmt(_rate(find_in, 50))
    out["update_one upsert (ops/s)"] = _fmt(_rate(upsert))
    out[f"insert_many of {INSERT_MANY} (docs/s)"] = _fmt(_rate(insert_many, 30))
    out["range on indexed `due`, sorted, limit 10 (ops/s)"] = _fmt(_rate(by_range, 100))
    out["explain: find by _id"] = _uses_index(coll, {"_id": "C000000000001"})
    out["explain: range on `due`"] = _uses_index(
        coll, {"due": {"$lte": EPOCH}}, sort=[("due", ASCENDING)]
    )
    # Unpatched FerretDB scans for _id and wedges the database on a bulk of >100 statements:
    # estimate instead of running it, so the bench never leaves a hung database behind.
    calls = 3  # _rate's minimum
    if out["explain: find by _id"] != "index" or calls * BULK / single_replace > MAX_BULK_SECONDS:
        out[f"bulk_write {BULK} ReplaceOne (docs/s)"] = f"~{_fmt(single_replace)} (est.)"
    else:

        def bulk(_: int) -> int:
            ns = [next(keys) for _ in range(BULK)]
            ops = [ReplaceOne({"_id": f"C{n:012d}"}, case_doc(n, 99)) for n in ns]
            with pymongo.timeout(MAX_BULK_SECONDS):
                return coll.bulk_write(ops, ordered=False).modified_count

        try:
            out[f"bulk_write {BULK} ReplaceOne (docs/s)"] = _fmt(_rate(bulk, 10))
        except PyMongoError as exc:  # e.g. the >100-statement wedge of unpatched FerretDB
            out[f"bulk_write {BULK} ReplaceOne (docs/s)"] = f"timed out ({type(exc).__name__})"

    return out


def run(uris: list[str], sizes: list[int]) -> str:
    """Measure every server at every size; return a markdown table (operations x runs)."""
    columns: list[tuple[str, dict[str, str]]] = []
    for uri in uris:
        client: MongoClient[Doc] = MongoClient(uri, serverSelectionTimeoutMS=5_000)
        try:
            for size in sizes:
                sys.stderr.write(f"bench.store: {uri} at {size:,} documents\n")
                db = client[f"bench_store_{uuid.uuid4().hex[:8]}"]
                try:
                    columns.append((f"{uri} {size:,}", measure(db["cases"], size)))
                finally:
                    _drop(client, db.name)
        finally:
            client.close()
    rows = list(columns[0][1]) if columns else []
    lines = [
        "| operation | " + " | ".join(name for name, _ in columns) + " |",
        "|---" * (len(columns) + 1) + "|",
    ]
    lines += [f"| {row} | " + " | ".join(col[row] for _, col in columns) + " |" for row in rows]
    return "\n".join(lines)


def _drop(client: MongoClient[Doc], name: str) -> None:
    """Drop a scratch database; a wedged one (see above) is left behind, with a warning."""
    try:
        with pymongo.timeout(10):
            client.drop_database(name)
    except PyMongoError:
        sys.stderr.write(f"bench.store: could not drop {name}: drop it by hand\n")


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run, print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.store", description=__doc__)
    parser.add_argument(
        "--uri",
        action="append",
        help="a server to measure (repeatable; default: MONGODB_URI or mongodb://127.0.0.1:27017/)",
    )
    parser.add_argument("--sizes", default="1000,20000,100000", help="collection sizes")
    args = parser.parse_args(argv)
    uris = args.uri or [os.environ.get("MONGODB_URI", DEFAULT_URI)]
    sizes = [int(s) for s in args.sizes.split(",")]
    sys.stdout.write(run(uris, sizes) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
