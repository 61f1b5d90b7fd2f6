"""A disposable FerretDB for fault tests: the same binary as the session's (`infra.sh
install`), on a free port with its own data folder, so stopping it harms no other test."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from tests.support.processes import free_port
from tests.support.wait import wait_until

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / ".local" / "bin" / "ferretdb"


class DisposableFerret:
    """One FerretDB process; `stop()` kills it, `start()` brings it back on the same data."""

    def __init__(self) -> None:
        self.port = free_port()
        self.uri = f"mongodb://127.0.0.1:{self.port}/"
        self._dir = Path(tempfile.mkdtemp(prefix="aduan-ferret-"))
        self._process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def available() -> bool:
        """Whether the FerretDB binary is built."""
        return BINARY.is_file()

    def start(self, timeout: float = 60.0) -> None:
        """Start (or restart) the server and wait until it answers a ping."""
        log = (self._dir / "ferretdb.log").open("ab")
        self._process = subprocess.Popen(
            [str(BINARY), "-listen", f"127.0.0.1:{self.port}", "-data", str(self._dir / "data")],
            stdout=log,
            stderr=log,
        )
        wait_until(self._answers, timeout=timeout, interval=0.2, message=f"FerretDB on {self.uri}")

    def stop(self) -> None:
        """Kill the server at once, as a crash would look to clients."""
        if self._process and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=30)

    def cleanup(self) -> None:
        """Stop and remove its data."""
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)

    def _answers(self) -> bool:
        if self._process and self._process.poll() is not None:
            raise RuntimeError(f"disposable FerretDB exited: see {self._dir / 'ferretdb.log'}")
        client: MongoClient[dict[str, object]] = MongoClient(self.uri, serverSelectionTimeoutMS=500)
        try:
            client.admin.command("ping")
            return True
        except PyMongoError:
            return False
        finally:
            client.close()
