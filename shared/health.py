"""Liveness, readiness and /metrics that mean something: real calls to real dependencies."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

import orjson
from fastapi import APIRouter, Response
from kafka import KafkaAdminClient
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo import MongoClient

from shared.config import KafkaSettings

Check = Callable[[], None]  # returns when healthy, raises with the reason otherwise


def run_checks(checks: Mapping[str, Check]) -> tuple[bool, dict[str, str]]:
    """Run every check; return whether all passed and each one's verdict."""
    verdicts: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            verdicts[name] = "ok"
        except Exception as exc:  # any failure is a "not ready" with its reason
            verdicts[name] = f"{type(exc).__name__}: {exc}"[:300]
    return all(v == "ok" for v in verdicts.values()), verdicts


def verdict(checks: Mapping[str, Check], advisory: Collection[str] = ()) -> tuple[int, bytes]:
    """Run the checks; return the HTTP status and JSON body of a /livez or /readyz answer.

    Advisory checks are reported but do not decide (e.g. intake keeps taking complaints into
    its outbox while Kafka is away, if its operators want it kept in the load balancer).
    """
    _, verdicts = run_checks(checks)
    ok = all(v == "ok" for name, v in verdicts.items() if name not in advisory)
    body = orjson.dumps({"status": "ok" if ok else "fail", "checks": verdicts})
    return (200 if ok else 503), body


def health_routes(
    *,
    live: Callable[[], Mapping[str, Check]],
    ready: Callable[[], Mapping[str, Check]],
    advisory: Collection[str] = (),
) -> APIRouter:
    """/livez, /readyz and /metrics for a FastAPI service. The checks are asked for at request
    time, so they may be built later (in a lifespan); routes are sync, so FastAPI runs the
    blocking checks in a worker thread."""
    router = APIRouter(include_in_schema=False)

    @router.get("/livez")
    def livez() -> Response:
        status, body = verdict(live())
        return Response(body, status_code=status, media_type="application/json")

    @router.get("/readyz")
    def readyz() -> Response:
        status, body = verdict(ready(), advisory)
        return Response(body, status_code=status, media_type="application/json")

    @router.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def mongo_check(client: MongoClient[Any]) -> Check:
    """Ready when the MongoDB-wire server answers a ping."""

    def check() -> None:
        client.admin.command("ping")

    return check


class KafkaCheck:
    """Ready when the Kafka cluster answers a metadata request (not merely an open port)."""

    def __init__(self, settings: KafkaSettings, *, timeout_ms: int = 3_000) -> None:
        self._settings = settings
        self._timeout_ms = timeout_ms
        self._admin: KafkaAdminClient | None = None
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            try:
                if self._admin is None:
                    # Both timeouts: the constructor alone waits 30 s to bootstrap when Kafka is away.
                    self._admin = KafkaAdminClient(
                        **self._settings.client_options(),
                        request_timeout_ms=self._timeout_ms,
                        bootstrap_timeout_ms=self._timeout_ms,
                    )
                if not self._admin.describe_cluster().get("brokers"):
                    raise RuntimeError("cluster reports no brokers")
            except Exception:
                self.close()  # a fresh client next time, rather than one stuck reconnecting
                raise

    def close(self) -> None:
        """Release the admin client."""
        if self._admin is not None:
            self._admin.close()
            self._admin = None


def liveness(last_iteration: Callable[[], float], max_age_s: float) -> Check:
    """Live while the work loop has gone round within `max_age_s`."""

    def check() -> None:
        age = time.monotonic() - last_iteration()
        if age > max_age_s:
            raise RuntimeError(f"loop last advanced {age:.0f}s ago")

    return check
