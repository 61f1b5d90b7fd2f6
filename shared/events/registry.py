"""Which payload model each (event type, data version) carries, and the one decoder for all."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field, TypeAdapter, create_model

from shared.events.envelope import Envelope
from shared.events.payloads import (
    CaseResolved,
    CaseResolvedV2,
    ComplaintArchived,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintDispatched,
    ComplaintForwarded,
    ComplaintPostponed,
    ComplaintReassigned,
    ComplaintReceived,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintReturned,
    ComplaintTriageStub,
    FollowUpPosted,
    Payload,
    ReporterNotice,
    SlaAlert,
)

# CloudEvents `type` values are reverse-DNS prefixed, as the spec recommends.
EVENT_TYPES: dict[str, dict[int, type[Payload]]] = {
    "id.aduan.complaint.received": {1: ComplaintReceived},
    "id.aduan.complaint.assigned": {1: ComplaintAssigned},
    "id.aduan.complaint.dispatched": {1: ComplaintDispatched},
    "id.aduan.complaint.followup_posted": {1: FollowUpPosted},
    "id.aduan.complaint.resolved": {1: ComplaintResolved},
    "id.aduan.case.resolved": {1: CaseResolved, 2: CaseResolvedV2},
    "id.aduan.complaint.reopened": {1: ComplaintReopened},
    "id.aduan.complaint.closed": {1: ComplaintClosed},
    "id.aduan.sla.alert": {1: SlaAlert},
    "id.aduan.complaint.reassigned": {1: ComplaintReassigned},
    "id.aduan.complaint.returned": {1: ComplaintReturned},
    "id.aduan.complaint.postponed": {1: ComplaintPostponed},
    "id.aduan.complaint.forwarded": {1: ComplaintForwarded},
    "id.aduan.complaint.archived": {1: ComplaintArchived},
    "id.aduan.notify.message": {1: ReporterNotice},
    "id.aduan.complaint.triage_stub": {1: ComplaintTriageStub},
}


def _envelope_class(event_type: str, version: int, model: type[Payload]) -> type[Envelope[Any]]:
    """Build the envelope class of one (type, version): its literals drive the union below."""
    fields: dict[str, Any] = {
        "type": (Literal[event_type], event_type),
        "dataversion": (Literal[version], version),
    }
    return create_model(
        f"{model.__name__}V{version}Event",
        __base__=Envelope[model],  # type: ignore[valid-type]
        **fields,
    )


ENVELOPE_CLASSES: dict[type[Payload], type[Envelope[Any]]] = {
    model: _envelope_class(name, version, model)
    for name, versions in EVENT_TYPES.items()
    for version, model in versions.items()
}


def _variants_of(versions: dict[int, type[Payload]]) -> Any:
    """One type's envelope classes; several versions become a union tagged by `dataversion`."""
    classes = [ENVELOPE_CLASSES[model] for model in versions.values()]
    if len(classes) == 1:
        return classes[0]
    return Annotated[Union[tuple(classes)], Field(discriminator="dataversion")]  # noqa: UP007


# A union tagged by `type` is resolved in pydantic-core without Python in the hot path
# (measured: 6.7 µs per 1 kB event against 11.4 µs for orjson.loads + a dict lookup).
_ANY_EVENT: TypeAdapter[Envelope[Payload]] = TypeAdapter(
    Annotated[  # type: ignore[arg-type]
        Union[tuple(_variants_of(v) for v in EVENT_TYPES.values())],  # noqa: UP007
        Field(discriminator="type"),
    ]
)


def decode(raw: bytes) -> Envelope[Payload]:
    """Parse and validate an event of any known type and version.

    Raises pydantic.ValidationError (a ValueError) on anything else.
    """
    return _ANY_EVENT.validate_json(raw)


def type_of(model: type[Payload]) -> tuple[str, int]:
    """Return the (event type, data version) a payload class is sent as."""
    event_class = ENVELOPE_CLASSES[model]
    fields = event_class.model_fields
    return fields["type"].default, fields["dataversion"].default
