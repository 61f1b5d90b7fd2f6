"""A small HTTP/1.1 load generator on asyncio streams, and the processes it drives.

Why not httpx: on this 2-core machine the client shares the cores with the server, and httpx
spends several times the CPU per request that a keep-alive connection writing pre-built bytes
does, so the client, not the server, would set the ceiling of a fast endpoint. Each request is
a POST of a JSON body built by `body(i)` (to the target's path, or to the path `body(i)` returns
beside the body: `(path, body)`); the answer is read by its Content-Length.

- `closed_loop`: N workers, each on its own keep-alive connection, send as fast as answers come
  back; the rate counts the answers with the expected status that finished inside the window
  (after a warm-up).
- `open_loop`: requests start on a fixed schedule (`rate` per second) whatever the answers do;
  each latency runs from the request's scheduled start, so a stalled server is not hidden by
  requests that were never sent (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
Made = bytes | tuple[str, bytes]  # what `body(i)` builds: a body, or a path and its body


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(
    args: Sequence[str], *, env: Mapping[str, str], log: Path, ready_url: str, timeout_s: float = 60
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `python <args>` from the repository root until ready; SIGTERM it on the way out."""
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, *args],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(
                    f"{args} exited with {process.returncode}; its log ends:\n{tail}"
                )
            try:
                if httpx.get(ready_url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{args} not ready at {ready_url} within {timeout_s} s")
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass(frozen=True)
class Target:
    """Where to POST, with which headers, and which status counts as success."""

    port: int
    path: str
    headers: Mapping[str, str]
    ok: int = 202

    def request(self, made: Made) -> bytes:
        """The whole request for a body, or for a (path, body) pair."""
        path, body = made if isinstance(made, tuple) else (self.path, made)
        head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        head += [f"{k}: {v}" for k, v in self.headers.items()]
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}", "", ""]
        return "\r\n".join(head).encode() + body


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> _Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def send(self, request: bytes) -> int:
        """Send one request, read its whole answer; return the status code."""
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
                break
        if length:
            await self._reader.readexactly(length)
        return status

    def close(self) -> None:
        self._writer.close()


@dataclass(frozen=True)
class ClosedResult:
    """Answers with the expected status per second, and the others' count."""

    rate: float
    ok: int
    failed: int
    statuses: dict[int, int]


@dataclass(frozen=True)
class OpenResult:
    """Latencies (ms, from each request's scheduled start) at a fixed offered rate."""

    rate: float
    sent: int
    failed: int
    p50_ms: float
    p99_ms: float
    max_ms: float


def closed_loop(
    target: Target, body: Callable[[int], Made], *, workers: int, seconds: float, warmup_s: float
) -> ClosedResult:
    """`workers` keep-alive connections sending back to back for `warmup_s + seconds`."""
    return asyncio.run(_closed(target, body, workers, seconds, warmup_s))


async def _closed(
    target: Target, body: Callable[[int], Made], workers: int, seconds: float, warmup_s: float
) -> ClosedResult:
    counter = iter(range(1 << 62))
    start = time.perf_counter() + warmup_s
    end = start + seconds
    ok = failed = 0
    statuses: dict[int, int] = {}

    async def worker() -> None:
        nonlocal ok, failed
        conn = await _Connection.open(target.port)
        try:
            while (now := time.perf_counter()) < end:
                status = await conn.send(target.request(body(next(counter))))
                done = time.perf_counter()
                if start <= now and done <= end:
                    statuses[status] = statuses.get(status, 0) + 1
                    if status == target.ok:
                        ok += 1
                    else:
                        failed += 1
        finally:
            conn.close()

    await asyncio.gather(*(worker() for _ in range(workers)))
    return ClosedResult(ok / seconds, ok, failed, statuses)


def open_loop(
    target: Target, body: Callable[[int], Made], *, rate: float, seconds: float, connections: int
) -> OpenResult:
    """`rate` requests per second for `seconds`, over a pool of `connections` keep-alive
    connections (a request waits for a free one, and that wait counts in its latency)."""
    return asyncio.run(_open(target, body, rate, seconds, connections))


async def _open(
    target: Target, body: Callable[[int], Made], rate: float, seconds: float, connections: int
) -> OpenResult:
    pool: asyncio.Queue[_Connection] = asyncio.Queue()
    for conn in await asyncio.gather(*(_Connection.open(target.port) for _ in range(connections))):
        pool.put_nowait(conn)
    latencies: list[float] = []
    failed = 0

    async def one(i: int, scheduled: float) -> None:
        nonlocal failed
        conn = await pool.get()
        try:
            status = await conn.send(target.request(body(i)))
        finally:
            pool.put_nowait(conn)
        latencies.append(time.perf_counter() - scheduled)
        if status != target.ok:
            failed += 1

    total = int(rate * seconds)
    t0 = time.perf_counter() + 0.1
    tasks = []
    for i in range(total):
        scheduled = t0 + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, scheduled)))
    await asyncio.gather(*tasks)
    while not pool.empty():
        pool.get_nowait().close()
    ordered = sorted(latencies)
    return OpenResult(
        rate=rate,
        sent=total,
        failed=failed,
        p50_ms=statistics.median(ordered) * 1000,
        p99_ms=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        max_ms=ordered[-1] * 1000,
    )
