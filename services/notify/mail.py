"""E-mail over SMTP (stdlib smtplib): the message, threaded on the complaint's own e-mail, and
the sending session with its error policy.

- The server is away (refused, timed out, dropped, or answered 4xx): `SmtpUnavailable`, a
  TransientError: the consume loop keeps the batch, waits and tries again, never dead-letters.
- The server refused the recipient or the message for good (5xx): `MailRefused`; the record
  goes to `notify.email.dlq` with the server's answer as the reason.
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from services.notify import metrics
from services.notify.config import SmtpSettings
from shared.events import Envelope, ReporterNotice
from shared.retry import TransientError

SMTP = "smtp"
_PERMANENT = 500


class SmtpUnavailable(TransientError):
    """The mail server cannot take messages now."""

    dependency = SMTP


class MailRefused(ValueError):
    """The mail server refused this message for good (a 5xx answer)."""


def message_id(notice: Envelope[ReporterNotice], domain: str) -> str:
    """Return our Message-ID of a notice: it names the message and its case, so a reply that
    cites it (In-Reply-To, References) names the case too."""
    return f"<aduan.{notice.id}.{notice.subject}@{domain}>"


def compose(notice: Envelope[ReporterNotice], smtp: SmtpSettings) -> EmailMessage:
    """Build the e-mail of a notice, a reply in the thread of the complaint's own e-mail."""
    data = notice.data
    mail = EmailMessage()
    mail["From"] = smtp.sender
    mail["To"] = data.to
    mail["Subject"] = data.subject or f"Laporan {data.tracking_number}"
    mail["Message-ID"] = message_id(notice, smtp.message_id_domain)
    mail["Date"] = format_datetime(notice.time)  # from the event: a resend is the same message
    if data.reply_to:
        mail["In-Reply-To"] = f"<{data.reply_to}>"
        mail["References"] = " ".join(f"<{ref}>" for ref in data.references or [data.reply_to])
    # RFC 3834: auto-responders stay silent; people can still reply.
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(data.text)
    return mail


class SmtpSession:
    """One open SMTP connection."""

    def __init__(self, client: smtplib.SMTP) -> None:
        self._client = client

    def noop(self) -> None:
        """Ask the server whether it is still there; raise SmtpUnavailable."""
        try:
            code, answer = self._client.noop()
        except (smtplib.SMTPException, OSError) as exc:
            raise SmtpUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if code != 250:
            raise SmtpUnavailable(f"NOOP answered {code} {_text(answer)}")

    def send(self, mail: EmailMessage) -> None:
        """Hand one message over; raise MailRefused (5xx) or SmtpUnavailable."""
        started = time.perf_counter()
        try:
            self._client.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise _classified(*_worst(exc.recipients)) from exc
        except smtplib.SMTPSenderRefused as exc:  # our own address: configuration, not the mail
            raise SmtpUnavailable(
                f"sender refused: {exc.smtp_code} {_text(exc.smtp_error)}"
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise _classified(exc.smtp_code, exc.smtp_error) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SmtpUnavailable(f"{type(exc).__name__}: {exc}") from exc
        finally:
            metrics.SMTP_SECONDS.observe(time.perf_counter() - started)


@contextmanager
def smtp_session(smtp: SmtpSettings) -> Iterator[SmtpSession]:
    """Open a session (STARTTLS and login when configured); raise SmtpUnavailable."""
    try:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
    except (smtplib.SMTPException, OSError) as exc:
        raise SmtpUnavailable(f"cannot connect to {smtp.host}:{smtp.port}: {exc}") from exc
    try:
        _start(client, smtp)
        yield SmtpSession(client)
    finally:
        _quit(client)


def _start(client: smtplib.SMTP, smtp: SmtpSettings) -> None:
    try:
        if smtp.starttls:
            client.starttls()
        if smtp.username and smtp.password is not None:
            client.login(smtp.username, smtp.password.get_secret_value())
    except (smtplib.SMTPException, OSError) as exc:
        raise SmtpUnavailable(f"SMTP session refused: {exc}") from exc


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()  # the messages were accepted already; a lost QUIT changes nothing


def _worst(recipients: dict[str, tuple[int, Any]]) -> tuple[int, Any]:
    """The answer to report for refused recipients: a 4xx (try again) wins over a 5xx."""
    return min(recipients.values(), key=lambda answer: answer[0])


def _classified(code: int, error: Any) -> Exception:
    reason = f"{code} {_text(error)}"
    if code >= _PERMANENT:
        return MailRefused(f"the mail server refused the message: {reason}")
    return SmtpUnavailable(f"the mail server deferred the message: {reason}")


def _text(error: Any) -> str:
    return error.decode(errors="replace") if isinstance(error, bytes) else str(error)


def smtp_check(smtp: SmtpSettings) -> Callable[[], None]:
    """A readiness check: the mail server answers a NOOP."""

    def check() -> None:
        with smtp_session(smtp) as session:
            session.noop()

    return check
