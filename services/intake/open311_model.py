"""Open311 GeoReport v2 `POST requests`: the request fields and their ComplaintReceived (pure)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any
from urllib.parse import parse_qsl

import orjson
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.intake.adapters.base import Adapter, Receipt
from services.intake.adapters.common import Email, LongText, MobilePhone, Short, title_from
from services.intake.open311_catalogue import Open311Service
from shared.events import Attachment, Channel, ComplaintReceived, Entry, Location, Reporter

Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]


class Open311Request(BaseModel):
    """The fields of a GeoReport v2 service request (form-encoded or JSON)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    service_code: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    description: LongText
    lat: float | None = Field(default=None, ge=-90, le=90)
    long: float | None = Field(default=None, ge=-180, le=180)
    address_string: Annotated[str, StringConstraints(max_length=500)] | None = None
    first_name: Short | None = None
    last_name: Short | None = None
    email: Email | None = None
    phone: MobilePhone | None = None
    device_id: Short | None = None
    account_id: Short | None = None
    media_url: Url | None = None

    @model_validator(mode="after")
    def _located(self) -> Open311Request:
        if (self.lat is None) != (self.long is None):
            raise ValueError("lat and long go together")
        if self.lat is None and not self.address_string:
            raise ValueError("give lat and long, or address_string")
        return self


def request_ref(req: Open311Request) -> str:
    """The request's reference: a digest of its fields, so a client's retry is one complaint."""
    canonical = orjson.dumps(req.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return "sha256:" + hashlib.sha256(canonical).hexdigest()


def adapter_for(service: Open311Service) -> Adapter[Open311Request]:
    """Return the adapter mapping a request for `service` to ComplaintReceived."""

    def to_payload(req: Open311Request, receipt: Receipt) -> ComplaintReceived:
        name = " ".join(p for p in (req.first_name, req.last_name) if p) or None
        who = {"name": name, "email": req.email, "phone": req.phone}
        kept = {k: v for k, v in who.items() if v}
        return ComplaintReceived(
            tracking_number=receipt.tracking_number,
            channel=Channel.OPEN311,
            channel_ref=request_ref(req),
            received_at=receipt.received_at,
            title=title_from(req.description),
            body=req.description,
            location=Location(text=req.address_string, lat=req.lat, lon=req.long),
            category_hint=service.category or service.service_code,
            classification_hint=service.classification,
            attachments=[Attachment(url=req.media_url)] if req.media_url else [],
            tags=[f"open311:{service.service_code}"],
            reporter=Reporter(**kept) if kept else None,
            entry=Entry(connector_id=receipt.connector_id, source=req.device_id),
        )

    return Adapter(
        channel=Channel.OPEN311,
        model=Open311Request,
        channel_ref=request_ref,
        to_payload=to_payload,
    )


def form_fields(raw: bytes, content_type: str) -> dict[str, Any]:
    """Read a form-encoded or JSON body into a flat dict (the last value of a repeated key)."""
    if content_type.startswith("application/json"):
        value = orjson.loads(raw)
        if not isinstance(value, dict):
            raise ValueError("the JSON body must be an object")
        return value
    return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=False))
