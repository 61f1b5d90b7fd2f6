"""Topic names of the complaint flow. Every complaint topic is keyed by complaint id."""

from __future__ import annotations

from typing import Final

COMPLAINTS_RECEIVED: Final = "complaints.received"
COMPLAINTS_ASSIGNED: Final = "complaints.assigned"
COMPLAINTS_UPDATES: Final = "complaints.updates"
COMPLAINTS_RESOLVED: Final = "complaints.resolved"
SLA_ALERTS: Final = "sla.alerts"
# The OPD topic rule; `shared.config.Topics.opd` applies it (with any configured template).
OPD_TEMPLATE: Final = "opd.{code}"

# Raw payloads of a channel's connectors, consumed by intake; `{channel}` is the channel name.
INTAKE_RAW_TEMPLATE: Final = "intake.raw.{channel}"

# Messages to reporters, one topic per outbound channel, for that channel's connector.
NOTIFY_TEMPLATE: Final = "notify.{channel}"

DLQ_SUFFIX: Final = ".dlq"


def dead_letter(topic: str) -> str:
    """Return the dead-letter twin of a consumed topic."""
    return topic + DLQ_SUFFIX
