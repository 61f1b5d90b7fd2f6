"""Wait until Kafka, the MongoDB-wire server and Prometheus answer real client calls.

Used by deploy/local/infra.sh after starting them. Exit 0 when all answered, 1 with a
message naming what did not answer (and its last error) when the timeout passes.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.request
from collections.abc import Callable

import pymongo
from kafka import KafkaAdminClient


def kafka_ready(bootstrap: str) -> None:
    """Raise unless the broker answers DescribeCluster with at least one broker."""
    # Short timeouts: the default 30 s bootstrap wait would overshoot --timeout.
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap,
        client_id="aduan-wait-ready",
        bootstrap_timeout_ms=3000,
        request_timeout_ms=5000,
    )
    try:
        if not admin.describe_cluster().get("brokers"):
            raise RuntimeError("describe_cluster answered without brokers")
    finally:
        admin.close()


def mongodb_ready(uri: str) -> None:
    """Raise unless the server answers `ping`."""
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
        uri, serverSelectionTimeoutMS=3000, connectTimeoutMS=3000
    )
    try:
        client.admin.command("ping")
    finally:
        client.close()


def prometheus_ready(url: str) -> None:
    """Raise unless GET /-/ready answers 200."""
    with urllib.request.urlopen(url.rstrip("/") + "/-/ready", timeout=3) as resp:
        if resp.status != 200:
            raise RuntimeError(f"/-/ready answered {resp.status}")


def process_alive(pid: int) -> bool:
    """Tell whether a process we started still runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_all(
    checks: dict[str, Callable[[], None]], watch: dict[str, int], timeout: float
) -> dict[str, str]:
    """Poll every check until all pass; return {name: last error} of those that never did."""
    pending = {name: "not tried yet" for name in checks}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for name in list(pending):
            if name in watch and not process_alive(watch[name]):
                return {**pending, name: f"process {watch[name]} exited"}
            try:
                checks[name]()
            except Exception as exc:  # any failure means "not ready yet"
                pending[name] = f"{type(exc).__name__}: {exc}"
            else:
                print(f"wait_ready: {name} ready", file=sys.stderr)
                del pending[name]
        if pending:
            time.sleep(0.5)
    return pending


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, wait, report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kafka", help="bootstrap servers, e.g. 127.0.0.1:9092")
    parser.add_argument("--mongodb", help="MongoDB URI, e.g. mongodb://127.0.0.1:27017/")
    parser.add_argument("--prometheus", help="Prometheus base URL, e.g. http://127.0.0.1:9090")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds (default 180)")
    parser.add_argument(
        "--watch",
        action="append",
        default=[],
        metavar="NAME=PID",
        help="fail at once if this process (started for NAME) exits",
    )
    args = parser.parse_args(argv)
    checks: dict[str, Callable[[], None]] = {}
    if args.kafka:
        checks["kafka"] = lambda: kafka_ready(args.kafka)
    if args.mongodb:
        checks["ferretdb"] = lambda: mongodb_ready(args.mongodb)
    if args.prometheus:
        checks["prometheus"] = lambda: prometheus_ready(args.prometheus)
    watch = {name: int(pid) for name, pid in (w.split("=", 1) for w in args.watch)}
    started = time.monotonic()
    failed = wait_all(checks, watch, args.timeout)
    if failed:
        print(f"wait_ready: gave up after {time.monotonic() - started:.0f} s", file=sys.stderr)
    for name, error in failed.items():
        print(f"wait_ready: {name} not ready: {error}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
