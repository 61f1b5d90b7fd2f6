"""Wiring: the notifier and the e-mail sender, each a consume service built from settings."""

from __future__ import annotations

from typing import Any

from pymongo import MongoClient

from services.notify.config import Settings
from services.notify.directory import load_opd_names
from services.notify.handler import Notifier
from services.notify.mail import SMTP, smtp_check
from services.notify.mailer import MailSender
from services.notify.notices import Composer
from services.notify.repository import ContactBook, Ledger, Waiting
from services.notify.templates import load_templates
from shared.events import decode
from shared.health import mongo_check
from shared.mongo import database, mongo_client
from shared.retry import MONGO
from shared.service import ConsumeService, build_consume_service


def build_notifier(settings: Settings) -> ConsumeService:
    """The lifecycle events in, `notify.<channel>` out. Bad templates fail here, at start-up."""
    composer = Composer(
        templates=load_templates(settings.templates_file, status_url=settings.status_url),
        opds=load_opd_names(settings.opd_file),
        status_url=settings.status_url,
    )
    mongo = _mongo(settings)
    db = database(mongo, settings.mongodb_database)
    waiting = Waiting(db[settings.waiting_collection])
    waiting.ensure_indexes()
    notifier = Notifier(
        composer,
        ContactBook(db[settings.contacts_collection]),
        Ledger(db[settings.ledger_collection]),
        waiting,
        settings.topics,
    )
    topics = settings.topics
    return build_consume_service(
        settings,
        topics=[topics.received, topics.assigned, topics.updates, topics.resolved],
        decode=decode,
        handle=notifier.handle,
        ready={"mongo": mongo_check(mongo)},
        dependencies=(MONGO,),
        on_close=[mongo.close],
    )


def build_mail_sender(settings: Settings) -> ConsumeService:
    """`notify.email` in, SMTP out, under its own consumer group."""
    mongo = _mongo(settings)
    ledger = Ledger(database(mongo, settings.mongodb_database)[settings.mail_ledger_collection])
    sender = MailSender(settings.smtp, ledger)
    mail_settings = settings.model_copy(
        update={"group_id": settings.email_group_id, "service_name": "notify-email"}
    )
    return build_consume_service(
        mail_settings,
        topics=[settings.topics.notify("email")],
        decode=decode,
        handle=sender.handle,
        ready={"mongo": mongo_check(mongo), SMTP: smtp_check(settings.smtp)},
        dependencies=(MONGO, SMTP),
        on_close=[mongo.close],
    )


def _mongo(settings: Settings) -> MongoClient[dict[str, Any]]:
    return mongo_client(settings.mongodb_uri, app_name=settings.service_name)
