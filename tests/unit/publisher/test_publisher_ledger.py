"""Ledger decisions: what a claimed entry says is still to do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.publisher.ledger import (
    LedgerEntry,
    LedgerKey,
    LedgerState,
    Step,
    may_duplicate,
    new_entry,
    next_step,
)

NOW = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
KEY = LedgerKey(complaint_id="cid", target="lapor", case_version=2)


def entry(**over: object) -> LedgerEntry:
    return new_entry(KEY, external_id="cid:2", owner="me", lease_until=NOW, now=NOW).model_copy(
        update=over
    )


def test_new_entry_is_pending_with_its_key() -> None:
    fresh = new_entry(KEY, external_id="cid:2", owner="me", lease_until=NOW, now=NOW)

    assert fresh.state is LedgerState.PENDING
    assert fresh.key == KEY
    assert fresh.attempts == 1
    assert KEY.as_filter() == {"complaint_id": "cid", "target": "lapor", "case_version": 2}


@pytest.mark.parametrize(
    ("over", "send_follow_up", "step"),
    [
        ({}, True, Step.CREATE),
        ({"state": LedgerState.FAILED}, True, Step.CREATE),
        ({"remote_id": "LAPOR-1"}, True, Step.FOLLOW_UP),
        ({"remote_id": "LAPOR-1"}, False, Step.MARK_SENT),
        ({"remote_id": "LAPOR-1", "follow_up_sent": True}, True, Step.MARK_SENT),
        ({"state": LedgerState.SENT, "remote_id": "LAPOR-1"}, True, Step.SKIP),
    ],
)
def test_next_step_follows_what_is_recorded(
    over: dict[str, object], send_follow_up: bool, step: Step
) -> None:
    assert next_step(entry(**over), send_follow_up=send_follow_up) is step


def test_an_unrecorded_in_flight_create_may_duplicate() -> None:
    assert may_duplicate(entry(in_flight_since=NOW))
    assert not may_duplicate(entry())
    assert not may_duplicate(entry(in_flight_since=NOW, remote_id="LAPOR-1"))
