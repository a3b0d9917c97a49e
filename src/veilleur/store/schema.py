"""SQLite schema as an ordered list of migrations (version -> statements).

A migration is a tuple of single SQL statements (no ``executescript``: it would commit the surrounding
transaction). Migrations are applied in order at open, all pending ones inside one transaction, and
``meta.schema_version`` records the last one applied. Never edit a released migration: append one.

Tables
------
documents  one row per article; ``n`` is a stable integer key for the FTS5 index, ``id`` the caller's id.
           ``content_hash`` is NULL when the document has none (so it never collides).
events     one row per ledger event; ``n`` keys the R-tree. Actors: ``actor1``/``actor2`` hold the
           canonical name, ``assoc_actor_1``/``assoc_actor_2`` a JSON list of names, ``actor_detail`` a
           JSON object with the surface/kind/country of each actor (rebuilt into Actor objects on read).
           Place: ``location`` is Place.name, ``iso`` Place.country (alpha-2), ``country`` Place.country_name;
           a row has a Place exactly when latitude/longitude are set; ``location_text`` is
           Event.location_text.
sources    one row per (event, document) report, ``position`` keeps the event's source order.
evidence   the spans of one source, ``position`` keeps their order.
documents_fts  FTS5 over documents(title, text), external content, kept in sync by triggers.
events_rtree   R-tree over event points (32-bit floats: use it as a pre-filter), kept in sync by triggers.

Version 2 (the ledger across articles)
--------------------------------------
sources        gains ``merge_rule``, ``merge_km``, ``merge_days``, ``merged_id``: why this document's event
               joined the event (NULL for the source that created it).
event_history  what a later document changed in an event: ``field``, ``old_value``, ``new_value`` (readable
               text), ``document_id``, ``changed_at``; one row per (event, document, field), ``position``
               keeps the order.
documents      gains ``text_hash``: the content hash of every document. ``content_hash`` (UNIQUE) stays the
               first document's with that text; another outlet's copy of the same text is a document of its
               own (that outlet's report) with ``content_hash`` NULL and the same ``text_hash``.
outlet_labels  user labels of outlets (``state-affiliated``, ``partisan``...): (outlet, label) pairs. The
               outlet registry itself is read from ``documents`` (grouped by outlet), never kept twice.
"""

from __future__ import annotations

Migration = tuple[int, tuple[str, ...]]

_V1: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE documents (
        n INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        url TEXT,
        outlet TEXT,
        published TEXT,
        language TEXT,
        title TEXT,
        origin TEXT,
        content_hash TEXT UNIQUE,
        text TEXT NOT NULL,
        ingested_at TEXT NOT NULL
    )""",
    """CREATE VIRTUAL TABLE documents_fts USING fts5(
        title, text, content='documents', content_rowid='n', tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN
        INSERT INTO documents_fts(rowid, title, text) VALUES (new.n, new.title, new.text);
    END""",
    """CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, title, text)
            VALUES ('delete', old.n, old.title, old.text);
    END""",
    """CREATE TRIGGER documents_fts_au AFTER UPDATE OF title, text ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, title, text)
            VALUES ('delete', old.n, old.title, old.text);
        INSERT INTO documents_fts(rowid, title, text) VALUES (new.n, new.title, new.text);
    END""",
    """CREATE TABLE events (
        n INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        event_type TEXT NOT NULL,
        sub_event_type TEXT NOT NULL,
        event_date TEXT,
        date_min TEXT,
        date_max TEXT,
        time_precision INTEGER,
        date_note TEXT,
        date_expression TEXT,
        actor1 TEXT,
        actor2 TEXT,
        assoc_actor_1 TEXT NOT NULL DEFAULT '[]',
        assoc_actor_2 TEXT NOT NULL DEFAULT '[]',
        actor_detail TEXT NOT NULL DEFAULT '{}',
        country TEXT,
        iso TEXT,
        admin1 TEXT,
        admin2 TEXT,
        location TEXT,
        location_text TEXT,
        latitude REAL,
        longitude REAL,
        geo_precision INTEGER,
        place_feature TEXT,
        place_source TEXT,
        place_population INTEGER,
        fatalities INTEGER,
        notes TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK ((latitude IS NULL) = (longitude IS NULL))
    )""",
    "CREATE INDEX events_event_date ON events(event_date)",
    "CREATE INDEX events_order ON events(event_date IS NULL, event_date, id)",
    "CREATE INDEX events_event_type ON events(event_type, sub_event_type)",
    "CREATE INDEX events_iso ON events(iso)",
    "CREATE VIRTUAL TABLE events_rtree USING rtree(n, min_lon, max_lon, min_lat, max_lat)",
    """CREATE TRIGGER events_rtree_ai AFTER INSERT ON events WHEN new.latitude IS NOT NULL BEGIN
        INSERT INTO events_rtree VALUES (new.n, new.longitude, new.longitude, new.latitude, new.latitude);
    END""",
    """CREATE TRIGGER events_rtree_ad AFTER DELETE ON events BEGIN
        DELETE FROM events_rtree WHERE n = old.n;
    END""",
    """CREATE TRIGGER events_rtree_au AFTER UPDATE OF latitude, longitude ON events BEGIN
        DELETE FROM events_rtree WHERE n = old.n;
        INSERT INTO events_rtree SELECT new.n, new.longitude, new.longitude, new.latitude, new.latitude
            WHERE new.latitude IS NOT NULL;
    END""",
    """CREATE TABLE sources (
        event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        url TEXT,
        published TEXT,
        outlet TEXT,
        claim TEXT NOT NULL CHECK (claim IN ('reported', 'claimed', 'denied', 'hedged')),
        reporting_source TEXT,
        fatalities INTEGER,
        PRIMARY KEY (event_id, document_id)
    )""",
    "CREATE INDEX sources_document ON sources(document_id)",
    """CREATE TABLE evidence (
        event_id TEXT NOT NULL,
        document_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (event_id, document_id, position),
        FOREIGN KEY (event_id, document_id) REFERENCES sources(event_id, document_id) ON DELETE CASCADE
    )""",
)

_V2: tuple[str, ...] = (
    "ALTER TABLE documents ADD COLUMN text_hash TEXT",
    "UPDATE documents SET text_hash = content_hash",
    "CREATE INDEX documents_text_hash ON documents(text_hash, outlet)",
    "ALTER TABLE sources ADD COLUMN merge_rule TEXT",
    "ALTER TABLE sources ADD COLUMN merge_km REAL",
    "ALTER TABLE sources ADD COLUMN merge_days INTEGER",
    "ALTER TABLE sources ADD COLUMN merged_id TEXT",
    """CREATE TABLE event_history (
        event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        field TEXT NOT NULL,
        position INTEGER NOT NULL,
        old_value TEXT,
        new_value TEXT,
        changed_at TEXT NOT NULL,
        PRIMARY KEY (event_id, document_id, field)
    )""",
    """CREATE TABLE outlet_labels (
        outlet TEXT NOT NULL,
        label TEXT NOT NULL,
        added_at TEXT NOT NULL,
        PRIMARY KEY (outlet, label)
    )""",
    "CREATE INDEX outlet_labels_label ON outlet_labels(label)",
    "CREATE INDEX documents_outlet ON documents(outlet)",
    "CREATE INDEX sources_outlet ON sources(outlet)",
    "CREATE INDEX events_admin1 ON events(iso, admin1)",
)

MIGRATIONS: tuple[Migration, ...] = ((1, _V1), (2, _V2))

SCHEMA_VERSION = MIGRATIONS[-1][0]
