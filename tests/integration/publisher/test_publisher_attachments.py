"""Attachments reach LAPOR! as bytes where they can be fetched, else by reference: against the
LAPOR! contract server (a real process) and a local object store (a real HTTP server)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from publisher_support import TOKEN, Env, LaporServer, PublisherFactory
from test_publisher_lapor import resolved_event, state_of

from tests.support.kafka import read_to_end, send_events
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 6  # 1,540 bytes
PDF = b"%PDF-1.4\n" + b"x" * 5000  # over the 4,096-byte limit below


class _Store(SimpleHTTPRequestHandler):
    seen_authorization: list[str | None]

    def do_GET(self) -> None:
        self.seen_authorization.append(self.headers.get("Authorization"))
        super().do_GET()

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def object_store(tmp_path: Path) -> Iterator[tuple[str, list[str | None]]]:
    """A local object store: files under tmp_path/store over HTTP; notes what headers came."""
    root = tmp_path / "store"
    root.mkdir()
    (root / "foto.jpg").write_bytes(JPEG)
    (root / "laporan.pdf").write_bytes(PDF)
    (root / "catatan.txt").write_text("bukan lampiran yang diizinkan")
    (root / "anim.gif").write_bytes(b"GIF89a" + b"\0" * 100)
    seen: list[str | None] = []
    handler = type("Store", (_Store,), {"seen_authorization": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_fetchable_attachments_are_uploaded_as_bytes_the_rest_by_reference(
    env: Env,
    lapor_server: LaporServer,
    start_publisher: PublisherFactory,
    ledger: Any,
    object_store: tuple[str, list[str | None]],
) -> None:
    store, seen_authorization = object_store
    start_publisher(
        uploads={
            "max_bytes": 4096,
            "media_types": ["image/jpeg", "application/pdf", "image/gif"],
        }
    )
    attachments = [
        {
            "url": f"{store}/foto.jpg",
            "name": "foto.jpg",
            "sha256": hashlib.sha256(JPEG).hexdigest(),
        },
        {"url": f"{store}/laporan.pdf"},  # too large: by reference
        {"url": f"{store}/catatan.txt"},  # text/plain not allowed: by reference
        {"url": f"{store}/hilang.pdf"},  # 404: by reference
        {"url": "s3://aduan-lampiran/2025/03/x.pdf"},  # not fetchable: by reference
        {"url": f"{store}/anim.gif"},  # ours allows it, LAPOR! answers 415: by reference
    ]
    follow_up = {
        "opd_code": "dpupr",
        "text": "Sudah ditinjau, foto terlampir.",
        "kind": "substantive",
        "posted_at": "2025-03-05T03:00:00Z",
        "attachments": attachments,
    }
    event = resolved_event(follow_ups=[follow_up])
    send_events(env.kafka_bootstrap, env.topic, event)

    wait_until(lambda: state_of(ledger, event) == "sent", timeout=30, message="sent")

    received = lapor_server.received()
    (record,) = received["complaints"]
    file_ids = record["follow_ups"][0]["attachments"]
    files = [received["files"][f] for f in file_ids]
    assert [f["content"] for f in files] == ["bytes"] + ["reference"] * 5
    assert files[0]["sha256"] == hashlib.sha256(JPEG).hexdigest()
    assert files[0]["size"] == len(JPEG) and files[0]["media_type"] == "image/jpeg"
    assert [f["url"] for f in files[1:]] == [a["url"] for a in attachments[1:]]
    assert seen_authorization and set(seen_authorization) == {None}  # no token to the store
    assert read_to_end(env.kafka_bootstrap, env.topic + ".dlq") == []


def test_the_contract_server_refuses_files_too_large_or_of_a_refused_type(
    lapor_server: LaporServer,
) -> None:
    http = httpx.Client(
        base_url=lapor_server.base_url, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with http:
        too_large = http.post(
            "/api/v1/files", files={"file": ("big.pdf", b"x" * 10_000_001, "application/pdf")}
        )
        wrong_type = http.post(
            "/api/v1/files", files={"file": ("a.exe", b"MZ", "application/x-msdownload")}
        )
        fine = http.post("/api/v1/files", files={"file": ("a.pdf", PDF, "application/pdf")})

    assert too_large.status_code == 413 and "too large" in too_large.json()["detail"]
    assert wrong_type.status_code == 415 and "not accepted" in wrong_type.json()["detail"]
    assert fine.status_code == 201
    held = lapor_server.received()["files"][fine.json()["id"]]
    assert held == {
        "content": "bytes",
        "name": "a.pdf",
        "media_type": "application/pdf",
        "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
    }
