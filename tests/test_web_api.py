"""The REST API over HTTP: a real ``veilleur serve`` (uvicorn) on a free loopback port, on a small ledger
of known events that includes a hostile article."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from web_helpers import (
    XSS_DOC_ID,
    XSS_EVENT_ID,
    XSS_SENTENCE,
    build_small_ledger,
    clean_env,
    cli_command,
    get_json,
    http,
    running_server,
)

TOKEN = "s3cret-token-for-tests"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("api") / "ledger.db"
    build_small_ledger(path)
    return path


@pytest.fixture(scope="module")
def server(ledger: Path) -> Iterator[str]:
    with running_server(ledger) as base:
        yield base


def events(server: str, **params: object) -> dict:
    pairs = []
    for key, value in params.items():
        for v in value if isinstance(value, list) else [value]:
            pairs.append((key, v))
    return get_json(f"{server}/api/events?{urlencode(pairs)}")


def test_the_page_and_the_spec_answer(server: str) -> None:
    status, headers, body = http(server + "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b'src="/static/vendor/leaflet/leaflet.js"' in body
    spec = get_json(server + "/openapi.json")
    assert {"/api/events", "/api/events/{event_id}", "/api/documents", "/api/stats", "/api/export"} <= set(
        spec["paths"]
    )
    for asset in ("vendor/leaflet/leaflet.js", "vendor/leaflet.markercluster/leaflet.markercluster.js",
                  "js/main.js", "app.css", "world.geojson"):  # fmt: skip
        assert http(f"{server}/static/{asset}")[0] == 200, asset


def test_every_response_carries_a_strict_content_security_policy(server: str) -> None:
    for path in ("/", "/api/events", "/api/events/nope", "/static/js/main.js"):
        _, headers, _ = http(server + path)
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"


def test_a_foreign_host_name_is_refused(server: str) -> None:
    # DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not read the ledger
    status, _, _ = http(server + "/api/events", headers={"Host": "evil.example"})
    assert status == 400


def test_events_page_and_count(server: str) -> None:
    page = events(server, limit=3)
    assert page["count"] == 9 and len(page["data"]) == 3
    assert [e["event_id"] for e in page["data"]] == ["ev-samarra", "ev-asad", "ev-djibo"]  # newest first
    oldest = events(server, limit=2, offset=1, sort="date")
    assert [e["event_id"] for e in oldest["data"]] == ["ev-boni", "ev-hostile"]
    record = page["data"][0]
    assert record["sources"][0]["claim"] == "claimed" and record["admin1"] == "Salah al-Din"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": ["Protests", "Strategic developments"]}, {"ev-ouaga", "ev-feb"}),
        ({"sub_type": "Attack"}, {"ev-samarra"}),
        ({"country": "BF"}, {"ev-ouaga", "ev-djibo"}),
        ({"admin1": "Gao"}, {"ev-tessit", "ev-hostile"}),
        ({"actor": "JNIM"}, {"ev-boni", "ev-feb"}),
        ({"outlet": "Gulf Wire"}, {"ev-asad", "ev-samarra"}),
        ({"claim": ["claimed", "hedged"]}, {"ev-samarra", "ev-vague"}),
        ({"from": "2024-03-20", "to": "2024-03-21"}, {"ev-ouaga", "ev-djibo"}),
        ({"bbox": "-3,12,0,16"}, {"ev-boni", "ev-ouaga", "ev-djibo", "ev-feb"}),
        ({"q": "drone"}, {"ev-boni", "ev-tessit", "ev-asad", "ev-samarra"}),
        ({"q": '"hommes armés"', "country": "ML"}, {"ev-hostile"}),
        ({"document_id": "doc-mali"}, {"ev-boni", "ev-tessit"}),
        ({"type": ""}, None),  # an empty select means no filter
    ],
)
def test_event_filters(server: str, params: dict, expected: set[str] | None) -> None:
    page = events(server, **params)
    if expected is None:
        assert page["count"] == 9
        return
    assert {e["event_id"] for e in page["data"]} == expected and page["count"] == len(expected)


@pytest.mark.parametrize(
    "query",
    ["bbox=1,2,3", "bbox=0,0,nan,1", "bbox=10,0,0,1", "from=2024-03-02&to=2024-03-01", "limit=0",
     "limit=100000", "offset=-1", "claim=rumoured", "from=yesterday", "sort=random"],
)  # fmt: skip
def test_bad_parameters_are_client_errors(server: str, query: str) -> None:
    status, _, body = http(f"{server}/api/events?{query}")
    assert 400 <= status < 500, body


def test_event_detail_has_sources_evidence_and_history(server: str) -> None:
    detail = get_json(f"{server}/api/events/ev-djibo")
    assert detail["assoc_actor_1"] == "Dozo militia" and detail["fatalities"] == 2
    source = detail["sources"][0]
    assert source["title"] == "Title doc-burkina" and source["outlet"] == "Radio Nord"
    assert source["evidence"][0]["text"] == "Des VDP ont affronté des hommes armés à Djibo"
    assert detail["history"] == []  # nothing changed since it was stored
    status, _, body = http(f"{server}/api/events/{quote('no such event')}")
    assert status == 404 and b"no event" in body


def test_document_segments_cover_the_text_and_mark_the_evidence(server: str) -> None:
    doc = get_json(f"{server}/api/documents/doc-mali")
    assert "".join(s["text"] for s in doc["segments"]) == doc["text"]
    marked = [s["text"] for s in doc["segments"] if s["evidence"]]
    assert marked == ["des jihadistes du JNIM ont attaqué un camp militaire près de Boni",
                      "une frappe de drone a visé Tessit"]  # fmt: skip
    refs = {e["event_id"]: e["claim"] for e in doc["evidence"]}
    assert refs == {"ev-boni": "reported", "ev-tessit": "reported"}
    assert http(f"{server}/api/documents/nope")[0] == 404


def test_hostile_markup_travels_as_json_text(server: str) -> None:
    status, headers, body = http(f"{server}/api/documents/{XSS_DOC_ID}")
    assert status == 200 and headers["content-type"] == "application/json"
    doc = json.loads(body)
    assert XSS_SENTENCE in doc["text"]
    assert [s["text"] for s in doc["segments"] if s["evidence"]] == [XSS_SENTENCE]
    detail = get_json(f"{server}/api/events/{XSS_EVENT_ID}")
    assert detail["actor1"].startswith("<img")  # stored as written: escaping is the renderer's job


def test_document_search(server: str) -> None:
    found = get_json(f"{server}/api/documents?q=drone")
    assert found["count"] == 2
    assert any(p["match"] and p["text"].lower() == "drone" for p in found["data"][0]["snippet"])
    assert get_json(f"{server}/api/documents?limit=2")["count"] == 5


def test_stats_and_facets(server: str) -> None:
    by_day = get_json(f"{server}/api/stats?by=day&split=event_type")
    assert by_day["by"] == "day" and by_day["data"][0]["key"] == "2024-02-01"
    weeks = get_json(f"{server}/api/stats?by=week&country=ML")
    assert [(r["key"], r["events"]) for r in weeks["data"]] == [("2024-W05", 1), ("2024-W12", 3)]
    admin1 = get_json(f"{server}/api/stats?by=admin1&limit=1")
    assert [(r["key"], r["events"]) for r in admin1["data"]] == [("Gao", 2)]
    actors = get_json(f"{server}/api/stats?by=actor&type=Battles")
    assert actors["data"][0]["key"] == "JNIM" or actors["data"][0]["events"] == 1
    facets = get_json(f"{server}/api/facets")
    assert facets["events"] == 9 and facets["date_min"] == "2024-02-01" and facets["date_max"] == "2024-03-24"
    assert {f["key"] for f in facets["claim"]} == {"reported", "claimed", "hedged"}
    assert http(f"{server}/api/stats?by=nonsense")[0] == 422


def test_points_are_compact_rows(server: str) -> None:
    points = get_json(f"{server}/api/points")
    assert points["count"] == 8 and not points["truncated"]  # the event without a point is left out
    assert points["data"][0][:4] == ["ev-samarra", 34.2, 43.87, "Battles"]
    assert get_json(f"{server}/api/points?limit=2")["truncated"] is True


def test_exports(server: str) -> None:
    status, headers, body = http(f"{server}/api/export?format=csv&country=ML")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert "attachment" in headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert {r["event_id_cnty"] for r in rows} == {"ev-boni", "ev-tessit", "ev-feb", "ev-hostile"}
    assert rows[0]["disorder_type"] and "latitude" in rows[0]
    geo = json.loads(http(f"{server}/api/export?format=geojson")[2])
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 8
    lines = http(f"{server}/api/export?format=jsonl")[2].decode().splitlines()
    assert len(lines) == 9 and json.loads(lines[-1])["event_id"] == "ev-vague"


def test_exports_stream_page_after_page(tmp_path: Path) -> None:
    from veilleur.store import open_store
    from veilleur.store.base import EventQuery
    from veilleur.web.exporting import export_chunks

    path = tmp_path / "ledger.db"
    build_small_ledger(path)
    with open_store(path) as store:
        text = "".join(export_chunks(store, EventQuery(), "csv", page=2))
        whole = "".join(export_chunks(store, EventQuery(), "csv", page=1000))
        geo = json.loads("".join(export_chunks(store, EventQuery(), "geojson", page=3)))
    assert text == whole and text.count("event_id_cnty") == 1
    assert len(geo["features"]) == 8


def test_ingesting_needs_a_token(server: str) -> None:
    status, _, body = http(f"{server}/api/documents", method="POST", body=[{"text": "Un texte."}])
    assert status == 401 and b"VEILLEUR_API_TOKEN" in body  # read-only: no token configured


def test_ingesting_with_the_token(ledger: Path, tmp_path: Path) -> None:
    copy = tmp_path / "ledger.db"
    copy.write_bytes(ledger.read_bytes())
    article = {
        "id": "posted-1",
        "published": "2024-03-26",
        "language": "fr",
        "outlet": "Posted Daily",
        "text": "Mardi, des hommes armés ont attaqué le village de Dioura, dans la région de Ségou, "
        "tuant quatre civils, selon des sources locales.",
    }
    with running_server(copy, VEILLEUR_API_TOKEN=TOKEN) as base:
        url = f"{base}/api/documents"
        assert get_json(f"{base}/api/config")["ingest"] is True
        assert http(url, method="POST", body=[article])[0] == 401
        wrong = {"Authorization": "Bearer not-the-token"}
        assert http(url, method="POST", body=[article], headers=wrong)[0] == 401
        good = {"Authorization": f"Bearer {TOKEN}"}
        assert http(url, method="POST", body=[{"title": "no text"}], headers=good)[0] == 422
        status, _, body = http(url, method="POST", body=[article], headers=good)
        assert status == 200, body
        report = json.loads(body)
        assert report["documents_added"] == 1 and report["problems"] == []
        assert get_json(f"{base}/api/documents/posted-1")["outlet"] == "Posted Daily"
        assert get_json(f"{base}/api/events?document_id=posted-1")["count"] == report["events_added"]
        again = json.loads(http(url, method="POST", body=[article], headers=good)[2])
        assert again["documents_skipped"] == 1 and again["documents_added"] == 0


def test_serve_refuses_a_missing_ledger(tmp_path: Path) -> None:
    import subprocess

    result = subprocess.run(
        [*cli_command(), "--db", str(tmp_path / "absent.db"), "serve", "--port", "0"],
        capture_output=True, text=True, env=clean_env(), timeout=60,
    )  # fmt: skip
    assert result.returncode == 1 and "no such database" in result.stderr
    assert not (tmp_path / "absent.db").exists()


def test_a_bad_tile_url_is_refused_at_start(ledger: Path) -> None:
    import subprocess

    result = subprocess.run(
        [*cli_command(), "--db", str(ledger), "serve", "--port", "0"],
        capture_output=True, text=True, env=clean_env(VEILLEUR_TILE_URL="javascript:alert(1)"), timeout=60,
    )  # fmt: skip
    assert result.returncode != 0 and "tile URL" in result.stderr


def test_serve_on_the_seeds(tmp_path: Path) -> None:
    """``veilleur serve`` on the seed articles: /api/events counts at least 8 events, / and
    /openapi.json answer 200."""
    from web_helpers import seeds_input, seeds_ledger

    _, note = seeds_input()
    if note != "seeds":
        pytest.skip(note)
    db = seeds_ledger(tmp_path)
    with running_server(db) as base:
        page = get_json(f"{base}/api/events")
        seeds_events = [e for e in page["data"] if e["event_id"] != XSS_EVENT_ID]
        assert page["count"] >= 9 and len(seeds_events) >= 8
        assert http(base + "/")[0] == 200
        assert http(base + "/openapi.json")[0] == 200
