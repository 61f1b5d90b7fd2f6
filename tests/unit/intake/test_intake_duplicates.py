"""Possible-duplicate links: the text pieces, the linker, accept() with it, and the labelled set."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.errors import AutoReconnect, OperationFailure, PyMongoError

from services.intake.accept import accept
from services.intake.adapters import ADAPTERS
from services.intake.config import Settings
from services.intake.linker import DuplicateLinker, duplicate_linker
from services.intake.outbox import relay_round
from services.intake.repository import StoredComplaint
from services.intake.similarity import (
    Sketch,
    blocking_keys,
    compare,
    names,
    same_place,
    similarity,
    topics,
    words,
)
from shared.events import ComplaintReceived, ComplaintReopened, decode, encode, follow
from tests.unit.intake.duplicate_set import load, replay
from tests.unit.intake.fake_store import FakeRepository
from tests.unit.intake.intake_support import stored, web_form
from tests.unit.intake.memory_fingerprints import MemoryFingerprints
from tests.unit.intake.test_intake_outbox import CONFIG, NOW, MemoryStore, ScriptedProducer

log = logging.getLogger(__name__)
DAY = date(2025, 3, 4)


def sketch(text: str, region: str = "35.78", contacts: frozenset[str] = frozenset()) -> Sketch:
    content = words(text)
    return Sketch(content, topics(content), names(text, content), region, contacts, DAY)


def test_words_expand_slang_stem_and_drop_boilerplate() -> None:
    assert words("Tlg pak, jln dpn SMAN 5 berlubang bgt!! 🙏") == {"jalan", "sma", "5", "lubang"}


def test_place_names_are_unknown_or_capitalised_words() -> None:
    text = "Sampah di TPS Bandulan menumpuk, dekat jl darmo"
    assert names(text, words(text)) == {"bandul", "darmo"}


def test_a_different_problem_on_the_same_street_is_not_linked() -> None:
    pothole = sketch("Jalan Raya Darmo depan SMA 5 berlubang besar")
    lamp = sketch("Lampu PJU di Jalan Raya Darmo depan SMA 5 mati, gelap")
    assert compare(lamp, pothole) == (0.0, [])


def test_the_same_problem_on_another_street_is_not_linked() -> None:
    darmo = sketch("jalan raya darmo berlubang, bahaya buat motor")
    gubeng = sketch("jalan raya gubeng berlubang, bahaya buat motor")
    assert compare(gubeng, darmo) == (0.0, [])


def test_the_same_problem_reworded_is_linked_with_reasons() -> None:
    sms = sketch("LAPOR jalan raya darmo depan sma 5 ada lubang besar, bahaya utk motor")
    call = sketch("Penelepon melaporkan jalan berlubang di Jl. Raya Darmo depan SMA Negeri 5")
    score, reasons = compare(call, sms)
    assert score > 0.5
    assert reasons == ["similar_text", "same_region", "same_place_name", "close_in_time"]


def test_another_region_is_not_linked_by_text_alone() -> None:
    one = sketch("air pdam mati tiga hari di perumahan griya", region="35.25")
    other = sketch("air pdam mati tiga hari di perumahan griya", region="35.15")
    assert compare(other, one) == (0.0, [])
    assert same_place("35", "35.78") and not same_place("35.15", "35.78")


def test_the_same_contact_lowers_the_bar() -> None:
    sms = sketch("BLT bulan ini gak cair, nama sy hilang dari DTKS", contacts=frozenset({"h"}))
    call = sketch(
        "Pelapor mengeluhkan bansos tidak diterima, terdaftar DTKS", contacts=frozenset({"h"})
    )
    score, reasons = compare(call, sms)
    assert score > 0 and "same_contact" in reasons
    stranger = sketch("Pelapor mengeluhkan bansos tidak diterima")
    assert compare(stranger, sms) == (0.0, [])


def test_similarity_forgives_length() -> None:
    assert similarity(frozenset("ab"), frozenset("abcd")) == 2 / (2 * 2**0.5)
    assert similarity(frozenset(), frozenset("a")) == 0.0


def test_blocking_keys_are_stable_and_bound_to_the_province() -> None:
    one = sketch("jalan raya darmo berlubang", contacts=frozenset({"h"}))
    keys = blocking_keys(one)
    assert keys == blocking_keys(sketch("jalan raya darmo berlubang", contacts=frozenset({"h"})))
    assert "c|h" in keys and "n|35|darmo" in keys
    assert not [k for k in keys if k.startswith("p|") and k.count("|") != 3]  # topic with a name


def _accepted(repo: FakeRepository, **fields: Any) -> StoredComplaint:
    adapter = ADAPTERS["web"]
    done = accept(repo, adapter, adapter.model.model_validate(web_form(**fields)), connector_id="w")
    assert done.stored is not None
    return done.stored


def _sent(producer: ScriptedProducer) -> list[ComplaintReceived]:
    events = [decode(value) for _, _, value in producer.sent]
    assert all(isinstance(event.data, ComplaintReceived) for event in events)
    return [event.data for event in events]  # type: ignore[misc]


def test_the_relay_marks_the_events_it_sends_and_files_the_complaints() -> None:
    repo, fingerprints, outbox, producer = (
        FakeRepository(),
        MemoryFingerprints(),
        MemoryStore(),
        ScriptedProducer(),
    )
    first = _accepted(repo)
    second = _accepted(repo, form_id="wf-2", reporter=None)
    assert second.complaint["possible_duplicates"] == []  # stored unmarked: the relay marks
    outbox.add(first, second)
    linker = DuplicateLinker(fingerprints)
    result = relay_round(outbox, producer, CONFIG, clock=lambda: NOW, mark=linker.mark_outbox)
    assert result.published == 2
    sent = {data.tracking_number: data for data in _sent(producer)}
    [link] = sent[second.tracking_number].possible_duplicates  # linked within its batch
    assert (link.complaint_id, link.tracking_number) == (first.complaint_id, first.tracking_number)
    assert link.channel == "web" and "similar_text" in link.reasons
    assert sent[first.tracking_number].possible_duplicates == []  # never to a later one
    assert set(fingerprints.filed) == {first.complaint_id, second.complaint_id}
    assert fingerprints.lookups == 1  # one look-up for the whole batch

    # A later batch finds them in the store; a re-send of the same complaint is marked the same.
    third = _accepted(repo, form_id="wf-3", reporter=None)
    outbox.add(third)
    relay_round(outbox, producer, CONFIG, clock=lambda: NOW, mark=linker.mark_outbox)
    assert fingerprints.read == []  # the sketches this relay filed are not read back
    elsewhere = DuplicateLinker(fingerprints)  # another replica's relay reads them
    assert [link.complaint_id for link in elsewhere.find(_sent(producer)[-1], "x")] == [
        second.complaint_id,
        first.complaint_id,
    ]
    assert fingerprints.read == [{first.complaint_id, second.complaint_id, third.complaint_id}]
    again = linker.mark_outbox([second])
    [resent] = [decode(c.outbox.event.encode()).data for c in again]
    assert [link.complaint_id for link in resent.possible_duplicates] == [first.complaint_id]
    assert {link.complaint_id for link in _sent(producer)[-1].possible_duplicates} == {
        first.complaint_id,
        second.complaint_id,
    }


class FailingFingerprints(MemoryFingerprints):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def postings(self, keys: Iterable[str], since: date) -> dict[str, list[str]]:
        raise self.error


def test_a_failing_look_up_sends_unmarked_but_an_unreachable_mongo_holds_the_batch() -> None:
    repo = FakeRepository()
    batch = [_accepted(repo), _accepted(repo, form_id="wf-2")]
    broken = DuplicateLinker(FailingFingerprints(OperationFailure("bad query")))
    assert broken.mark_outbox(batch) == batch  # unmarked, and still filed
    assert set(broken.store.filed) == {c.complaint_id for c in batch}  # type: ignore[attr-defined]
    away = DuplicateLinker(FailingFingerprints(AutoReconnect("connection refused")))
    outbox, producer = MemoryStore(), ScriptedProducer()
    outbox.add(*batch)
    with pytest.raises(AutoReconnect):
        relay_round(outbox, producer, CONFIG, clock=lambda: NOW, mark=away.mark_outbox)
    assert producer.sent == [] and outbox.published == {}  # still pending: sent once it is back


def test_replies_are_sent_as_they_are() -> None:
    reply = stored(form_id="wf-r")  # any event but a ComplaintReceived is left alone
    event = decode(reply.outbox.event.encode())
    reopen = reply.model_copy(
        update={"outbox": reply.outbox.model_copy(update={"event": _reopen_of(event)})}
    )
    linker = DuplicateLinker(MemoryFingerprints())
    assert linker.mark_outbox([reopen]) == [reopen]
    assert linker.store.filed == {}  # type: ignore[attr-defined]


def test_a_key_filed_too_often_is_a_stop_word_left_out_of_later_look_ups() -> None:
    fingerprints, now = MemoryFingerprints(), [0.0]
    linker = DuplicateLinker(fingerprints, hot_key=3, hot_for_s=60, clock=lambda: now[0])
    rows = [(f"01H{n:023d}", _payload(f"ADU-H{n:07d}", n)) for n in range(5)]
    linker.file_all(rows[:4])  # four share the place-name key "n|35|darmo"
    linker.find_all(rows[4:])
    assert "n|35|darmo" in fingerprints.asked[-1]
    linker.find_all(rows[4:])
    assert "n|35|darmo" not in fingerprints.asked[-1]  # hot: not read again
    linker.file_all(rows[4:])
    assert rows[4][0] not in fingerprints.keys["n|35|darmo"]  # nor filed under it
    now[0] = 61.0
    linker.find_all(rows[4:])
    assert "n|35|darmo" in fingerprints.asked[-1]  # and asked again once the hour is up


def test_precision_and_recall_on_the_labelled_set() -> None:
    # Measured 0.90 / 0.96 on the set the thresholds and word lists were tuned on: the goals
    # leave room, and unseen traffic will score lower (README, "Possible duplicates").
    score = replay(DuplicateLinker(MemoryFingerprints()))
    log.warning("duplicates: precision %.2f recall %.2f", score.precision, score.recall)
    assert len(score.true_pairs) >= 40
    assert score.precision >= 0.85
    assert score.recall >= 0.9


@pytest.mark.parametrize("batch_size", [7, 40])
def test_batched_look_ups_link_the_labelled_set_as_one_by_one(batch_size: int) -> None:
    one_by_one = replay(DuplicateLinker(MemoryFingerprints()))
    fingerprints = MemoryFingerprints()
    batched = replay(DuplicateLinker(fingerprints), batch_size=batch_size)
    assert batched.found == one_by_one.found
    assert fingerprints.lookups == -(-len(load()) // batch_size)


def test_linking_switched_off_builds_no_linker_and_touches_no_store() -> None:
    # Nothing listens on port 1: building a linker would fail on its index.
    client: MongoClient[dict[str, Any]] = MongoClient(
        "mongodb://127.0.0.1:1/", connect=False, serverSelectionTimeoutMS=200
    )
    try:
        assert duplicate_linker(client, Settings(duplicate_linking=False)) is None
        with pytest.raises(PyMongoError):
            duplicate_linker(client, Settings())
    finally:
        client.close()


def _payload(tracking_number: str, n: int) -> ComplaintReceived:
    return ComplaintReceived.model_validate(
        {
            "tracking_number": tracking_number,
            "channel": "sms",
            "channel_ref": tracking_number,
            "received_at": f"2025-03-04T0{n}:00:00+00:00",
            "title": f"Lampu mati {n}",
            "body": f"Lampu PJU di jl darmo mati, laporan {n} warga rt {n}",
            "location": {"region_code": "35.78"},
            "entry": {"connector_id": "test"},
        }
    )


def _reopen_of(event: Any) -> str:
    reopened = ComplaintReopened(reopened_at=event.time, reason="Belum diperbaiki")
    return encode(follow(event, reopened, source="/test")).decode()
