"""The bare baseline of `bench.intake` and `bench.intake_mix`: FastAPI endpoints that only
validate each channel's body.

`python -m uvicorn bench.bare_intake:app`: the same routes as intake's channels
(`/v1/channels/<channel>/complaints`), the same pydantic models (validated from the raw bytes as
intake's adapters do) and an answer of the same shape, but nothing stored, no gate, no mapping
to the event, no outbox: the web tier's own cost.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from pydantic import ValidationError
from ulid import ULID

from services.intake.adapters import ADAPTERS, Adapter
from services.intake.tracking import new_tracking_number

app = FastAPI(title="bare intake")


def _route(adapter: Adapter[Any]) -> None:
    @app.post(f"/v1/channels/{adapter.channel.value}/complaints", status_code=202)
    async def submit(request: Request) -> dict[str, object]:
        """Validate the body; answer as intake does for a new complaint."""
        try:
            adapter.parse(await request.body())
        except ValidationError as exc:
            raise HTTPException(422, detail=exc.errors(include_input=False)) from exc
        tracking = new_tracking_number()
        return {
            "complaint_id": str(ULID()),
            "tracking_number": tracking,
            "status": "received",
            "duplicate": False,
            "status_url": f"/v1/cases/{tracking}",
        }


for _adapter in ADAPTERS.values():
    _route(_adapter)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    """Ready as soon as it answers."""
    return {"status": "ok"}
