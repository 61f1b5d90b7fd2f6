"""The CloudEvents 1.0 envelope (structured mode, JSON on the wire)."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events.payloads import Payload

P = TypeVar("P", bound=Payload)

CONTENT_TYPE = "application/cloudevents+json"


class Envelope(BaseModel, Generic[P]):
    """One event. `subject` is the complaint id, which is also the Kafka key.

    CloudEvents extension attribute names may hold only lowercase letters and digits, so our
    `correlation_id` travels as `correlationid` and the payload version as `dataversion`.
    """

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1)
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    time: AwareDatetime
    subject: str = Field(min_length=1)
    datacontenttype: Literal["application/json"] = "application/json"
    dataversion: int = Field(default=1, ge=1)
    correlation_id: str = Field(alias="correlationid", min_length=1)
    data: P


def encode(event: Envelope[Any]) -> bytes:
    """Serialise an event to its wire form."""
    # Straight to bytes: model_dump_json() would make a str that we would encode again.
    return event.__pydantic_serializer__.to_json(event, by_alias=True)
