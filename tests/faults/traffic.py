"""Complaints sent at a steady pace while a fault runs, and the invariants checked afterwards.

The sender behaves like a connector: it retries a submission until intake answers 200 or 202
(a 503 while the store is away, a refused connection while intake restarts), so every
complaint it records as accepted was answered with a tracking number.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.events import decode
from shared.kafka.admin import load_topic_specs
from tests.faults.stack import API_KEY, TOPICS_FILE, FaultStack
from tests.support.kafka import read_to_end
from tests.support.wait import wait_until

URL = "/v1/channels/web/complaints"


@dataclass
class Traffic:
    """Submits `count` complaints, one every `every_s`, in a background thread."""

    stack: FaultStack
    tag: str
    count: int = 60
    every_s: float = 0.5
    accepted: dict[str, str] = field(default_factory=dict)  # complaint id -> tracking number
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> Traffic:
        self._thread = threading.Thread(target=self._run, name=f"traffic-{self.tag}", daemon=True)
        self._thread.start()
        return self

    def wait_done(self, timeout: float = 600.0) -> None:
        assert self._thread is not None
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "traffic did not finish"
        assert len(self.accepted) == self.count

    def _run(self) -> None:
        with httpx.Client(base_url=self.stack.url("intake"), timeout=10) as client:
            for n in range(self.count):
                self._submit(client, n)
                self._stop.wait(self.every_s)

    def _submit(self, client: httpx.Client, n: int) -> None:
        body = {
            "form_id": f"{self.tag}-{n}",
            "title": "Jalan berlubang",
            "body": f"Jalan di depan pasar berlubang besar ({self.tag} {n}).",
            "classification": "pengaduan",
            "location": {"text": "Pasar Wonokromo", "region_code": "35.78"},
        }
        headers = {"X-Api-Key": API_KEY}
        answer = wait_until(
            lambda: _accepted(client.post(URL, json=body, headers=headers)),
            timeout=300,
            interval=1.0,
            message=f"intake accepted {self.tag}-{n}",
            ignore=(httpx.HTTPError,),
        )
        self.accepted[answer["complaint_id"]] = answer["tracking_number"]


def _accepted(response: httpx.Response) -> dict[str, Any] | None:
    return response.json() if response.status_code in (200, 202) else None


def assert_pipeline_whole(
    stack: FaultStack, accepted: dict[str, str], timeout: float = 300
) -> None:
    """Every accepted complaint: assigned exactly once, resolved, at LAPOR! exactly once;
    nothing dead-lettered anywhere."""
    lapor = httpx.Client(base_url=stack.url("lapor"))
    sla = httpx.Client(base_url=stack.url("sla"), timeout=10)
    wait_until(
        lambda: _all_resolved(sla, accepted.values()),
        timeout=timeout,
        interval=2,
        message="every case resolved",
        ignore=(httpx.HTTPError,),
    )
    wait_until(
        lambda: accepted.keys() <= _at_lapor(lapor).keys(),
        timeout=timeout,
        interval=2,
        message="every case at LAPOR!",
        ignore=(httpx.HTTPError,),
    )
    counts = _at_lapor(lapor)
    doubled = {cid: n for cid, n in counts.items() if cid in accepted and n != 1}
    assert doubled == {}, f"sent to LAPOR! more than once: {doubled}"
    assignments = _assignments(stack.kafka.bootstrap)
    wrong = {cid: ids for cid in accepted if len(ids := assignments.get(cid, set())) != 1}
    assert wrong == {}, f"not assigned exactly once: {wrong}"
    assert _dead_letters(stack.kafka.bootstrap) == {}


def _all_resolved(sla: httpx.Client, trackings: Any) -> bool:
    return all(
        (answer := sla.get(f"/v1/cases/{t}")).status_code == 200
        and answer.json()["status"] == "resolved"
        for t in trackings
    )


def _at_lapor(lapor: httpx.Client) -> Counter[str]:
    """How many LAPOR! records each complaint id has (external id `<complaint id>:<version>`)."""
    complaints = lapor.get("/_contract/received", timeout=10).json()["complaints"]
    return Counter(c["complaint"]["external_id"].split(":")[0] for c in complaints)


def _assignments(bootstrap: str) -> dict[str, set[str]]:
    """The distinct assignment event ids of each complaint (a replay may repeat a record, never
    make a second assignment: derived ids are deterministic)."""
    found: dict[str, set[str]] = {}
    for record in read_to_end(bootstrap, "complaints.assigned", timeout=60):
        event = decode(record.value)
        found.setdefault(event.subject, set()).add(event.id)
    return found


def _dead_letters(bootstrap: str) -> dict[str, int]:
    names = [s.name for s in load_topic_specs(TOPICS_FILE) if s.name.endswith(".dlq")]
    counts = {name: len(read_to_end(bootstrap, name, timeout=30)) for name in names}
    return {name: n for name, n in counts.items() if n}
