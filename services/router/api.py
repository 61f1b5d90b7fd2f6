"""The coordinator's HTTP API: the triage queue and the actions on it, per-user API keys.

Every request names its user by the `X-Api-Key` header (keys in ROUTER_ADMIN_USERS, JSON
{user: key}): 401 when the header is missing or the key unknown; 403 when the user may act only
on some desks (ROUTER_ADMIN_DESKS, JSON {user: [desk, ...]}) and the case waits at another.
An action sends its events first, then updates the queue: a crash in between leaves the case
waiting, and the coordinator's retry sends again (the sla drops a second, identical move).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Header, HTTPException, Request

from services.router.actions import Action, Dispose, outcome
from services.router.cases import MongoCases, RoutedCase
from services.router.triage import TriagedCase, TriageStore
from shared.config import Topics
from shared.kafka.records import Outgoing

Send = Callable[[Sequence[Outgoing]], None]


@dataclass(frozen=True)
class Admins:
    """Who may act: user -> key, and the desks of users limited to some."""

    keys: Mapping[str, str]
    desks: Mapping[str, Sequence[str]]

    def user_of(self, key: str | None) -> str:
        """Return the user holding `key`; raise 401 otherwise."""
        if not key:
            raise HTTPException(401, "missing X-Api-Key header")
        for user, expected in self.keys.items():
            if hmac.compare_digest(key.encode(), expected.encode()):
                return user
        raise HTTPException(401, "unknown API key")

    def check_desk(self, user: str, case: TriagedCase) -> None:
        """Raise 403 when `user` may not act on the case's desk."""
        allowed = self.desks.get(user)
        if allowed is not None and case.desk not in allowed:
            raise HTTPException(403, f"user {user!r} may not act on desk {case.desk!r}")


@dataclass(frozen=True)
class AdminApi:
    """What the routes need: the queue, a sender, the topics, and the known OPD codes."""

    admins: Admins
    store: TriageStore
    send: Send
    topics: Topics
    opd_codes: Callable[[], frozenset[str]]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    # The routed cases: a disposed case's holder is recorded, so the OPD may return it.
    cases: MongoCases | None = None


def _user(request: Request, x_api_key: Annotated[str | None, Header()] = None) -> str:
    admins: Admins = request.app.state.admins
    return admins.user_of(x_api_key)


Who = Annotated[str, Depends(_user)]


def admin_routes(api: AdminApi) -> APIRouter:
    """GET /triage, GET /triage/{id}, POST /triage/{id}/actions."""
    router = APIRouter(prefix="/triage")

    @router.get("")
    def waiting(who: Who, desk: str | None = None) -> list[dict[str, Any]]:
        allowed = api.admins.desks.get(who)
        cases = [c for c in api.store.waiting(desk) if allowed is None or c.desk in allowed]
        return [_summary(c) for c in cases]

    @router.get("/{complaint_id}")
    def one(complaint_id: str, who: Who) -> dict[str, Any]:
        case = _case(api, complaint_id, who)
        return {**_summary(case), "complaint": case.complaint.model_dump(mode="json")}

    @router.post("/{complaint_id}/actions")
    def act(complaint_id: str, who: Who, action: Annotated[Action, Body()]) -> dict[str, Any]:
        case = _case(api, complaint_id, who)
        if isinstance(action, Dispose) and action.opd not in api.opd_codes():
            raise HTTPException(422, f"unknown OPD {action.opd!r}")
        records, stays = outcome(case, action, user=who, now=api.clock(), topics=api.topics)
        api.send(records)
        if isinstance(action, Dispose) and api.cases is not None:
            api.cases.replace([given(api.cases, case, action.opd)])
        if stays is None:
            api.store.remove(complaint_id)
        else:
            api.store.put([stays])
        return {"complaint_id": complaint_id, "sent": [r.topic for r in records],
                "waiting": stays is not None}  # fmt: skip

    return router


def admin_app(api: AdminApi, health: APIRouter) -> FastAPI:
    """The router's HTTP app: health routes and the admin API."""
    app = FastAPI(title="router admin")
    app.state.admins = api.admins
    app.include_router(health)
    app.include_router(admin_routes(api))
    return app


def _case(api: AdminApi, complaint_id: str, user: str) -> TriagedCase:
    case = api.store.get(complaint_id)
    if case is None:
        raise HTTPException(404, f"no case {complaint_id!r} waits in triage")
    api.admins.check_desk(user, case)
    return case


def given(cases: MongoCases, case: TriagedCase, opd: str) -> RoutedCase:
    """The routed case once a coordinator gave it to `opd`, who may return it in turn (the
    router writes this document only on a return from its holder: not while it is in triage)."""
    stored = cases.get_many([case.complaint_id]).get(case.complaint_id)
    if stored is not None:
        return stored.model_copy(update={"opd": opd})
    return RoutedCase(
        complaint_id=case.complaint_id,
        correlation_id=case.correlation_id,
        opd=opd,
        excluded=case.excluded,
        complaint=case.complaint,
    )


def _summary(case: TriagedCase) -> dict[str, Any]:
    """What the queue shows: no reporter identity, no content of a confidential case."""
    complaint = case.complaint
    return {
        "complaint_id": case.complaint_id,
        "tracking_number": complaint.tracking_number,
        "desk": case.desk,
        "triaged_at": case.triaged_at.isoformat(),
        "title": None if complaint.confidential else complaint.title,
        "confidential": complaint.confidential,
        "not_competent": case.not_competent,
        "institution": case.institution,
        "excluded": case.excluded,
        "postponed": case.postponed,
    }
