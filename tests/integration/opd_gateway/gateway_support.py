"""Helpers for the OPD gateway's integration tests: a real webhook receiver (an OPD's HTTP
server, which checks signatures on its own, without the gateway's code) and the gateway built
in this process on the test's topics and database."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fastapi.testclient import TestClient
from pymongo import MongoClient

from services.opd_gateway.config import Settings
from services.opd_gateway.service import Gateway


@dataclass
class Receiver:
    """An OPD's webhook endpoint on 127.0.0.1:`port`, off until `start()`."""

    port: int
    secret: str
    received: list[str] = field(default_factory=list)  # event ids, in arrival order
    bad_signatures: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver._lock:
                    if receiver.signed(self.headers, body):
                        receiver.received.append(self.headers["Idempotency-Key"])
                        self.send_response(204)
                    else:
                        receiver.bad_signatures += 1
                        self.send_response(401)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def signed(self, headers: Any, body: bytes) -> bool:
        """Check the documented scheme: HMAC-SHA256 of `<timestamp>.<body>`, recent."""
        timestamp = headers.get("X-Aduan-Timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return False
        mac = hmac.new(self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
        offered = [p.strip() for p in headers.get("X-Aduan-Signature", "").split(",")]
        return f"v1={mac.hexdigest()}" in offered


@dataclass
class GatewayRun:
    """One running gateway: its settings, topics and inbox client."""

    settings: Settings
    gateway: Gateway
    inbox: TestClient
    clients: list[Any]

    def opd_topic(self, code: str) -> str:
        return self.settings.topics.opd(code)

    def gateway_db(self) -> Any:
        """The gateway's database, read directly (closed with the test's client list)."""
        client: MongoClient[dict[str, Any]] = MongoClient(self.settings.mongodb_uri, tz_aware=True)
        self.clients.append(client)
        return client[self.settings.mongodb_database]
