"""Issue 13: a property-based fuzz suite over the readers, the pipeline and the API.

Generated documents with random Unicode, nesting, sizes, dates and ids must never crash a run, never lose a
valid neighbour and never create a duplicate. The inputs that crashed runs before (deep JSON, dates at the
calendar's edges, fractional ids, UTF-16 without a BOM, bad bytes, control characters, ids with a slash)
are kept in ``tests/fixtures/fuzz/`` and replayed by :func:`test_the_crash_corpus_is_read_and_named`.
Few examples each, so the suite stays fast; the English route (no statistical model) does the extraction.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veilleur import api
from veilleur.ingest import read_paths
from veilleur.ingest.records import IngestProblem
from veilleur.ingest.text import clean_field, identity_text
from veilleur.model import Document
from veilleur.settings import Settings
from veilleur.store import open_store
from web_helpers import get_json, http, running_server

FIXTURES = Path(__file__).parent / "fixtures" / "fuzz"
TOKEN = "fuzz-token"
PLACES = ["Gao", "Kidal", "Menaka", "Mopti", "Segou", "Niono", "Ansongo", "Bourem"]

# JSON values nested a few levels, any Unicode inside
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
dates = st.one_of(
    st.none(),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2025, 12, 31)).map(dt.date.isoformat),
    st.text(max_size=12),
)
sentences = st.builds(
    "Gunmen killed {} civilians in an attack on {} on {}, {}".format,
    st.integers(1, 400),
    st.sampled_from(PLACES),
    st.sampled_from(["Monday", "Friday", "Sunday", "1 March", "the day before", "last week"]),
    st.text(max_size=40),
)
texts = st.one_of(sentences, st.text(min_size=1, max_size=200), st.just(" \n\t "))
ids = st.one_of(
    st.none(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(min_size=1, max_size=30),
    st.builds("https://example.org/{}/{}".format, st.text(max_size=8), st.text(max_size=8)),
)
records = st.one_of(
    st.fixed_dictionaries(
        {"text": texts},
        optional={
            "id": ids,
            "published": dates,
            "language": st.sampled_from(["en", "EN", "xx"]),
            "outlet": st.text(max_size=20),
            "title": json_values,
        },
    ),  # fmt: skip
    json_values,
)


def expected_valid(record: Any) -> bool:
    """What the documents contract accepts (the oracle, written independently of the reader)."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return False
    if not identity_text(record["text"]):
        return False
    raw_id = record.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, str | int)):
        return False
    for key in ("outlet", "title", "language", "url", "site_name"):
        if record.get(key) is not None and not isinstance(record[key], str):
            return False
    published = record.get("published")
    if published is not None:
        if not isinstance(published, str):
            return False
        text = published.strip()
        if text:
            try:
                day = dt.date.fromisoformat(text) if len(text) <= 10 else dt.datetime.fromisoformat(text).date()
            except ValueError:
                return False
            if not dt.date(1900, 1, 1) <= day <= dt.date(dt.date.today().year + 1, 12, 31):
                return False
    return True


def lines_of(batch: list[Any]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in batch)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records, min_size=1, max_size=8), st.integers(0, 3))
def test_the_reader_never_crashes_and_names_each_bad_line(batch: list[Any], nesting: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-read-"))
    try:
        data = lines_of(batch)
        if nesting:  # one very deep line in the middle: the others must survive it
            data += b'{"text": ' + b"[" * (3000 * nesting) + b"]" * (3000 * nesting) + b"}\n"
            batch = [*batch, {"deep": True}]
        (folder / "in.jsonl").write_bytes(data)
        items = list(read_paths(folder / "in.jsonl"))
        docs = [i for i in items if isinstance(i, Document)]
        problems = [i for i in items if isinstance(i, IngestProblem) and not i.is_warning]
        assert len(docs) + len(problems) == len(batch)
        valid_lines = {n for n, r in enumerate(batch, start=1) if expected_valid(r)}
        assert {int(d.origin.rsplit(":", 1)[1]) for d in docs if d.origin} == valid_lines
        assert all(p.code.startswith("V1") and p.where.startswith(str(folder)) for p in problems)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@st.composite
def raw_files(draw: Any) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from([".txt", ".json", ".jsonl", ".html", ".xml", ""]))
    text = draw(st.text(max_size=300))
    codec = draw(st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "utf-16", "cp1252", "latin-1"]))
    data = text.encode(codec, errors="replace")
    if draw(st.booleans()):
        position = draw(st.integers(0, len(data)))
        data = data[:position] + draw(st.binary(max_size=8)) + data[position:]
    return suffix, data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(raw_files(), min_size=1, max_size=5))
def test_any_bytes_in_any_file_are_documents_or_named_problems(files: list[tuple[str, bytes]]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-bytes-"))
    try:
        for n, (suffix, data) in enumerate(files):
            (folder / f"f{n}{suffix}").write_bytes(data)
        items = list(read_paths(folder))  # never raises
        named = {Path(i.origin or "").name.split(":")[0].split("#")[0] for i in items if isinstance(i, Document)}
        named |= {Path(i.where).name.split(":")[0].split("#")[0] for i in items if isinstance(i, IngestProblem)}
        assert named == {f"f{n}{suffix}" for n, (suffix, _) in enumerate(files)}  # every file accounted for
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def pipeline() -> Any:
    from veilleur.pipeline import Pipeline

    warm = Pipeline(Settings())
    warm.warm_up(["en"])
    return warm


def english(record: Any) -> Any:
    """Keep the fuzz on the English route (fast): a record of the contract gets ``language: en``."""
    if isinstance(record, dict) and "language" not in record:
        return {**record, "language": "en"}
    return record


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(records.map(english), min_size=1, max_size=10), st.integers(1, 4))
def test_the_pipeline_never_crashes_loses_or_doubles(pipeline: Any, batch: list[Any], batch_size: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-run-"))
    try:
        (folder / "in.jsonl").write_bytes(lines_of(batch))
        settings_ = Settings(db_path=folder / "l.db", batch_size=batch_size)
        first = api.ingest(folder / "in.jsonl", settings=settings_, pipeline=pipeline, on_problem=lambda _: None)
        valid = [r for r in batch if expected_valid(r)]
        assert first.documents_read == len(valid)
        assert len(first.problems) == len(batch) - len(valid)
        assert first.documents_added + first.documents_skipped == len(valid)
        with open_store(folder / "l.db") as store:
            counts = store.count()
            events = store.events()
        assert counts["documents"] == first.documents_added
        assert counts["events"] == first.events_added
        # no event cites a document twice, no two events are the same event of the same document
        for event in events:
            cited = [s.document_id for s in event.sources]
            assert len(cited) == len(set(cited))
        # again: nothing changes (no duplicate document, event or source)
        again = api.ingest(folder / "in.jsonl", settings=settings_, pipeline=pipeline, on_problem=lambda _: None)
        assert again.documents_added == again.events_added == again.sources_added == 0
        with open_store(folder / "l.db") as store:
            assert store.count() == counts
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_crash_corpus_is_read_and_named(tmp_path: Path, pipeline: Any) -> None:
    problems: list[str] = []
    settings_ = Settings(db_path=tmp_path / "l.db")
    report = api.ingest(FIXTURES, settings=settings_, pipeline=pipeline, on_problem=problems.append)
    named = "\n".join(problems)
    assert "deep.json: malformed JSON (nested too deeply to read) [V104]" in named
    assert "deep_line.jsonl:1: malformed JSON (nested too deeply to read) [V104]" in named
    assert "records.jsonl:1: 'published' 9999-12-31 is out of range" in named
    assert "records.jsonl:2: 'published' 0001-01-01 is out of range" in named
    assert "records.jsonl:4: 'id' must be a string or a whole number, got the fraction 12.5" in named
    assert "warning: " in named and "bad_byte.txt: not valid UTF-8 at offset" in named
    assert "\x1b" not in named
    assert len(report.problems) == 5 and len(report.warnings) == 1
    with open_store(tmp_path / "l.db") as store:
        stored = {d for d in ("after-deep", "date-ok", "ctl-\x1b[31m", "https://example.org/a/b?c=1#d", "utf16-1")
                  if store.get_document(d) is not None}  # fmt: skip
        assert store.count()["documents"] == report.documents_added == 6
    assert stored == {"after-deep", "date-ok", "ctl-\x1b[31m", "https://example.org/a/b?c=1#d", "utf16-1"}


@pytest.fixture(scope="module")
def post_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("fuzz-api") / "l.db"
    open_store(db).close()
    with running_server(db, VEILLEUR_API_TOKEN=TOKEN) as base:
        yield base


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(records.map(english), min_size=1, max_size=6))
def test_the_api_answers_every_post_per_document_and_every_id_is_reachable(post_server: str, batch: list[Any]) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    # each text made unique: the same text from the same outlet is a document already stored (skipped,
    # under the first one's id), and the server lives across examples
    nonce = uuid.uuid4().hex
    batch = [
        {**r, "text": f"{r['text']} ({nonce}-{n})"}
        if isinstance(r, dict) and isinstance(r.get("text"), str) and identity_text(r["text"])
        else r
        for n, r in enumerate(batch)
    ]
    status, _, body = http(f"{post_server}/api/documents", method="POST", body=batch, headers=headers)
    assert status in (200, 207, 422), (status, body[:300])
    out = json.loads(body)
    assert len(out["results"]) == len(batch)
    for record, result in zip(batch, out["results"], strict=True):
        assert result["status"] == (200 if expected_valid(record) else 422), (record, result)
        assert result["outcome"] in (("added", "already stored") if result["status"] == 200 else ("not read",))
        stored_id = clean_field(result["id"]) if result["id"] is not None else None
        if result["status"] == 200 and stored_id:  # the id as stored (NFC, whitespace collapsed)
            got = get_json(f"{post_server}/api/documents/{quote(stored_id, safe='')}")
            assert got["id"] == stored_id
    expected = 200 if all(expected_valid(r) for r in batch) else 422 if not any(map(expected_valid, batch)) else 207
    assert status == expected
