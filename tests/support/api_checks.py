"""What every fuzzed API must do with a refusal, as one schemathesis check registered once (the
registry is global: every schemathesis test of the session runs it)."""

from __future__ import annotations

import json
from typing import Any

import schemathesis
import xmltodict


def reason_of(response: Any) -> str:
    """The reason a 4xx gives: `detail`, or the Open311 error's description (JSON or XML)."""
    if "xml" in str(response.headers.get("content-type", "")):
        error = xmltodict.parse(response.content)["errors"]["error"]
        return str(error["description"] or "")
    body = response.json()
    if isinstance(body, list):  # Open311: [{"code": 400, "description": "..."}]
        return (
            str(body[0]["description"]) if body and body[0]["code"] == response.status_code else ""
        )
    return json.dumps(body.get("detail") or "")


@schemathesis.check
def refusal_has_a_reason(ctx: Any, response: Any, case: Any) -> None:
    """Every 4xx says why."""
    if 400 <= response.status_code < 500:
        assert reason_of(response), f"{response.status_code} without a reason"
