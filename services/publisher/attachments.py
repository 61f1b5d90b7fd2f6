"""Fetching an attachment's bytes, so LAPOR! gets the file and not only a link to it.

An event carries attachments by reference (shared.events.payloads.Attachment: a URL into the
object store, never the bytes). Where the URL can be fetched over HTTP(S), is within the size
limit and of an allowed media type, and matches its sha256 when one is given, the bytes are
uploaded (LaporClient.upload_bytes). Everything else is handed over by reference as before:
an s3:// or other non-HTTP reference, an object store that is away or answers non-200, a file
too large or of another type. The fetch is not retried: the reference is the fallback, and the
case is never held or dead-lettered for an attachment. No token is sent to the object store.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import httpx

from services.publisher.http import PerThreadClient
from shared.events.payloads import Attachment

log = logging.getLogger(__name__)
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FileBytes:
    """An attachment's content, ready for a multipart upload."""

    name: str
    media_type: str
    content: bytes


class AttachmentFetcher:
    """GETs attachment URLs within a size limit and a media-type allow-list."""

    def __init__(
        self, http: httpx.Client | PerThreadClient, *, max_bytes: int, media_types: list[str]
    ) -> None:
        self._http = http
        self._max_bytes = max_bytes
        self._media_types = frozenset(media_types)

    def fetch(self, attachment: Attachment) -> FileBytes | None:
        """Return the bytes to upload, or None: hand the attachment over by reference."""
        if not attachment.url.startswith(("http://", "https://")):
            return None
        try:
            return self._fetched(attachment)
        except _ByReference as why:
            log.info("attachment by reference", extra={"url": attachment.url, "reason": str(why)})
            return None

    def _fetched(self, attachment: Attachment) -> FileBytes:
        if attachment.size is not None and attachment.size > self._max_bytes:
            raise _ByReference(f"declared size {attachment.size} over the limit")
        try:
            with self._http.stream("GET", attachment.url) as response:
                if response.status_code != 200:
                    raise _ByReference(f"HTTP {response.status_code}")
                header = response.headers.get("content-type", "").split(";")[0].strip()
                media_type = attachment.media_type or header
                if media_type not in self._media_types:
                    raise _ByReference(f"media type {media_type!r} not allowed")
                content = self._read(response)
        except httpx.HTTPError as exc:
            raise _ByReference(f"{type(exc).__name__}: {exc}") from exc
        if attachment.sha256 and hashlib.sha256(content).hexdigest() != attachment.sha256:
            raise _ByReference("content does not match its sha256")
        name = attachment.name or attachment.url.rstrip("/").rsplit("/", 1)[-1] or "lampiran"
        return FileBytes(name, media_type, content)

    def _read(self, response: httpx.Response) -> bytes:
        """The body; stops as soon as it passes the limit (never held whole in memory)."""
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes(_CHUNK):
            size += len(chunk)
            if size > self._max_bytes:
                raise _ByReference(f"larger than {self._max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


class _ByReference(Exception):
    """Why an attachment goes by reference."""
