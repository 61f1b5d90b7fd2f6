"""The whole pipeline as real processes on this test's own topics, database, groups and ports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.support.processes import ServiceProcess, free_port

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "router" / "small"
# The small test directory's OPDs: the router checks every OPD's topic exists, and each test has
# its own; the shipped directory has hundreds (the fault suite runs on it).
DESKS = ("triage", "35-triage")
OPDS = (
    "3578-pupr",
    "3578-dinkes",
    "3578-dishub",
    "35-disdik",
    "3578-dlh",
    "3578-dispendukcapil",
)
LIFECYCLE = (
    "complaints.received",
    "complaints.assigned",
    "complaints.updates",
    "complaints.resolved",
)
API_KEY = "e2e-key"
LAPOR_TOKEN = "e2e-token"


@dataclass
class Pipeline:
    """Addresses of the running pipeline, and its processes."""

    topics: dict[str, str]
    database: str
    ports: dict[str, int] = field(default_factory=lambda: {n: free_port() for n in _NAMES})
    processes: list[ServiceProcess] = field(default_factory=list)

    def url(self, name: str) -> str:
        """Base URL of a process's HTTP server."""
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, kafka: str, mongodb: str, logs: Path) -> None:
        """Start every process, then wait until each says it is ready."""
        env = self._env(kafka, mongodb, logs)
        for name, argv in self._commands().items():
            ready = self.url(name) + ("/healthz" if name == "lapor" else "/readyz")
            self.processes.append(
                ServiceProcess.start(name, argv, log=logs / f"{name}.log", env=env, ready_url=ready)
            )
        for process in self.processes:
            process.wait_ready(timeout=120, interval=0.3)

    def stop(self) -> dict[str, int]:
        """Stop every process, last started first (SIGTERM: each flushes and commits; SIGKILL
        if one hangs); return their exit codes."""
        return {p.name: p.stop(timeout=30) for p in reversed(self.processes)}

    def _env(self, kafka: str, mongodb: str, logs: Path) -> dict[str, str]:
        t = self.topics
        suffix = t["complaints.received"].rsplit(".", 1)[1]
        return {
            "KAFKA_BOOTSTRAP_SERVERS": kafka,
            "MONGODB_URI": mongodb,
            "LAPOR_TOKEN": LAPOR_TOKEN,
            "INTAKE_HTTP_PORT": str(self.ports["intake"]),
            "INTAKE_API_KEYS": f'{{"e2e-connector": "{API_KEY}"}}',
            "INTAKE_MONGODB_DATABASE": self.database,
            "ROUTER_HTTP_PORT": str(self.ports["router"]),
            "ROUTER_GROUP_ID": f"router-{suffix}",
            "ROUTER_MONGODB_DATABASE": self.database,  # its routed cases and triage queue
            "SLA_HTTP_PORT": str(self.ports["sla"]),
            "SLA_GROUP_ID": f"sla-{suffix}",
            "SLA_MONGODB_DATABASE": self.database,
            "PUBLISHER_HTTP_PORT": str(self.ports["publisher"]),
            "PUBLISHER_GROUP_ID": f"publisher-{suffix}",
            "PUBLISHER_MONGODB_DATABASE": self.database,
            "PUBLISHER_LAPOR__BASE_URL": self.url("lapor"),
            "PUBLISHER_LAPOR__TOKEN": LAPOR_TOKEN,
            "PUBLISHER_LAPOR__MAPPING__DEFAULT_DISPOSITION_ID": "100",
            "ROUTER_OPD_FILE": str(SMALL / "opd.yaml"),
            "ROUTER_RULES_FILE": str(SMALL / "rules.yaml"),
        } | self._topic_env(suffix)

    def _topic_env(self, suffix: str) -> dict[str, str]:
        """Every service reads this test's topic names (`<PREFIX>TOPICS__<NAME>`)."""
        t = self.topics
        names = {
            "RECEIVED": t["complaints.received"],
            "ASSIGNED": t["complaints.assigned"],
            "UPDATES": t["complaints.updates"],
            "RESOLVED": t["complaints.resolved"],
            "OPD_TEMPLATE": "opd.{code}." + suffix,
        }
        prefixes = ("INTAKE", "ROUTER", "SLA", "PUBLISHER")
        return {f"{p}_TOPICS__{name}": topic for p in prefixes for (name, topic) in names.items()}

    def _commands(self) -> dict[str, list[str]]:
        t = self.topics
        opd_topics = ",".join(t[f"opd.{code}"] for code in OPDS)
        return {
            "lapor": ["-m", "deploy.local.lapor_server", "--port", str(self.ports["lapor"])],
            "intake": ["-m", "services.intake"],
            "router": ["-m", "services.router"],
            "sla": ["-m", "services.sla"],
            "publisher": ["-m", "services.publisher"],
            "opd": [
                "-m",
                "deploy.local.opd_simulator",
                "--topics",
                opd_topics,
                "--updates",
                t["complaints.updates"],
                "--group",
                "opd-" + t["complaints.updates"].rsplit(".", 1)[1],
                "--port",
                str(self.ports["opd"]),
            ],
        }


_NAMES = ("lapor", "intake", "router", "sla", "publisher", "opd")
