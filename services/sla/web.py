"""HTTP on faust's web server: the citizen's status API, /livez, /readyz and /metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import faust
from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.sla.repository import CaseRepository
from services.sla.view import to_status_read
from shared.health import Check, run_checks


def register_views(
    app: faust.App,
    *,
    repository: CaseRepository,
    live: Mapping[str, Check],
    ready: Mapping[str, Check],
) -> None:
    """Add the sla's pages to `app`'s web server."""

    @app.page("/v1/cases/{tracking_number}")
    class CaseStatus(View):
        """Where a complaint stands, by tracking number; no personal data."""

        async def get(self, request: Request, tracking_number: str) -> Response:
            doc = await asyncio.to_thread(repository.by_tracking_number, tracking_number)
            if doc is None:
                return self.json(
                    {"detail": f"no case with tracking number {tracking_number!r}"}, status=404
                )
            return self.json(to_status_read(doc).model_dump(mode="json"))

    @app.page("/livez")
    class Livez(View):
        """Live while the worker's loop and agent are running."""

        async def get(self, request: Request) -> Response:
            return _verdict(self, *run_checks(live))

    @app.page("/readyz")
    class Readyz(View):
        """Ready when Mongo and Kafka answer (blocking clients: run in a thread)."""

        async def get(self, request: Request) -> Response:
            return _verdict(self, *await asyncio.to_thread(run_checks, ready))

    @app.page("/metrics")
    class Metrics(View):
        """Prometheus exposition."""

        async def get(self, request: Request) -> Response:
            # aiohttp refuses a charset in `content_type`; the header carries it whole.
            return self.bytes(generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})


def _verdict(view: View, ok: bool, verdicts: dict[str, str]) -> Response:
    body = {"status": "ok" if ok else "fail", "checks": verdicts}
    return view.json(body, status=200 if ok else 503)
