"""The e-mail connector of the project (edge): `notify.email` in, SMTP out.

Its own consumer group and ledger (`notify_mail_ledger`, one document per message id, written
right after the server accepted that message), so a message is handed to SMTP once even when
`notify.email` holds it twice (a notifier crash between send and ledger) or a batch is retried
after a failure half-way. The one gap: a crash after the server accepted a message and before
its ledger entry sends it again, with the same Message-ID (mail clients show it once).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.notify import metrics
from services.notify.config import SmtpSettings
from services.notify.mail import MailRefused, compose, smtp_session
from services.notify.repository import Ledger
from shared.events import Envelope, ReporterNotice
from shared.kafka.records import Received, Refused, Result


class MailSender:
    """The batch handler of `python -m services.notify email`."""

    def __init__(self, smtp: SmtpSettings, ledger: Ledger) -> None:
        self._smtp = smtp
        self._ledger = ledger

    def handle(self, batch: Sequence[Received[Envelope[Any]]]) -> list[Result]:
        """Send the batch's e-mails not sent before; refuse what is no e-mail notice."""
        results: list[Result] = []
        todo: dict[str, Received[Envelope[Any]]] = {}
        for received in batch:
            if isinstance(received.item.data, ReporterNotice):
                todo.setdefault(received.item.id, received)
            else:
                results.append(Refused(received, ValueError(f"{received.item.type} is no message")))
        for message_id in self._ledger.sent(todo):
            del todo[message_id]
            metrics.MAILS.labels("duplicate").inc()
        if todo:
            results += self._send(list(todo.values()))
        return results

    def _send(self, batch: list[Received[Envelope[Any]]]) -> list[Result]:
        refused: list[Result] = []
        with smtp_session(self._smtp) as session:
            for received in batch:
                try:
                    session.send(compose(received.item, self._smtp))
                except MailRefused as exc:
                    refused.append(Refused(received, exc))
                    metrics.MAILS.labels("refused").inc()
                    continue
                self._ledger.record([received.item])  # at once: a later failure must not resend it
                metrics.MAILS.labels("sent").inc()
        return refused
