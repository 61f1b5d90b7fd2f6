"""The simulator's OPDs on HTTP: a webhook receiver that answers through the gateway's inbox.

For each OPD of deploy/config/opd_gateway.yaml the OPD gateway POSTs signed events to
`/webhooks/<code>` here. The receiver checks the signature (any of the OPD's secrets), skips an
`Idempotency-Key` it has seen, answers 204 at once, and for a dispatched case then does what
an Admin Penghubung would in the OPD's own system: a substantive follow-up and the resolution,
posted to the gateway's inbox with the OPD's API key.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx
import orjson
import yaml
from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, Response

from services.opd_gateway.signing import verify

log = logging.getLogger("opd_simulator.http")
REGISTRY = Path(__file__).parents[1] / "config" / "opd_gateway.yaml"
DISPATCHED = "id.aduan.complaint.dispatched"


def http_opds(registry: Path = REGISTRY) -> list[str]:
    """The OPD codes the gateway serves over HTTP (the simulator answers them by webhook)."""
    raw = yaml.safe_load(registry.read_text()) or {}
    return [entry["code"] for entry in raw.get("opds", [])]


class HttpOpds:
    """The OPDs' side of the webhooks and the inbox."""

    def __init__(
        self, *, gateway_url: str, secrets: Mapping[str, Sequence[str]], keys: Mapping[str, str]
    ) -> None:
        self._gateway = httpx.Client(base_url=gateway_url, timeout=10.0)
        self._secrets = secrets
        self._keys = keys
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def router(self) -> APIRouter:
        """The webhook route."""
        router = APIRouter()

        @router.post("/webhooks/{opd}", status_code=204)
        async def webhook(opd: str, request: Request, background: BackgroundTasks) -> Response:
            body = await request.body()
            if not any(verify(request.headers, body, s, now=int(time.time()))
                       for s in self._secrets.get(opd, ())):  # fmt: skip
                raise HTTPException(401, "bad or missing signature")
            if self._first(request.headers.get("Idempotency-Key", "")):
                background.add_task(self.answer, opd, orjson.loads(body))
            return Response(status_code=204)

        return router

    def _first(self, key: str) -> bool:
        with self._lock:
            if key in self._seen:
                return False
            self._seen.add(key)
            return True

    def answer(self, opd: str, event: dict[str, object]) -> None:
        """Answer a dispatched case through the inbox: a follow-up, then the resolution."""
        if event.get("type") != DISPATCHED:
            log.info("event received", extra={"opd": opd, "type": event.get("type")})
            return
        case = f"/v1/inbox/cases/{event['subject']}"
        headers = {"X-API-Key": self._keys[opd]}
        steps = [
            ("follow-ups", {"text": "Laporan sudah kami tinjau di lapangan.",
                            "kind": "substantive", "author": f"penghubung-{opd}"}),
            ("resolution", {"resolution": "Tindak lanjut selesai dan telah dikonfirmasi ke lokasi.",
                            "resolved_by": f"penghubung-{opd}"}),
        ]  # fmt: skip
        for action, body in steps:
            answer = self._gateway.post(f"{case}/{action}", json=body, headers=headers)
            log.info("inbox action", extra={"opd": opd, "action": action,
                                            "status": answer.status_code})  # fmt: skip

    def close(self) -> None:
        """Let go of the HTTP client."""
        self._gateway.close()
