"""The whole pipeline under supervisord, on a Kafka and a FerretDB of its own, for fault tests.

Every process (the four services, the LAPOR! contract server, the OPD simulator) runs as a
supervisord program with `autorestart`, as in `make run`; the tests break things (stop the
broker, kill the store, take LAPOR! away, SIGKILL a service) and then check the end-to-end
invariants from what the topics, LAPOR! and the case views hold.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from shared.kafka.admin import ensure_topics, load_topic_specs
from tests.support.broker import DisposableKafka
from tests.support.ferret import DisposableFerret
from tests.support.processes import free_port
from tests.support.wait import wait_until

ROOT = Path(__file__).resolve().parents[2]
TOPICS_FILE = ROOT / "deploy" / "kafka" / "topics.yaml"
API_KEY = "faults-key"
LAPOR_TOKEN = "faults-token"
SERVICES = ("intake", "router", "sla", "publisher")


@dataclass
class FaultStack:
    """The running stack: its infrastructure, ports, supervisor and a client for each API."""

    kafka: DisposableKafka
    ferret: DisposableFerret
    workdir: Path
    ports: dict[str, int] = field(default_factory=dict)
    _supervisord: subprocess.Popen[bytes] | None = None

    @classmethod
    def start(cls) -> FaultStack:
        """Start Kafka, FerretDB, the topics and every program; wait until all are ready."""
        kafka, ferret = DisposableKafka(), DisposableFerret()
        kafka.start()
        ferret.start()
        ensure_topics(kafka.bootstrap, load_topic_specs(TOPICS_FILE))
        names = (*SERVICES, "lapor", "opd", "supervisor")
        stack = cls(kafka, ferret, Path(tempfile.mkdtemp(prefix="aduan-faults-")))
        stack.ports = {name: free_port() for name in names}
        stack._launch()
        stack.wait_ready()
        return stack

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def rpc(self) -> Any:
        return xmlrpc.client.ServerProxy(f"{self.url('supervisor')}/RPC2").supervisor

    def wait_ready(self, timeout: float = 180.0) -> None:
        """Wait until every service answers /readyz and the stand-ins answer."""
        for name in SERVICES:
            wait_until(
                lambda n=name: httpx.get(f"{self.url(n)}/readyz", timeout=5).status_code == 200,
                timeout=timeout,
                interval=0.5,
                message=f"{name} ready",
                ignore=(httpx.HTTPError,),
            )
        wait_until(
            lambda: httpx.get(f"{self.url('lapor')}/healthz", timeout=5).status_code == 200,
            timeout=timeout,
            interval=0.5,
            message="LAPOR! contract server",
            ignore=(httpx.HTTPError,),
        )

    def kill(self, name: str) -> int:
        """SIGKILL a program, as a crash would; return the pid it had (the supervisor restarts it)."""
        pid = int(self.rpc.getProcessInfo(name)["pid"])
        os.kill(pid, signal.SIGKILL)
        return pid

    def restarted(self, name: str, old_pid: int) -> bool:
        """Whether the supervisor runs `name` again under a new pid."""
        info = self.rpc.getProcessInfo(name)
        return bool(info["statename"] == "RUNNING" and info["pid"] not in (0, old_pid))

    def stop_program(self, name: str) -> None:
        self.rpc.stopProcess(name)

    def start_program(self, name: str) -> None:
        self.rpc.startProcess(name)

    def close(self) -> None:
        """Stop every program, then the infrastructure."""
        if self._supervisord is not None:
            self._supervisord.send_signal(signal.SIGTERM)
            self._supervisord.wait(timeout=90)
        self.kafka.cleanup()
        self.ferret.cleanup()

    def _launch(self) -> None:
        config = self.workdir / "supervisord.conf"
        config.write_text(self._config(), encoding="utf-8")
        self._supervisord = subprocess.Popen(
            [str(Path(sys.executable).parent / "supervisord"), "-n", "-c", str(config)],
            cwd=ROOT,
            env=self._env(),
            stdout=(self.workdir / "supervisord.out").open("wb"),
            stderr=subprocess.STDOUT,
        )

    def _env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka.bootstrap,
            "MONGODB_URI": self.ferret.uri,
            "INTAKE_API_KEYS": f'{{"faults": "{API_KEY}"}}',
            "LAPOR_TOKEN": LAPOR_TOKEN,
            "PUBLISHER_LAPOR__BASE_URL": self.url("lapor"),
            "PUBLISHER_LAPOR__TOKEN": LAPOR_TOKEN,
            "PUBLISHER_LAPOR__BREAKER_COOLDOWN_S": "3",
            "PUBLISHER_LAPOR__MAPPING__DEFAULT_DISPOSITION_ID": "100",
            "OPD_SIMULATOR_HTTP_PORT": str(self.ports["opd"]),
        }
        for name in SERVICES:
            prefix = name.upper()
            env[f"{prefix}_HTTP_PORT"] = str(self.ports[name])
            env[f"{prefix}_RETRY_CAP_S"] = "2"  # recover within seconds of the fault's end
        return env

    def _config(self) -> str:
        python = sys.executable
        programs = {name: f"{python} -m services.{name}" for name in SERVICES}
        programs["lapor"] = f"{python} -m deploy.local.lapor_server --port {self.ports['lapor']}"
        programs["opd"] = f"{python} -m deploy.local.opd_simulator --port {self.ports['opd']}"
        sections = [
            "[supervisord]",
            f"logfile={self.workdir / 'supervisord.log'}",
            f"pidfile={self.workdir / 'supervisord.pid'}",
            f"childlogdir={self.workdir}",
            "[inet_http_server]",
            f"port=127.0.0.1:{self.ports['supervisor']}",
            "[rpcinterface:supervisor]",
            "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        ]
        for name, command in programs.items():
            sections += [
                f"[program:{name}]",
                f"command={command}",
                f"directory={ROOT}",
                "autorestart=true",
                "startsecs=1",
                "startretries=100",
                "stopwaitsecs=60",
                "redirect_stderr=true",
                f"stdout_logfile={self.workdir / (name + '.log')}",
            ]
        return "\n".join(sections) + "\n"
