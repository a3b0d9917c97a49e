"""The SQLite store: schema and migrations, one transaction per save, dedup, queries, round-trips."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veilleur.errors import SchemaVersionError, StoreError
from veilleur.model import Actor, Claim, DateValue, Document, Event, Place, Source, Span
from veilleur.store import SCHEMA_VERSION, SaveReport, SQLiteStore, Store, open_store
from veilleur.store import schema as store_schema
from veilleur.store.sqlite import migrate, schema_version

SRC = Path(__file__).resolve().parents[1] / "src"

# ---------------------------------------------------------------- builders


def doc(doc_id: str, text: str | None = None, **kw: object) -> Document:
    text = text if text is not None else f"Texte du document {doc_id}."
    kw.setdefault("content_hash", f"h-{doc_id}")
    return Document(id=doc_id, text=text, **kw)  # type: ignore[arg-type]


def src(doc_id: str, **kw: object) -> Source:
    kw.setdefault("evidence", [Span(0, 5, "Texte")])
    return Source(document_id=doc_id, **kw)  # type: ignore[arg-type]


def ev(event_id: str, *doc_ids: str, day: int | None = 1, lat: float | None = 12.65, **kw: object) -> Event:
    kw.setdefault("event_type", "Battles")
    kw.setdefault("sub_event_type", "Armed clash")
    place = None
    if lat is not None:
        place = Place(
            name="Bamako", latitude=lat, longitude=-8.0, country="ML", country_name="Mali", admin1="Bamako"
        )
    return Event(
        id=event_id,
        date=DateValue(date=dt.date(2019, 12, day) if day else None, precision=1 if day else None),
        place=place,
        sources=[src(d) for d in doc_ids],
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def store(tmp_path: Path):
    with SQLiteStore(tmp_path / "ledger.db") as s:
        yield s


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path)


# ---------------------------------------------------------------- opening, schema, migrations


def test_open_creates_schema_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dir" / "ledger.db"  # parent folders are created
    store = open_store(path)
    assert isinstance(store, Store)
    assert isinstance(store, SQLiteStore)
    conn = store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert schema_version(conn) == SCHEMA_VERSION == 2
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"meta", "documents", "events", "sources", "evidence", "documents_fts", "events_rtree"} <= names
    assert {"events_event_date", "events_event_type", "events_iso"} <= names
    assert {"event_history", "outlet_labels", "events_admin1", "documents_text_hash"} <= names  # v2
    store.close()
    store.close()  # twice is harmless
    with pytest.raises(StoreError, match="closed"):
        store.count()


def test_reopen_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    with open_store(path) as s:
        s.save([(doc("a"), [ev("e1", "a")])])
    with SQLiteStore(path) as s:
        assert s.count() == {"documents": 1, "events": 1, "sources": 1}
        assert schema_version(s.conn) == SCHEMA_VERSION


def test_newer_schema_is_refused_with_one_actionable_line(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    open_store(path).close()
    with raw(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(SchemaVersionError) as info:
        open_store(path)
    message = str(info.value)
    assert "\n" not in message
    assert "99" in message and str(SCHEMA_VERSION) in message and "upgrade Veilleur" in message
    assert str(path) in message and info.value.code == "V301"


def test_foreign_sqlite_file_and_garbage_file_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with raw(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="not a Veilleur database"):
        open_store(other)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        open_store(garbage)


def test_migrations_apply_in_order_and_a_failing_one_rolls_back(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    open_store(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    now = SCHEMA_VERSION
    v2 = (now + 1, ("CREATE TABLE extra (x INTEGER)", "INSERT INTO extra VALUES (2)"))
    broken = (now + 2, ("CREATE TABLE extra3 (x INTEGER)", "THIS IS NOT SQL"))
    with pytest.raises(sqlite3.Error):
        migrate(conn, str(path), (*store_schema.MIGRATIONS, v2, broken))
    assert schema_version(conn) == now  # both were one transaction: neither is applied
    assert conn.execute("SELECT 1 FROM sqlite_master WHERE name IN ('extra', 'extra3')").fetchone() is None
    assert migrate(conn, str(path), (*store_schema.MIGRATIONS, v2)) == now + 1
    assert conn.execute("SELECT x FROM extra").fetchall() == [(2,)]
    assert migrate(conn, str(path), (*store_schema.MIGRATIONS, v2)) == now + 1  # idempotent
    conn.close()


def test_open_store_targets(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not yet supported") as info:
        open_store("postgresql://veilleur:s3cret@db.example/ledger")
    assert "s3cret" not in str(info.value)
    with pytest.raises(StoreError, match="unknown store URL"):
        open_store("mysql://x/y")
    with open_store(f"sqlite:///{tmp_path}/url.db") as s:
        s.save([(doc("a"), [])])
    assert (tmp_path / "url.db").exists()
    with open_store(":memory:") as s:
        assert s.count() == {"documents": 0, "events": 0, "sources": 0}


def test_import_does_no_work(tmp_path: Path) -> None:
    code = "import veilleur.store, veilleur.export; import os; print(sorted(os.listdir('.')))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(SRC), "HOME": str(tmp_path)},
    )  # fmt: skip
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------- save: dedup and merging


def test_save_then_read_back(store: SQLiteStore) -> None:
    d = doc("a", "Des hommes armés ont attaqué Bamako.", published=dt.date(2019, 12, 2), language="fr")
    e = ev("e1", "a", actor1=Actor("JNIM", surface="des hommes armés", kind="rebel"), fatalities=3)
    report = store.save([(d, [e])])
    assert report == SaveReport(documents_added=1, documents_skipped=0, events_added=1, sources_added=1)
    assert store.get_document("a") == d
    assert store.get_event("e1") == e
    assert store.has_document("a") and not store.has_document("b")
    assert store.get_event("nope") is None and store.get_document("nope") is None


def test_reingesting_changes_nothing(store: SQLiteStore) -> None:
    batch = [(doc("a"), [ev("e1", "a")]), (doc("b"), [ev("e2", "b"), ev("e1", "b")])]
    first = store.save(batch)
    assert first == SaveReport(2, 0, 2, 3)
    before = (store.count(), store.events())
    assert store.save(batch) == SaveReport(0, 2, 0, 0)
    assert (store.count(), store.events()) == before


def test_same_content_hash_is_skipped_with_its_events(store: SQLiteStore) -> None:
    store.save([(doc("a", content_hash="same"), [ev("e1", "a")])])
    report = store.save([(doc("copy-of-a", content_hash="same"), [ev("e9", "copy-of-a")])])
    assert report == SaveReport(0, 1, 0, 0)
    assert not store.has_document("copy-of-a") and store.get_event("e9") is None
    # also inside one batch
    report = store.save([(doc("x", content_hash="dup"), []), (doc("y", content_hash="dup"), [])])
    assert report == SaveReport(1, 1, 0, 0)


def test_documents_without_hash_do_not_collide(store: SQLiteStore) -> None:
    report = store.save([(doc("a", content_hash=""), []), (doc("b", content_hash=""), [])])
    assert report.documents_added == 2
    assert store.get_document("a") == doc("a", content_hash="")


def test_existing_event_gains_sources_in_order(store: SQLiteStore) -> None:
    store.save([(doc("a"), [ev("e1", "a", fatalities=2)])])
    created = store.conn.execute("SELECT created_at FROM events WHERE id = 'e1'").fetchone()[0]
    later = ev("e1", "b", "a", fatalities=5, notes="merged")  # same id: sources appended, fields kept
    later.sources[0].claim = Claim.HEDGED
    report = store.save([(doc("b"), [later])])
    assert report == SaveReport(documents_added=1, documents_skipped=0, events_added=0, sources_added=1)
    stored = store.get_event("e1")
    assert stored is not None
    assert [s.document_id for s in stored.sources] == ["a", "b"]
    assert stored.sources[1].claim is Claim.HEDGED
    assert stored.fatalities == 2 and stored.notes == ""
    assert store.count() == {"documents": 2, "events": 1, "sources": 2}
    row = store.conn.execute("SELECT created_at, updated_at FROM events WHERE id = 'e1'").fetchone()
    assert row[0] == created and row[1] >= created


def test_same_event_twice_in_one_batch(store: SQLiteStore) -> None:
    report = store.save([(doc("a"), [ev("e1", "a")]), (doc("b"), [ev("e1", "b")])])
    assert report == SaveReport(2, 0, 1, 2)
    stored = store.get_event("e1")
    assert stored is not None and [s.document_id for s in stored.sources] == ["a", "b"]


def test_event_may_cite_a_later_document_of_the_same_batch(store: SQLiteStore) -> None:
    report = store.save([(doc("a"), [ev("e1", "a", "b")]), (doc("b"), [])])
    assert report == SaveReport(2, 0, 1, 2)


# ---------------------------------------------------------------- failures leave no partial rows


def _snapshot(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with raw(path) as conn:
        return {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
            for t in ("documents", "events", "sources", "evidence")
        }


def test_failed_save_rolls_back_and_keeps_earlier_batch(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    with open_store(path) as s:
        s.save([(doc("a"), [ev("e1", "a")])])
        before = _snapshot(path)
        bad = [(doc("b"), [ev("e2", "b")]), (doc("c"), [ev("e3", "c", "not-stored")])]
        with pytest.raises(StoreError, match="'not-stored'.*neither stored nor in this batch"):
            s.save(bad)
        assert _snapshot(path) == before
        assert not s.has_document("b") and s.get_event("e2") is None
        assert s.save(bad[:1]).documents_added == 1  # the store is still usable


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(lambda: ev("e2", "b", lat=float("nan")), id="nan-latitude"),
        pytest.param(lambda: ev("e2", "b", lat=123.0), id="latitude-out-of-range"),
        pytest.param(
            lambda: Event("e2", "Battles", "Armed clash", sources=[src("b", claim="maybe")]), id="claim"
        ),
        pytest.param(lambda: Event("e2", "Battles", "Armed clash", fatalities="3"), id="fatalities-str"),  # type: ignore[arg-type]
        pytest.param(lambda: Event("e2", "Battles", "Armed clash", sources=["b"]), id="source-not-a-source"),  # type: ignore[list-item]
        pytest.param(lambda: "not an event", id="not-an-event"),
    ],
)
def test_broken_object_fails_the_whole_batch(tmp_path: Path, broken) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ledger.db"
    with open_store(path) as s:
        s.save([(doc("a"), [ev("e1", "a")])])
        before = _snapshot(path)
        with pytest.raises(StoreError, match="rolled back"):
            s.save([(doc("b"), [ev("e0", "b"), broken()])])
        assert _snapshot(path) == before


def test_crash_in_the_middle_of_a_save_loses_only_that_save(tmp_path: Path) -> None:
    """A process killed half-way through a save: the committed batch is intact, the other left no rows."""
    path = tmp_path / "ledger.db"
    script = textwrap.dedent(
        f"""
        import os, datetime as dt
        from veilleur.model import Document, Event, Source, Span
        from veilleur.store import open_store

        class Crash(Source):
            @property
            def evidence(self):
                os._exit(3)  # like a kill -9: no rollback, no close
            @evidence.setter
            def evidence(self, value):
                pass

        s = open_store({str(path)!r})
        s.save([(Document("a", "texte a", content_hash="ha"), [Event("e1", "Battles", "Armed clash",
                 sources=[Source("a", evidence=[Span(0, 5, "texte")])])])])
        s.save([(Document("b", "texte b", content_hash="hb"), [
            Event("e2", "Battles", "Armed clash", sources=[Source("b")]),
            Event("e3", "Battles", "Armed clash", sources=[Crash("b")]),
        ])])
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], env={"PYTHONPATH": str(SRC)}, capture_output=True)
    assert proc.returncode == 3, proc.stderr.decode()
    with SQLiteStore(path) as s:
        assert s.count() == {"documents": 1, "events": 1, "sources": 1}
        assert s.has_document("a") and not s.has_document("b")
        stored = s.get_event("e1")
        assert stored is not None and stored.sources[0].evidence == [Span(0, 5, "texte")]
        assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert s.conn.execute("SELECT count(*) FROM evidence").fetchone()[0] == 1


# ---------------------------------------------------------------- queries


@pytest.fixture
def ledger(store: SQLiteStore) -> SQLiteStore:
    baghdad = Place("Bagdad", 33.34, 44.40, country="IQ", country_name="Iraq", geo_precision=1)
    store.save(
        [
            (doc("m1", "Attaque près de Bamako."), [ev("e-b", "m1", day=3), ev("e-a", "m1", day=3)]),
            (doc("m2", "Manifestation à Bamako."), [ev("e-c", "m2", day=1, event_type="Protests",
                                                      sub_event_type="Peaceful protest")]),
            (doc("i1", "Roquettes sur Bagdad, selon la Défense."), [
                Event("e-i", "Explosions/Remote violence", "Shelling/artillery/missile attack",
                      date=DateValue(dt.date(2020, 1, 5), 1), place=baghdad, sources=[src("i1")]),
                ev("e-undated", "i1", day=None, lat=None),
            ]),
        ]
    )  # fmt: skip
    return store


def ids(events: list[Event]) -> list[str]:
    return [e.id for e in events]


def test_events_are_ordered_by_date_then_id_undated_last(ledger: SQLiteStore) -> None:
    assert ids(ledger.events()) == ["e-c", "e-a", "e-b", "e-i", "e-undated"]
    assert ids(ledger.events(limit=2)) == ["e-c", "e-a"]
    assert ids(ledger.events(limit=2, offset=2)) == ["e-b", "e-i"]
    assert ids(ledger.events(offset=4)) == ["e-undated"]
    assert all(e.sources for e in ledger.events())


def test_events_filters(ledger: SQLiteStore) -> None:
    assert ids(ledger.events(date_from=dt.date(2019, 12, 2))) == ["e-a", "e-b", "e-i"]
    assert ids(ledger.events(date_to=dt.date(2019, 12, 3))) == ["e-c", "e-a", "e-b"]
    assert ids(ledger.events(event_type="Protests")) == ["e-c"]
    assert ids(ledger.events(sub_event_type="Armed clash", country="ml")) == ["e-a", "e-b"]
    assert ids(ledger.events(country="iraq")) == ["e-i"]
    assert ids(ledger.events(document_id="i1")) == ["e-i", "e-undated"]
    assert ids(ledger.events(bbox=(40.0, 30.0, 50.0, 40.0))) == ["e-i"]
    assert ids(ledger.events(bbox=(-8.0, 12.65, -8.0, 12.65))) == ["e-c", "e-a", "e-b"]  # edges included
    assert ledger.events(bbox=(0.0, 0.0, 1.0, 1.0)) == []
    with pytest.raises(StoreError, match="bbox"):
        ledger.events(bbox=(50.0, 30.0, 40.0, 40.0))


def test_known_documents_in_batches(store: SQLiteStore) -> None:
    store.save([(doc(f"d{i}"), []) for i in range(1200)])
    asked_ids = [f"d{i}" for i in range(0, 2400, 2)]
    asked_hashes = ["h-d3", "h-unknown", ""] + [f"h-d{i}" for i in range(1100, 1300)]
    known = store.known_documents(asked_ids, asked_hashes)
    assert {f"d{i}" for i in range(0, 1200, 2)} | {"h-d3"} | {f"h-d{i}" for i in range(1100, 1200)} == known
    assert store.known_documents([], []) == set()


def test_full_text_index_follows_inserts(ledger: SQLiteStore) -> None:
    def search(query: str) -> list[str]:
        sql = (
            "SELECT d.id FROM documents_fts JOIN documents d ON d.n = documents_fts.rowid "
            "WHERE documents_fts MATCH ? ORDER BY d.id"
        )
        return [r[0] for r in ledger.conn.execute(sql, (query,))]

    assert search("bamako") == ["m1", "m2"]
    assert search("defense") == ["i1"]  # diacritics folded
    assert search("roquettes AND bagdad") == ["i1"]


def test_two_connections_and_threads(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    with open_store(path) as writer, open_store(path) as reader:
        errors: list[BaseException] = []

        def write(n: int) -> None:
            try:
                writer.save([(doc(f"t{n}-{i}"), [ev(f"e{n}-{i}", f"t{n}-{i}")]) for i in range(20)])
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert reader.count() == {"documents": 80, "events": 80, "sources": 80}


# ---------------------------------------------------------------- hypothesis round-trip

_text = st.text(max_size=40)
_opt_text = st.none() | _text
_dates = st.none() | st.dates()
_floats_lat = st.floats(-90, 90, allow_nan=False)
_floats_lon = st.floats(-180, 180, allow_nan=False)
_ints = st.none() | st.integers(0, 10**6)

_actors = st.builds(Actor, name=_text, surface=_opt_text, kind=_opt_text, country=_opt_text)
_places = st.builds(
    Place, name=_text, latitude=_floats_lat, longitude=_floats_lon, country=_opt_text, country_name=_opt_text,
    admin1=_opt_text, admin2=_opt_text, geo_precision=st.integers(1, 3), feature=_opt_text, source=_opt_text,
    population=st.integers(0, 10**8),
)  # fmt: skip
_date_values = st.builds(
    DateValue, date=_dates, precision=st.none() | st.integers(1, 3), date_min=_dates, date_max=_dates,
    expression=_opt_text, note=_opt_text,
)  # fmt: skip
_spans = st.builds(Span, start=st.integers(0, 10**5), end=st.integers(0, 10**5), text=_text)


@st.composite
def _ledgers(draw: st.DrawFn) -> tuple[list[Document], list[Event]]:
    doc_ids = draw(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=4, unique=True))
    docs = [
        Document(
            id=i, text=draw(st.text(max_size=200)), published=draw(_dates), url=draw(_opt_text),
            outlet=draw(_opt_text), language=draw(st.sampled_from([None, "fr", "en"])), title=draw(_opt_text),
            origin=draw(_opt_text), content_hash=draw(st.sampled_from(["", f"hash:{n}"])),
        )
        for n, i in enumerate(doc_ids)
    ]  # fmt: skip
    event_ids = draw(st.lists(st.text(min_size=1, max_size=12), max_size=5, unique=True))
    events = []
    for event_id in event_ids:
        cited = draw(st.lists(st.sampled_from(doc_ids), max_size=3, unique=True))
        sources = [
            Source(
                document_id=d, url=draw(_opt_text), published=draw(_dates), outlet=draw(_opt_text),
                claim=draw(st.sampled_from(list(Claim))), reporting_source=draw(_opt_text),
                fatalities=draw(_ints), evidence=draw(st.lists(_spans, max_size=3)),
            )
            for d in cited
        ]  # fmt: skip
        events.append(
            Event(
                id=event_id, event_type=draw(_text), sub_event_type=draw(_text), date=draw(_date_values),
                actor1=draw(st.none() | _actors), actor2=draw(st.none() | _actors),
                assoc_actor_1=draw(st.lists(_actors, max_size=3)),
                assoc_actor_2=draw(st.lists(_actors, max_size=2)),
                place=draw(st.none() | _places), location_text=draw(_opt_text), fatalities=draw(_ints),
                notes=draw(_text), sources=sources,
            )
        )  # fmt: skip
    return docs, events


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ledgers())
def test_round_trip(ledger: tuple[list[Document], list[Event]]) -> None:
    docs, events = ledger
    batch = [(docs[0], events)] + [(d, []) for d in docs[1:]]
    with open_store(":memory:") as s:
        report = s.save(batch)
        assert report == SaveReport(len(docs), 0, len(events), sum(len(e.sources) for e in events))
        for d in docs:
            assert s.get_document(d.id) == d
        for e in events:
            assert s.get_event(e.id) == e
        by_id = {e.id: e for e in s.events()}
        assert by_id == {e.id: e for e in events}
        assert s.save(batch) == SaveReport(0, len(docs), 0, 0)
