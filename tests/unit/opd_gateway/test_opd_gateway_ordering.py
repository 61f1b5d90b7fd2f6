"""Per-OPD ordering of webhook deliveries and what each answer means for the queue."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from services.opd_gateway.delivery import (
    Delivery,
    DeliveryState,
    Verdict,
    attempted,
    in_order,
    order_key,
    verdict,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def delivery(order: str, event_id: str, opd: str = "3578-pupr") -> Delivery:
    return Delivery(
        opd_code=opd, event_id=event_id, event_type="t", complaint_id="c", body="{}",
        order=order, created_at=T0,
    )  # fmt: skip


def test_deliveries_go_out_in_the_order_they_were_stored_batch_after_batch() -> None:
    first_batch = [delivery(order_key(1_000, i), f"a{i}") for i in range(12)]
    second_batch = [delivery(order_key(2_000, i), f"b{i}") for i in range(3)]
    shuffled = first_batch + second_batch
    random.Random(7).shuffle(shuffled)
    assert [d.event_id for d in in_order(shuffled)] == [
        *(f"a{i}" for i in range(12)),
        *(f"b{i}" for i in range(3)),
    ]


def test_order_keys_sort_as_text_like_the_numbers_they_encode() -> None:
    keys = [order_key(ns, pos) for ns in (9, 10, 1_764_410_000_000_000_000) for pos in (2, 10)]
    assert sorted(keys) == keys


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, Verdict.DELIVERED),
        (204, Verdict.DELIVERED),
        (408, Verdict.RETRY),
        (429, Verdict.RETRY),
        (500, Verdict.RETRY),
        (503, Verdict.RETRY),
        (400, Verdict.REJECTED),
        (401, Verdict.REJECTED),
        (404, Verdict.REJECTED),
        (410, Verdict.REJECTED),
    ],
)
def test_what_an_answer_means(status: int, expected: Verdict) -> None:
    assert verdict(status) is expected


def test_a_retried_attempt_stays_pending_and_counts() -> None:
    d = attempted(delivery("1", "e"), at=T0, status=503, error="down", verdict=Verdict.RETRY)
    assert (d.state, d.attempts, d.last_status, d.delivered_at) == (
        DeliveryState.PENDING, 1, 503, None,
    )  # fmt: skip
    d = attempted(d, at=T0, status=200, error=None, verdict=Verdict.DELIVERED)
    assert (d.state, d.attempts, d.delivered_at) == (DeliveryState.DELIVERED, 2, T0)


def test_a_rejected_delivery_leaves_the_queue_as_failed_with_the_answer() -> None:
    d = attempted(delivery("1", "e"), at=T0, status=400, error="bad", verdict=Verdict.REJECTED)
    assert (d.state, d.last_status, d.last_error) == (DeliveryState.FAILED, 400, "bad")
