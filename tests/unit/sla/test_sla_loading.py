"""A new owner loads its partitions' timers a slice per tick (`loading.py`), on in-memory stores:
alerts of loaded cases go out during the load and each due alert exactly once; a case written
while its partition loads keeps its newer timer and backlog labels; a revoke mid-load drops the
partial state; a read that fails starts its partition over; ended cases leave tombstones."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import timedelta

from kafka.structs import TopicPartition

from services.sla.repository import Owned
from shared.events import SlaAlert, decode
from shared.kafka.records import Outgoing, Result
from tests.support.events import T0, assigned, closed, follow_up, received, resolved
from tests.unit.sla.memory_store import MemoryStates, Sla

CASES = 20
SLICE = 3  # rows per tick (the test's loader clock advances one step per row)


def cid(n: int) -> str:
    return f"01JLOAD{n:019d}"


def stored(cases: int = CASES) -> Sla:
    """A first worker that stored `cases` assigned cases in partition 0 and sent nothing."""
    first = Sla()
    for n in range(cases):
        first.run(received(cid(n), f"ADU-{n:04d}"), assigned(cid(n), f"ADU-{n:04d}"))
    return first


def restarted(first: Sla) -> Sla:
    """A new owner on the same stores, one slice read by its first tick."""
    return Sla(states=first.states, clock=first.clock, load_slice_s=SLICE)


def alerted(results: list[Result]) -> set[str]:
    """The complaint ids of the alerts among `results`."""
    found = [decode(r.value) for r in results if isinstance(r, Outgoing)]
    return {e.subject for e in found if isinstance(e.data, SlaAlert)}


def alert_ids(results: list[Result]) -> list[str]:
    return [
        decode(r.value).id for r in results if isinstance(r, Outgoing) and r.topic == "sla.alerts"
    ]


def tick_until_loaded(sla: Sla, limit: int = 100) -> list[str]:
    """Tick as the loop does until the load is complete and a tick sends nothing more."""
    sent: list[str] = []
    for _ in range(limit):
        ids = alert_ids(sla.tick())
        sent.extend(ids)
        if not sla.loader.loading and not ids:
            return sent
    raise AssertionError(f"not loaded after {limit} ticks")


def test_alerts_due_during_the_load_are_sent_once_each_and_none_is_missed() -> None:
    first = stored()
    second = restarted(first)
    first.clock.now = T0 + timedelta(days=30)  # every level of every clock is due
    assert second.loader.loading == {0}, "the first tick read one slice only"
    assert len(second.timers) == SLICE
    early = alert_ids(second.tick())
    assert early, "the cases read so far alert before the load is complete"
    assert second.loader.loading == {0}
    sent = early + tick_until_loaded(second)
    assert len(sent) == len(set(sent)), "no alert twice"
    stored_ids = {a.alert_id for n in range(CASES) for a in first.states.docs[cid(n)].case.alerts}
    assert set(sent) == stored_ids
    assert {n for n in range(CASES) if first.states.docs[cid(n)].case.alerts} == set(
        range(CASES)
    ), "every case alerted, those read last too"
    assert tick_until_loaded(second) == []


def test_a_case_written_while_its_partition_loads_keeps_its_newer_timer() -> None:
    first = stored()
    second = restarted(first)
    assert second.loader.loading == {0}
    loaded = set(second.timers._due)
    late = next(cid(n) for n in range(CASES) if cid(n) not in loaded)  # not read yet
    second.run(follow_up(late), resolved(late), closed(late))  # the cursor's copy is older
    assert first.states.timers[late].ended, "a closed case leaves only a tombstone"
    while second.loader.loading:
        second.tick()
    assert late not in second.timers._due, "the stored timer read later did not come back"
    assert second.loader.superseded == 1
    second.clock.now = T0 + timedelta(days=30)
    sent = alerted(second.tick())
    assert late not in sent
    assert len(sent) == CASES - 1
    counts = second.backlog._parts[0]
    assert sum(counts.values()) == CASES - 1, "the closed case left the backlog once"


def test_a_case_read_before_its_write_counts_once_in_the_backlog() -> None:
    first = stored()
    second = restarted(first)
    early = next(iter(second.timers._due))  # read by the first slice
    second.run(follow_up(early))  # assigned -> in_progress while the rest loads
    while second.loader.loading:
        second.tick()
    counts = Counter({key[0]: n for key, n in second.backlog._parts[0].items()})
    assert counts == Counter({"assigned": CASES - 1, "in_progress": 1})


def test_a_revoke_mid_load_drops_the_partial_state_and_a_new_assignment_loads_again() -> None:
    first = stored()
    second = restarted(first)
    first.clock.now = T0 + timedelta(days=30)
    assert 0 < len(second.timers) < CASES
    second.assignment.on_partitions_revoked([TopicPartition("t", 0)])
    assert second.tick() == [], "nothing of a revoked partition is sent"
    assert second.loader.loading == frozenset() and len(second.timers) == 0
    assert 0 not in second.backlog._parts and len(second.held) == 0
    assert not any(first.states.docs[cid(n)].case.alerts for n in range(CASES))
    second.assignment.on_partitions_assigned([TopicPartition("t", 0)])
    sent = tick_until_loaded(second)
    assert len(sent) == len(set(sent))
    assert all(first.states.docs[cid(n)].case.alerts for n in range(CASES))
    assert sum(second.backlog._parts[0].values()) == CASES


class FailingOnce(MemoryStates):
    """The timers' cursor breaks after `after` rows, once (Mongo went away mid-load)."""

    def __init__(self, after: int | None) -> None:
        super().__init__()
        self.after: int | None = after

    def owned(self, partitions: Iterable[int]) -> Iterator[Owned]:
        rows = list(super().owned(partitions))
        after, self.after = self.after, None
        for n, row in enumerate(rows):
            if after is not None and n == after:
                raise ConnectionError("the store went away")
            yield row


def test_a_load_cut_by_the_store_starts_its_partition_over() -> None:
    states = FailingOnce(after=None)
    first = Sla(states=states)
    for n in range(CASES):
        first.run(received(cid(n), f"ADU-{n:04d}"), assigned(cid(n), f"ADU-{n:04d}"))
    states.after = SLICE + 1
    second = Sla(states=states, clock=first.clock, load_slice_s=SLICE)
    try:
        second.tick()
    except ConnectionError:
        pass  # the loop logs it and ticks again
    else:
        raise AssertionError("the cursor should have failed")
    while second.loader.loading:
        second.tick()
    assert len(second.timers) == CASES
    assert sum(second.backlog._parts[0].values()) == CASES, "rows read before the cut count once"
