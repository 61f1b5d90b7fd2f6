"""The bare baseline of `bench.intake`: a FastAPI endpoint that only validates the web-form body.

`python -m uvicorn bench.bare_intake:app`: the same route as intake's web channel, the same
pydantic model (`WebComplaint`, validated from the raw bytes as intake's adapter does) and an
answer of the same shape, but nothing stored, no gate, no outbox: the web tier's own cost.
"""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from pydantic import ValidationError
from ulid import ULID

from services.intake.adapters.web import ADAPTER
from services.intake.tracking import new_tracking_number

app = FastAPI(title="bare intake")


@app.post("/v1/channels/web/complaints", status_code=202)
async def submit(request: Request) -> dict[str, object]:
    """Validate the body; answer as intake does for a new complaint."""
    try:
        ADAPTER.parse(await request.body())
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


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    """Ready as soon as it answers."""
    return {"status": "ok"}
