"""The real ``veilleur`` command in a subprocess, against real SQLite files in tmp_path."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from veilleur.ingest import text_id
from veilleur.model import Actor, Claim, DateValue, Document, Event, Place, Source, Span
from veilleur.store import open_store

RunCli = Callable[..., subprocess.CompletedProcess[str]]
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SAMPLE_INPUTS = (SAMPLES / "articles.jsonl", SAMPLES / "pages")
SUMMARY = re.compile(
    r"^events: tp=\d+ fp=\d+ fn=\d+ P=[\d.]+ R=[\d.]+ F1=[\d.]+ strict_F1=[\d.]+$", re.MULTILINE
)
N_SAMPLE_DOCUMENTS = 8  # 7 records in samples/articles.jsonl + 1 HTML page


def counts(db: Path) -> dict[str, int]:
    with open_store(db) as store:
        return store.count()


def assert_one_line_errors(stderr: str) -> None:
    assert "Traceback" not in stderr
    for line in stderr.splitlines():
        assert line.strip(), "no blank lines in error output"


def seed_event(db: Path) -> Event:
    """Store one fully specified event (independent of the extraction pipeline) and return it."""
    text = (
        "Au moins 12 soldats maliens ont été tués dimanche 7 mai dans l'attaque d'un poste des FAMa près "
        "de Douentza. L'attaque a été revendiquée par le JNIM."
    )
    doc = Document(
        id="cli-doc-1",
        text=text,
        published=dt.date(2023, 5, 8),
        url="https://example-news.test/fr/cli-doc-1",
        outlet="example-news.test",
        language="fr",
        content_hash="cli-doc-1-hash",
    )
    first = text.split(". ")[0] + "."
    event = Event(
        id="EV-CLI-0001",
        event_type="Battles",
        sub_event_type="Armed clash",
        date=DateValue(date=dt.date(2023, 5, 7), precision=1, expression="dimanche 7 mai"),
        actor1=Actor("JNIM: Group for Support of Islam and Muslims", surface="JNIM", kind="rebel"),
        actor2=Actor("Military Forces of Mali (2021-)", surface="FAMa", kind="state"),
        place=Place(
            "Douentza",
            15.00605,
            -2.9517,
            country="ML",
            country_name="Mali",
            admin1="Mopti",
            admin2="Douentza",
            geo_precision=2,
            source="geonames:2458334",
        ),
        fatalities=12,
        notes="Attack on a FAMa post near Douentza; at least 12 soldiers killed.",
        sources=[
            Source(
                document_id=doc.id,
                url=doc.url,
                published=doc.published,
                outlet=doc.outlet,
                claim=Claim.CLAIMED,
                reporting_source="JNIM",
                fatalities=12,
                evidence=[Span(0, len(first), first)],
            )
        ],
    )
    with open_store(db) as store:
        store.save([(doc, [event])])
    return event


# ---------------------------------------------------------------- ingest


def test_ingest_samples_twice_adds_nothing_the_second_time(run_cli: RunCli, tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    first = run_cli("--db", db, "ingest", *SAMPLE_INPUTS, "--no-progress")
    assert first.returncode == 0, first.stderr
    assert_one_line_errors(first.stderr)
    after_first = counts(db)
    assert after_first["documents"] == N_SAMPLE_DOCUMENTS
    assert f"{N_SAMPLE_DOCUMENTS} documents read: {N_SAMPLE_DOCUMENTS} added" in first.stderr

    second = run_cli("--db", db, "ingest", *SAMPLE_INPUTS, "--no-progress")
    assert second.returncode == 0, second.stderr
    assert f"0 added, {N_SAMPLE_DOCUMENTS} already stored; 0 new events" in second.stderr
    assert counts(db) == after_first


def test_default_db_is_veilleur_db_or_env(run_cli: RunCli, tmp_path: Path) -> None:
    jsonl = tmp_path / "one.jsonl"
    jsonl.write_text(
        json.dumps({"id": "d1", "text": "Des manifestants ont défilé à Niamey."}) + "\n", "utf-8"
    )
    assert run_cli("ingest", jsonl, "--no-progress").returncode == 0
    assert counts(tmp_path / "veilleur.db")["documents"] == 1
    assert run_cli("ingest", jsonl, "--no-progress", VEILLEUR_DB=str(tmp_path / "env.db")).returncode == 0
    assert counts(tmp_path / "env.db")["documents"] == 1


def test_bad_inputs_are_named_one_line_each_and_the_rest_is_stored(run_cli: RunCli, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "scan.txt").write_bytes(b"\x00\x01PK\x03\x04binary\x00\xff" * 20)
    (folder / "empty.txt").write_bytes(b"")
    good = {
        "id": "good-1",
        "text": "Des hommes armés ont attaqué un poste de police près de Mopti.",
        "language": "fr",
    }
    other = {
        "id": "good-2",
        "text": "Une manifestation a eu lieu samedi à Niamey.",
        "published": "2023-11-19",
    }
    (folder / "feed.jsonl").write_text(
        json.dumps(good, ensure_ascii=False) + "\n{not json\n" + json.dumps(other, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    (folder / "note.txt").write_text("Un convoi a été visé par une bombe artisanale près de Ramadi.", "utf-8")
    db = tmp_path / "ledger.db"

    result = run_cli("--db", db, "ingest", folder, "--no-progress")

    assert result.returncode == 1
    assert_one_line_errors(result.stderr)
    problems = [line for line in result.stderr.splitlines() if re.search(r"\[V1\d\d\]$", line)]
    assert len(problems) == 3, result.stderr
    for bad in ("scan.txt", "empty.txt", "feed.jsonl:2"):
        assert sum(bad in line for line in problems) == 1, (bad, result.stderr)
    assert not any("note.txt" in line for line in problems)
    assert counts(db)["documents"] == 3
    assert "3 inputs could not be read" in result.stderr


def test_ingest_stdin_with_published_and_language(run_cli: RunCli, tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    text = "Des affrontements ont opposé des soldats à des hommes armés près de Douentza."
    result = run_cli(
        "--db",
        db,
        "ingest",
        "-",
        "--published",
        "2023-05-08",
        "--language",
        "fr",
        "--no-progress",
        input=text,
    )
    assert result.returncode == 0, result.stderr
    with open_store(db) as store:
        doc = store.get_document(text_id(text))
    assert doc is not None
    assert doc.published == dt.date(2023, 5, 8)
    assert doc.language == "fr"


def test_missing_input_exits_1_with_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("--db", tmp_path / "l.db", "ingest", tmp_path / "nowhere.jsonl", "--no-progress")
    assert result.returncode == 1
    assert_one_line_errors(result.stderr)
    assert any("nowhere.jsonl" in line and "[V106]" in line for line in result.stderr.splitlines())


# ---------------------------------------------------------------- events, export, eval


def test_events_table_filters_and_show(run_cli: RunCli, tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    event = seed_event(db)

    table = run_cli("--db", db, "events")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    header = lines[0].split()
    assert header[:3] == ["id", "date", "type"]
    for column in ("location", "admin1", "country", "actor1", "actor2", "fatalities", "sources"):
        assert column in header
    row = next(line for line in lines if line.startswith(event.id))
    for cell in ("2023-05-07", "Battles / Armed clash", "Douentza", "Mopti", "Mali", "JNIM", "12"):
        assert cell in row
    # aligned: every column starts at the same offset in the header and the row
    assert lines[0].index("date") == row.index("2023-05-07")
    assert lines[0].index("location") == row.index("Douentza")

    for args, expected in [
        (("--type", "Battles"), 1), (("--type", "Protests"), 0), (("--country", "ML"), 1),
        (("--country", "NE"), 0), (("--from", "2023-05-07", "--to", "2023-05-07"), 1),
        (("--from", "2023-05-08"), 0), (("--sub-type", "Armed clash", "--limit", "1"), 1),
    ]:  # fmt: skip
        result = run_cli("--db", db, "events", *args)
        assert result.returncode == 0, result.stderr
        assert sum(line.startswith(event.id) for line in result.stdout.splitlines()) == expected, args

    shown = run_cli("--db", db, "events", "--show", event.id)
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert f"event {event.id}" in out
    assert "claimed by JNIM" in out
    assert "Au moins 12 soldats maliens ont été tués dimanche 7 mai" in out  # the evidence sentence
    assert "https://example-news.test/fr/cli-doc-1" in out
    assert "15.0061, -2.9517" in out

    missing = run_cli("--db", db, "events", "--show", "EV-NOPE")
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1 and "EV-NOPE" in missing.stderr


def test_export_formats_parse(run_cli: RunCli, tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    assert run_cli("--db", db, "ingest", *SAMPLE_INPUTS, "--no-progress").returncode == 0
    seed_event(db)
    n_events = counts(db)["events"]

    jsonl = run_cli("--db", db, "export", "--format", "jsonl")
    assert jsonl.returncode == 0, jsonl.stderr
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(records) == n_events
    seeded = next(r for r in records if r["event_id"] == "EV-CLI-0001")
    for key in ("event_date", "event_type", "sub_event_type", "actor1", "actor2", "latitude", "longitude",
                "fatalities", "sources"):  # fmt: skip
        assert key in seeded
    assert seeded["sources"][0]["document_id"] == "cli-doc-1"
    assert seeded["sources"][0]["claim"] == "claimed"

    out = tmp_path / "events.csv"
    result = run_cli("--db", db, "export", "--format", "csv", "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert len(rows) == n_events
    assert {"event_id_cnty", "event_date", "event_type", "latitude", "fatalities"} <= set(rows[0])

    geo = run_cli("--db", db, "export", "--format", "geojson", "--country", "Mali")
    assert geo.returncode == 0, geo.stderr
    collection = json.loads(geo.stdout)
    assert collection["type"] == "FeatureCollection"
    ids = [f["id"] for f in collection["features"]]
    assert "EV-CLI-0001" in ids
    assert all(f["geometry"]["type"] == "Point" for f in collection["features"])


def test_eval_prints_the_summary_line(run_cli: RunCli, tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    assert run_cli("--db", db, "ingest", *SAMPLE_INPUTS, "--no-progress").returncode == 0
    gold = SAMPLES / "gold.json"
    result = run_cli("--db", db, "eval", gold)
    assert result.returncode == 0, result.stderr
    assert SUMMARY.search(result.stdout), result.stdout
    assert "== sample-fr-03-mopti-jnim" in result.stdout

    as_json = run_cli("--db", db, "eval", gold, "--json")
    data = json.loads(as_json.stdout)
    assert {"tp", "fp", "fn", "f1"} <= set(data["events"]) and "strict_f1" in data


def test_eval_counts_a_stored_matching_event(run_cli: RunCli, tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    seed_event(db)
    reference = {
        "id": "g-1",
        "summary": "JNIM attack near Douentza",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "date_min": "2023-05-07",
        "date_max": "2023-05-07",
        "lat": 15.0,
        "lon": -2.95,
        "radius_km": 30,
        "actor1": ["JNIM"],
        "actor2": ["Military Forces of Mali"],
        "fatalities": 12,
    }
    gold = {"documents": [{"id": "cli-doc-1", "events": [reference]}]}
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    result = run_cli("--db", db, "eval", path)
    assert result.returncode == 0, result.stderr
    assert "events: tp=1 fp=0 fn=0 P=1.0 R=1.0 F1=1.0 strict_F1=1.0" in result.stdout
    assert "   match g-1" in result.stdout


# ---------------------------------------------------------------- errors and usage


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("ingest",),
        ("events", "--from", "2023-13-01"),
        ("events", "--limit", "0"),
        ("events", "--from", "2023-02-01", "--to", "2023-01-01"),
        ("export",),
        ("export", "--format", "xml"),
        ("ingest", "x.jsonl", "--language", "de"),
        ("ingest", "x.jsonl", "--published", "yesterday"),
        ("frobnicate",),
    ],
)
def test_usage_errors_exit_2_with_one_line(run_cli: RunCli, tmp_path: Path, args: tuple[str, ...]) -> None:
    seed_event(tmp_path / "ledger.db")
    result = run_cli("--db", tmp_path / "ledger.db", *args)
    assert result.returncode == 2, (args, result.stderr)
    assert result.stderr.count("\n") == 1, result.stderr
    assert "error" in result.stderr and "Traceback" not in result.stderr


def test_version() -> None:
    from veilleur import __version__
    from veilleur.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__


def test_version_subprocess(run_cli: RunCli) -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"veilleur \d+\.\d+\.\d+\S*\n", result.stdout)


@pytest.mark.parametrize("command", [("events",), ("export", "--format", "jsonl"), ("eval", "gold.json")])
def test_reading_a_missing_db_fails_without_creating_it(
    run_cli: RunCli, tmp_path: Path, command: tuple[str, ...]
) -> None:
    (tmp_path / "gold.json").write_text('{"documents": []}', encoding="utf-8")
    result = run_cli("--db", tmp_path / "typo.db", *command)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "typo.db" in result.stderr
    assert not (tmp_path / "typo.db").exists()


def test_store_errors_are_one_line_and_debug_shows_the_traceback(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "not-a-db.db"
    bad.write_bytes(b"this is not a SQLite database, only text " * 100)
    result = run_cli("--db", bad, "events")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "not-a-db.db" in result.stderr
    assert "Traceback" not in result.stderr
    debug = run_cli("--db", bad, "events", VEILLEUR_DEBUG="1")
    assert debug.returncode != 0
    assert "Traceback" in debug.stderr


def test_eval_with_a_broken_gold_file_names_it(run_cli: RunCli, tmp_path: Path) -> None:
    seed_event(tmp_path / "ledger.db")
    gold = tmp_path / "gold.json"
    gold.write_text("{oops", encoding="utf-8")
    result = run_cli("--db", tmp_path / "ledger.db", "eval", gold)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "gold.json" in result.stderr
    missing = run_cli("--db", tmp_path / "ledger.db", "eval", tmp_path / "absent.json")
    assert missing.returncode == 1 and "absent.json" in missing.stderr
