"""Backoff waits grow, are capped and jittered."""

from __future__ import annotations

import random

from shared.config import ConsumerSettings
from shared.retry import Backoff
from shared.service import loop_policy


def test_delay_stays_within_the_growing_ceiling() -> None:
    backoff = Backoff(base_s=0.5, cap_s=4.0)
    rng = random.Random(7)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (6, 4.0)]:
        delays = [backoff.delay(attempt, rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8, "full jitter should use the whole range"


def test_the_tick_interval_setting_reaches_the_loop_policy() -> None:
    settings = ConsumerSettings(service_name="x", http_port=1, group_id="g", tick_interval_s=0.5)
    assert loop_policy(settings).tick_interval_s == 0.5
