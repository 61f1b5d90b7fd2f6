"""Failure injection shared by the local contract servers (LAPOR!, CKAN).

Real services fail in more ways than "503 once"; each of these is one field of `Faults`,
set with `POST /_contract/faults` (unset fields keep their value; `POST /_contract/reset`
clears everything):

  delay_ms            latency added to every API request
  fail_next, status   the next N requests answer `status` (e.g. 503, 422)
  storm_ratio         share of requests answering `storm_status` (a 5xx storm), at random
  rate_per_s          a token bucket; beyond it: 429 with Retry-After
  hang_after_next     the next N *writes* are carried out, then answered only after
                      `hang_ms` (longer than the client's read timeout: a timeout after accepting)
  outage_s            every API request answers 503 with Retry-After until the window ends

Time is the server's own clock, `POST /_contract/advance {"seconds": 600}` moves it on: a
10-minute outage is simulated, not waited out.

Credentials: the server accepts one API token at a time. `POST /_contract/token {"token":
"new"}` rotates it (the partner revoked the old one, or it expired): from then on the old
token is answered 401 "token expired" (CKAN: 403) until the client sends the new one.
`POST /_contract/reset` brings back the token the server started with.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import threading
import time
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Faults(BaseModel):
    """The failures to inject; see the module docstring."""

    fail_next: Annotated[int, Field(ge=0)] = 0
    status: Annotated[int, Field(ge=400, le=599)] = 503
    delay_ms: Annotated[int, Field(ge=0, le=120_000)] = 0
    storm_ratio: Annotated[float, Field(ge=0, le=1)] = 0.0
    storm_status: Annotated[int, Field(ge=500, le=599)] = 502
    rate_per_s: Annotated[float, Field(ge=0)] = 0.0  # 0: unlimited
    hang_after_next: Annotated[int, Field(ge=0)] = 0
    hang_ms: Annotated[int, Field(ge=0, le=120_000)] = 15_000
    outage_s: Annotated[float, Field(ge=0)] = 0.0


class Advance(BaseModel):
    """How far to move the server's clock."""

    seconds: Annotated[float, Field(ge=0)]


class Rotation(BaseModel):
    """The token the server accepts from now on."""

    token: Annotated[str, Field(min_length=1)]


class Injector:
    """Decides, per API request, what failure (if any) it meets; thread-safe."""

    def __init__(self, token: str = "") -> None:
        self.lock = threading.Lock()
        self.first_token = token
        self.reset()

    def reset(self) -> None:
        """Forget faults, counters, the clock offset and rotated tokens."""
        self.token = self.first_token
        self.rejected_tokens = 0
        self.faults = Faults()
        self.offset_s = 0.0
        self.outage_until = 0.0
        self.tokens = 0.0
        self.refilled = self.now()
        self.requests = 0
        self.injected = 0
        self.hung = 0

    def now(self) -> float:
        """Return the server's clock: monotonic time plus what tests advanced it by."""
        return time.monotonic() + getattr(self, "offset_s", 0.0)

    def set(self, update: dict[str, Any]) -> Faults:
        """Change the named fields; an outage window starts now."""
        with self.lock:
            self.faults = self.faults.model_copy(update=update)
            if "outage_s" in update:
                self.outage_until = self.now() + self.faults.outage_s
            if "rate_per_s" in update:
                self.tokens, self.refilled = self.faults.rate_per_s, self.now()
            return self.faults

    def token_ok(self, given: str) -> bool:
        """Whether `given` is the token accepted now (counts the refusals)."""
        with self.lock:
            ok = secrets.compare_digest(given, self.token)
            self.rejected_tokens += not ok
            return ok

    def advance(self, seconds: float) -> None:
        """Move the clock on."""
        with self.lock:
            self.offset_s += seconds

    def verdict(self, method: str) -> tuple[Response | None, bool]:
        """Return (the failure answer or None, whether to hang after carrying the write out)."""
        with self.lock:
            self.requests += 1
            failure = self._failure()
            if failure is not None:
                self.injected += 1
                return failure, False
            if method in _WRITES and self.faults.hang_after_next > 0:
                self.faults = self.faults.model_copy(
                    update={"hang_after_next": self.faults.hang_after_next - 1}
                )
                self.hung += 1
                return None, True
            return None, False

    def _failure(self) -> Response | None:
        f, now = self.faults, self.now()
        if now < self.outage_until:
            retry = max(1, int(self.outage_until - now))
            return _error(503, "service unavailable (outage)", retry_after=retry)
        if f.fail_next > 0:
            self.faults = f.model_copy(update={"fail_next": f.fail_next - 1})
            return _error(f.status, f"injected fault {f.status}")
        if f.storm_ratio and random.random() < f.storm_ratio:
            return _error(f.storm_status, "upstream storm")
        if f.rate_per_s and not self._take_token(now):
            return _error(429, "rate limit exceeded", retry_after=1)
        return None

    def _take_token(self, now: float) -> bool:
        rate = self.faults.rate_per_s
        self.tokens = min(rate, self.tokens + (now - self.refilled) * rate)
        self.refilled = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def _error(status: int, message: str, retry_after: int | None = None) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


class _FaultMiddleware:
    """Pure ASGI (BaseHTTPMiddleware costs a task and a stream per request, which a
    benchmark at hundreds of calls per second notices)."""

    def __init__(self, app: Any, injector: Injector, prefix: str) -> None:
        self.app, self.injector, self.prefix = app, injector, prefix

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        failure, hang = self.injector.verdict(scope["method"])
        if self.injector.faults.delay_ms:
            await asyncio.sleep(self.injector.faults.delay_ms / 1000)
        if failure is not None:
            await failure(scope, receive, send)
            return
        if not hang:
            await self.app(scope, receive, send)
            return
        held: list[Any] = []

        async def hold(message: Any) -> None:
            held.append(message)

        await self.app(scope, receive, hold)  # the write is done...
        await asyncio.sleep(self.injector.faults.hang_ms / 1000)  # ...the answer comes late
        for message in held:
            await send(message)


def install(app: FastAPI, injector: Injector, *, api_prefix: str) -> None:
    """Put the injector in front of `api_prefix` and add its /_contract endpoints."""
    app.add_middleware(_FaultMiddleware, injector=injector, prefix=api_prefix)

    router = APIRouter(prefix="/_contract")

    @router.post("/faults")
    async def set_faults(request: Request) -> Faults:
        update = Faults.model_validate(await request.json()).model_dump(
            include=set((await request.json()).keys())
        )
        return injector.set(update)

    @router.post("/advance", status_code=204)
    async def advance(body: Advance) -> None:
        injector.advance(body.seconds)

    @router.post("/token", status_code=204)
    async def rotate(body: Rotation) -> None:
        with injector.lock:
            injector.token = body.token

    @router.get("/stats")
    async def stats() -> dict[str, Any]:
        with injector.lock:
            return {
                "requests": injector.requests,
                "injected_failures": injector.injected,
                "hung": injector.hung,
                "rejected_tokens": injector.rejected_tokens,
            }

    app.include_router(router)
