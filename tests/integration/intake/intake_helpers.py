"""Constants of the intake integration tests."""

from __future__ import annotations

DEAD_KAFKA = "127.0.0.1:1"  # nothing listens there: Kafka is "down"
API_KEY = "it-key-web"
CONNECTOR = "webform-it"
