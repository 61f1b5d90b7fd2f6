"""The clocks wired into the handler and the alert timer, on in-memory stores and a set clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.sla.followups import FollowUpPolicy
from services.sla.timers import TimerHeap
from shared.events import ComplaintClosed, FollowUpKind, SlaAlert, decode
from shared.kafka.records import Outgoing, Result
from shared.lifecycle import Status
from tests.support.events import T0, assigned, follow_up, received, resolved
from tests.unit.sla.memory_store import Sla

CID = "01JALERT000000000000000001"


def alerts(results: list[Result]) -> list[SlaAlert]:
    found = [
        decode(r.value) for r in results if isinstance(r, Outgoing) and r.topic == "sla.alerts"
    ]
    return [e.data for e in found if isinstance(e.data, SlaAlert)]


def test_an_alert_is_sent_once_at_its_level_and_its_id_is_stored() -> None:
    sla = Sla()
    sla.run(received(CID), assigned(CID))  # Monday 2025-03-03 08:00 UTC = 15:00 WIB
    sla.clock.now = T0 + timedelta(days=1)
    assert alerts(sla.tick()) == []
    sla.clock.now = T0 + timedelta(days=3)  # verification stopped; first follow-up at 75 % of 5 HK?
    first = alerts(sla.tick())
    sla.clock.now = T0 + timedelta(days=30)
    later = alerts(sla.tick())
    sent = [(a.clock, a.level) for a in first + later]
    assert len(sent) == len(set(sent)), "once per clock and level"
    assert ("first_follow_up", "overdue") in sent and ("completion", "escalated") in sent
    assert ("verification", "at_risk") not in sent, "stopped by the assignment in time"
    stored = sla.states.docs[CID].case
    assert {(a.clock, a.level) for a in stored.alerts} == set(sent)
    sla.clock.now = T0 + timedelta(days=60)
    assert alerts(sla.tick()) == [], "nothing again, not even after more time"


def test_the_alert_event_id_is_the_deterministic_alert_id() -> None:
    sla = Sla()
    sla.run(received(CID), assigned(CID))
    sla.clock.now = T0 + timedelta(days=30)
    results = [r for r in sla.tick() if isinstance(r, Outgoing) and r.topic == "sla.alerts"]
    ids = {decode(r.value).id for r in results}
    assert ids == {a.alert_id for a in sla.states.docs[CID].case.alerts}


def test_a_follow_up_in_time_stops_its_clock_and_no_alert_comes() -> None:
    sla = Sla()
    sla.run(received(CID), assigned(CID), follow_up(CID, hours=3))
    sla.clock.now = T0 + timedelta(days=30)
    sent = {(a.clock, a.level) for a in alerts(sla.tick())}
    assert not any(clock == "first_follow_up" for clock, _ in sent)


def test_a_template_reply_stops_rtl_but_not_the_substantive_clock() -> None:
    sla = Sla(followups=FollowUpPolicy(template_codes={"dpupr": frozenset({"T01"})}))
    template = follow_up(CID, hours=3, text="Laporan sedang kami proses.", template_code="T01")
    sla.run(received(CID), assigned(CID), template)
    case = sla.states.docs[CID].case
    assert case.follow_ups[0].judged is FollowUpKind.NORMATIVE
    assert case.follow_ups[0].rule == "template_code"
    assert case.first_follow_up_at is not None and case.first_substantive_at is None
    sla.clock.now = T0 + timedelta(days=30)
    sent = {(a.clock, a.level) for a in alerts(sla.tick())}
    assert ("substantive_reply", "overdue") in sent
    assert ("first_follow_up", "overdue") not in sent


def test_a_copied_reply_is_judged_a_near_duplicate() -> None:
    sla = Sla()
    text = "Jalan di lokasi akan diperbaiki tim pemeliharaan minggu depan setelah survei lapangan."
    sla.run(received(CID), assigned(CID), follow_up(CID, hours=3, text=text))
    other = "01JALERT000000000000000002"
    sla.run(received(other, "ADU-0002"), assigned(other, "ADU-0002"), follow_up(other, text=text))
    judged = sla.states.docs[other].case.follow_ups[0]
    assert judged.judged is FollowUpKind.NORMATIVE and judged.rule == "near_duplicate"
    assert sla.states.docs[CID].case.follow_ups[0].judged is FollowUpKind.SUBSTANTIVE


def test_a_copied_reply_is_still_recognised_after_a_restart() -> None:
    first = Sla()
    text = "Jalan di lokasi akan diperbaiki tim pemeliharaan minggu depan setelah survei lapangan."
    first.run(received(CID), assigned(CID), follow_up(CID, hours=3, text=text))
    assert len(first.replies.docs) == 1, "the judged reply's fingerprint is stored"
    # A new process on the same stores: its memory starts empty and is read back from them.
    restarted = Sla(states=first.states, replies=first.replies)
    other = "01JALERT000000000000000002"
    restarted.run(
        received(other, "ADU-0002"), assigned(other, "ADU-0002"), follow_up(other, text=text)
    )
    judged = restarted.states.docs[other].case.follow_ups[0]
    assert judged.judged is FollowUpKind.NORMATIVE and judged.rule == "near_duplicate"


def test_auto_close_sends_complaint_closed_for_a_resolved_case() -> None:
    sla = Sla()
    sla.run(received(CID), assigned(CID), follow_up(CID), resolved(CID))
    assert sla.states.docs[CID].case.status is Status.RESOLVED
    sla.clock.now = T0 + timedelta(days=40)
    results = sla.tick()
    closing = [decode(r.value) for r in results if isinstance(r, Outgoing)]
    closed = [e for e in closing if isinstance(e.data, ComplaintClosed)]
    assert len(closed) == 1 and closed[0].data.reason == "auto_close"
    sla.run(closed[0])
    assert sla.states.docs[CID].case.status is Status.CLOSED
    assert sla.tick() == []


def test_a_failed_tick_is_tried_again_and_nothing_is_lost() -> None:
    sla = Sla()
    sla.run(received(CID), assigned(CID))
    sla.clock.now = T0 + timedelta(days=30)
    dropped = sla.ticker.tick()  # sent, but its Then never ran (say, Mongo was away)
    again = sla.tick()
    assert {r.value for r in dropped if isinstance(r, Outgoing)} == {
        r.value for r in again if isinstance(r, Outgoing)
    }
    assert sla.tick() == []


def test_the_heap_is_rebuilt_from_the_store_for_a_new_owner() -> None:
    first = Sla()
    first.run(received(CID), assigned(CID))
    second = Sla(states=first.states, clock=first.clock)
    assert len(second.timers) == 1
    first.clock.now = T0 + timedelta(days=30)
    assert alerts(second.tick())


def test_the_timer_heap_skips_stale_entries_and_drops_lost_partitions() -> None:
    heap = TimerHeap()
    heap.assign({0, 1})
    heap.set("a", 0, T0)
    heap.set("b", 1, T0 + timedelta(hours=1))
    heap.set("a", 0, T0 + timedelta(hours=2))  # moved later: the old entry is stale
    assert heap.pop_due(T0 + timedelta(minutes=90)) == ["b"]
    heap.assign({1})
    assert heap.pop_due(T0 + timedelta(days=1)) == [], "a's partition went to another worker"


def test_a_timer_cut_off_from_its_case_write_is_written_again_by_the_replay() -> None:
    sla = Sla()
    sla.run(received(CID))
    before = sla.states.timers[CID]
    sla.states.fail_timers = True  # the case is stored, the store goes away before its timer
    batch = (assigned(CID), follow_up(CID, hours=3))
    with pytest.raises(ConnectionError):
        sla.run(*batch)
    assert sla.states.timers[CID] == before, "the timer lags its case"
    sla.states.fail_timers = False
    sla.run(*batch)  # the loop replays the uncommitted batch: both events are duplicates

    stored, timer = sla.states.docs[CID], sla.states.timers[CID]
    assert timer.revision == stored.revision and timer.status == "in_progress"
    assert timer.next_alert_at is not None and timer.next_alert_at != before.next_alert_at
    new_owner = Sla(states=sla.states, clock=sla.clock)  # rebuilds from the timers alone
    assert new_owner.timers.next_due() == timer.next_alert_at
