"""A reporter's e-mail reply on their own case: a ComplaintReopened by=reporter on
complaints.updates, not a new complaint; anyone else's message citing the case is a new one."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from fake_store import FakeRepository

from services.intake.accept import accept
from services.intake.adapters import ADAPTERS
from services.intake.adapters.email import cites
from services.intake.outbox import outgoing
from shared.events import ComplaintReopened, ReopenedBy, decode

EMAIL = ADAPTERS["email"]
CONNECTOR = "mail-gw"
CASE_ID = "01JNQ8ZK3W2Y5T7V9X1B3D5F7H"
NOTICE_ID = "01JNQ8ZK3W2Y5T7V9X1B3D5F90"


def mail(sender: str, subject: str, message_id: str, *cited: str) -> Any:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "pengaduan@jatimprov.go.id"
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id}>"
    if cited:
        message["In-Reply-To"] = f"<{cited[-1]}>"
        message["References"] = " ".join(f"<{c}>" for c in cited)
    message.set_content("Jalannya masih berlubang, belum ditambal sama sekali.")
    return EMAIL.model.model_validate({"raw": message.as_string()})


def original_case(repo: FakeRepository) -> str:
    """Siti's e-mail complaint, stored as intake stores it; returns its tracking number."""
    first = mail("Siti Rahayu <siti@contoh.id>", "Jalan berlubang", "asli-1@contoh.id")
    done = accept(repo, EMAIL, first, connector_id=CONNECTOR)
    stored = repo.complaints.pop(done.complaint_id)
    repo.complaints[CASE_ID] = stored.model_copy(update={"complaint_id": CASE_ID})
    return done.tracking_number


def test_cites_reads_our_message_ids_and_tracking_numbers_in_the_subject() -> None:
    ours = f"aduan.{NOTICE_ID}.{CASE_ID}@aduan.local"
    citation = cites(
        mail("Siti <SITI@contoh.id>", "Re: Laporan ADU-7K3M-9QXP selesai", "r@x", "asli@x", ours)
    )
    assert citation is not None
    assert citation.complaint_ids == (CASE_ID,)
    assert citation.tracking_numbers == ("ADU-7K3M-9QXP",)
    assert citation.sender == "SITI@contoh.id"
    assert cites(mail("a@b.id", "Re: jalan", "r2@x", "someone-else@mail.id")) is None


def test_the_reporters_reply_to_our_message_reopens_the_case_on_complaints_updates() -> None:
    repo = FakeRepository()
    tracking = original_case(repo)
    ours = f"aduan.{NOTICE_ID}.{CASE_ID}@aduan.local"
    reply = mail(
        "Siti Rahayu <siti@contoh.id>",
        "Re: Laporan selesai",
        "balas-1@contoh.id",
        "asli-1@contoh.id",
        ours,
    )
    done = accept(repo, EMAIL, reply, connector_id=CONNECTOR)
    assert (done.complaint_id, done.tracking_number, done.duplicate) == (CASE_ID, tracking, False)
    assert done.stored is not None
    record = outgoing(done.stored, "complaints.received", "complaints.updates")
    event = decode(record.value)
    assert record.topic == "complaints.updates" and record.key == CASE_ID == event.subject
    assert isinstance(event.data, ComplaintReopened) and event.data.by is ReopenedBy.REPORTER
    assert "belum ditambal" in (event.data.reason or "")
    again = accept(repo, EMAIL, reply, connector_id=CONNECTOR)
    assert (again.complaint_id, again.duplicate, again.stored) == (CASE_ID, True, None)


def test_the_tracking_number_in_the_subject_is_enough_from_the_reporters_address() -> None:
    repo = FakeRepository()
    tracking = original_case(repo)
    reply = mail("siti@contoh.id", f"Tanggapan laporan {tracking}", "balas-2@contoh.id")
    assert accept(repo, EMAIL, reply, connector_id=CONNECTOR).complaint_id == CASE_ID


def test_someone_else_citing_the_case_files_a_new_complaint_and_touches_no_case() -> None:
    repo = FakeRepository()
    tracking = original_case(repo)
    ours = f"aduan.{NOTICE_ID}.{CASE_ID}@aduan.local"
    forged = mail("Budi <budi@contoh.id>", f"Re: {tracking}", "palsu-1@contoh.id", ours)
    done = accept(repo, EMAIL, forged, connector_id=CONNECTOR)
    assert done.complaint_id != CASE_ID and done.tracking_number != tracking
    assert done.stored is not None
    assert decode(done.stored.outbox.event.encode()).type == "id.aduan.complaint.received"
