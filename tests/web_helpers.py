"""Helpers for the web tests: a small hand-made ledger (with a hostile article), the seeds ledger, a real
``veilleur serve`` on a free loopback port, HTTP calls, and finding (or installing) Chromium."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from veilleur.model import Actor, Claim, DateValue, Document, Event, Place, Source, Span
from veilleur.store import open_store

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts" / "web"
SHARED_SEEDS = Path(os.environ.get("VEILLEUR_SHARED_EVAL") or REPO.parent / "shared" / "eval") / "seeds_docs.jsonl"
SAMPLE_ARTICLES = REPO / "samples" / "articles.jsonl"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

XSS_SENTENCE = (
    'Des hommes armés ont attaqué le poste de Tessit <script>window.__xss = "script"</script> '
    "<img src=x onerror=\"window.__xss = 'onerror'\"> et tué trois soldats."
)
XSS_TEXT = "Communiqué partisan. " + XSS_SENTENCE + " Les autorités n'ont pas confirmé."
XSS_DOC_ID = "doc-hostile"
XSS_EVENT_ID = "ev-hostile"


def cli_command() -> list[str]:
    script = Path(sys.executable).parent / "veilleur"
    return [str(script)] if script.exists() else [sys.executable, "-m", "veilleur.cli"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLEUR_")}
    env.update(extra)
    return env


# ---------------------------------------------------------------- ledgers


def _event(
    eid: str,
    doc: str,
    day: dt.date | None,
    etype: str,
    sub: str,
    *,
    place: Place | None,
    actor1: str | None = None,
    actor2: str | None = None,
    assoc: tuple[str, ...] = (),
    fatalities: int | None = None,
    claim: Claim = Claim.REPORTED,
    outlet: str | None = None,
    evidence: Span | None = None,
) -> Event:
    return Event(
        id=eid,
        event_type=etype,
        sub_event_type=sub,
        date=DateValue(date=day, precision=1 if day else None),
        actor1=Actor(actor1) if actor1 else None,
        actor2=Actor(actor2) if actor2 else None,
        assoc_actor_1=[Actor(a) for a in assoc],
        place=place,
        location_text=None if place else "somewhere unnamed",
        fatalities=fatalities,
        sources=[
            Source(
                document_id=doc,
                outlet=outlet,
                published=day,
                claim=claim,
                fatalities=fatalities,
                evidence=[evidence] if evidence else [],
            )
        ],
    )


def hostile_document() -> tuple[Document, Event]:
    """An article whose evidence sentence carries <script> and onerror= markup, and its event."""
    start = XSS_TEXT.index(XSS_SENTENCE)
    span = Span(start, start + len(XSS_SENTENCE), XSS_SENTENCE)
    doc = Document(
        id=XSS_DOC_ID,
        text=XSS_TEXT,
        published=dt.date(2024, 3, 19),
        title="<b onmouseover=\"window.__xss='title'\">Titre</b>",
        outlet="<i>Hostile outlet</i>",
        url="javascript:window.__xss='url'",
        language="fr",
    )
    place = Place("Tessit", 15.933, 0.317, country="ML", country_name="Mali", admin1="Gao", geo_precision=1)
    event = _event(
        XSS_EVENT_ID, XSS_DOC_ID, dt.date(2024, 3, 18), "Battles", "Armed clash", place=place,
        actor1='<img src=x onerror="window.__xss=1">', fatalities=3, outlet=doc.outlet, evidence=span,
    )  # fmt: skip
    return doc, event


def build_small_ledger(path: Path) -> dict[str, Any]:
    """Ten events of known shape in four documents plus the hostile article; returns what was stored."""
    texts = {
        "doc-mali": "Lundi, des jihadistes du JNIM ont attaqué un camp militaire près de Boni. "
        "Le lendemain, une frappe de drone a visé Tessit.",
        "doc-burkina": "Des manifestants ont défilé à Ouagadougou. Des VDP ont affronté des hommes armés à Djibo.",
        "doc-iraq": "A drone strike hit Ain al-Asad air base; the Islamic State claimed an attack near Samarra.",
        "doc-vague": "Selon des sources locales, des combats auraient eu lieu dans la région.",
    }
    meta = {
        "doc-mali": ("Le Sahel Quotidien", "fr", dt.date(2024, 3, 19)),
        "doc-burkina": ("Radio Nord", "fr", dt.date(2024, 3, 21)),
        "doc-iraq": ("Gulf Wire", "en", dt.date(2024, 3, 24)),
        "doc-vague": ("Le Sahel Quotidien", "fr", dt.date(2024, 2, 2)),
    }
    docs = {
        i: Document(id=i, text=t, outlet=meta[i][0], language=meta[i][1], published=meta[i][2], title=f"Title {i}")
        for i, t in texts.items()
    }

    def ev_span(doc: str, phrase: str) -> Span:
        start = texts[doc].index(phrase)
        return Span(start, start + len(phrase), phrase)

    boni = Place("Boni", 15.05, -1.95, country="ML", country_name="Mali", admin1="Mopti", admin2="Douentza")
    tessit = Place("Tessit", 15.933, 0.317, country="ML", country_name="Mali", admin1="Gao")
    ouaga = Place("Ouagadougou", 12.37, -1.53, country="BF", country_name="Burkina Faso", admin1="Centre")
    djibo = Place("Djibo", 14.1, -1.63, country="BF", country_name="Burkina Faso", admin1="Sahel")
    asad = Place("Ain al-Asad Air Base", 33.79, 42.44, country="IQ", country_name="Iraq", admin1="Al Anbar")
    samarra = Place("Samarra", 34.2, 43.87, country="IQ", country_name="Iraq", admin1="Salah al-Din")
    d = dt.date
    events = [
        _event("ev-boni", "doc-mali", d(2024, 3, 18), "Battles", "Armed clash", place=boni, actor1="JNIM",
               actor2="Military Forces of Mali", fatalities=5, outlet="Le Sahel Quotidien",
               evidence=ev_span("doc-mali",
                                "des jihadistes du JNIM ont attaqué un camp militaire près de Boni")),
        _event("ev-tessit", "doc-mali", d(2024, 3, 19), "Explosions/Remote violence", "Air/drone strike",
               place=tessit, actor1="Military Forces of Mali", fatalities=None, outlet="Le Sahel Quotidien",
               evidence=ev_span("doc-mali", "une frappe de drone a visé Tessit")),
        _event("ev-ouaga", "doc-burkina", d(2024, 3, 20), "Protests", "Peaceful protest", place=ouaga,
               actor1="Protesters (Burkina Faso)", outlet="Radio Nord",
               evidence=ev_span("doc-burkina", "Des manifestants ont défilé à Ouagadougou")),
        _event("ev-djibo", "doc-burkina", d(2024, 3, 21), "Battles", "Armed clash", place=djibo, actor1="VDP",
               assoc=("Dozo militia",), actor2="Unidentified Armed Group (Burkina Faso)", fatalities=2,
               outlet="Radio Nord",
               evidence=ev_span("doc-burkina", "Des VDP ont affronté des hommes armés à Djibo")),
        _event("ev-asad", "doc-iraq", d(2024, 3, 23), "Explosions/Remote violence", "Air/drone strike",
               place=asad, actor1="Islamic Resistance in Iraq", outlet="Gulf Wire",
               evidence=ev_span("doc-iraq", "A drone strike hit Ain al-Asad air base")),
        _event("ev-samarra", "doc-iraq", d(2024, 3, 24), "Battles", "Attack", place=samarra,
               actor1="Islamic State (Iraq)", claim=Claim.CLAIMED, fatalities=0, outlet="Gulf Wire",
               evidence=ev_span("doc-iraq", "the Islamic State claimed an attack near Samarra")),
        _event("ev-vague", "doc-vague", None, "Battles", "Armed clash", place=None, claim=Claim.HEDGED,
               outlet="Le Sahel Quotidien", evidence=ev_span("doc-vague", "des combats auraient eu lieu")),
        _event("ev-feb", "doc-vague", d(2024, 2, 1), "Strategic developments", "Looting/property destruction",
               place=boni, actor1="JNIM", outlet="Le Sahel Quotidien"),
    ]  # fmt: skip
    hostile_doc, hostile_event = hostile_document()
    batch = [(doc, [e for e in events if e.sources[0].document_id == doc.id]) for doc in docs.values()]
    batch.append((hostile_doc, [hostile_event]))
    with open_store(path) as store:
        store.save(batch)
    return {"documents": [*docs, XSS_DOC_ID], "events": [e.id for e in events] + [XSS_EVENT_ID]}


_SEEDS_CACHE: dict[str, Path] = {}


def seeds_input() -> tuple[Path, str]:
    """The seed articles (../shared/eval), or the bundled samples in a clone without them, and a note."""
    if SHARED_SEEDS.is_file():
        return SHARED_SEEDS, "seeds"
    return SAMPLE_ARTICLES, f"{SHARED_SEEDS} is absent (a user's clone): using samples/articles.jsonl"


def seeds_ledger(folder: Path) -> Path:
    """The seed articles ingested by the real ``veilleur ingest`` plus the hostile article, built once
    per test session and copied into ``folder``."""
    if "seeds" not in _SEEDS_CACHE:
        built = folder.parent / "seeds-cache" / "seeds.db"
        built.parent.mkdir(parents=True, exist_ok=True)
        source, _ = seeds_input()
        result = subprocess.run(
            [*cli_command(), "--db", str(built), "ingest", str(source), "--no-progress"],
            capture_output=True, text=True, env=clean_env(), timeout=600,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        doc, event = hostile_document()
        with open_store(built) as store:
            store.save([(doc, [event])])
        _SEEDS_CACHE["seeds"] = built
    target = folder / "seeds.db"
    shutil.copy(_SEEDS_CACHE["seeds"], target)
    return target


# ---------------------------------------------------------------- a real server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(db: Path, **env: str) -> Iterator[str]:
    """``veilleur --db DB serve`` on a free loopback port; yields its base URL, stops it afterwards."""
    for _attempt in range(3):
        port = free_port()
        proc = subprocess.Popen(
            [*cli_command(), "--db", str(db), "serve", "--port", str(port)],
            env=clean_env(**env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(base + "/api/config", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        if proc.poll() is None:
            break
        output = proc.stdout.read() if proc.stdout else ""
        if "address already in use" not in output.lower():
            raise AssertionError(f"veilleur serve exited {proc.returncode}: {output}")
    else:
        raise AssertionError("no free port for veilleur serve")
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def http(
    url: str, *, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request: (status, lower-cased headers, body); 4xx/5xx are returned, not raised."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def get_json(url: str) -> Any:
    status, _, body = http(url)
    assert status == 200, (url, status, body[:500])
    return json.loads(body)


# ---------------------------------------------------------------- Chromium


def chromium_path() -> tuple[str | None, str]:
    """Chromium for browser and PDF tests: $VEILLEUR_CHROMIUM, else on the PATH, else installed now by
    scripts/ensure_chromium.sh (Debian's package, as root); (None, why) when that cannot be done."""
    given = os.environ.get("VEILLEUR_CHROMIUM")
    if given:
        return (given, "") if Path(given).is_file() else (None, f"VEILLEUR_CHROMIUM={given} is not a file")
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found, ""
    result = subprocess.run(
        ["bash", "-c", ". scripts/ensure_chromium.sh && ensure_chromium"],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    found = shutil.which("chromium")
    if found:
        return found, ""
    why = (result.stderr.strip().splitlines() or ["no reason given"])[-1]
    return None, f"Chromium is not installed and could not be installed here ({why})"
