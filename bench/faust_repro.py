"""Does faust-streaming still lose records that arrive while a worker recovers its table?

`make faust-repro` (not CI). Upstream: faust-streaming/faust#216 ("Recovery without tables
resumes from kafka before seeking to committed offsets") and #221 ("Prefetched events cause out
of order issue after rebalance"); the sla README says why the sla left faust.

On the real Kafka: two faust workers of one app (an in-memory table, `store="memory://"`) read an
input topic of 3 partitions. The agent marks each record's sequence number in the table (so the
table's changelog holds every applied record) and sends it to an output topic. A producer sends
numbered records at a steady rate the whole time while, round after round, one worker is stopped
(SIGKILL and SIGTERM in turn, or `--signal kill|term`) and started again: each round makes the group rebalance twice and both workers recover
their table partitions while records keep arriving. Then the producer stops, the workers drain
until the group's committed offsets reach the end of the input, and the records are counted:

- sent: acknowledged by the broker;
- applied: their number is in the table's changelog; delivered: in the output topic;
- lost: sent and never applied, and of those, how many lie below the group's committed offset
  (skipped for good: no restart will read them again).

It prints the counts and exits 0 either way: it reports, it does not judge.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer
from kafka.structs import TopicPartition

from shared.config import KafkaSettings
from shared.kafka.admin import TopicSpec, ensure_topics
from shared.kafka.producer import idempotent_producer

PARTITIONS = 3


def worker() -> None:
    """The faust worker (run as `python -m bench.faust_repro worker -l warn --without-web`), configured by
    REPRO_APP, REPRO_INPUT, REPRO_OUTPUT, REPRO_DATADIR and KAFKA_BOOTSTRAP_SERVERS."""
    import faust  # noqa: PLC0415  (the bench extra; only the worker process needs it)

    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092").split(",")[0]
    app = faust.App(
        os.environ["REPRO_APP"],
        broker=f"kafka://{bootstrap}",
        store="memory://",
        key_serializer="raw",
        value_serializer="raw",
        topic_partitions=PARTITIONS,
        topic_replication_factor=1,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=10.0,
        broker_heartbeat_interval=1.0,
        web_enabled=False,
        datadir=os.environ["REPRO_DATADIR"],
    )
    source = app.topic(os.environ["REPRO_INPUT"], key_serializer="raw", value_serializer="raw")
    output = app.topic(os.environ["REPRO_OUTPUT"], key_serializer="raw", value_serializer="raw")
    changelog = app.topic(
        f"{os.environ['REPRO_APP']}-applied-changelog",
        partitions=PARTITIONS,
        key_serializer="raw",
        value_serializer="json",
    )
    applied = app.Table("applied", default=int, partitions=PARTITIONS, changelog_topic=changelog)

    @app.agent(source)
    async def apply(stream: Any) -> None:
        async for key, value in stream.items():
            applied[value] = 1  # the sequence number, so the changelog lists every record
            await output.send(key=key, value=value)

    del apply
    sys.argv = [sys.argv[0], *sys.argv[2:]]
    app.main()


@dataclass
class Sent:
    """What the producer got acknowledged: sequence number -> (partition, offset)."""

    where: dict[int, tuple[int, int]] = field(default_factory=dict)
    failed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def main(argv: list[str] | None = None) -> int:
    """Run the reproduction and print what it counted."""
    if (argv or sys.argv[1:])[:1] == ["worker"]:
        worker()
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.faust_repro", description=__doc__)
    parser.add_argument("--rounds", type=int, default=6, help="worker restarts")
    parser.add_argument(
        "--signal",
        choices=("both", "kill", "term"),
        default="both",
        help="how a worker is stopped: SIGKILL, SIGTERM, or the two in turn (default)",
    )
    parser.add_argument("--rate", type=float, default=150.0, help="records per second")
    parser.add_argument("--settle", type=float, default=20.0, help="seconds after each restart")
    args = parser.parse_args(argv)
    kafka = KafkaSettings()
    tag = uuid.uuid4().hex[:8]
    app_id, source, output = f"repro-faust-{tag}", f"repro.{tag}.in", f"repro.{tag}.out"
    ensure_topics(kafka.bootstrap_servers, [TopicSpec(source, PARTITIONS), TopicSpec(output, 3)])
    try:
        with tempfile.TemporaryDirectory(prefix="faust-repro-") as tmp:
            report = _reproduce(
                kafka, args, app_id=app_id, source=source, output=output, tmp=Path(tmp)
            )
    finally:
        _delete_topics(kafka, [source, output], prefix=app_id)
    sys.stdout.write(report + "\n")
    return 0


def _reproduce(
    kafka: KafkaSettings, args: argparse.Namespace, *, app_id: str, source: str, output: str,
    tmp: Path,
) -> str:  # fmt: skip
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "REPRO_APP": app_id,
        "REPRO_INPUT": source,
        "REPRO_OUTPUT": output,
    }
    workers = {name: _Worker(name, env, tmp) for name in ("a", "b")}
    sent, stop = Sent(), threading.Event()
    producer = threading.Thread(target=_produce, args=(kafka, source, args.rate, sent, stop))
    restarts: list[str] = []
    try:
        for w in workers.values():
            w.start()
        producer.start()
        time.sleep(args.settle)
        for n in range(args.rounds):
            victim = workers["ab"[n % 2]]
            how = args.signal if args.signal != "both" else ("kill", "term")[n % 2]
            victim.kill() if how == "kill" else victim.stop()
            time.sleep(2.0)
            victim.start()
            restarts.append(f"{victim.name} ({how}) {time.strftime('%H:%M:%S')}")
            _say(f"round {n + 1}/{args.rounds}: stopped ({how}) and restarted worker {victim.name}")
            time.sleep(args.settle)
        stop.set()
        producer.join()
        drained = _wait_drained(kafka, app_id, source, timeout_s=120.0)
        time.sleep(5.0)  # the last table writes and sends reach Kafka
    finally:
        stop.set()
        for w in workers.values():
            w.stop()
    crashed = sum(w.died for w in workers.values())
    restarts.append(f"worker processes found crashed: {crashed}")
    applied = _read_keys(kafka, f"{app_id}-applied-changelog", values=False)
    delivered = _read_keys(kafka, output, values=True)
    committed = _committed(kafka, app_id, source)
    return _report(
        sent, applied, delivered, committed, drained=drained, restarts=restarts, args=args
    )


class _Worker:
    """One faust worker process; killed with SIGKILL and started again by the rounds."""

    def __init__(self, name: str, env: dict[str, str], tmp: Path) -> None:
        self.name = name
        self._env = {**env, "REPRO_DATADIR": str(tmp / f"data-{name}")}
        self._log = tmp / f"worker-{name}.log"
        self._process: subprocess.Popen[bytes] | None = None
        self.died = 0  # found dead when about to be stopped: it crashed on its own

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "bench.faust_repro",
            "worker",
            "worker",
            "-l",
            "warn",
            "--without-web",
        ]
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603
                command, env=self._env, stdout=log, stderr=subprocess.STDOUT
            )

    def kill(self) -> None:
        if self._alive():
            self._process.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
            self._process.wait()  # type: ignore[union-attr]

    def stop(self) -> None:
        if not self._alive() or self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def _alive(self) -> bool:
        if self._process is None:
            return False
        if self._process.poll() is None:
            return True
        self.died += 1
        self._process = None
        return False


def _produce(
    kafka: KafkaSettings, topic: str, rate: float, sent: Sent, stop: threading.Event
) -> None:
    producer = idempotent_producer(kafka, client_id="faust-repro", linger_ms=5)
    seq, started = 0, time.monotonic()
    try:
        while not stop.is_set():
            value = str(seq).encode()
            future = producer.send(topic, key=f"k{seq}".encode(), value=value)
            future.add_callback(_acked, sent, seq)
            future.add_errback(_failed, sent)
            seq += 1
            pause = started + seq / rate - time.monotonic()
            if pause > 0:
                stop.wait(pause)
    finally:
        producer.flush()
        producer.close()


def _acked(sent: Sent, seq: int, metadata: Any) -> None:
    with sent.lock:
        sent.where[seq] = (metadata.partition, metadata.offset)


def _failed(sent: Sent, _exc: BaseException) -> None:
    with sent.lock:
        sent.failed += 1


def _wait_drained(kafka: KafkaSettings, group: str, topic: str, *, timeout_s: float) -> bool:
    """Wait until the group's committed offsets reach the end of `topic`."""
    deadline = time.monotonic() + timeout_s
    consumer = KafkaConsumer(**kafka.client_options())
    try:
        tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        ends = consumer.end_offsets(tps)
        while time.monotonic() < deadline:
            committed = _committed(kafka, group, topic)
            if all(committed.get(tp.partition, -1) >= ends[tp] for tp in tps):
                return True
            time.sleep(1.0)
        return False
    finally:
        consumer.close()


def _committed(kafka: KafkaSettings, group: str, topic: str) -> dict[int, int]:
    admin = KafkaAdminClient(**kafka.client_options())
    try:
        offsets = admin.list_group_offsets(group).get(group, {})
        return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic}
    finally:
        admin.close()


def _read_keys(kafka: KafkaSettings, topic: str, *, values: bool) -> set[int]:
    """Every sequence number in `topic` (in the record keys, or the values)."""
    consumer = KafkaConsumer(**kafka.client_options(), enable_auto_commit=False)
    found: set[int] = set()
    try:
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not tps:
            return found
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends = consumer.end_offsets(tps)
        deadline = time.monotonic() + 60
        while any(consumer.position(tp) < ends[tp] for tp in tps) and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    raw = record.value if values else record.key
                    with suppress(TypeError, ValueError):
                        found.add(int(raw))
        return found
    finally:
        consumer.close()


def _report(
    sent: Sent, applied: set[int], delivered: set[int], committed: dict[int, int], *,
    drained: bool, restarts: list[str], args: argparse.Namespace,
) -> str:  # fmt: skip
    import faust  # noqa: PLC0415

    lost = sorted(set(sent.where) - applied)
    skipped = [s for s in lost if sent.where[s][1] < committed.get(sent.where[s][0], -1)]
    undelivered = len(set(sent.where) - delivered)
    lines = [
        f"faust-streaming {faust.__version__}: {args.rounds} worker restarts (stopped by "
        f"{args.signal}, started again) while {args.rate:.0f} records/s arrived; two workers, 3 partitions",
        f"restarts: {', '.join(restarts[:-1])}; {restarts[-1]}",
        f"sent (acknowledged)        {len(sent.where):>7}   (failed sends: {sent.failed})",
        f"applied (in the changelog) {len(applied & set(sent.where)):>7}",
        f"delivered (output topic)   {len(sent.where) - undelivered:>7}",
        f"lost (sent, never applied) {len(lost):>7}",
        f"  of which below the committed offset (skipped for good): {len(skipped)}",
        f"group drained to the end of the input: {'yes' if drained else 'NO (timed out)'}",
    ]
    if lost:
        shown = ", ".join(f"{s}@p{sent.where[s][0]}:{sent.where[s][1]}" for s in lost[:20])
        lines.append(f"lost records (seq@partition:offset): {shown}")
    verdict = (
        "faust LOST records that arrived while a worker recovered its table"
        if lost
        else "no record lost in this run"
    )
    lines.append(f"verdict: {verdict}")
    return "\n".join(lines)


def _delete_topics(kafka: KafkaSettings, names: list[str], *, prefix: str) -> None:
    admin = KafkaAdminClient(**kafka.client_options())
    try:
        existing = set(admin.list_topics())
        doomed = sorted({n for n in names if n in existing} | {t for t in existing if t.startswith(prefix)})  # fmt: skip
        if doomed:
            with suppress(Exception):
                admin.delete_topics(doomed)
    finally:
        admin.close()


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


if __name__ == "__main__":
    raise SystemExit(main())
