"""The possible-duplicate look-up's cost as the fingerprints collection grows.

`python -m bench.duplicates [--uri URI] [--sizes 1000,5000,20000] [--per-day 100]` fills a
scratch database with the fingerprints of N synthetic complaints, `--per-day` of them a day
(so a bigger N is a longer history, as when open cases pile up; 38 East Java regions, words
from a complaint vocabulary; written with insert_many, as `FingerprintStore.file` leaves them),
then times `DuplicateLinker.find_all` for fresh complaints and counts the server commands it
sends, three ways on the same data: one complaint at a time reading every key (the look-up as it
was), one at a time with the hot keys left out (`hot_key` 200 and 50, the default), and a
batch of 100 at once (as the relay does; the first look-up of each variant meets the hot keys
and learns them, so use a few hundred look-ups). Flat cost = the same commands and about the same time at every size. The daily
volume, not the history, sets a look-up's cost (`--per-day 1000` shows it). The scratch
databases are dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo import MongoClient, monitoring

from services.intake.fingerprints import Filed, FingerprintStore
from services.intake.linker import DuplicateLinker, sketch_of
from services.intake.similarity import blocking_keys
from shared.events import ComplaintReceived

TODAY = date(2025, 3, 31)
REGIONS = [f"35.{n:02d}" for n in range(1, 30)] + [f"35.{n}" for n in range(71, 80)]
PLACES = [
    "darmo",
    "gubeng",
    "ngagel",
    "kenjeran",
    "rungkut",
    "wonokromo",
    "tegalsari",
    "bubutan",
    "krembangan",
    "sawahan",
]
PROBLEMS = [
    "jalan berlubang besar bahaya motor",
    "lampu pju mati gelap rawan",
    "banjir genangan setinggi lutut",
    "sampah menumpuk di tps belum diangkut bau",
    "air pdam mati tidak mengalir",
    "pohon tumbang menutup jalan",
    "got saluran mampet meluap",
    "parkir liar jukir tarif mahal",
]


class Commands(monitoring.CommandListener):
    """Counts the commands the client sends."""

    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        """Count one command."""
        self.count += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        """Nothing to do."""

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        """Nothing to do."""


def complaint(rng: random.Random, n: int, day: date) -> ComplaintReceived:
    """Return a synthetic complaint: a problem at a place, a few extra words."""
    text = f"{rng.choice(PROBLEMS)} di jalan {rng.choice(PLACES)} {rng.randint(1, 400)} rt {n % 9}"
    at = datetime(day.year, day.month, day.day, rng.randint(0, 23), tzinfo=UTC)
    return ComplaintReceived.model_validate(
        {
            "tracking_number": f"ADU-B{n:07d}",
            "channel": "sms",
            "channel_ref": f"b{n}",
            "received_at": at.isoformat(),
            "title": text[:40],
            "body": text,
            "location": {"region_code": rng.choice(REGIONS)},
            "reporter": {"phone": f"+62812{rng.randint(10**6, 10**7 - 1)}"},
            "entry": {"connector_id": "bench"},
        }
    )


def fill(collection: Any, size: int, per_day: int, rng: random.Random, together: int = 1) -> None:
    """Write the fingerprints of `size` complaints, `per_day` a day, up to TODAY, filed
    `together` at a time as the relay files a batch (1: one posting document per key and
    complaint, the form of a look-up per submission)."""
    entries = []
    for n in range(size):
        day = TODAY - timedelta(days=n // per_day)
        sketch = sketch_of(complaint(rng, n, day))
        entries.append(
            (Filed(f"01B{n:023d}", f"ADU-B{n:07d}", "sms", sketch), blocking_keys(sketch))
        )
    if together > 1:
        store = FingerprintStore(collection)
        for start in range(0, size, together):
            store.file(entries[start : start + together])
        return
    docs: list[dict[str, Any]] = []
    for filed, keys in entries:
        cid, day = filed.complaint_id, filed.sketch.day.isoformat()
        docs += [{"_id": f"k|{k}|{cid}", "k": k, "d": day} for k in keys]
        doc = {"_id": f"s|{cid}", "d": day, "tn": filed.tracking_number, "ch": "sms"}
        docs.append(doc | {"sk": filed.sketch.to_doc()})
    for batch in range(0, len(docs), 1000):
        collection.insert_many(docs[batch : batch + 1000], ordered=False)


UNBOUNDED = 10**9  # no key is hot: every posting of every key is read (the look-up before)
VARIANTS = {  # name: (hot_key, complaints per look-up)
    "1 by 1, every key (before)": (UNBOUNDED, 1),
    "1 by 1, keys > 200 left out": (200, 1),
    "1 by 1, keys > 50 left out": (50, 1),
    "batch of 100, keys > 50 out": (50, 100),
}


def measure(
    uri: str, size: int, per_day: int, lookups: int, together: int = 1
) -> list[dict[str, Any]]:
    """Fill a scratch database with `size` complaints; time and count `lookups` look-ups per
    variant, the same fresh complaints for each (the variants run on the same data)."""
    listener = Commands()
    client: MongoClient[dict[str, Any]] = MongoClient(uri, event_listeners=[listener])
    name = f"bench_dupes_{uuid.uuid4().hex[:8]}"
    try:
        collection = client[name]["intake_fingerprints"]
        rng = random.Random(size)  # noqa: S311 - synthetic data, reproducible by seed
        fill(collection, size, per_day, rng, together)
        store = FingerprintStore(collection)
        store.ensure_indexes()
        fresh = [(f"01F{n:023d}", complaint(rng, 10**6 + n, TODAY)) for n in range(lookups)]
        rows = []
        for variant, (hot_key, batch) in VARIANTS.items():
            linker = DuplicateLinker(store, hot_key=hot_key)
            times, linked = [], 0
            listener.count = 0
            for start in range(0, lookups, batch):
                began = time.perf_counter()
                found = linker.find_all(fresh[start : start + batch])
                took = time.perf_counter() - began
                times += [took / len(found)] * len(found)  # per complaint
                linked += sum(bool(links) for links in found)
            rows.append(
                {
                    "variant": variant,
                    "size": size,
                    "commands": listener.count / lookups,
                    "median_ms": statistics.median(times) * 1000,
                    "p95_ms": sorted(times)[int(len(times) * 0.95)] * 1000,
                    "linked": linked / lookups,
                }
            )
        return rows
    finally:
        client.drop_database(name)
        client.close()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per size and variant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--uri", default=os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:27017/")
    )
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--per-day", type=int, default=100)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument(
        "--together", type=int, default=1, help="complaints filed at once (a relay batch)"
    )
    args = parser.parse_args(argv)
    sys.stdout.write(
        f"{'variant':<32}  complaints  commands/complaint  ms/complaint (median, p95)  share linked\n"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        for row in measure(args.uri, size, args.per_day, args.lookups, args.together):
            sys.stdout.write(
                f"{row['variant']:<32}  {row['size']:>10,}  {row['commands']:>18.2f}"
                f"  {row['median_ms']:>12.2f}, {row['p95_ms']:>12.2f}  {row['linked']:>12.2f}\n"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
