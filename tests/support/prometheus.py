"""A test's own Prometheus: the real binary on a free port, with the rule files and scrape
targets the test gives, short intervals, and its data in the test's directory. It does not
depend on the shared Prometheus (PROMETHEUS_URL) or its configuration.

    with own_prometheus(tmp_path, rule_files=[rules], targets=["127.0.0.1:8003"]) as prom:
        wait_until(lambda: prom.firing("AduanSlaOverdueBacklogGrowing"), timeout=60)
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.support.processes import free_port
from tests.support.wait import wait_until


def prometheus_binary() -> str | None:
    """The installed prometheus (deploy/local/infra.sh installs it with apt-get), if any."""
    return shutil.which("prometheus")


@dataclass(frozen=True)
class Prometheus:
    """A running Prometheus's HTTP API."""

    url: str

    def query(self, expr: str) -> list[dict[str, Any]]:
        """The instant vector of `expr` now (`/api/v1/query`)."""
        answer = httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=5)
        answer.raise_for_status()
        result: list[dict[str, Any]] = answer.json()["data"]["result"]
        return result

    def alerts(self) -> list[dict[str, Any]]:
        """The alerts pending or firing now (`/api/v1/alerts`)."""
        answer = httpx.get(f"{self.url}/api/v1/alerts", timeout=5)
        answer.raise_for_status()
        found: list[dict[str, Any]] = answer.json()["data"]["alerts"]
        return found

    def firing(self, name: str, **labels: str) -> list[dict[str, Any]]:
        """The firing alerts called `name` whose labels include `labels`."""
        return [
            alert
            for alert in self.alerts()
            if alert["state"] == "firing"
            and alert["labels"].get("alertname") == name
            and all(alert["labels"].get(k) == v for k, v in labels.items())
        ]

    def targets_up(self) -> bool:
        """Whether every scrape target answered its last scrape."""
        answer = httpx.get(f"{self.url}/api/v1/targets", timeout=5)
        active = answer.json()["data"]["activeTargets"]
        return bool(active) and all(t["health"] == "up" for t in active)


@contextmanager
def own_prometheus(
    workdir: Path,
    *,
    rule_files: Sequence[Path],
    targets: Sequence[str],
    interval_s: float = 1.0,
) -> Iterator[Prometheus]:
    """Run Prometheus scraping `targets` and evaluating `rule_files` every `interval_s`; stop
    it (and reap it) when the block ends; print its log's tail when the block fails."""
    binary = prometheus_binary()
    assert binary is not None, "prometheus is not installed (deploy/local/infra.sh install)"
    every = f"{int(interval_s * 1000)}ms"
    config = {
        "global": {"scrape_interval": every, "evaluation_interval": every},
        "rule_files": [str(path) for path in rule_files],
        "scrape_configs": [{"job_name": "test", "static_configs": [{"targets": list(targets)}]}],
    }
    config_file = workdir / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    log = workdir / "prometheus.log"
    with log.open("ab") as out:
        popen = subprocess.Popen(
            [
                binary,
                f"--config.file={config_file}",
                f"--storage.tsdb.path={workdir / 'prometheus-data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    prometheus = Prometheus(f"http://127.0.0.1:{port}")
    try:
        wait_until(
            lambda: httpx.get(f"{prometheus.url}/-/ready", timeout=2).status_code == 200,
            timeout=30,
            ignore=(httpx.RequestError,),
            message="prometheus ready",
        )
        yield prometheus
    except BaseException:
        text = log.read_text(encoding="utf-8", errors="replace")
        print(f"--- prometheus ({log}) log tail ---\n{text[-3000:]}")
        raise
    finally:
        popen.terminate()
        try:
            popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(timeout=10)
