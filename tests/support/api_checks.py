"""schemathesis checks every fuzzed API shares (registered once: the registry is global)."""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.check
def refusal_has_a_reason(ctx: Any, response: Any, case: Any) -> None:
    """Every 4xx says why, in `detail`."""
    if 400 <= response.status_code < 500:
        assert response.json().get("detail"), f"{response.status_code} without a reason"
