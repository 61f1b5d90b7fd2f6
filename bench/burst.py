"""The burst: intake's full rate for a minute through the pipeline, then how long until every case
view is visible.

Intake, router and sla run as real processes, started as tests/e2e/pipeline.py starts them (the
small router directory tests/data/router/small/, topics and one database of this run's own,
dropped afterwards). N keep-alive workers post web complaints to intake as fast as it answers,
for `seconds`. When the burst ends, the intake collection holds every accepted complaint (a 202
means stored); the bench then polls the sla's `cases` collection until it holds a view for
each of them, and until each view has its OPD (the router's assignment applied), and reports
both delays from the end of the burst. Then it asks the sla's status API for a sample of the
tracking numbers (`GET /v1/cases/{tracking}` must answer 200).
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from kafka import KafkaAdminClient
from pymongo import MongoClient

from bench.http_load import ROOT, Target, closed_loop, free_port, serve
from bench.intake import API_KEY, CONNECTOR, PATH, form_body, mongodb_uri
from shared.config import KafkaSettings
from shared.kafka.admin import TopicSpec, ensure_topics

GOAL_S = 10.0
SMALL = ROOT / "tests" / "data" / "router" / "small"
# The small directory's desks and OPDs (as tests/e2e/pipeline.py lists them).
OPD_CODES = (
    "triage",
    "35-triage",
    "3578-pupr",
    "3578-dinkes",
    "3578-dishub",
    "35-disdik",
    "3578-dlh",
    "3578-dispendukcapil",
)
LIFECYCLE = ("received", "assigned", "updates", "resolved")
SAMPLE = 200
POLL_S = 0.5
# The sla keeps each case's state and view in one `cases` document; a case known only by
# held events has no view (no tracking number) yet.
_VIEWS = {"tracking_number": {"$exists": True}}


@dataclass(frozen=True)
class BurstResult:
    """What the burst did and how long the views took."""

    seconds: float
    accepted: int
    views_at_end: int
    views_s: float | None
    assigned_s: float | None
    sampled_ok: int
    sampled: int
    waited_s: float
    views_after_wait: int
    published: int
    answers: dict[int, int]  # HTTP status -> how many answers intake gave during the burst

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds


def run(*, seconds: float, workers: int, wait_s: float = 120.0) -> str:
    """Run one burst; return its report."""
    kafka = KafkaSettings()
    mongodb = mongodb_uri()
    tag = uuid.uuid4().hex[:8]
    topics = {name: f"complaints.{name}.{tag}" for name in LIFECYCLE}
    opd_topics = [f"opd.{code}.{tag}" for code in OPD_CODES]
    specs = [
        spec
        for name in [*topics.values(), *opd_topics]
        for spec in TopicSpec(name, 3, dead_letter=True).with_dead_letter()
    ]
    ensure_topics(kafka.bootstrap_servers, specs)
    database = f"bench_burst_{tag}"
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb)
    logs = Path(tempfile.mkdtemp(prefix="bench-burst-"))
    ports = {name: free_port() for name in ("intake", "router", "sla")}
    env = _env(tag, topics, database, ports, kafka=kafka.bootstrap_servers, mongodb=mongodb)
    try:
        with ExitStack() as running:
            for name in ("sla", "router", "intake"):
                running.enter_context(
                    serve(
                        ["-m", f"services.{name}"],
                        env=env,
                        log=logs / f"{name}.log",
                        ready_url=f"http://127.0.0.1:{ports[name]}/readyz",
                        timeout_s=120,
                    )
                )
            result = _burst(
                client[database], ports, tag, seconds=seconds, workers=workers, wait_s=wait_s
            )
    finally:
        client.drop_database(database)
        client.close()
        _delete_topics(kafka, [spec.name for spec in specs])
    return _report(result, workers, logs)


def _burst(
    db: Any, ports: dict[str, int], tag: str, *, seconds: float, workers: int, wait_s: float
) -> BurstResult:
    target = Target(ports["intake"], PATH, {"X-Api-Key": API_KEY})
    started = time.perf_counter()
    load = closed_loop(
        target, form_body(f"burst-{tag}"), workers=workers, seconds=seconds, warmup_s=0
    )
    ended = time.perf_counter()
    complaints, cases = db["intake_complaints"], db["cases"]
    accepted = complaints.count_documents({})
    views_at_end = cases.count_documents(_VIEWS)
    _progress(f"burst: {accepted:,} accepted in {ended - started:.1f} s; {views_at_end:,} views")
    views_s = assigned_s = None
    deadline = ended + wait_s
    last_report = ended
    while time.perf_counter() < deadline:
        # A count is a scan on the local store that can take seconds after a burst; the store
        # answers as of the moment the count starts, so that moment is the one recorded.
        now = time.perf_counter()
        views = cases.count_documents(_VIEWS)
        if views_s is None and views >= accepted:
            views_s = now - ended
        now = time.perf_counter()
        if views_s is not None and cases.count_documents({**_VIEWS, "opd_code": None}) == 0:
            assigned_s = now - ended
            break
        if now - last_report > 10:
            _progress(f"burst: +{now - ended:.0f} s: {views:,} of {accepted:,} views")
            last_report = now
        time.sleep(POLL_S)
    waited = time.perf_counter() - ended
    views_after_wait = cases.count_documents(_VIEWS)
    numbers = [d["tracking_number"] for d in complaints.find({}, {"tracking_number": 1})]
    sample = random.sample(numbers, min(SAMPLE, len(numbers)))
    with httpx.Client(base_url=f"http://127.0.0.1:{ports['sla']}", timeout=10) as http:
        ok = sum(http.get(f"/v1/cases/{number}").status_code == 200 for number in sample)
    published = _published(ports["intake"])
    return BurstResult(
        ended - started,
        accepted,
        views_at_end,
        views_s,
        assigned_s,
        ok,
        len(sample),
        waited,
        views_after_wait,
        published,
        load.statuses,
    )


def _published(port: int) -> int:
    """How many ComplaintReceived events intake's relay has sent (its Prometheus counter)."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return int(
        sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("intake_outbox_published_total")
        )
    )


def _env(
    tag: str,
    topics: dict[str, str],
    database: str,
    ports: dict[str, int],
    *,
    kafka: str,
    mongodb: str,
) -> dict[str, str]:
    """The services' environment, as tests/e2e/pipeline.py sets it (intake without a rate
    limit for the bench's connector)."""
    connector = {"api_key": API_KEY, "rate_per_s": 1_000_000, "burst": 1_000_000}
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka,
        "MONGODB_URI": mongodb,
        "INTAKE_HTTP_PORT": str(ports["intake"]),
        "INTAKE_CONNECTORS": json.dumps({CONNECTOR: connector}),
        "INTAKE_MONGODB_DATABASE": database,
        "ROUTER_HTTP_PORT": str(ports["router"]),
        "ROUTER_GROUP_ID": f"router-{tag}",
        "ROUTER_MONGODB_DATABASE": database,  # its routed cases and triage queue
        "ROUTER_OPD_FILE": str(SMALL / "opd.yaml"),
        "ROUTER_RULES_FILE": str(SMALL / "rules.yaml"),
        "SLA_HTTP_PORT": str(ports["sla"]),
        "SLA_GROUP_ID": f"sla-{tag}",
        "SLA_MONGODB_DATABASE": database,
    }
    names = {name.upper(): topic for name, topic in topics.items()}
    names["OPD_TEMPLATE"] = "opd.{code}." + tag
    for prefix in ("INTAKE", "ROUTER", "SLA"):
        env |= {f"{prefix}_TOPICS__{name}": topic for name, topic in names.items()}
    return env


def _delete_topics(kafka: KafkaSettings, names: list[str]) -> None:
    admin = KafkaAdminClient(**kafka.client_options())
    try:
        with suppress(Exception):  # best effort: a leftover bench topic harms nothing
            admin.delete_topics(names)
    finally:
        admin.close()


def _progress(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _seconds(value: float | None, wait: str) -> str:
    return f"{value:.1f} s" if value is not None else f"not within {wait}"


def _report(r: BurstResult, workers: int, logs: Path) -> str:
    verdict = "meets" if r.views_s is not None and r.views_s <= GOAL_S else "MISSES"
    return "\n".join(
        [
            f"burst through intake, router and sla: {workers} keep-alive workers for "
            f"{r.seconds:.0f} s",
            f"  accepted {r.accepted:,} complaints ({r.rate:,.0f}/s); {r.views_at_end:,} case views "
            "existed when the burst ended",
            f"  every case view visible {_seconds(r.views_s, 'the wait')} after the burst "
            f"({verdict} the goal of {GOAL_S:.0f} s); every view with its OPD "
            f"{_seconds(r.assigned_s, 'the wait')} after",
            f"  after {r.waited_s:.0f} s: {r.views_after_wait:,} case views; intake's relay had "
            f"sent {r.published:,} of the {r.accepted:,} ComplaintReceived events",
            f"  status API: {r.sampled_ok} of {r.sampled} sampled tracking numbers answered 200",
            f"  intake's answers during the burst (status: count): {dict(sorted(r.answers.items()))}",
            f"  service logs: {logs}",
        ]
    )
