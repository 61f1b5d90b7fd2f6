"""Wiring the consumer: the rules store and the router around the shared consume service."""

from __future__ import annotations

from typing import Any

from services.router.config import Settings
from services.router.handler import Router, decode_received
from services.router.store import RulesStore
from shared.service import ConsumeService, build_consume_service


def build_store(settings: Settings) -> RulesStore:
    """Return the rules store, failing fast (ConfigFileError) when the files are invalid."""
    store = RulesStore(
        settings.rules_file, settings.opd_file, check_interval_s=settings.rules_check_interval_s
    )
    store.current()
    return store


def build_service(
    settings: Settings, store: RulesStore, **consumer_overrides: Any
) -> ConsumeService:
    """Build the consumer, producer and loop for `settings`; ready when the rules are loaded."""
    return build_consume_service(
        settings,
        group_id=settings.group_id,
        topics=[settings.received_topic],
        decode=decode_received,
        handle=Router(settings, store).handle,
        ready={"rules": store.ready_check},
        **consumer_overrides,
    )
