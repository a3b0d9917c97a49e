"""Exports: the evaluation contract (read by ../shared/eval/score.py), ACLED CSV, GeoJSON."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import json
import math
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veilleur.export import CSV_COLUMNS, event_to_record, write_events
from veilleur.export.writers import FORMULA_STARTS
from veilleur.model import Actor, Claim, DateValue, Document, Event, Place, Source, Span
from veilleur.store import open_store

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"

CONTRACT_KEYS = [
    "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "actor2",
    "assoc_actor_2", "country", "iso", "admin1", "admin2", "location", "latitude", "longitude",
    "geo_precision", "fatalities", "notes", "sources",
]  # fmt: skip
SOURCE_KEYS = ["document_id", "url", "published", "claim", "evidence"]


@pytest.fixture(scope="module")
def scorer() -> ModuleType:
    path = EVAL / "score.py"
    if not path.is_file():
        pytest.skip(
            f"the evaluation scorer is not here ({path}): it lives in ../shared/, outside a user's clone"
        )
    spec = importlib.util.spec_from_file_location("veilleur_eval_score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample_events() -> list[Event]:
    kidal = Place("Kidal", 18.44, 1.41, country="ML", country_name="Mali", admin1="Kidal", admin2="Kidal")
    return [
        Event(
            id="ev-1",
            event_type="Explosions/Remote violence",
            sub_event_type="Remote explosive/landmine/IED",
            date=DateValue(dt.date(2019, 12, 30), 1, note="weekday agrees"),
            actor1=Actor("JNIM: Group for Support of Islam and Muslims", surface="jihadistes", kind="rebel"),
            actor2=Actor("Military Forces of Mali (2002-2021)", kind="state"),
            assoc_actor_2=[
                Actor("Civilians (Mali)", kind="civilians"),
                Actor("Police Forces of Mali", kind="state"),
            ],
            place=kidal,
            fatalities=3,
            notes='Un convoi a sauté sur un engin explosif, "selon" l\'armée;\nbilan: 3 morts, à Kidal.',
            sources=[
                Source("doc-a", url="https://x.example/a", published=dt.date(2019, 12, 31),
                       outlet="Studio Tamani", claim=Claim.REPORTED, fatalities=3,
                       evidence=[Span(0, 22, "Un convoi a sauté sur")]),
                Source("doc-b", outlet="Le Monde", claim=Claim.HEDGED, reporting_source="FAMa"),
            ],
        ),
        Event(
            id="ev-2",
            event_type="Protests",
            sub_event_type="Excessive force against protesters",
            date=DateValue(None),
            location_text="au nord de la ville",
            sources=[Source("doc-b")],
        ),
        Event(
            id="ev-3",
            event_type="Violence against civilians",
            sub_event_type="Attack",
            date=DateValue(dt.date(2020, 1, 2), 2),
            actor1=Actor("Unidentified Armed Group (Mali)"),
            actor2=Actor("Civilians (Mali)", kind="civilians"),
            place=Place("Tombouctou", 16.77, -3.01, country="ML", country_name="Mali", geo_precision=2),
            fatalities=None,
            sources=[Source("doc-a", claim=Claim.CLAIMED)],
        ),
    ]  # fmt: skip


def stored_events(tmp_path: Path) -> list[Event]:
    with open_store(tmp_path / "ledger.db") as store:
        docs = [
            Document("doc-a", "Un convoi a sauté sur une mine.", content_hash="a"),
            Document("doc-b", "x"),
        ]
        events = sample_events()
        store.save([(docs[0], events), (docs[1], [])])
        return store.events()


# ---------------------------------------------------------------- the record


def test_record_follows_the_contract() -> None:
    rec = event_to_record(sample_events()[0])
    assert [k for k in rec if k in CONTRACT_KEYS] == CONTRACT_KEYS  # every field, in the contract's order
    assert set(rec) - set(CONTRACT_KEYS) == {"event_id", "date_note"}
    assert rec["event_id"] == "ev-1" and rec["event_date"] == "2019-12-30" and rec["time_precision"] == 1
    assert rec["assoc_actor_2"] == "Civilians (Mali); Police Forces of Mali" and rec["assoc_actor_1"] is None
    assert (rec["iso"], rec["country"], rec["latitude"], rec["longitude"]) == ("ML", "Mali", 18.44, 1.41)
    assert rec["fatalities"] == 3 and rec["date_note"] == "weekday agrees"
    first = rec["sources"][0]
    assert [k for k in first if k in SOURCE_KEYS] == SOURCE_KEYS
    assert first == {
        "document_id": "doc-a", "url": "https://x.example/a", "published": "2019-12-31",
        "outlet": "Studio Tamani", "claim": "reported", "reporting_source": None, "fatalities": 3,
        "evidence": [{"start": 0, "end": 22, "text": "Un convoi a sauté sur"}],
    }  # fmt: skip
    assert rec["sources"][1]["claim"] == "hedged"
    json.dumps(rec, allow_nan=False)  # JSON-ready


def test_record_without_place_keeps_the_words_and_says_unknown() -> None:
    rec = event_to_record(sample_events()[1])
    assert rec["location"] == "au nord de la ville"
    assert rec["latitude"] is rec["longitude"] is rec["iso"] is rec["event_date"] is rec["fatalities"] is None


def test_jsonl_of_stored_events_is_read_by_the_scorer(tmp_path: Path, scorer: ModuleType) -> None:
    out = tmp_path / "events.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        assert write_events(stored_events(tmp_path), "jsonl", fh) == 3
    text = out.read_text(encoding="utf-8")
    assert "sauté" in text  # ensure_ascii=False
    predictions = scorer.load_predictions(out)
    assert [p["event_id"] for p in predictions] == ["ev-1", "ev-3", "ev-2"]
    assert [scorer._doc_ids(p) for p in predictions] == [{"doc-a", "doc-b"}, {"doc-a"}, {"doc-b"}]


def _gold_events(doc: dict[str, Any], text: str) -> list[Event]:
    events = []
    for g in doc["events"]:
        start = text.find(g["evidence"]) if g.get("evidence") else -1
        evidence = [Span(start, start + len(g["evidence"]), g["evidence"])] if start >= 0 else []
        events.append(
            Event(
                id=f"{doc['id']}/{g['id']}",
                event_type=g["event_type"],
                sub_event_type=g["sub_event_type"],
                date=DateValue(dt.date.fromisoformat(g["date_min"]) if g["date_min"] else None),
                actor1=Actor(g["actor1"][0]) if g.get("actor1") else None,
                actor2=Actor(g["actor2"][0]) if g.get("actor2") else None,
                place=Place(g["location"], g["lat"], g["lon"], country=g.get("country")),
                fatalities=g.get("fatalities"),
                sources=[Source(doc["id"], evidence=evidence)],
            )
        )
    return events


def test_scorer_gives_full_marks_to_an_export_of_the_reference_events(
    tmp_path: Path, scorer: ModuleType
) -> None:
    """Store the seed articles with events copied from the reference, export, score: the contract holds."""
    gold = json.loads((EVAL / "seeds_gold.json").read_text(encoding="utf-8"))
    docs = {}
    for line in (EVAL / "seeds_docs.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        published = dt.date.fromisoformat(d["published"]) if d.get("published") else None
        docs[d["id"]] = Document(d["id"], d["text"], published=published, language=d.get("language"))
    batch = [(docs[g["id"]], _gold_events(g, docs[g["id"]].text)) for g in gold["documents"]]
    out = tmp_path / "seeds.jsonl"
    with open_store(tmp_path / "seeds.db") as store, out.open("w", encoding="utf-8") as fh:
        store.save(batch)
        assert write_events(store.events(), "jsonl", fh) == sum(len(evs) for _, evs in batch)
    result = scorer.score(gold, scorer.load_predictions(out))
    assert result["events"]["f1"] == 1.0 and result["strict_f1"] == 1.0, result["events"]
    assert all(v in (None, 1.0) for v in result["attribute_accuracy"].values()), result["attribute_accuracy"]
    record = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    for src in record["sources"]:
        text = docs[src["document_id"]].text
        assert all(text[e["start"] : e["end"]] == e["text"] for e in src["evidence"])


# ---------------------------------------------------------------- csv


def test_csv_has_acled_columns_and_round_trips(tmp_path: Path) -> None:
    buf = io.StringIO(newline="")
    events = stored_events(tmp_path)
    assert write_events(events, "csv", buf) == 3
    raw_text = buf.getvalue()
    assert raw_text.startswith(",".join(CSV_COLUMNS) + "\r\n")
    rows = list(csv.DictReader(io.StringIO(raw_text, newline="")))
    assert list(rows[0]) == list(CSV_COLUMNS) and CSV_COLUMNS[-1] == "document_ids"
    by_id = {r["event_id_cnty"]: r for r in rows}
    one = by_id["ev-1"]
    assert one["notes"] == sample_events()[0].notes  # quotes, semicolon, newline survive RFC 4180 quoting
    assert (one["event_date"], one["year"], one["time_precision"]) == ("2019-12-30", "2019", "1")
    assert one["disorder_type"] == "Political violence"
    assert (one["inter1"], one["inter2"], one["interaction"]) == ("2", "1", "12")
    assert one["civilian_targeting"] == ""
    assert float(one["latitude"]) == 18.44 and float(one["longitude"]) == 1.41
    assert one["source"] == "Studio Tamani; Le Monde; FAMa"
    assert one["document_ids"] == "doc-a; doc-b"
    assert one["fatalities"] == "3" and one["iso"] == "ML" and one["admin2"] == "Kidal"
    two = by_id["ev-2"]
    assert two["disorder_type"] == "Political violence; Demonstrations"
    assert two["fatalities"] == "" and two["latitude"] == "" and two["year"] == ""  # unknown, not 0
    three = by_id["ev-3"]
    assert three["civilian_targeting"] == "Civilian targeting"
    assert (three["inter1"], three["inter2"], three["interaction"]) == ("", "7", "")


# ---------------------------------------------------------------- geojson


def test_geojson_is_a_feature_collection_of_lon_lat_points(tmp_path: Path) -> None:
    buf = io.StringIO()
    events = stored_events(tmp_path)
    written = write_events(events, "geojson", buf)
    assert written == 2 and len(events) - written == 1  # ev-2 has no coordinates: left out
    data = json.loads(buf.getvalue())
    assert data["type"] == "FeatureCollection"
    assert [f["id"] for f in data["features"]] == ["ev-1", "ev-3"]
    for feature in data["features"]:
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        props = feature["properties"]
        assert (lon, lat) == (props["longitude"], props["latitude"])  # [lon, lat], RFC 7946 order
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert props["sources"] and props["event_id"] == feature["id"]
    kidal = data["features"][0]["geometry"]["coordinates"]
    assert kidal == [1.41, 18.44]
    empty = io.StringIO()
    assert write_events([], "geojson", empty) == 0
    assert json.loads(empty.getvalue()) == {"type": "FeatureCollection", "features": []}


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="jsonl, csv, geojson"):
        write_events([], "xml", io.StringIO())  # type: ignore[arg-type]


# ---------------------------------------------------------------- any text stays one record per line

_wild_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=30) | st.sampled_from(
    ["\u2028", "\u2029", "\x85", "\r\n", "\x0b\x0c\x1c\x1d\x1e", '"', ";,"]
)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.builds(
            Event,
            id=_wild_text,
            event_type=_wild_text,
            sub_event_type=_wild_text,
            notes=_wild_text,
            location_text=st.none() | _wild_text,
            place=st.none()
            | st.builds(Place, name=_wild_text, latitude=st.floats(-90, 90), longitude=st.floats(-180, 180)),
            sources=st.lists(
                st.builds(
                    Source, document_id=_wild_text, evidence=st.lists(st.builds(Span, text=_wild_text))
                ),
                max_size=2,
            ),
        ),
        max_size=4,
    )
)
def test_every_format_survives_any_text(events: list[Event]) -> None:
    notes = [e.notes for e in events]
    buf = io.StringIO()
    assert write_events(events, "jsonl", buf) == len(events)
    lines = buf.getvalue().splitlines()  # what the scorer does
    assert [json.loads(line) for line in lines] == [event_to_record(e) for e in events]
    buf = io.StringIO(newline="")
    write_events(events, "csv", buf, raw=True)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))
    assert [r["notes"] for r in rows] == [e.notes for e in events]
    buf = io.StringIO(newline="")
    write_events(events, "csv", buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))
    assert [r["notes"] for r in rows] == [("'" + n if n.startswith(FORMULA_STARTS) else n) for n in notes]
    assert not any(v.startswith(FORMULA_STARTS) and not _number(v) for r in rows for v in r.values())
    buf = io.StringIO()
    n = write_events(events, "geojson", buf)
    features = json.loads(buf.getvalue())["features"]
    assert n == len(features) == sum(e.place is not None for e in events)
    assert all(math.isfinite(c) for f in features for c in f["geometry"]["coordinates"])


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
