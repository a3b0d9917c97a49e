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

MIGRATIONS: tuple[Migration, ...] = ((1, _V1),)

SCHEMA_VERSION = MIGRATIONS[-1][0]
