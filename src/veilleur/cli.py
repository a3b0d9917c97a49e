"""The ``veilleur`` command: a thin layer over :mod:`veilleur.api`.

    veilleur [--db PATH] ingest PATH... [--published YYYY-MM-DD] [--language fr|en] [--no-progress]
    veilleur [--db PATH] events [--from DATE] [--to DATE] [--type TYPE] [--sub-type S] [--country C]
                                [--source-label L] [--limit N] [--show ID]
    veilleur [--db PATH] export --format jsonl|csv|geojson [-o FILE] [--raw] [same filters as events]
    veilleur [--db PATH] sources [--label L]
    veilleur [--db PATH] sources label OUTLET LABEL [--remove]
    veilleur [--db PATH] eval GOLD [--json]
    veilleur [--db PATH] serve [--port N] [--host ADDR]
    veilleur [--db PATH] report (--week YYYY-Www | --from DATE --to DATE) [--country C] [--title TEXT]
                                [-o FILE] [--pdf]
    veilleur places TEXT [--language fr|en] [--published YYYY-MM-DD] [--top N]
    veilleur gazetteer import FILE... | --download CC... ; veilleur gazetteer list ; veilleur gazetteer remove NAME...
    veilleur --version

Exit codes: 0 ok; 1 when some inputs could not be read (the rest is stored) or a command failed;
2 for usage errors. Errors are one line each on stderr (``VEILLEUR_DEBUG=1`` shows tracebacks).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

from veilleur import __version__
from veilleur.errors import UnsupportedLanguageError, VeilleurError
from veilleur.model import Event, MergeReason
from veilleur.printing import json_safe, printable
from veilleur.settings import Settings

if TYPE_CHECKING:
    from veilleur.store import Outlet

PROG = "veilleur"
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
FORMATS = ("jsonl", "csv", "geojson")  # the same as veilleur.export.FORMATS, without importing it
LANGUAGES = ("fr", "en")
UNKNOWN = "-"


class UsageError(Exception):
    """Bad arguments: exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD") from None


def _published(text: str) -> dt.date:
    from veilleur.ingest.records import date_range

    date = _date(text)
    lo, hi = date_range()
    if not lo <= date <= hi:
        raise argparse.ArgumentTypeError(f"'{text}' is out of range (Veilleur reads dates from {lo.year} to {hi.year})")
    return date


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive whole number")
    return value


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", type=_date, metavar="DATE", help="events on or after DATE")
    p.add_argument("--to", dest="date_to", type=_date, metavar="DATE", help="events on or before DATE")
    p.add_argument("--type", dest="event_type", metavar="TYPE", help='ACLED event type, e.g. "Battles"')
    p.add_argument("--sub-type", dest="sub_event_type", metavar="S", help='e.g. "Armed clash"')
    p.add_argument("--country", metavar="C", help="ISO 3166 alpha-2 code or country name")
    p.add_argument("--source-label", metavar="L", help="events that an outlet labelled L reports")
    p.add_argument("--limit", type=_positive, metavar="N", help="at most N events")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Reads conflict news (French and English) and keeps a geocoded ACLED-style event ledger.",
        epilog="Exit codes: 0 ok, 1 some inputs failed or a command failed, 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--db", metavar="PATH", help="the ledger's SQLite file (default: $VEILLEUR_DB or veilleur.db)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("ingest", help="read articles, extract events, store both")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders (recursive) or - for stdin")
    p.add_argument("--published", type=_published, metavar="YYYY-MM-DD", help="date for inputs that carry none")
    p.add_argument("--language", choices=LANGUAGES, help="language for inputs that do not state one")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")

    p = sub.add_parser("events", help="list stored events as a table, or --show one")
    _add_filters(p)
    p.add_argument("--show", metavar="ID", help="print one event with its sources, evidence and history")

    p = sub.add_parser("sources", help="the outlets of the stored articles, with their labels")
    p.add_argument("--label", dest="only_label", metavar="L", help="only the outlets labelled L")
    labels = p.add_subparsers(dest="sources_command", metavar="label", parser_class=_Parser)
    q = labels.add_parser("label", help="give an outlet a label (state-affiliated, partisan...)")
    q.add_argument("outlet", metavar="OUTLET", help="the outlet, as 'veilleur sources' lists it")
    q.add_argument("label", metavar="LABEL", help="the label, e.g. state-affiliated")
    q.add_argument("--remove", action="store_true", help="take the label away")

    p = sub.add_parser("export", help="write stored events as JSON Lines, CSV or GeoJSON")
    p.add_argument("--format", required=True, choices=FORMATS, help="output format")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    p.add_argument("--raw", action="store_true", help="CSV for machines: do not neutralise cells starting with = + - @")
    _add_filters(p)

    p = sub.add_parser("eval", help="score stored events against a gold file")
    p.add_argument("gold", metavar="GOLD", help="gold events JSON (the evaluation contract)")
    p.add_argument("--json", action="store_true", help="print the whole result as JSON")

    p = sub.add_parser("serve", help="the REST API and the map page on localhost")
    p.add_argument("--port", type=_port, default=8000, metavar="N", help="TCP port (default 8000)")
    p.add_argument("--host", default="127.0.0.1", metavar="ADDR", help="address (default 127.0.0.1)")

    p = sub.add_parser("places", help="explain where a text's events are put: candidates, scores, features")
    p.add_argument("text", metavar="TEXT", help="the text (a sentence or an article; - reads standard input)")
    p.add_argument("--language", choices=LANGUAGES, help="the text's language (default: detected)")
    p.add_argument("--published", type=_date, metavar="YYYY-MM-DD", help="its publication date")
    p.add_argument("--top", type=int, default=3, metavar="N", help="candidates shown per name (default 3)")

    p = sub.add_parser("gazetteer", help="add GeoNames files (villages, admin names) to the gazetteer")
    gaz = p.add_subparsers(dest="gazetteer_command", metavar="import|list|remove", parser_class=_Parser)
    gaz.required = True
    q = gaz.add_parser("import", help="import GeoNames country dumps (CC.txt, CC.zip) or admin code tables")
    q.add_argument("files", nargs="*", metavar="FILE", help="CC.txt, CC.zip, admin1CodesASCII.txt, admin2Codes.txt")
    q.add_argument("--download", nargs="+", metavar="CC", default=[], help="fetch these countries' dumps from GeoNames")
    gaz.add_parser("list", help="the imported GeoNames files")
    q = gaz.add_parser("remove", help="forget imported files")
    q.add_argument("names", nargs="+", metavar="NAME", help="file names as 'veilleur gazetteer list' shows them")

    p = sub.add_parser("report", help="a situation report (HTML, or PDF with --pdf) for a week or dates")
    p.add_argument("--week", type=_week, metavar="YYYY-Www", help="an ISO week, e.g. 2024-W12")
    p.add_argument("--from", dest="date_from", type=_date, metavar="DATE", help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", type=_date, metavar="DATE", help="last day (YYYY-MM-DD)")
    p.add_argument("--country", metavar="C", help="only this country (ISO 3166 alpha-2 code or name)")
    p.add_argument("--title", metavar="TEXT", help="the report's title")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: report-PERIOD.html/.pdf)")
    p.add_argument("--pdf", action="store_true", help="print to PDF through headless Chromium")
    return parser


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a TCP port (0-65535)")
    return int(text)


def _week(text: str) -> tuple[dt.date, dt.date]:
    match = re.fullmatch(r"(\d{4})-?W(\d{1,2})", text.strip(), re.IGNORECASE)
    try:
        if match is None:
            raise ValueError
        monday = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an ISO week (YYYY-Www, e.g. 2024-W12)") from None
    return monday, monday + dt.timedelta(days=6)


# ---------------------------------------------------------------- commands


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise UsageError(f"--from {args.date_from} is after --to {args.date_to}")
    return {
        "date_from": args.date_from,
        "date_to": args.date_to,
        "event_type": args.event_type,
        "sub_event_type": args.sub_event_type,
        "country": args.country,
        "source_label": args.source_label,
        "limit": args.limit,
    }


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from veilleur import api

    try:
        report = api.ingest(
            args.paths,
            settings=settings,
            published=args.published,
            language=args.language,
            progress=not args.no_progress,
        )
    except UnsupportedLanguageError as exc:
        raise UsageError(str(exc)) from exc
    print(printable(f"{report.summary()} -> {settings.db_path}"), file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_FAILED


def _cell(value: object) -> str:
    if value is None or value == "":
        return UNKNOWN
    return " ".join(str(value).split())


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


TABLE_COLUMNS: tuple[tuple[str, int], ...] = (
    # (header, widest cell shown); ids are never clipped (they are what --show takes)
    ("id", 0), ("date", 10), ("type / sub-type", 62), ("location", 24), ("admin1", 18), ("country", 20),
    ("actor1", 30), ("actor2", 30), ("fatalities", 10), ("sources", 7),
)  # fmt: skip


def event_row(event: Event) -> list[str]:
    place = event.place
    return [
        event.id,
        _cell(event.date.date.isoformat() if event.date.date else None),
        f"{event.event_type} / {event.sub_event_type}",
        _cell(place.name if place else event.location_text),
        _cell(place.admin1 if place else None),
        _cell((place.country_name or place.country) if place else None),
        _cell(event.actor1.name if event.actor1 else None),
        _cell(event.actor2.name if event.actor2 else None),
        _cell(event.fatalities),
        str(len(event.sources)),
    ]


def format_table(events: Sequence[Event]) -> list[str]:
    """An aligned text table, one event a line; ``-`` is unknown."""
    headers = [h for h, _ in TABLE_COLUMNS]
    rows = [
        [_clip(cell, limit) if limit else cell for cell, (_, limit) in zip(event_row(e), TABLE_COLUMNS, strict=True)]
        for e in events
    ]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    right = {"fatalities", "sources"}

    def line(cells: Sequence[str]) -> str:
        parts = [c.rjust(w) if h in right else c.ljust(w) for c, w, h in zip(cells, widths, headers, strict=True)]
        return "  ".join(parts).rstrip()

    return [line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows]


def format_event(event: Event) -> list[str]:
    """One event in full: its fields, then each source with its claim status and evidence sentences."""
    place = event.place
    date = event.date
    lines = [f"event {event.id}", f"  type        {event.event_type} / {event.sub_event_type}"]
    when = _cell(date.date.isoformat() if date.date else None)
    if date.precision:
        when += f"  (precision {date.precision})"
    if date.expression:
        when += f'  from "{date.expression}"'
    lines.append(f"  date        {when}")
    if date.note:
        lines.append(f"  date note   {date.note}")
    if place is not None:
        lines.append(
            f"  location    {place.name}, {_cell(place.admin2)}, {_cell(place.admin1)}, "
            f"{_cell(place.country_name)} ({_cell(place.country)})"
        )
        lines.append(
            f"  point       {place.latitude:.4f}, {place.longitude:.4f}  (geo precision {place.geo_precision}"
            + (f", {place.source}" if place.source else "")
            + ")"
        )
    else:
        lines.append(f"  location    {_cell(event.location_text)}  (no point)")
    for label, actor, assoc in (
        ("actor1", event.actor1, event.assoc_actor_1),
        ("actor2", event.actor2, event.assoc_actor_2),
    ):
        text = _cell(actor.name if actor else None)
        if actor is not None and actor.surface and actor.surface != actor.name:
            text += f'  ("{actor.surface}")'
        if assoc:
            text += "  with " + "; ".join(a.name for a in assoc)
        lines.append(f"  {label:<11} {text}")
    lines.append(f"  fatalities  {_cell(event.fatalities)}")
    if event.notes:
        lines.append(f"  notes       {' '.join(event.notes.split())}")
    lines.append(f"  sources     {len(event.sources)}")
    for n, src in enumerate(event.sources, start=1):
        head = f"  [{n}] {src.document_id}  {src.claim.value}"
        if src.reporting_source:
            head += f" by {src.reporting_source}"
        lines.append(head)
        details = [f"outlet {src.outlet}" if src.outlet else None,
                   f"published {src.published.isoformat()}" if src.published else None,
                   f"fatalities {src.fatalities}" if src.fatalities is not None else None]  # fmt: skip
        if any(details):
            lines.append("      " + "; ".join(d for d in details if d))
        if src.url:
            lines.append(f"      {src.url}")
        if src.merge is not None:
            lines.append(f"      joined: {_merge_reason(src.merge)}")
        for span in src.evidence:
            lines.append(f'      "{" ".join(span.text.split())}"  [{span.start}:{span.end}]')
    figures = {s.fatalities for s in event.sources if s.fatalities is not None}
    if len(figures) > 1:
        lines.append(f"  tolls       {', '.join(map(str, sorted(figures)))} by source; the lowest is kept")
    lines.append(f"  history     {len(event.history) or UNKNOWN}")
    for change in event.history:
        what = f"{change.field}: {_cell(change.old)} -> {_cell(change.new)}"
        lines.append(f"  - {change.at}  {change.document_id}  {what}")
    return lines


def _merge_reason(merge: MergeReason) -> str:
    """Why a source joined: 'same sub-type, same place, dates overlap (0.4 km, 0 days apart; was ev-...)'."""
    facts = []
    if merge.km is not None:
        facts.append(f"{merge.km:g} km")
    if merge.days is not None:
        facts.append(f"{merge.days} day{'s' if merge.days != 1 else ''} apart")
    detail = ", ".join(facts)
    if merge.merged_id:
        detail += f"; was {merge.merged_id}" if detail else f"was {merge.merged_id}"
    return merge.rule + (f" ({detail})" if detail else "")


def cmd_events(args: argparse.Namespace, settings: Settings) -> int:
    from veilleur import api

    if args.show:
        event = api.get_event(settings, args.show)
        if event is None:
            raise VeilleurError(f"no event with id {args.show!r}", where=str(settings.db_path))
        _print_lines(format_event(event))
        return EXIT_OK
    events = api.list_events(settings, **_filters(args))
    _print_lines(format_table(events))
    print(f"{len(events)} event{'s' if len(events) != 1 else ''}", file=sys.stderr)
    return EXIT_OK


SOURCE_COLUMNS: tuple[str, ...] = (
    "outlet", "languages", "documents", "events", "first seen", "last seen", "labels",
)  # fmt: skip


def format_sources(outlets: Sequence[Outlet]) -> list[str]:
    """The source registry as an aligned table, one outlet a line; ``-`` is unknown."""
    rows = [
        [o.name, _cell(", ".join(o.languages)), str(o.documents), str(o.events),
         _cell(o.first_seen.isoformat() if o.first_seen else None),
         _cell(o.last_seen.isoformat() if o.last_seen else None), _cell(", ".join(o.labels))]
        for o in outlets
    ]  # fmt: skip
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(SOURCE_COLUMNS)]
    right = {"documents", "events"}

    def line(cells: Sequence[str]) -> str:
        cols = zip(cells, widths, SOURCE_COLUMNS, strict=True)
        return "  ".join(c.rjust(w) if h in right else c.ljust(w) for c, w, h in cols).rstrip()

    return [line(SOURCE_COLUMNS), line(["-" * w for w in widths])] + [line(r) for r in rows]


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    from veilleur import api

    if args.sources_command == "label":
        if args.only_label:
            raise UsageError("--label filters the list; to label an outlet use 'sources label OUTLET LABEL'")
        try:
            changed, known = api.label_outlet(settings, args.outlet, args.label, remove=args.remove)
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
        verb = "no longer labelled" if args.remove else "labelled"
        note = "" if changed else " (already so)"
        if not known and not args.remove:
            note += "; no stored article comes from this outlet yet"
        print(printable(f"{args.outlet} {verb} {args.label!r}{note}"), file=sys.stderr)
        return EXIT_OK
    outlets = api.outlets(settings, label=args.only_label)
    _print_lines(format_sources(outlets))
    print(f"{len(outlets)} outlet{'s' if len(outlets) != 1 else ''}", file=sys.stderr)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from veilleur import api

    filters = _filters(args)
    if not args.output or args.output == "-":
        if args.format == "csv":
            sys.stdout.reconfigure(newline="")  # type: ignore[union-attr]
        n = api.export(settings, args.format, sys.stdout, raw=args.raw, **filters)
    else:
        out = Path(args.output)
        tmp = out.with_name(f".{out.name}.tmp")
        try:
            with tmp.open("w", encoding="utf-8", newline="" if args.format == "csv" else None) as handle:
                n = api.export(settings, args.format, handle, raw=args.raw, **filters)
            tmp.replace(out)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise VeilleurError(f"cannot write ({(exc.strerror or str(exc)).lower()})", where=str(out)) from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    print(f"{n} event{'s' if n != 1 else ''} exported as {args.format}", file=sys.stderr)
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from veilleur import api
    from veilleur.evaluate import report_lines

    result = api.evaluate(settings, args.gold)
    if args.json:
        print(json_safe(json.dumps(result, indent=2, ensure_ascii=False)))
    else:
        _print_lines(report_lines(result))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from veilleur.web.server import serve

    serve(settings, host=args.host, port=args.port)
    return EXIT_OK


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from veilleur.web.report import write_report

    if args.week and (args.date_from or args.date_to):
        raise UsageError("give --week or --from/--to, not both")
    if args.week:
        date_from, date_to = args.week
    elif args.date_from and args.date_to:
        date_from, date_to = args.date_from, args.date_to
    else:
        raise UsageError("give --week YYYY-Www, or both --from DATE and --to DATE")
    if date_from > date_to:
        raise UsageError(f"--from {date_from} is after --to {date_to}")
    out = write_report(
        settings,
        date_from,
        date_to,
        output=Path(args.output) if args.output else None,
        pdf=args.pdf,
        country=args.country,
        title=args.title,
    )
    print(printable(f"report written to {out}"), file=sys.stderr)
    return EXIT_OK


def cmd_places(args: argparse.Namespace, settings: Settings) -> int:
    from veilleur import api

    text = sys.stdin.read() if args.text == "-" else args.text
    if not text.strip():
        raise UsageError("places needs a non-empty TEXT")
    rankings, events = api.explain_places(
        settings, text, language=args.language, published=args.published, top=max(1, args.top)
    )
    if not rankings:
        print("no place name found in the gazetteer")
    for r in rankings:
        context = ", ".join(r.countries) or "none"
        hint = f", kind hint {r.kind_hint}" if r.kind_hint else ""
        near = f", near {r.near[0]:.3f},{r.near[1]:.3f}" if r.near else ""
        verdict = "" if r.accepted else "  -> none of these (refused by the plausibility rules)"
        print(f"'{r.name}' (countries: {context}{hint}{near}){verdict}")
        for n, c in enumerate(r.candidates, start=1):
            e = c.entry
            area = ", ".join(x for x in (e.admin2, e.admin1, e.country) if x)
            print(
                f"  {n}. {e.name} [{e.kind}{'/' + e.feature if e.feature else ''}] {area} "
                f"({e.latitude:.4f}, {e.longitude:.4f}) pop {e.population}  score {c.score:+.2f}"
            )
            if c.contributions:
                parts = ", ".join(f"{x.feature} {x.amount:+.2f}" for x in c.contributions)
                print(f"     because: {parts}")
    for ev in events:
        where = ev.place
        point = f"{where.latitude:.4f}, {where.longitude:.4f}" if where else "no point"
        name = where.name if where else UNKNOWN
        precision = where.geo_precision if where else UNKNOWN
        print(f"event: {ev.sub_event_type} at {name} ({point}), geo_precision {precision}")
    return EXIT_OK


def cmd_gazetteer(args: argparse.Namespace, settings: Settings) -> int:
    from veilleur import api

    if args.gazetteer_command == "list":
        rows = api.gazetteer_files(settings)
        if not rows:
            print(f"no GeoNames file imported (cache folder {settings.cache_dir})")
        for name, kind in rows:
            print(f"{name}\t{kind}")
        return EXIT_OK
    if args.gazetteer_command == "remove":
        removed = api.gazetteer_remove(settings, args.names)
        missing = [n for n in args.names if n not in removed]
        for name in removed:
            print(f"removed {name}", file=sys.stderr)
        if missing:
            raise UsageError(f"not imported: {', '.join(missing)} (see 'veilleur gazetteer list')")
        return EXIT_OK
    if not args.files and not args.download:
        raise UsageError("gazetteer import needs FILE... or --download CC...")
    from veilleur.geo.sources import check_files

    check_files([Path(f) for f in args.files])  # a bad file is named before anything is copied or built
    print("importing; the gazetteer index is rebuilt afterwards (a few minutes)", file=sys.stderr)
    done = api.gazetteer_import(settings, [Path(f) for f in args.files], download=args.download)
    for name, kind, changed in done:
        print(f"{name}\t{kind}\t{'imported' if changed else 'already imported'}")
    return EXIT_OK


COMMANDS = {
    "places": cmd_places,
    "gazetteer": cmd_gazetteer,
    "ingest": cmd_ingest,
    "events": cmd_events,
    "export": cmd_export,
    "eval": cmd_eval,
    "sources": cmd_sources,
    "serve": cmd_serve,
    "report": cmd_report,
}


# ---------------------------------------------------------------- entry point


def _print_lines(lines: Sequence[str], stream: IO[str] | None = None) -> None:
    """Each line with its control characters escaped (article text and file names are hostile)."""
    out = stream or sys.stdout
    for line in lines:
        out.write(printable(line) + "\n")


def _error(message: str) -> None:
    print(f"{PROG}: error: {printable(message)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    debug = os.environ.get("VEILLEUR_DEBUG", "") not in ("", "0")
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env(db_path=Path(args.db) if args.db else None)
    except (TypeError, ValueError) as exc:
        if debug:
            raise
        _error(f"bad VEILLEUR_* environment setting: {exc}")
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args, settings)
    except UsageError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except VeilleurError as exc:
        if debug:
            raise
        _error(str(exc))
        return EXIT_FAILED
    except BrokenPipeError:
        # the reader went away (``| head``): stop quietly, and keep Python from complaining at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        _error("interrupted (batches stored before the interruption are kept)")
        return 130
    except Exception as exc:
        if debug:
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (set VEILLEUR_DEBUG=1 for the traceback)")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
