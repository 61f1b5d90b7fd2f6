"""The Mongo client and index helper. FerretDB (local and CI) has no transactions, change
streams or TTL indexes, so services rely only on single-document writes and unique indexes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING, MongoClient
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

DUPLICATE_KEY = 11000


@dataclass(frozen=True)
class Index:
    """One declared index of a collection."""

    keys: tuple[str, ...]
    unique: bool = False
    name: str | None = None


def mongo_client(
    uri: str, *, app_name: str, timeout_ms: int = 5_000
) -> MongoClient[dict[str, Any]]:
    """Return a client that fails fast when the server is away instead of hanging 30 s."""
    return MongoClient(
        uri,
        appname=app_name,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        tz_aware=True,
    )


def ensure_indexes(
    collection: Collection[Any], indexes: Iterable[Index], superseded: Iterable[str] = ()
) -> None:
    """Drop the `superseded` indexes (by name) if they exist, then create the declared ones;
    creating an existing one is a no-op. An index an older version declared can refuse the
    documents of a newer one (a unique index over fields they lack): it must go first."""
    existing = collection.index_information()
    for name in superseded:
        if name in existing:
            collection.drop_index(name)
    for index in indexes:
        collection.create_index(
            [(key, ASCENDING) for key in index.keys],
            unique=index.unique,
            name=index.name or "_".join(index.keys) + ("_unique" if index.unique else ""),
        )


def database(client: MongoClient[dict[str, Any]], name: str) -> Database[dict[str, Any]]:
    """Return the service's database."""
    return client[name]


def insert_new(collection: Collection[Any], docs: Iterable[dict[str, Any]]) -> None:
    """Insert documents whose `_id` may already be there: the first writer wins and a repeat (a
    replayed batch, a retry) leaves the stored one as it is. Insert-only, because FerretDB
    applies updates as read-modify-write: concurrent upserts into one document lose writes."""
    batch = list(docs)
    if not batch:
        return
    try:
        collection.insert_many(batch, ordered=False)
    except DuplicateKeyError:
        return
    except BulkWriteError as exc:
        if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
            raise
