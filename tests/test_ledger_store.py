"""The ledger in the store and in ingest: candidate events, history, the outlet registry, schema v2 (real
SQLite files), ingest with the ledger wired in (a stand-in pipeline) and the CLI (``events --show``,
``sources``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from test_ledger import MOPTI, RULES, SEVARE, D, event, place
from veilleur import api
from veilleur.merge.ledger import compare, join
from veilleur.model import Document, Event
from veilleur.settings import Settings
from veilleur.store import SQLiteStore, open_store
from veilleur.store import schema as store_schema
from veilleur.store.sqlite import migrate, schema_version

# ---------------------------------------------------------------- the store: candidates, history, registry


def stored_doc(
    doc_id: str,
    outlet: str | None = None,
    published: D | None = None,
    language: str = "fr",
    text: str | None = None,
) -> Document:
    text = text or f"Texte de {doc_id}."
    return Document(
        doc_id, text, published=published, outlet=outlet, language=language, content_hash=f"h-{text}"
    )


def test_candidates_by_radius_admin_area_and_dates(tmp_path: Path) -> None:
    near = event("ev-near", "d1", where=SEVARE, day=D(2019, 6, 3))
    area = event("ev-area", "d1", where=place("Mopti region", 14.6, -3.0, precision=3), day=D(2019, 6, 4))
    far = event("ev-far", "d1", where=place("Gao", 16.27, -0.04, admin1="Gao"), day=D(2019, 6, 3))
    old = event("ev-old", "d1", where=SEVARE, day=D(2019, 1, 3))
    week = event(
        "ev-week", "d1", where=MOPTI, day=D(2019, 6, 20), precision=2, span=(D(2019, 6, 1), D(2019, 6, 30))
    )
    undated = event("ev-undated", "d1", where=SEVARE, day=None)
    with SQLiteStore(tmp_path / "l.db") as store:
        store.save([(stored_doc("d1"), [near, area, far, old, week, undated])])
        found = store.candidates(
            latitude=14.53,
            longitude=-4.10,
            radius_km=20,
            iso="ML",
            admin1="Mopti",
            areas_only=True,
            date_from=D(2019, 6, 2),
            date_to=D(2019, 6, 5),
        )
        assert [e.id for e in found] == ["ev-near", "ev-week", "ev-area"]  # nearest first
        assert found[0] == near  # whole events, sources included
        found = store.candidates(
            latitude=14.53,
            longitude=-4.10,
            radius_km=20,
            date_from=D(2019, 6, 2),
            date_to=D(2019, 6, 5),
            undated=True,
            limit=2,
        )
        assert {e.id for e in found} <= {"ev-near", "ev-week", "ev-undated"} and len(found) == 2
        assert [e.id for e in store.candidates(iso="ML", admin1="Gao")] == ["ev-far"]
        assert store.candidates(latitude=14.53, longitude=-4.10, radius_km=20, event_types=[]) == []
        assert [
            e.id
            for e in store.candidates(latitude=14.53, longitude=-4.10, radius_km=1, event_types=["Battles"])
        ] == ["ev-near", "ev-old"]


def test_history_updates_fields_once(tmp_path: Path) -> None:
    first = event("ev-1", "d1", where=place("Mopti region", 14.6, -3.0, precision=3), day=D(2019, 6, 3))
    second = event("ev-2", "d2", where=SEVARE, day=D(2019, 6, 3), killed=3)
    match = compare(first, second, RULES)
    assert match is not None
    joined = join(first, second, match, Document("d2", "t"), "2019-06-05T10:00:00Z", RULES)
    with SQLiteStore(tmp_path / "l.db") as store:
        store.save([(stored_doc("d1"), [first])])
        report = store.save([(stored_doc("d2"), [joined])])
        assert (report.events_added, report.sources_added) == (0, 1)
        stored = store.get_event("ev-1")
        assert stored == joined  # fields, sources with their merge reason, history
        assert store.events() == [joined]
        again = dataclasses.replace(joined, fatalities=99)  # history already stored: fields are kept
        store.save([(stored_doc("d3"), [again])])
        assert store.get_event("ev-1") == joined


def test_outlet_registry_labels_and_filters(tmp_path: Path) -> None:
    a = event("ev-a", "d1", where=SEVARE, day=D(2019, 6, 3), outlet="rfi.fr")
    b = event("ev-b", "d3", where=MOPTI, day=D(2019, 6, 9), outlet="studiotamani.org")
    with SQLiteStore(tmp_path / "l.db") as store:
        store.save(
            [
                (stored_doc("d1", "rfi.fr", D(2019, 6, 4)), [a]),
                (stored_doc("d2", "rfi.fr", D(2019, 6, 8), language="en"), []),
                (stored_doc("d4", "rfi.fr", D(2019, 6, 9)), []),
                (stored_doc("d3", "studiotamani.org"), [b]),
                (stored_doc("d5"), []),
            ]
        )
        assert store.label_outlet("rfi.fr", "state-affiliated") is True
        assert store.label_outlet(" rfi.fr ", "state-affiliated") is False  # already so
        assert store.label_outlet("maliweb.net", "partisan") is True  # before any of its articles
        with pytest.raises(ValueError, match="label"):
            store.label_outlet("rfi.fr", "  ")
        outlets = store.outlets()
        assert [o.name for o in outlets] == ["rfi.fr", "studiotamani.org", "maliweb.net"]
        rfi = outlets[0]
        assert (rfi.documents, rfi.events, rfi.languages, rfi.labels) == (
            3,
            1,
            ("fr", "en"),
            ("state-affiliated",),
        )
        assert (rfi.first_seen, rfi.last_seen) == (D(2019, 6, 4), D(2019, 6, 9))
        assert outlets[1].first_seen == dt.datetime.now(dt.UTC).date()  # no publication date: ingestion day
        assert [o.name for o in store.outlets(label="partisan")] == ["maliweb.net"]
        assert [e.id for e in store.events(source_label="state-affiliated")] == ["ev-a"]
        assert store.label_outlet("rfi.fr", "state-affiliated", remove=True) is True
        assert store.events(source_label="state-affiliated") == []


def test_migration_from_v1_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, str(path), store_schema.MIGRATIONS[:1]) == 1
    conn.execute(
        "INSERT INTO documents (id, text, content_hash, outlet, ingested_at) VALUES "
        "('d1', 'Texte.', 'h1', 'rfi.fr', '2024-01-01T00:00:00Z')"
    )
    conn.close()
    with SQLiteStore(path) as store:
        assert schema_version(store.conn) == store_schema.SCHEMA_VERSION == 2
        assert store.get_document("d1") == Document("d1", "Texte.", outlet="rfi.fr", content_hash="h1")
        assert store.known([Document("x", "Texte.", outlet="rfi.fr", content_hash="h1")]) == {"x"}
        assert store.known([Document("y", "Texte.", outlet="other.example", content_hash="h1")]) == set()


def test_another_outlets_copy_is_a_document_of_its_own(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "l.db") as store:
        original = Document("d1", "Même texte.", outlet="afp.com", content_hash="same")
        copy = Document("d2", "Même texte.", outlet="rfi.fr", content_hash="same")
        twin = Document("d3", "Même texte.", outlet="rfi.fr", content_hash="same")  # same outlet, new id
        assert store.save([(original, []), (copy, []), (twin, [])]).documents_added == 2
        assert store.get_document("d2") == copy and store.known([twin]) == {"d3"}


# ---------------------------------------------------------------- ingest: the ledger wired in


class OneEventPipeline:
    """Codes one event per document from fields of the record's text: 'PLACE|YYYY-MM-DD|KILLED'."""

    PLACES = {
        "Sévaré": SEVARE,
        "Mopti": MOPTI,
        "Gao": place("Gao", 16.27, -0.04, admin1="Gao"),
        "Mopti region": place("Mopti region", 14.6, -3.0, precision=3),
    }

    def __init__(self, fail_on: str | None = None) -> None:
        self.fail_on = fail_on

    def process(self, documents: Iterable[Document]) -> Iterator[tuple[Document, list[Event]]]:
        for doc in documents:
            if doc.id == self.fail_on:
                raise KeyboardInterrupt
            name, day, killed = doc.text.split("|")
            spot = self.PLACES[name]
            e = event(
                f"ev-{doc.id}",
                doc.id,
                where=spot,
                day=D.fromisoformat(day),
                killed=int(killed) if killed else None,
                published=doc.published,
                outlet=doc.outlet,
            )
            e.sources[0].url = doc.url
            yield doc, [e]


def write(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """rows: (id, text, url)."""
    path.write_text(
        "".join(
            json.dumps({"id": i, "text": t, "url": u, "published": "2019-06-05"}) + "\n" for i, t, u in rows
        ),
        encoding="utf-8",
    )
    return path


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db)
    try:
        return {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
            for t in ("documents", "events", "sources", "evidence", "event_history")
        }
    finally:
        conn.close()


ROWS = [
    ("a1", "Mopti region|2019-06-03|9", "https://a.example/1"),
    ("b1", "Sévaré|2019-06-03|7", "https://b.example/1"),
    ("c1", "Gao|2019-06-03|", "https://c.example/1"),
    ("c2", "Sévaré|2019-06-03|8", "https://c.example/2"),
]


def test_ingest_joins_sharpens_and_reingest_changes_nothing(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "l.db", batch_size=2)
    report = api.ingest(
        write(tmp_path / "in.jsonl", ROWS[:1]), settings=settings, pipeline=OneEventPipeline()
    )
    assert report.events_added == 1
    report = api.ingest(
        write(tmp_path / "more.jsonl", ROWS[1:]), settings=settings, pipeline=OneEventPipeline()
    )
    assert (report.documents_added, report.events_added, report.events_joined, report.sources_added) == (
        3,
        1,
        2,
        3,
    )
    assert "2 joined events already in the ledger" in report.summary()
    (mopti, gao) = sorted(api.list_events(settings), key=lambda e: e.id)
    assert gao.id == "ev-c1" and len(gao.sources) == 1
    assert mopti.id == "ev-a1" and [s.document_id for s in mopti.sources] == ["a1", "b1", "c2"]
    assert [s.outlet for s in mopti.sources] == ["a.example", "b.example", "c.example"]
    assert mopti.place == SEVARE and mopti.fatalities == 7  # sharpened by b1; lowest of 9, 7, 8
    assert [(c.field, c.document_id) for c in mopti.history] == [("place", "b1"), ("fatalities", "b1")]
    assert mopti.sources[2].merge is not None and mopti.sources[2].merge.rule.startswith(
        "same sub-type, same place"
    )
    before = snapshot(settings.db_path)
    again = api.ingest(
        [tmp_path / "in.jsonl", tmp_path / "more.jsonl"], settings=settings, pipeline=OneEventPipeline()
    )
    assert (again.documents_skipped, again.events_added, again.sources_added) == (4, 0, 0)
    assert snapshot(settings.db_path) == before


@pytest.mark.parametrize("batch_size", [1, 3])
def test_same_input_same_ids_whatever_the_batches(tmp_path: Path, batch_size: int) -> None:
    path = write(tmp_path / "in.jsonl", ROWS)
    results = []
    for name, size in (("one.db", 32), ("two.db", batch_size)):
        settings = Settings(db_path=tmp_path / name, batch_size=size)
        api.ingest(path, settings=settings, pipeline=OneEventPipeline())
        results.append(
            [(e.id, [s.document_id for s in e.sources], e.fatalities) for e in api.list_events(settings)]
        )
    assert results[0] == results[1] and len(results[0]) == 2


def test_an_interrupted_ingest_loses_nothing_committed(tmp_path: Path) -> None:
    path = write(tmp_path / "in.jsonl", ROWS)
    settings = Settings(db_path=tmp_path / "l.db", batch_size=2)
    with pytest.raises(KeyboardInterrupt):
        api.ingest(path, settings=settings, pipeline=OneEventPipeline(fail_on="c2"))  # in the second batch
    with open_store(settings.db_path) as store:
        assert store.count() == {"documents": 2, "events": 1, "sources": 2}  # the first batch, whole
    report = api.ingest(path, settings=settings, pipeline=OneEventPipeline())
    assert (report.documents_skipped, report.documents_added) == (2, 2)
    clean = Settings(db_path=tmp_path / "clean.db")
    api.ingest(path, settings=clean, pipeline=OneEventPipeline())
    assert view(settings) == view(clean)


def view(s: Settings) -> list[tuple[str, list[str]]]:
    return [(e.id, [x.document_id for x in e.sources]) for e in api.list_events(s)]


def test_cli_show_sources_and_labels(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "l.db"
    api.ingest(write(tmp_path / "in.jsonl", ROWS), settings=Settings(db_path=db), pipeline=OneEventPipeline())
    shown = run_cli("--db", db, "events", "--show", "ev-a1")
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert "outlet b.example; published 2019-06-05; fatalities 7" in out
    assert "joined: same sub-type, inside area, dates overlap (" in out and "0 days apart; was ev-b1)" in out
    assert "joined: same sub-type, same place, dates overlap (0 km, 0 days apart; was ev-c2)" in out
    assert "tolls       7, 8, 9 by source; the lowest is kept" in out
    assert "history     2" in out and "b1  place: Mopti region (Mopti, ML) [geo precision 3] -> Sévaré" in out
    labelled = run_cli("--db", db, "sources", "label", "b.example", "partisan")
    assert labelled.returncode == 0 and "b.example labelled 'partisan'" in labelled.stderr
    ahead = run_cli("--db", db, "sources", "label", "new.example", "wire")
    assert "no stored article comes from this outlet yet" in ahead.stderr
    table = run_cli("--db", db, "sources")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:4] == ["outlet", "languages", "documents", "events"]
    assert any(line.startswith("c.example") and " 2 " in line for line in lines)
    assert any(line.startswith("b.example") and line.endswith("partisan") for line in lines)
    only = run_cli("--db", db, "sources", "--label", "partisan")
    assert [line.split()[0] for line in only.stdout.splitlines()[2:]] == ["b.example"]
    filtered = run_cli("--db", db, "events", "--source-label", "partisan")
    assert [line.split()[0] for line in filtered.stdout.splitlines()[2:]] == ["ev-a1"]
    csv_out = run_cli("--db", db, "export", "--format", "csv", "--source-label", "partisan")
    assert "a.example; b.example; c.example" in csv_out.stdout
    bad = run_cli("--db", db, "sources", "label", "b.example", " ")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
