"""One httpx client per sending thread, and the API token the calls carry (Credentials).

Why: with many threads on one httpx.Client, every request takes the shared connection pool's
lock and walks its connections; measured on 2 cores, 128 threads on one client managed about
160 calls/s, the same threads with a client each about 300. Each thread keeps one keep-alive
connection, which is what one sequential case needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx


class PerThreadClient:
    """The get/post/delete of httpx.Client, each thread on its own client."""

    def __init__(self, make: Callable[[], httpx.Client]) -> None:
        self._make = make
        self._local = threading.local()
        self._all: list[httpx.Client] = []
        self._lock = threading.Lock()

    def _client(self) -> httpx.Client:
        client: httpx.Client | None = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self._make()
            with self._lock:
                self._all.append(client)
        return client

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Any request through this thread's client."""
        return self._client().request(method, url, **kwargs)

    def stream(self, method: str, url: str, **kwargs: Any) -> Any:
        """A streamed request through this thread's client (a context manager)."""
        return self._client().stream(method, url, **kwargs)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """GET through this thread's client."""
        return self._client().get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """POST through this thread's client."""
        return self._client().post(url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        """DELETE through this thread's client."""
        return self._client().delete(url, **kwargs)

    def close(self) -> None:
        """Close every thread's client."""
        with self._lock:
            clients, self._all = self._all, []
        for client in clients:
            client.close()


class Credentials:
    """A target's API token: from configuration, or from a file operators rotate.

    A 401/403 is an authentication problem of ours, not the record's: the client calls
    `refresh` once and sends again. With a token file, `refresh` re-reads it (an operator may
    have put a new token there); without one there is nothing to re-read and it says so. A
    file that cannot be read keeps the token we have (the next refusal tries again).
    """

    def __init__(self, token: str | None, token_file: Path | None = None) -> None:
        self._file = token_file
        self._lock = threading.Lock()
        self._token = (self._read() if token_file is not None else None) or token
        if not self._token:
            raise ValueError("a token, or a readable token file, is needed")

    @property
    def token(self) -> str:
        """The token to send now."""
        with self._lock:
            return self._token or ""

    def refresh(self, refused: str) -> bool:
        """The target refused `refused`: re-read the token; True when a different one is at
        hand (another thread may already have read it)."""
        with self._lock:
            if self._file is not None and self._token == refused:
                self._token = self._read() or self._token
            return self._token != refused

    def _read(self) -> str | None:
        assert self._file is not None
        try:
            return self._file.read_text(encoding="utf-8").strip() or None
        except OSError:
            return None
