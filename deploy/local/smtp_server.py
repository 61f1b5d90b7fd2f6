"""A local mail server for `make run` (aiosmtpd): it accepts every message for delivery and
keeps it in memory, so the demo can show what reporters were sent.

    python -m deploy.local.smtp_server [--smtp-port 8025] [--port 8083]

SMTP on 127.0.0.1:8025 (what `services.notify email` sends to); HTTP on 127.0.0.1:8083:
`GET /healthz`, and `GET /messages` (the messages so far: from, to, subject, Message-ID,
In-Reply-To, References, text). A recipient at `@ditolak.test` is refused with 550, to show a
dead-lettered e-mail.
"""

from __future__ import annotations

import argparse
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI

REFUSED_DOMAIN = "ditolak.test"


class Sink:
    """The SMTP handler: refuse one domain for good, keep the rest."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.endswith("@" + REFUSED_DOMAIN):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        body = mail.get_body(preferencelist=("plain",))
        with self._lock:
            self.messages.append({
                "from": mail["From"], "to": envelope.rcpt_tos,
                # A header folded right after its colon comes back with a leading space.
                "subject": str(mail["Subject"] or "").strip(),
                "message_id": mail["Message-ID"], "in_reply_to": mail["In-Reply-To"],
                "references": mail["References"],
                "text": body.get_content() if body is not None else "",
            })  # fmt: skip
        return "250 Message accepted"

    def snapshot(self) -> list[dict[str, Any]]:
        """The messages so far."""
        with self._lock:
            return list(self.messages)


def create_app(sink: Sink) -> FastAPI:
    """The HTTP side: health and the messages received."""
    app = FastAPI(title="Local SMTP server")
    app.get("/healthz")(lambda: {"status": "ok"})
    app.get("/messages")(sink.snapshot)
    return app


def main(argv: list[str] | None = None) -> int:
    """Serve SMTP and HTTP until interrupted."""
    parser = argparse.ArgumentParser(description="Local SMTP server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=8025)
    parser.add_argument("--port", type=int, default=8083)
    args = parser.parse_args(argv)
    sink = Sink()
    smtp = Controller(sink, hostname=args.host, port=args.smtp_port)
    smtp.start()
    try:
        uvicorn.run(create_app(sink), host=args.host, port=args.port, log_level="warning")
    finally:
        smtp.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
