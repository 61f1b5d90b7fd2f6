"""One batch of lifecycle events in, the reporters' messages out (edge).

Per batch: one read of the stored contacts, one of the events waiting for this batch's
receipts, one of the ledger; then the messages not sent before go to `notify.<channel>`, and
once Kafka acknowledged them (the loop's `Then`) the new contacts, the events still waiting and
the ledger entries are stored. A crash before that store replays the batch: the messages go
out again with the same ids (connectors deliver an id once; our e-mail sender has its own
ledger). A replay after it (an offset reset, `replay-dlq`, an upstream duplicate) finds the
ledger and sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from services.notify import metrics
from services.notify.contact import Contact, contact_of
from services.notify.notices import Composer, Moment
from services.notify.repository import ContactBook, Ledger, Waiting
from shared.config import Topics
from shared.events import ComplaintReceived, Envelope, NoticeKind, ReporterNotice, decode
from shared.kafka.records import Outgoing, Received, Result, Then

Told = tuple[Envelope[Any], Moment]


class Notifier:
    """The batch handler of `python -m services.notify`."""

    def __init__(
        self, composer: Composer, contacts: ContactBook, ledger: Ledger, waiting: Waiting,
        topics: Topics,
    ) -> None:  # fmt: skip
        self._composer = composer
        self._contacts = contacts
        self._ledger = ledger
        self._waiting = waiting
        self._topics = topics

    def handle(self, batch: Sequence[Received[Envelope[Any]]]) -> list[Result]:
        """Decide the batch's messages; see the module docstring."""
        told = self._told(r.item for r in batch)
        new = self._receipts(told)
        contacts = {
            **new,
            **self._contacts.find(e.subject for e, _ in told if e.subject not in new),
        }
        parked = [e for e, _ in told if e.subject not in contacts]
        told += self._told(decode(raw) for raw in self._waiting.of(new))
        fresh = self._not_sent(self._notices(told, contacts))
        results: list[Result] = [
            Outgoing.event(self._topics.notify(n.data.channel), n) for n in fresh
        ]
        results.append(Then(partial(self._store, list(new.values()), parked, fresh)))
        return results

    def _not_sent(
        self, notices: dict[str, Envelope[ReporterNotice]]
    ) -> list[Envelope[ReporterNotice]]:
        """The messages the ledger does not have (one `$in` for the batch)."""
        sent = self._ledger.sent(notices.keys())
        for message_id in sent:
            data = notices[message_id].data
            metrics.MESSAGES.labels(data.channel, data.kind, "duplicate").inc()
        return [notice for message_id, notice in notices.items() if message_id not in sent]

    def _told(self, events: Iterable[Envelope[Any]]) -> list[Told]:
        pairs = ((event, self._composer.moment_of(event)) for event in events)
        return [(event, moment) for event, moment in pairs if moment is not None]

    @staticmethod
    def _receipts(told: list[Told]) -> dict[str, Contact]:
        """The contacts this batch's receipts bring (a repeated receipt: the first)."""
        new: dict[str, Contact] = {}
        for event, moment in told:
            if moment.kind is NoticeKind.RECEIPT and isinstance(event.data, ComplaintReceived):
                new.setdefault(event.subject, contact_of(event.subject, event.data))
        return new

    def _notices(
        self, told: list[Told], contacts: dict[str, Contact]
    ) -> dict[str, Envelope[ReporterNotice]]:
        """The batch's messages by id, in the order of their events (a repeat counted once)."""
        notices: dict[str, Envelope[ReporterNotice]] = {}
        for event, moment in told:
            contact = contacts.get(event.subject)
            if contact is None:
                continue
            notice = self._composer.compose(event, moment, contact)
            if notice is None:
                metrics.MESSAGES.labels("none", moment.kind, "no_contact").inc()
            else:
                notices.setdefault(notice.id, notice)
        return notices

    def _store(
        self, contacts: list[Contact], parked: list[Envelope[Any]],
        sent: list[Envelope[ReporterNotice]],
    ) -> None:  # fmt: skip
        """After the sends: keep the contacts, the early events, and what was sent."""
        self._contacts.store(contacts)
        self._waiting.park(parked)
        metrics.WAITING.inc(len(parked))
        self._ledger.record(sent)
        for notice in sent:
            metrics.MESSAGES.labels(notice.data.channel, notice.data.kind, "sent").inc()
