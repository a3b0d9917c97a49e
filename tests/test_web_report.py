"""``veilleur report``: a self-contained HTML situation report (escaped, no script, strict CSP) and its
PDF through headless Chromium; the CLI's serve/report options; the vendored front-end files."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import pytest

from veilleur.store import open_store
from veilleur.web.report import default_name, period_label, render_report
from web_helpers import ARTIFACTS, REPO, build_small_ledger, chromium_path, clean_env, cli_command

STATIC = REPO / "src" / "veilleur" / "web" / "static"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "ledger.db"
    build_small_ledger(path)
    return path


def run(*args: str | Path, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*cli_command(), *map(str, args)], cwd=cwd, capture_output=True, text=True, env=clean_env(**env),
        timeout=300,
    )  # fmt: skip


def test_the_week_report_has_its_sections_and_escapes_everything(ledger: Path, tmp_path: Path) -> None:
    result = run("--db", ledger, "report", "--week", "2024-W12", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "report-2024-W12.html").read_text(encoding="utf-8")
    for heading in ("Map", "Events per day, by type", "Fatalities per day", "Most active actors",
                    "By admin area", "Events (7)"):  # fmt: skip
        assert f"<h2>{heading}</h2>" in page, heading
    assert "week 2024-W12 (18 Mar – 24 Mar 2024)" in page
    assert page.count("<svg") >= 4 and 'class="event"' in page
    # the hostile article's markup is text: no tag of it survives, and nothing can run
    assert "<script" not in page and "<img" not in page and "onerror=" not in page.replace("onerror=&quot;", "")
    assert "&lt;script&gt;window.__xss" in page and "&lt;img src=x onerror=" in page
    assert "javascript:" not in re.sub(r"&[a-z]+;", "", " ".join(re.findall(r'href="([^"]*)"', page)))
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp and "default-src 'none'" in csp[1] and "script-src" not in csp[1]
    assert not re.search(r"""(src|href)=["']https?://(?!\S*\.example)""", page.split("<body>")[0])  # no outside file
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report-2024-W12.html").write_text(page, encoding="utf-8")


def test_the_report_counts_and_tables(ledger: Path) -> None:
    with open_store(ledger) as store:
        from veilleur.store.base import EventQuery

        events = store.find_events(EventQuery(date_from=dt.date(2024, 3, 18), date_to=dt.date(2024, 3, 24)))
    page = render_report(events, dt.date(2024, 3, 18), dt.date(2024, 3, 24), title="Sahel & Iraq")
    assert "<h1>Sahel &amp; Iraq</h1>" in page
    assert "<strong>7</strong>events" in page and "<strong>10</strong>fatalities" in page
    assert re.search(r"<td>Mali</td><td>Gao</td><td class=n>2</td><td class=n>3</td>", page)
    assert "JNIM" in page and "Military Forces of Mali" in page
    empty = render_report([], dt.date(2024, 1, 1), dt.date(2024, 1, 7))
    assert "No events in this period." in empty and "No event in this period has a point." in empty


def test_dates_and_country(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "mali.html"
    result = run("--db", ledger, "report", "--from", "2024-02-01", "--to", "2024-03-31", "--country", "ML",
                 "--title", "Mali", "-o", out, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert "Events (4)" in page and "country: ML" in page and "Djibo" not in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2024-W60"], "not an ISO week"),
        (["--week", "last week"], "not an ISO week"),
        (["--from", "2024-03-02"], "give --week"),
        (["--from", "2024-03-02", "--to", "2024-03-01"], "is after"),
        (["--week", "2024-W12", "--from", "2024-03-01", "--to", "2024-03-02"], "not both"),
    ],
)
def test_report_usage_errors(ledger: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = run("--db", ledger, "report", *args, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr


def test_pdf_without_chromium_is_one_clear_error(ledger: Path, tmp_path: Path) -> None:
    result = run("--db", ledger, "report", "--week", "2024-W12", "--pdf", cwd=tmp_path,
                 VEILLEUR_CHROMIUM=str(tmp_path / "no-browser"))  # fmt: skip
    assert result.returncode == 1 and "[V501]" in result.stderr and not list(tmp_path.glob("*.pdf"))


def test_the_pdf_report(ledger: Path, tmp_path: Path) -> None:
    chromium, why = chromium_path()
    if chromium is None:
        pytest.skip(why)
    out = tmp_path / "week.pdf"
    result = run("--db", ledger, "report", "--week", "2024-W12", "--pdf", "-o", out, cwd=tmp_path,
                 VEILLEUR_CHROMIUM=chromium)  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 2
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report-2024-W12.pdf").write_bytes(data)


def test_report_names_and_periods() -> None:
    monday, sunday = dt.date(2024, 3, 18), dt.date(2024, 3, 24)
    assert default_name(monday, sunday, pdf=True) == "report-2024-W12.pdf"
    assert default_name(monday, dt.date(2024, 3, 20), pdf=False) == "report-2024-03-18_2024-03-20.html"
    assert period_label(dt.date(2024, 1, 1), dt.date(2024, 1, 31)) == "01 Jan 2024 – 31 Jan 2024"


def test_vendored_front_end_matches_the_lock_file() -> None:
    lock = json.loads((REPO / "web" / "package-lock.json").read_text(encoding="utf-8"))
    versions = json.loads((STATIC / "vendor" / "versions.json").read_text(encoding="utf-8"))
    for name, version in versions.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name
    assert versions["leaflet"].startswith("1.9.")
    assert "Leaflet " + versions["leaflet"] in (STATIC / "vendor" / "leaflet" / "leaflet.js").read_text()[:200]
    for licence in ("leaflet/LICENSE", "leaflet.markercluster/MIT-LICENCE.txt", "world-atlas-LICENSE"):
        assert (STATIC / "vendor" / licence).is_file(), licence
    world = json.loads((STATIC / "world.geojson").read_text(encoding="utf-8"))
    assert len(world["features"]) > 150


def test_the_page_loads_nothing_from_outside() -> None:
    for path in [STATIC / "index.html", *sorted((STATIC / "js").glob("*.js"))]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), path
        assert not re.search(r"\.(inner|outer)HTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function", text), (
            path
        )
