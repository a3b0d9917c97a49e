"""The embedded store: one SQLite file (stdlib sqlite3, WAL mode, foreign keys on).

The connection runs in autocommit mode and every write is an explicit ``BEGIN IMMEDIATE`` ... ``COMMIT``,
so a save is one transaction and a crash in the middle of it leaves the file as it was before the save.
Several processes may share one file (WAL + a busy timeout); within a process a lock serialises use of
the connection, so one store may be shared by threads.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from veilleur.errors import SchemaVersionError, StoreError, VeilleurError
from veilleur.model import Change, Document, Event, Source, Span
from veilleur.store import codec, queries, schema
from veilleur.store.analyst import AnalystReads
from veilleur.store.base import BBox, Outlet, SaveReport

_CHUNK = 500  # ids per IN (...) list
_BUSY_TIMEOUT_S = 30.0


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:  # SQLite may already have rolled back (disk full, I/O error)
        conn.execute("ROLLBACK")


def _marks(n: int) -> str:
    return ",".join("?" * n)


class SQLiteStore(AnalystReads):
    """``Store`` on one SQLite file (or ``":memory:"``). Opening applies pending migrations."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        """``readonly``: a reader's connection (``PRAGMA query_only``) on an existing, migrated ledger: it
        never takes the write lock, not even to check migrations, so opening one does not wait for a writer
        (WAL readers and the writer do not block each other)."""
        self.path = str(path)
        self.readonly = readonly
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        if self.path != ":memory:" and not readonly:
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(
                self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the database: {exc}", where=self.path) from exc
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            if readonly:
                conn.execute("PRAGMA query_only = ON")
                version = schema_version(conn)
                if version != schema.SCHEMA_VERSION:
                    raise SchemaVersionError(
                        f"database schema version {version}, this Veilleur reads {schema.SCHEMA_VERSION}; "
                        "open it once for writing to migrate it",
                        where=self.path,
                    )
            else:
                if self.path != ":memory:":
                    conn.execute("PRAGMA journal_mode = WAL")
                    conn.execute("PRAGMA synchronous = NORMAL")
                migrate(conn, self.path)
        except VeilleurError:
            conn.close()
            raise
        except sqlite3.Error as exc:
            conn.close()
            raise StoreError(f"cannot open the database: {exc}", where=self.path) from exc
        self._conn = conn

    # ------------------------------------------------------------ plumbing

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError("the store is closed", where=self.path)
        return self._conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for multi-statement reads (inside :meth:`writing` or :meth:`snapshot`,
        that transaction's)."""
        with self._lock:
            conn = self.conn
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One write transaction (``BEGIN IMMEDIATE``) around reads and :meth:`save` calls: no other process
        writes between the candidate look-up of the ledger stage and the save, so two ingests running at
        once never both create the same incident. Committed on success, rolled back on any exception."""
        with self._lock:
            conn = self.conn
            if conn.in_transaction:
                raise StoreError("a transaction is already open on this store", where=self.path)
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot start a write transaction: {exc}", where=self.path) from exc
            try:
                yield
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

    @contextmanager
    def snapshot(self, *, hold_lock: bool = True) -> Iterator[None]:
        """One read transaction: every read inside sees the ledger as it was when the first one ran (WAL
        snapshot isolation), so a paged export taken during an ingest neither repeats nor misses a row.

        Holds this store's lock until it ends, so no other thread's write slips into it. ``hold_lock=False``
        is for a store used by one reader only (a server's export streamed from several worker threads,
        which cannot hand a lock over): it must not be shared meanwhile."""
        if hold_lock:
            self._lock.acquire()
        try:
            conn = self.conn
            if conn.in_transaction:
                yield
                return
            with self._lock:
                conn.execute("BEGIN")
                conn.execute("SELECT 1 FROM meta LIMIT 1").fetchall()  # the snapshot starts here
            try:
                yield
            finally:
                with self._lock:
                    if self._conn is not None and self._conn.in_transaction:
                        self._conn.execute("COMMIT")
        finally:
            if hold_lock:
                self._lock.release()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # ------------------------------------------------------------ documents

    def has_document(self, doc_id: str) -> bool:
        with self._lock:
            return self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    def known_documents(self, ids: Iterable[str], hashes: Iterable[str]) -> set[str]:
        id_list = list(dict.fromkeys(ids))
        hash_list = list(dict.fromkeys(h for h in hashes if h))
        found: set[str] = set()
        with self._read() as conn:
            for chunk in _chunks(id_list):
                rows = conn.execute(f"SELECT id FROM documents WHERE id IN ({_marks(len(chunk))})", chunk)
                found.update(r[0] for r in rows)
            for chunk in _chunks(hash_list):
                rows = conn.execute(
                    f"SELECT content_hash FROM documents WHERE content_hash IN ({_marks(len(chunk))})", chunk
                )
                found.update(r[0] for r in rows)
        return found

    def known(self, documents: Iterable[Document]) -> set[str]:
        docs = list(documents)
        ids = list(dict.fromkeys(d.id for d in docs))
        hashes = list(dict.fromkeys(d.content_hash for d in docs if d.content_hash))
        stored_ids: set[str] = set()
        texts: set[tuple[str, str | None]] = set()
        with self._read() as conn:
            for chunk in _chunks(ids):
                rows = conn.execute(f"SELECT id FROM documents WHERE id IN ({_marks(len(chunk))})", chunk)
                stored_ids.update(r[0] for r in rows)
            for chunk in _chunks(hashes):
                sql = f"SELECT text_hash, outlet FROM documents WHERE text_hash IN ({_marks(len(chunk))})"
                rows = conn.execute(sql, chunk)
                texts.update((r[0], r[1]) for r in rows)
        return {d.id for d in docs if d.id in stored_ids or (d.content_hash, d.outlet) in texts}

    def get_document(self, doc_id: str) -> Document | None:
        cols = ", ".join(codec.DOCUMENT_COLUMNS)
        with self._lock:
            row = self.conn.execute(f"SELECT {cols} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return codec.row_document(row) if row is not None else None

    # ------------------------------------------------------------ save

    def save(self, batch: Sequence[tuple[Document, Sequence[Event]]]) -> SaveReport:
        added = skipped = events_added = sources_added = 0
        where: str | None = None
        with self._lock:
            conn = self.conn
            outer = conn.in_transaction  # inside writing(): that transaction commits
            if not outer:
                conn.execute("BEGIN IMMEDIATE")
            try:
                now = _now()
                to_store: list[tuple[Document, Sequence[Event]]] = []
                for doc, events in batch:
                    where = f"document {getattr(doc, 'id', doc)!r}"
                    if self._document_known(conn, doc):
                        skipped += 1
                        continue
                    row = codec.document_row(doc)
                    row["ingested_at"] = now
                    if row["content_hash"] is not None and conn.execute(
                        "SELECT 1 FROM documents WHERE content_hash = ?", (row["content_hash"],)
                    ).fetchone():
                        row["content_hash"] = None  # another outlet's copy of a stored text: text_hash only
                    conn.execute(
                        f"INSERT INTO documents ({', '.join(row)}) VALUES ({_marks(len(row))})",
                        tuple(row.values()),
                    )
                    added += 1
                    to_store.append((doc, events))
                for doc, events in to_store:
                    for event in events:
                        where = f"document {doc.id!r}, event {getattr(event, 'id', event)!r}"
                        new_event, new_sources = self._save_event(conn, event, now)
                        events_added += new_event
                        sources_added += new_sources
                if not outer:
                    conn.execute("COMMIT")
            except BaseException as exc:
                _rollback(conn)
                if isinstance(exc, StoreError):
                    raise
                if isinstance(exc, sqlite3.Error | ValueError | TypeError | AttributeError):
                    raise StoreError(
                        f"save failed and was rolled back, nothing of this batch was stored: {exc}",
                        where=where,
                    ) from exc
                raise
        return SaveReport(added, skipped, events_added, sources_added)

    @staticmethod
    def _document_known(conn: sqlite3.Connection, doc: Document) -> bool:
        """The same id, or the same text from the same outlet (another outlet's copy is its own report)."""
        content_hash = doc.content_hash or None
        row = conn.execute(
            "SELECT 1 FROM documents WHERE id = ? OR (? IS NOT NULL AND text_hash = ? AND outlet IS ?)",
            (doc.id, content_hash, content_hash, doc.outlet),
        ).fetchone()
        return row is not None

    def _save_event(self, conn: sqlite3.Connection, event: Event, now: str) -> tuple[int, int]:
        """Insert the event (or keep the stored one), append its new sources: (events, sources) added."""
        row = codec.event_row(event)
        row["created_at"] = row["updated_at"] = now
        cur = conn.execute(
            f"INSERT INTO events ({', '.join(row)}) VALUES ({_marks(len(row))}) ON CONFLICT(id) DO NOTHING",
            tuple(row.values()),
        )
        is_new = cur.rowcount == 1
        position = 0
        if not is_new:
            position = conn.execute(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM sources WHERE event_id = ?", (event.id,)
            ).fetchone()[0]
        sources_added = 0
        for source in event.sources:
            src = codec.source_row(source)
            if conn.execute("SELECT 1 FROM documents WHERE id = ?", (src["document_id"],)).fetchone() is None:
                raise StoreError(
                    f"event {event.id!r} cites document {src['document_id']!r}, which is neither stored "
                    "nor in this batch; save failed and was rolled back, nothing of this batch was stored",
                    where=self.path,
                )
            spans = [codec.span_row(s) for s in source.evidence]
            cur = conn.execute(
                f"INSERT INTO sources (event_id, document_id, position, {', '.join(codec.SOURCE_COLUMNS)}) "
                f"VALUES ({_marks(3 + len(codec.SOURCE_COLUMNS))}) "
                "ON CONFLICT(event_id, document_id) DO NOTHING",
                (event.id, src["document_id"], position, *(src[c] for c in codec.SOURCE_COLUMNS)),
            )
            if cur.rowcount != 1:
                continue
            position += 1
            sources_added += 1
            conn.executemany(
                'INSERT INTO evidence (event_id, document_id, position, start, "end", text) '
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(event.id, src["document_id"], i, *span) for i, span in enumerate(spans)],
            )
        changed = self._save_history(conn, event.id, event.history)
        if not is_new and changed:
            columns = [c for c in row if c not in ("id", "created_at")]
            conn.execute(
                f"UPDATE events SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                (*(row[c] for c in columns), event.id),
            )
        elif not is_new and sources_added:
            conn.execute("UPDATE events SET updated_at = ? WHERE id = ?", (now, event.id))
        return int(is_new), sources_added

    @staticmethod
    def _save_history(conn: sqlite3.Connection, event_id: str, history: Sequence[Change]) -> int:
        """Append the history entries not stored yet (one per event, document and field); how many."""
        if not history:
            return 0
        rows = [codec.change_row(c) for c in history]
        position = conn.execute(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM event_history WHERE event_id = ?", (event_id,)
        ).fetchone()[0]
        added = 0
        for row in rows:
            cur = conn.execute(
                f"INSERT INTO event_history (event_id, position, {', '.join(codec.HISTORY_COLUMNS)}) "
                f"VALUES ({_marks(2 + len(codec.HISTORY_COLUMNS))}) "
                "ON CONFLICT(event_id, document_id, field) DO NOTHING",
                (event_id, position, *(row[c] for c in codec.HISTORY_COLUMNS)),
            )
            if cur.rowcount == 1:
                position += 1
                added += 1
        return added

    # ------------------------------------------------------------ events

    def events(
        self,
        *,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        event_type: str | None = None,
        sub_event_type: str | None = None,
        country: str | None = None,
        document_id: str | None = None,
        bbox: BBox | None = None,
        limit: int | None = None,
        offset: int = 0,
        source_label: str | None = None,
    ) -> list[Event]:
        where: list[str] = []
        params: list[Any] = []
        if date_from is not None:
            where.append("event_date >= ?")
            params.append(date_from.isoformat())
        if date_to is not None:
            where.append("event_date <= ?")
            params.append(date_to.isoformat())
        if event_type is not None:
            where.append("event_type = ?")
            params.append(event_type)
        if sub_event_type is not None:
            where.append("sub_event_type = ?")
            params.append(sub_event_type)
        if country is not None:
            where.append("(iso = ? COLLATE NOCASE OR country = ? COLLATE NOCASE)")
            params += [country, country]
        if document_id is not None:
            where.append(
                "EXISTS (SELECT 1 FROM sources s WHERE s.event_id = events.id AND s.document_id = ?)"
            )
            params.append(document_id)
        if bbox is not None:
            min_lon, min_lat, max_lon, max_lat = bbox
            if min_lon > max_lon or min_lat > max_lat:
                raise StoreError(f"bbox must be (min_lon, min_lat, max_lon, max_lat), not {bbox!r}")
            # the R-tree holds 32-bit floats: it pre-filters, the exact test follows
            where.append(
                "n IN (SELECT n FROM events_rtree WHERE max_lon >= ? AND min_lon <= ? AND max_lat >= ? "
                "AND min_lat <= ?) AND longitude BETWEEN ? AND ? AND latitude BETWEEN ? AND ?"
            )
            params += [min_lon, max_lon, min_lat, max_lat, min_lon, max_lon, min_lat, max_lat]
        if source_label is not None:
            where.append(
                "EXISTS (SELECT 1 FROM sources s JOIN documents d ON d.id = s.document_id "
                "JOIN outlet_labels l ON l.outlet = d.outlet WHERE s.event_id = events.id AND l.label = ?)"
            )
            params.append(source_label)
        sql = f"SELECT {', '.join(codec.EVENT_COLUMNS)} FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY event_date IS NULL, event_date, id LIMIT ? OFFSET ?"
        params += [-1 if limit is None else limit, offset]
        with self._read() as conn:
            rows = conn.execute(sql, params).fetchall()
            return self._events(conn, rows)

    def _events(self, conn: sqlite3.Connection, rows: Sequence[Any]) -> list[Event]:
        """Rows of ``codec.EVENT_COLUMNS`` as Events with their sources, evidence and history."""
        ids = [r["id"] for r in rows]
        sources = self._sources(conn, ids)
        history = self._history(conn, ids)
        return [codec.row_event(r, sources.get(r["id"]), history.get(r["id"])) for r in rows]

    def get_event(self, event_id: str) -> Event | None:
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {', '.join(codec.EVENT_COLUMNS)} FROM events WHERE id = ?", (event_id,)
            ).fetchone()
            if row is None:
                return None
            return self._events(conn, [row])[0]

    @staticmethod
    def _sources(conn: sqlite3.Connection, event_ids: Sequence[str]) -> dict[str, list[Source]]:
        """The sources (with evidence) of these events, in their stored order."""
        spans: dict[tuple[str, str], list[Span]] = {}
        result: dict[str, list[Source]] = {}
        for chunk in _chunks(event_ids):
            marks = _marks(len(chunk))
            for ev in conn.execute(
                f'SELECT event_id, document_id, start, "end", text FROM evidence WHERE event_id IN ({marks}) '
                "ORDER BY event_id, document_id, position",
                chunk,
            ):
                spans.setdefault((ev[0], ev[1]), []).append(Span(ev[2], ev[3], ev[4]))
            for row in conn.execute(
                f"SELECT event_id, document_id, {', '.join(codec.SOURCE_COLUMNS)} FROM sources "
                f"WHERE event_id IN ({marks}) ORDER BY event_id, position",
                chunk,
            ):
                key = (row["event_id"], row["document_id"])
                result.setdefault(row["event_id"], []).append(codec.row_source(row, spans.get(key, [])))
        return result

    @staticmethod
    def _history(conn: sqlite3.Connection, event_ids: Sequence[str]) -> dict[str, list[Change]]:
        result: dict[str, list[Change]] = {}
        for chunk in _chunks(event_ids):
            for row in conn.execute(
                f"SELECT event_id, {', '.join(codec.HISTORY_COLUMNS)} FROM event_history "
                f"WHERE event_id IN ({_marks(len(chunk))}) ORDER BY event_id, position",
                chunk,
            ):
                result.setdefault(row["event_id"], []).append(codec.row_change(row))
        return result

    # ------------------------------------------------------------ the ledger: candidates, outlets

    def candidates(
        self,
        *,
        latitude: float | None = None,
        longitude: float | None = None,
        radius_km: float = 0.0,
        iso: str | None = None,
        admin1: str | None = None,
        areas_only: bool = False,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        undated: bool = False,
        event_types: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        query = queries.candidates_query(
            latitude=latitude, longitude=longitude, radius_km=radius_km, iso=iso, admin1=admin1,
            areas_only=areas_only, date_from=date_from, date_to=date_to, undated=undated,
            event_types=event_types,
        )  # fmt: skip
        with self._read() as conn:
            rows = conn.execute(query.sql, query.params).fetchall()
            chosen = queries.nearest(rows, query, limit)
            return self._events(conn, chosen)

    def outlets(self, *, label: str | None = None) -> list[Outlet]:
        with self._read() as conn:
            return queries.outlets(conn, label)

    def label_outlet(self, outlet: str, label: str, *, remove: bool = False) -> bool:
        outlet, label = queries.check_label(outlet, label)
        with self._lock:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                if remove:
                    cur = conn.execute(
                        "DELETE FROM outlet_labels WHERE outlet = ? AND label = ?", (outlet, label)
                    )
                else:
                    cur = conn.execute(
                        "INSERT INTO outlet_labels (outlet, label, added_at) VALUES (?, ?, ?) "
                        "ON CONFLICT DO NOTHING",
                        (outlet, label, _now()),
                    )
                changed = cur.rowcount == 1
                conn.execute("COMMIT")
            except BaseException as exc:
                _rollback(conn)
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(f"cannot label the outlet: {exc}", where=self.path) from exc
                raise
        return changed

    def count(self) -> dict[str, int]:
        with self._read() as conn:
            return {
                table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("documents", "events", "sources")
            }


# ---------------------------------------------------------------- migrations


def schema_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in ``meta`` (0 for an empty database)."""
    has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
    if has_meta is None:
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row is not None else 0


def migrate(
    conn: sqlite3.Connection, where: str, migrations: Sequence[schema.Migration] | None = None
) -> int:
    """Apply the pending migrations in one transaction; returns the schema version now in the file."""
    migrations = schema.MIGRATIONS if migrations is None else migrations
    latest = migrations[-1][0]
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = schema_version(conn)
        if current > latest:
            raise SchemaVersionError(
                f"database schema version {current} is newer than this Veilleur supports ({latest}); "
                "upgrade Veilleur or use another database file",
                where=where,
            )
        if current == 0:
            tables = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]
            if tables:
                raise StoreError(
                    "this SQLite file is not a Veilleur database (no schema version)", where=where
                )
        for version, statements in migrations:
            if version <= current:
                continue
            for statement in statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (str(version),),
            )
            current = version
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise
    return current
