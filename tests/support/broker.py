"""A second, disposable Kafka broker for fault tests: started on free ports, stopped mid-test.

It runs from the same Maven jars as the session broker (`deploy/local/infra.sh install`), with
the same server.properties but its own ports and data folder, so killing it harms no other test.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from kafka import KafkaAdminClient

from tests.support.processes import free_port
from tests.support.wait import wait_until

ROOT = Path(__file__).resolve().parents[2]
LIBS = ROOT / ".local" / "kafka" / "libs"
TEMPLATE = ROOT / "deploy" / "local" / "kafka" / "server.properties"
LOG4J = ROOT / "deploy" / "local" / "kafka" / "log4j.properties"


class DisposableKafka:
    """One KRaft node on free ports; `start()` waits until it answers a metadata request."""

    def __init__(self) -> None:
        self.port, self.controller_port = free_port(), free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self._dir = Path(tempfile.mkdtemp(prefix="aduan-kafka-"))
        self._process: subprocess.Popen[bytes] | None = None
        self._java: list[str] = []
        self._config = self._dir / "server.properties"

    @staticmethod
    def available() -> bool:
        """Whether the local Kafka jars are installed."""
        return LIBS.is_dir() and any(LIBS.glob("kafka_2.13-*.jar"))

    def start(self, timeout: float = 90.0) -> None:
        """Format storage, start the broker and wait until it answers."""
        config = self._write_config()
        java = [
            "java",
            "-Xmx512m",
            f"-Dlog4j.configuration=file:{LOG4J}",
            f"-Dkafka.logs.dir={self._dir}",
        ]
        java += ["-cp", f"{LIBS}/*"]
        cluster = str(uuid.uuid4())
        subprocess.run(
            [
                *java,
                "kafka.tools.StorageTool",
                "format",
                # One token: a cluster id may start with "-" (1 in 64), which would read as a flag.
                f"--cluster-id={_kafka_uuid(cluster)}",
                "-c",
                str(config),
            ],
            check=True,
            capture_output=True,
        )
        self._java, self._config = java, config
        self.restart(timeout)

    def restart(self, timeout: float = 90.0) -> None:
        """Start the (stopped) broker again on the same ports and data, as after an outage."""
        log = (self._dir / "server.out").open("ab")
        self._process = subprocess.Popen(
            [*self._java, "kafka.Kafka", str(self._config)], stdout=log, stderr=log
        )
        wait_until(
            self._answers, timeout=timeout, interval=0.5, message=f"Kafka on {self.bootstrap}"
        )

    def stop(self) -> None:
        """Kill the broker at once, as a crash or a network cut would look to clients."""
        if self._process and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=30)

    def cleanup(self) -> None:
        """Stop and remove its data."""
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)

    def _answers(self) -> bool:
        if self._process and self._process.poll() is not None:
            raise RuntimeError(f"disposable Kafka exited: see {self._dir / 'server.out'}")
        try:
            admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=2000)
        except Exception:
            return False
        try:
            return bool(admin.describe_cluster().get("brokers"))
        finally:
            admin.close()

    def _write_config(self) -> Path:
        text = TEMPLATE.read_text(encoding="utf-8").replace(
            "@LOCAL@/kafka/data", str(self._dir / "data")
        )
        text = text.replace("127.0.0.1:29093", f"127.0.0.1:{self.controller_port}")
        text = text.replace("127.0.0.1:9092", self.bootstrap)
        config = self._dir / "server.properties"
        config.write_text(text, encoding="utf-8")
        return config


def _kafka_uuid(seed: str) -> str:
    """Kafka cluster ids are 16 bytes in URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(uuid.UUID(seed).bytes).decode().rstrip("=")
