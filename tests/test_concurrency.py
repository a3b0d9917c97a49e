"""Issue 13: two or three ingests writing one ledger at once give exactly the serial result, with exact
counts; an export taken during an ingest is one snapshot (no duplicate, no missing row).

Real processes (forked from a warmed pipeline, so a trial costs milliseconds, not a model load), real
SQLite files in WAL mode. English one-sentence reports: the English route has no statistical model.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest

from veilleur import api
from veilleur.settings import Settings
from veilleur.store import open_store
from veilleur.store.base import EventQuery

PLACES = ["Gao", "Kidal", "Menaka", "Timbuktu", "Mopti", "Segou", "Sikasso", "Kayes", "Bamako", "Niono"]
TEMPLATES = {
    "Alpha": "Gunmen killed {k} civilians in an attack on {p} on Monday, residents said.",
    "Beta": "Armed men attacked {p} on Monday, killing {k} civilians, a local official said.",
    "Gamma": "Gunmen attacked {p} on Monday and killed {k} civilians, witnesses said.",
}
FORK = multiprocessing.get_context("fork")
_PIPELINE: Any = None  # warmed once in this process; forked writers inherit it


@pytest.fixture(scope="module")
def pipeline() -> Any:
    global _PIPELINE
    from veilleur.pipeline import Pipeline

    if _PIPELINE is None:
        _PIPELINE = Pipeline(Settings())
        _PIPELINE.warm_up(["en"])
    return _PIPELINE


def reports(outlet: str, incidents: int, start: dt.date = dt.date(2023, 1, 2)) -> list[dict[str, Any]]:
    """One report per incident: incident i is at PLACES[i % 10], two weeks after incident i - 1."""
    out = []
    for i in range(incidents):
        day = start + dt.timedelta(days=14 * i)
        out.append(
            {
                "id": f"{outlet}-{i}",
                "outlet": outlet,
                "language": "en",
                "published": day.isoformat(),
                "text": TEMPLATES[outlet].format(p=PLACES[i % len(PLACES)], k=3 + i),
            }
        )
    return out


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _writer(db: str, paths: list[str], batch_size: int, barrier: Any, results: Any) -> None:
    try:
        settings = Settings(db_path=Path(db), batch_size=batch_size)
        barrier.wait(timeout=60)
        report = api.ingest(paths, settings=settings, pipeline=_PIPELINE, on_problem=lambda line: None)
        results.put((report.events_added, report.events_joined, report.documents_added, report.problems))
    except BaseException as exc:  # a child's failure must reach the test
        results.put(("error", repr(exc)))


def partition(db: Path) -> list[tuple[str, ...]]:
    """The ledger as a set of incidents, each the sorted document ids of its sources (event ids depend on
    which report came first, so they differ between runs; the grouping must not)."""
    with open_store(db) as store:
        return sorted(tuple(sorted(s.document_id for s in e.sources)) for e in store.events())


def run_writers(db: Path, jobs: list[list[Path]], batch_size: int = 2) -> list[tuple[int, int, int, list[str]]]:
    barrier = FORK.Barrier(len(jobs))
    results = FORK.Queue()
    procs = [
        FORK.Process(target=_writer, args=(str(db), [str(p) for p in job], batch_size, barrier, results))
        for job in jobs
    ]
    for proc in procs:
        proc.start()
    out = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    assert all(o[0] != "error" for o in out), out
    return out


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("outlets")
    return {name: write(folder / f"{name}.jsonl", reports(name, 16)) for name in TEMPLATES}


@pytest.mark.slow
@pytest.mark.parametrize(
    "jobs",
    [
        pytest.param([["Alpha", "Beta"], ["Beta", "Alpha"]], id="two-writers"),
        pytest.param([["Alpha"], ["Beta", "Gamma"], ["Gamma", "Alpha"]], id="three-writers"),
    ],
)
def test_concurrent_ingests_give_the_serial_result_20_times_in_20(
    tmp_path: Path, pipeline: Any, inputs: dict[str, Path], jobs: list[list[str]]
) -> None:
    serial_db = tmp_path / "serial.db"
    serial_settings = Settings(db_path=serial_db, batch_size=2)
    for job in jobs:
        api.ingest([inputs[n] for n in job], settings=serial_settings, pipeline=pipeline)
    expected = partition(serial_db)
    outlets = {n for job in jobs for n in job}
    assert len(expected) == 16 and all(len(group) == len(outlets) for group in expected)
    for trial in range(20):
        db = tmp_path / f"trial-{trial}.db"
        open_store(db).close()  # created (and migrated) before the writers race
        counts = run_writers(db, [[inputs[n] for n in job] for job in jobs])
        got = partition(db)
        assert got == expected, f"trial {trial}: {len(got)} events instead of {len(expected)}"
        # the counts are exact: every event created once, every other report joined once
        assert sum(c[0] for c in counts) == len(expected), (trial, counts)
        assert sum(c[1] for c in counts) == sum(len(g) - 1 for g in expected), (trial, counts)
        assert sum(c[2] for c in counts) == 16 * len(outlets), (trial, counts)
        assert not any(c[3] for c in counts)


def _slow_ingest(db: str, path: str) -> None:
    settings = Settings(db_path=Path(db), batch_size=1)  # one transaction per document: many commits
    api.ingest(path, settings=settings, pipeline=_PIPELINE, on_problem=lambda line: None)


def test_exports_taken_during_an_ingest_have_no_duplicate_and_no_missing_row(
    tmp_path: Path, pipeline: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from veilleur.web.exporting import private_export_chunks

    db = tmp_path / "ledger.db"
    settings = Settings(db_path=db)
    base = write(tmp_path / "base.jsonl", reports("Alpha", 40, start=dt.date(2023, 1, 2)))
    api.ingest(base, settings=settings, pipeline=pipeline)
    # the new reports are older: each new event sorts before the rows an export has already paged through
    later = write(tmp_path / "later.jsonl", reports("Beta", 120, start=dt.date(2018, 1, 1)))
    monkeypatch.setattr(api, "_PAGE", 7)  # many pages, many chances for a page to shift
    start_count = 40
    proc = FORK.Process(target=_slow_ingest, args=(str(db), str(later)))
    proc.start()
    exports: list[list[str]] = []
    deadline = time.monotonic() + 120
    try:
        while proc.is_alive() and time.monotonic() < deadline:
            buf = io.StringIO()
            api.export(settings, "jsonl", buf)
            exports.append([json.loads(line)["event_id"] for line in buf.getvalue().splitlines()])
            text = "".join(private_export_chunks(str(db), EventQuery(), "jsonl", page=7))
            exports.append([json.loads(line)["event_id"] for line in text.splitlines()])
    finally:
        proc.join(timeout=120)
    assert proc.exitcode == 0
    with open_store(db) as store:
        final = {e.id for e in store.events()}
    assert len(final) == start_count + 120
    during = [ids for ids in exports if start_count < len(ids) < len(final)]
    assert len(during) >= 3, f"only {len(during)} of {len(exports)} exports ran during the ingest"
    previous: set[str] = set()
    for ids in exports:
        assert len(ids) == len(set(ids)), "an export repeated a row"
        assert set(ids) <= final
        # the exports ran one after the other and the ingest only adds: each holds every row of the one
        # before (none missing)
        assert previous <= set(ids)
        previous = set(ids)


def test_the_api_reads_through_a_pool_of_read_only_connections(tmp_path: Path) -> None:
    """Concurrent requests each borrow a read-only connection (they do not queue on one shared connection),
    and a reader's connection cannot write."""
    import socket
    import sqlite3
    import threading
    import urllib.request

    import uvicorn

    from veilleur.errors import StoreError
    from veilleur.store.sqlite import SQLiteStore
    from veilleur.web.app import create_app
    from web_helpers import build_small_ledger

    db = tmp_path / "ledger.db"
    build_small_ledger(db)
    with SQLiteStore(db, readonly=True) as reader:
        assert reader.count()["events"] == 9
        with pytest.raises((StoreError, sqlite3.OperationalError), match="readonly"):
            reader.label_outlet("Any", "label")
    store = open_store(db)
    app = create_app(Settings(db_path=db), store=store)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        statuses: list[int] = []

        def client() -> None:
            for _ in range(5):
                url = f"http://127.0.0.1:{port}/api/events?limit=100&q=attaque"
                with urllib.request.urlopen(url, timeout=30) as response:
                    response.read()
                    statuses.append(response.status)

        clients = [threading.Thread(target=client) for _ in range(6)]
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        assert statuses == [200] * 30
        readers = app.state.readers
        assert readers is not None and 2 <= readers.opened <= readers.size
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()
