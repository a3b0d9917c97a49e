"""``veilleur report``: a situation report for a week or a date range, as one self-contained HTML file
(inline CSS and SVG, no script, no outside resource) or as PDF printed by headless Chromium.

Names and sentences in the ledger come from untrusted articles: every one is escaped (``html.escape``),
and the page carries a Content-Security-Policy that allows no script and no outside resource at all, so a
report opened in a browser cannot run anything an article smuggled in.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from veilleur import __version__
from veilleur.errors import ReportError
from veilleur.model import Event
from veilleur.settings import Settings
from veilleur.store.base import EventQuery
from veilleur.web import charts
from veilleur.web.charts import esc

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-pdf-header-footer",
)  # fmt: skip
PDF_TIMEOUT_S = 180

CSS = """
@page { size: A4; margin: 14mm 12mm; }
body { font: 10.5pt/1.4 "DejaVu Sans", system-ui, sans-serif; color: #1d2935; margin: 0 auto;
  max-width: 190mm; }
h1 { font-size: 18pt; margin: 0 0 2pt; color: #1f3b57; }
h2 { font-size: 13pt; margin: 16pt 0 6pt; border-bottom: 1px solid #c9d3dd; color: #1f3b57;
  break-after: avoid; }
section.chart { break-inside: avoid; }
h3 { font-size: 11pt; margin: 10pt 0 3pt; }
.sub, .muted { color: #5d6b79; }
.figures { display: flex; gap: 8pt; margin: 10pt 0; }
.figures div { flex: 1; border: 1px solid #c9d3dd; padding: 5pt 8pt; }
.figures strong { display: block; font-size: 16pt; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border-bottom: 1px solid #e1e7ed; padding: 2pt 4pt; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
svg { max-width: 100%; height: auto; }
.event { break-inside: avoid; border-top: 1px solid #e1e7ed; padding: 5pt 0; }
.event .head { font-weight: bold; }
.swatch { display: inline-block; width: 9pt; height: 9pt; border-radius: 50%; vertical-align: -1pt; }
.claim { font-size: 8.5pt; padding: 0 3pt; border-radius: 2pt; color: #fff; background: #555; }
.claim-reported { background: #2e7d32; } .claim-claimed { background: #c77700; }
.claim-denied { background: #b00020; } .claim-hedged { background: #6a4c93; }
.sources { margin: 3pt 0 0 12pt; padding: 0; list-style: none; }
.sources li { margin: 2pt 0; }
blockquote { margin: 1pt 0 1pt 10pt; font-style: italic; color: #33414f; }
.url { word-break: break-all; font-size: 8.5pt; color: #5d6b79; }
footer { margin-top: 18pt; font-size: 8.5pt; color: #5d6b79; }
""".strip()
SWATCH_CSS = "\n".join(
    f".t{i} {{ background: {c}; }}" for i, c in enumerate([*charts.TYPE_COLOURS.values(), charts.OTHER_COLOUR])
)


def _swatch(event_type: str) -> str:
    names = list(charts.TYPE_COLOURS)
    i = names.index(event_type) if event_type in names else len(names)
    return f'<span class="swatch t{i}"></span>'


def period_label(date_from: dt.date, date_to: dt.date) -> str:
    year, week, weekday = date_from.isocalendar()
    if weekday == 1 and date_to == date_from + dt.timedelta(days=6):
        return f"week {year}-W{week:02d} ({date_from:%d %b} – {date_to:%d %b %Y})"
    return f"{date_from:%d %b %Y} – {date_to:%d %b %Y}"


def default_name(date_from: dt.date, date_to: dt.date, pdf: bool) -> str:
    year, week, weekday = date_from.isocalendar()
    if weekday == 1 and date_to == date_from + dt.timedelta(days=6):
        stem = f"report-{year}-W{week:02d}"
    else:
        stem = f"report-{date_from.isoformat()}_{date_to.isoformat()}"
    return stem + (".pdf" if pdf else ".html")


# ---------------------------------------------------------------- HTML


def _cell(value: object) -> str:
    return "unknown" if value is None or value == "" else esc(value)


def _link(url: str | None) -> str:
    if not url:
        return ""
    if urlsplit(url).scheme in ("http", "https"):
        return f'<a class="url" href="{esc(url)}">{esc(url)}</a>'
    return f'<span class="url">{esc(url)}</span>'


def _admin_table(events: Sequence[Event]) -> str:
    groups: dict[tuple[str, str], list[Event]] = defaultdict(list)
    for event in events:
        place = event.place
        country = (place.country_name or place.country or "") if place else ""
        groups[(country or "unknown", (place.admin1 if place else None) or "unknown")].append(event)
    if not groups:
        return '<p class="muted">No events.</p>'
    rows = []
    for (country, admin1), group in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        known = [e.fatalities for e in group if e.fatalities is not None]
        types = Counter(e.event_type for e in group).most_common()
        rows.append(
            f"<tr><td>{esc(country)}</td><td>{esc(admin1)}</td><td class=n>{len(group)}</td>"
            f"<td class=n>{sum(known) if known else 'unknown'}</td>"
            f"<td>{', '.join(f'{esc(t)} ({n})' for t, n in types)}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Country</th><th>Admin1</th><th class=n>Events</th>"
        "<th class=n>Fatalities</th><th>Types</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _event_html(event: Event) -> str:
    place = event.place
    where = ", ".join(
        esc(p) for p in ((place.name, place.admin1, place.country_name) if place else (event.location_text,)) if p
    )
    actors = " vs ".join(esc(a.name) for a in (event.actor1, event.actor2) if a) or "actors unknown"
    toll = "toll unknown" if event.fatalities is None else f"{event.fatalities} killed"
    date = event.date.date.isoformat() if event.date.date else "undated"
    sources = []
    for source in event.sources:
        said = f" by {esc(source.reporting_source)}" if source.reporting_source else ""
        meta = " · ".join(
            esc(x)
            for x in (
                source.outlet or source.document_id,
                source.published.isoformat() if source.published else None,
            )
            if x
        )
        quotes = "".join(f"<blockquote>“{esc(' '.join(s.text.split()))}”</blockquote>" for s in source.evidence)
        sources.append(
            f'<li><span class="claim claim-{esc(source.claim.value)}">{esc(source.claim.value)}{said}</span> '
            f"{meta} {_link(source.url)}{quotes}</li>"
        )
    return (
        f'<div class="event" id="{esc(event.id)}"><div class="head">{_swatch(event.event_type)} {date} — '
        f"{esc(event.sub_event_type)} — {where or 'place unknown'}</div>"
        f"<div>{actors}; {toll}</div>"
        f'<ul class="sources">{"".join(sources)}</ul></div>'
    )


def _section(heading: str, content: str) -> str:
    return f'<section class="chart"><h2>{esc(heading)}</h2>{content}</section>'


def render_report(
    events: Sequence[Event],
    date_from: dt.date,
    date_to: dt.date,
    *,
    title: str | None = None,
    scope: str | None = None,
    ledger: str = "",
    generated: dt.datetime | None = None,
) -> str:
    """The report as one HTML document (a pure function of its arguments)."""
    generated = generated or dt.datetime.now(dt.UTC).replace(microsecond=0)
    period = period_label(date_from, date_to)
    heading = title or "Situation report"
    known = [e.fatalities for e in events if e.fatalities is not None]
    documents = {s.document_id for e in events for s in e.sources}
    countries = {(e.place.country_name or e.place.country) for e in events if e.place} - {None}
    actors = Counter(a.name for e in events for a in {x.name: x for x in (e.actor1, e.actor2) if x}.values())
    css = CSS + "\n" + SWATCH_CSS
    style_hash = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    csp = f"default-src 'none'; style-src 'sha256-{style_hash}'; img-src data:; base-uri 'none'; form-action 'none'"
    fatalities = charts.per_day(events, "fatalities")
    by_day = sorted(events, key=lambda e: (e.date.date is None, e.date.date or dt.date.min, e.id))
    body = [
        f"<h1>{esc(heading)}</h1>",
        f'<p class="sub">{esc(period)}{" — " + esc(scope) if scope else ""}</p>',
        '<div class="figures">',
        f"<div><strong>{len(events)}</strong>events</div>",
        f"<div><strong>{sum(known) if known else 'unknown'}</strong>fatalities reported"
        f"{f' ({len(events) - len(known)} events without a toll)' if len(known) < len(events) else ''}</div>",
        f"<div><strong>{len(documents)}</strong>articles</div>",
        f"<div><strong>{len(countries)}</strong>countries</div>",
        "</div>",
        _section("Map", charts.map_svg(events)),
        _section(
            "Events per day, by type",
            charts.bar_chart(date_from, date_to, charts.per_day(events), label="Events per day by type"),
        ),
        _section(
            "Fatalities per day",
            charts.bar_chart(date_from, date_to, fatalities, label="Fatalities per day", height=160)
            + '<p class="muted">Only stated tolls are counted; an event without a toll is unknown, not 0.</p>'
            if fatalities
            else '<p class="muted">No source states a toll for the events of this period.</p>',
        ),
        _section("Most active actors", charts.hbar_chart(actors.most_common(10), label="Events per actor")),
        "<h2>By admin area</h2>",
        _admin_table(events),
        f"<h2>Events ({len(events)})</h2>",
        "".join(_event_html(e) for e in by_day) or '<p class="muted">No events in this period.</p>',
        f"<footer>Generated {generated.isoformat()} by Veilleur {esc(__version__)} from "
        f"{esc(ledger)}. Events are extracted by machine from the articles listed; every event "
        "carries the sentences it was read from: check them before quoting.</footer>",
    ]
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(heading)} — {esc(period)}</title><style>{css}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


# ---------------------------------------------------------------- PDF


def find_chromium(settings: Settings) -> str:
    if settings.chromium is not None:
        if not Path(settings.chromium).is_file():
            raise ReportError("VEILLEUR_CHROMIUM does not name a file", where=str(settings.chromium))
        return str(settings.chromium)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ReportError(
        "no headless Chromium found for --pdf: install Debian's 'chromium' package "
        "(apt-get install chromium) or set VEILLEUR_CHROMIUM to the browser"
    )


def print_pdf(html_path: Path, pdf_path: Path, chromium: str) -> None:
    """Print a local HTML file to PDF with headless Chromium (no network: the report needs none)."""
    with tempfile.TemporaryDirectory(prefix="veilleur-chromium-") as profile:
        tmp_pdf = Path(profile) / "report.pdf"
        command = [
            chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={tmp_pdf}",
            html_path.resolve().as_uri(),
        ]  # fmt: skip
        try:
            result = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=PDF_TIMEOUT_S,
                env={**os.environ, "HOME": profile},
            )
        except subprocess.TimeoutExpired:
            raise ReportError(f"Chromium did not print the PDF within {PDF_TIMEOUT_S} s", where=chromium) from None
        except OSError as exc:
            raise ReportError(f"cannot run Chromium ({exc.strerror or exc})", where=chromium) from None
        if not tmp_pdf.is_file() or tmp_pdf.read_bytes()[:5] != b"%PDF-":
            tail = " ".join(result.stderr.strip().splitlines()[-2:])[:300]
            raise ReportError(f"Chromium printed no PDF (exit {result.returncode}): {tail}", where=chromium)
        shutil.move(str(tmp_pdf), pdf_path)


# ---------------------------------------------------------------- the command


def write_report(
    settings: Settings,
    date_from: dt.date,
    date_to: dt.date,
    *,
    output: Path | None = None,
    pdf: bool = False,
    country: str | None = None,
    title: str | None = None,
) -> Path:
    """Write the report of the ledger's events from ``date_from`` to ``date_to`` (inclusive), optionally
    of one country; returns the file written (``output`` or ``report-PERIOD.html``/``.pdf``)."""
    from veilleur.api import open_ledger

    chromium = find_chromium(settings) if pdf else None  # fail before any work
    query = EventQuery(date_from=date_from, date_to=date_to, countries=(country,) if country else ())
    with open_ledger(settings, create=False) as store:
        events = store.find_events(query)
    page = render_report(
        events,
        date_from,
        date_to,
        title=title,
        scope=f"country: {country}" if country else None,
        ledger=Path(str(settings.db_path)).name,
    )
    out = output or Path(default_name(date_from, date_to, pdf))
    try:
        if chromium is None:
            tmp = out.with_name(f".{out.name}.tmp")
            tmp.write_text(page, encoding="utf-8")
            tmp.replace(out)
        else:
            with tempfile.TemporaryDirectory(prefix="veilleur-report-") as tmpdir:
                html_path = Path(tmpdir) / "report.html"
                html_path.write_text(page, encoding="utf-8")
                print_pdf(html_path, out, chromium)
    except OSError as exc:
        raise ReportError(f"cannot write ({(exc.strerror or str(exc)).lower()})", where=str(out)) from None
    return out
