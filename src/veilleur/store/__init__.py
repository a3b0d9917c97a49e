"""The event ledger's storage: one ``Store`` interface, SQLite now, PostgreSQL later.

    from veilleur.store import open_store
    with open_store("veilleur.db") as store:
        report = store.save([(document, events)])
        for event in store.events(country="ML", date_from=dt.date(2019, 1, 1)):
            ...

Nothing is opened at import time; ``open_store`` does the work (and applies pending migrations).
"""

from __future__ import annotations

import re
from pathlib import Path

from veilleur.errors import StoreError
from veilleur.store.base import BBox, Outlet, SaveReport, Store
from veilleur.store.schema import SCHEMA_VERSION
from veilleur.store.sqlite import SQLiteStore

__all__ = ["BBox", "Outlet", "SCHEMA_VERSION", "SQLiteStore", "SaveReport", "Store", "open_store"]

_POSTGRES = re.compile(r"^postgres(?:ql)?(?:\+\w+)?://", re.IGNORECASE)


def _without_password(url: str) -> str:
    return re.sub(r"://([^:/@]*):[^@]*@", r"://\1:***@", url)


def open_store(target: str | Path) -> Store:
    """Open (creating and migrating if needed) the store at ``target``.

    ``target`` is a file path, ``":memory:"``, or ``sqlite:///path``. ``postgresql://...`` URLs are
    recognised but not yet supported (StoreError).
    """
    if isinstance(target, str):
        if _POSTGRES.match(target):
            raise StoreError(
                "PostgreSQL stores are not yet supported; use a SQLite file path for --db",
                where=_without_password(target),
            )
        if target.startswith("sqlite:///"):
            target = target.removeprefix("sqlite:///") or ":memory:"
        elif "://" in target:
            raise StoreError(
                "unknown store URL scheme; give a SQLite file path", where=_without_password(target)
            )
    return SQLiteStore(target)
