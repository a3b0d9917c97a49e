"""veilleur.api against a real SQLite file, with a stand-in pipeline where the test is about the plumbing
(batching, skipping known documents before NLP, problems, progress), and the real one otherwise."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from veilleur import api
from veilleur.errors import StoreError, UnsupportedLanguageError
from veilleur.model import Actor, DateValue, Document, Event, Place, Source, Span
from veilleur.settings import Settings
from veilleur.store import SQLiteStore, open_store

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

# (lat, lon, country, event type, sub-event type) the stand-in pipeline codes for a document id prefix
CODING = {
    "mopti": (15.0, -2.95, "ML", "Mali", "Battles", "Armed clash"),
    "niamey": (13.51, 2.11, "NE", "Niger", "Protests", "Peaceful protest"),
}


class FakePipeline:
    """One event per document whose id names a place in CODING; records what it was given."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def process(self, documents: Iterable[Document]) -> Iterator[tuple[Document, list[Event]]]:
        docs = list(documents)
        self.batches.append([d.id for d in docs])
        for doc in docs:
            key = next((k for k in CODING if k in doc.id), None)
            if key is None:
                yield doc, []
                continue
            lat, lon, iso, country, etype, sub = CODING[key]
            sentence = doc.text.split(".")[0] + "."
            yield (
                doc,
                [
                    Event(
                        id=f"EV-{doc.id}",
                        event_type=etype,
                        sub_event_type=sub,
                        date=DateValue(date=doc.published, precision=1),
                        actor1=Actor("JNIM: Group for Support of Islam and Muslims"),
                        place=Place(key.title(), lat, lon, country=iso, country_name=country),
                        sources=[
                            Source(
                                document_id=doc.id, url=doc.url, evidence=[Span(0, len(sentence), sentence)]
                            )
                        ],
                    )
                ],
            )

    @property
    def seen(self) -> list[str]:
        return [i for batch in self.batches for i in batch]


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def records(n: int, prefix: str = "mopti") -> list[dict[str, object]]:
    return [
        {
            "id": f"{prefix}-{i}",
            "text": f"Attaque numéro {i} près de Mopti. Bilan inconnu.",
            "published": f"2023-05-{i + 1:02d}",
        }
        for i in range(n)
    ]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "ledger.db", batch_size=2)


# ---------------------------------------------------------------- ingest


def test_ingest_batches_one_save_per_batch_and_reingest_changes_nothing(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saves: list[int] = []
    original = SQLiteStore.save

    def counting_save(self: SQLiteStore, batch):  # type: ignore[no-untyped-def]
        saves.append(len(batch))
        return original(self, batch)

    monkeypatch.setattr(SQLiteStore, "save", counting_save)
    path = write_jsonl(tmp_path / "docs.jsonl", records(5))
    fake = FakePipeline()

    report = api.ingest(path, settings=settings, pipeline=fake)

    assert (report.documents_read, report.documents_added, report.documents_skipped) == (5, 5, 0)
    assert report.events_added == 5 and report.sources_added == 5 and report.problems == [] and report.ok
    assert [len(b) for b in fake.batches] == [2, 2, 1]
    assert saves == [2, 2, 1]

    again = FakePipeline()
    second = api.ingest(path, settings=settings, pipeline=again)
    assert again.seen == []  # known documents never reach the NLP stage
    assert (second.documents_read, second.documents_added, second.documents_skipped, second.events_added) == (
        5,
        0,
        5,
        0,
    )
    with open_store(settings.db_path) as store:
        assert store.count() == {"documents": 5, "events": 5, "sources": 5}


def test_same_text_under_another_id_or_twice_in_one_run_is_skipped_before_nlp(
    settings: Settings, tmp_path: Path
) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", records(1))
    api.ingest(first, settings=settings, pipeline=FakePipeline())
    same_text = dict(records(1)[0], id="mopti-copy")
    fresh: dict[str, object] = {
        "id": "niamey-1",
        "text": "Manifestation à Niamey samedi.",
        "published": "2023-11-18",
    }
    second = write_jsonl(tmp_path / "b.jsonl", [same_text, fresh, dict(fresh, id="niamey-dup")])
    fake = FakePipeline()

    report = api.ingest(second, settings=settings, pipeline=fake)

    assert fake.seen == ["niamey-1"]
    assert (report.documents_read, report.documents_added, report.documents_skipped) == (3, 1, 2)


def test_problems_are_reported_collected_and_the_run_goes_on(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", records(2))
    (folder / "b.jsonl").write_text('{"id": "x"}\n[1, 2]\n', encoding="utf-8")
    (folder / "c.txt").write_bytes(b"")
    seen: list[str] = []

    report = api.ingest(
        [folder, tmp_path / "missing.txt"], settings=settings, pipeline=FakePipeline(), on_problem=seen.append
    )

    assert report.documents_added == 2 and not report.ok
    assert seen == report.problems
    assert len(report.problems) == 4
    assert [p.split(": ")[0].rsplit("/", 1)[-1] for p in report.problems] == [
        "b.jsonl:1",
        "b.jsonl:2",
        "c.txt",
        "missing.txt",
    ]
    assert "4 inputs could not be read" in report.summary()


def test_problems_go_to_stderr_by_default(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    api.ingest(tmp_path / "empty.txt", settings=settings, pipeline=FakePipeline())
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "empty.txt" in err and "[V101]" in err


def test_progress_callback_reaches_the_total(settings: Settings, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "docs.jsonl", records(3))
    (tmp_path / "bad.txt").write_bytes(b"")
    calls: list[tuple[int, int | None]] = []

    api.ingest(
        [path, tmp_path / "bad.txt"],
        settings=settings,
        pipeline=FakePipeline(),
        progress=lambda d, t: calls.append((d, t)),
    )

    assert calls[-1] == (4, 4)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_progress_bar_is_silent_when_stderr_is_not_a_terminal(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(tmp_path / "docs.jsonl", records(3))
    api.ingest(path, settings=settings, pipeline=FakePipeline(), progress=True)
    assert capsys.readouterr().err == ""


def test_unsupported_language_fails_before_anything_is_stored(settings: Settings, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "docs.jsonl", records(1))
    with pytest.raises(UnsupportedLanguageError):
        api.ingest(path, settings=settings, language="de", pipeline=FakePipeline())
    assert not settings.db_path.exists()


def test_published_fallback_applies_to_undated_inputs(settings: Settings, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [{"id": "mopti-undated", "text": "Attaque près de Mopti."}])
    api.ingest(path, settings=settings, published=dt.date(2023, 5, 8), pipeline=FakePipeline())
    (event,) = api.list_events(settings)
    assert event.date.date == dt.date(2023, 5, 8)


def test_real_pipeline_on_the_samples_stores_every_document(settings: Settings) -> None:
    report = api.ingest([SAMPLES / "articles.jsonl", SAMPLES / "pages"], settings=settings)
    assert report.ok and report.documents_read == report.documents_added == 8
    again = api.ingest([SAMPLES / "articles.jsonl", SAMPLES / "pages"], settings=settings)
    assert (again.documents_added, again.documents_skipped, again.events_added) == (0, 8, 0)


# ---------------------------------------------------------------- reading the ledger


@pytest.fixture
def ledger(settings: Settings, tmp_path: Path) -> Settings:
    mopti = records(3)
    niamey: list[dict[str, object]] = [
        {
            "id": "niamey-1",
            "text": "Manifestation à Niamey samedi.",
            "published": "2023-11-18",
            "url": "https://example-news.test/n1",
        }
    ]
    undated: list[dict[str, object]] = [{"id": "other-1", "text": "Rien à signaler."}]
    api.ingest(
        write_jsonl(tmp_path / "l.jsonl", [*mopti, *niamey, *undated]),
        settings=settings,
        pipeline=FakePipeline(),
    )
    return settings


def test_list_events_filters(ledger: Settings) -> None:
    assert [e.id for e in api.list_events(ledger)] == [
        "EV-mopti-0",
        "EV-mopti-1",
        "EV-mopti-2",
        "EV-niamey-1",
    ]
    assert len(api.list_events(ledger, country="NE")) == 1
    assert len(api.list_events(ledger, country="Mali")) == 3
    assert len(api.list_events(ledger, event_type="Battles", date_from=dt.date(2023, 5, 2))) == 2
    assert len(api.list_events(ledger, sub_event_type="Peaceful protest")) == 1
    assert len(api.list_events(ledger, date_to=dt.date(2023, 5, 1))) == 1
    assert [e.id for e in api.list_events(ledger, limit=2, offset=1)] == ["EV-mopti-1", "EV-mopti-2"]
    assert api.list_events(ledger, country=None, limit=None)  # None means "no filter"
    with pytest.raises(TypeError, match="unknown event filter"):
        api.list_events(ledger, colour="red")


def test_get_event_and_documents(ledger: Settings) -> None:
    event = api.get_event(ledger, "EV-niamey-1")
    assert event is not None and event.sources[0].url == "https://example-news.test/n1"
    assert api.get_event(ledger, "nope") is None
    docs = api.get_documents(ledger, ["niamey-1", "nope"])
    assert list(docs) == ["niamey-1"]


def test_iter_events_pages_through_everything(ledger: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "_PAGE", 2)
    with api.open_ledger(ledger) as store:
        assert [e.id for e in api.iter_events(store)] == [e.id for e in api.list_events(ledger)]
        assert [e.id for e in api.iter_events(store, limit=3)] == ["EV-mopti-0", "EV-mopti-1", "EV-mopti-2"]
        assert [e.id for e in api.iter_events(store, offset=3, limit=5)] == ["EV-niamey-1"]


def test_export_formats(ledger: Settings) -> None:
    out = io.StringIO()
    assert api.export(ledger, "jsonl", out) == 4
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0]["sources"][0]["document_id"] == "mopti-0"

    out = io.StringIO(newline="")
    assert api.export(ledger, "csv", out, country="NE") == 1
    assert out.getvalue().splitlines()[0].startswith("event_id_cnty,event_date")

    out = io.StringIO()
    assert api.export(ledger, "geojson", out, event_type="Battles") == 3
    assert len(json.loads(out.getvalue())["features"]) == 3

    with pytest.raises(ValueError, match="unknown export format"):
        api.export(ledger, "xml", io.StringIO())  # type: ignore[arg-type]


def test_evaluate_scores_the_stored_events_of_the_gold_documents(ledger: Settings, tmp_path: Path) -> None:
    def reference(
        gid: str, etype: str, sub: str, day: str, lat: float, lon: float, **kw: object
    ) -> dict[str, object]:
        return {"id": gid, "summary": gid, "event_type": etype, "sub_event_type": sub, "date_min": day,
                "date_max": day, "lat": lat, "lon": lon, "radius_km": 25, **kw}  # fmt: skip

    gold = {
        "documents": [
            {"id": "mopti-1", "events": [reference("g1", "Battles", "Armed clash", "2023-05-02", 15.0, -2.9,
                                                   actor1=["JNIM"], actor2=[], fatalities=None)]},
            {"id": "other-1", "events": []},
            {"id": "niamey-1",
             "events": [reference("g2", "Protests", "Peaceful protest", "2023-11-18", 14.0, 5.0)]},
        ]
    }  # fmt: skip
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    result = api.evaluate(ledger, path)
    assert result["events"] == {"tp": 1, "fp": 1, "fn": 1, "precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert result["strict_f1"] == 0.5
    assert result["attribute_counts"]["actor1"] == "1/1"


def test_reading_a_missing_ledger_is_a_store_error(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "absent.db")
    with pytest.raises(StoreError, match="no such database"):
        api.list_events(settings)
    with pytest.raises(StoreError):
        api.export(settings, "jsonl", io.StringIO())
    assert not (tmp_path / "absent.db").exists()
