"""Connectors: who may deliver complaints, with which credential, for which region (pure).

`INTAKE_CONNECTORS` is a JSON object `{id: {api_key?, hmac_secret?, region?, rate_per_s?,
burst?}}`; the older `INTAKE_API_KEYS` (`{id: key}`) still works and is folded in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from services.intake.adapters import Adapter, Receipt
from shared.events import ComplaintReceived, Location
from shared.regions import RegionCode


class Connector(BaseModel):
    """One connector's credentials, region and rate limit; every field optional.

    A connector with no credential can still deliver over Kafka (topic ACLs guard that path)
    but is refused over HTTP.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: SecretStr | None = None
    hmac_secret: SecretStr | None = None
    region: RegionCode | None = None
    rate_per_s: float | None = Field(default=None, gt=0)
    burst: int | None = Field(default=None, ge=1)


def registry(
    connectors: Mapping[str, Connector], api_keys: Mapping[str, SecretStr]
) -> dict[str, Connector]:
    """Merge `INTAKE_API_KEYS` into `INTAKE_CONNECTORS`; a key set in both places must agree."""
    merged = dict(connectors)
    for connector_id, key in api_keys.items():
        known = merged.get(connector_id)
        if known is None:
            merged[connector_id] = Connector(api_key=key)
        elif known.api_key is None:
            merged[connector_id] = known.model_copy(update={"api_key": key})
        elif known.api_key.get_secret_value() != key.get_secret_value():
            raise ValueError(f"connector {connector_id!r} has two different API keys configured")
    return merged


def with_region(adapter: Adapter[Any], region: str | None) -> Adapter[Any]:
    """Return `adapter` filling the connector's region into complaints that give none."""
    if region is None:
        return adapter
    mapped = adapter.to_payload

    def to_payload(body: Any, receipt: Receipt) -> ComplaintReceived:
        payload = mapped(body, receipt)
        if payload.location.region_code is not None:
            return payload
        where = payload.location.model_dump() | {"region_code": region}
        return payload.model_copy(update={"location": Location(**where)})

    return dataclasses.replace(adapter, to_payload=to_payload)
