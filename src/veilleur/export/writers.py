"""Write events as JSON Lines, ACLED-style CSV or GeoJSON, streaming (one event in memory at a time)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, Literal, TextIO

from veilleur.export.records import (
    ACLED_SEPARATOR,
    civilian_targeting,
    disorder_type,
    event_to_record,
    inter_code,
    interaction,
    source_names,
)
from veilleur.model import Event

Format = Literal["jsonl", "csv", "geojson"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "geojson")

# ACLED's column names in ACLED's order, then ours.
CSV_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location",
    "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags",
    "timestamp", "document_ids",
)  # fmt: skip

# Characters that str.splitlines() treats as line breaks and json.dumps(ensure_ascii=False) leaves raw:
# escaped so that every JSON Lines reader (the scorer splits with splitlines) sees one record per line.
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    for raw, escaped in _LINE_BREAKS.items():
        text = text.replace(raw, escaped)
    return text


# OWASP's CSV injection advice: a cell that starts with one of these is run by spreadsheets as a formula
# (=HYPERLINK(...), =cmd|' /C calc'!A0, @SUM(...)); a tab or carriage return in front can hide the formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: a string that starts with ``= + - @``, tab or carriage return
    gets a leading ``'``. Numbers stay numbers (a negative longitude is a number, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(event: Event, *, raw: bool = False) -> dict[str, Any]:
    """One ACLED-style CSV row. ``iso`` is the ISO 3166 alpha-2 code (ACLED's own column is numeric);
    ``region``, ``admin3``, ``source_scale``, ``tags`` and ``timestamp`` are left empty (not known here);
    an unknown toll is an empty cell, not 0."""
    rec = event_to_record(event)
    date = event.date.date
    row = {
        "event_id_cnty": event.id,
        "event_date": rec["event_date"],
        "year": date.year if date else None,
        "time_precision": rec["time_precision"],
        "disorder_type": disorder_type(event.event_type, event.sub_event_type),
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "actor1": rec["actor1"],
        "assoc_actor_1": rec["assoc_actor_1"],
        "inter1": inter_code(event.actor1),
        "actor2": rec["actor2"],
        "assoc_actor_2": rec["assoc_actor_2"],
        "inter2": inter_code(event.actor2),
        "interaction": interaction(event),
        "civilian_targeting": civilian_targeting(event),
        "iso": rec["iso"],
        "country": rec["country"],
        "admin1": rec["admin1"],
        "admin2": rec["admin2"],
        "location": rec["location"],
        "latitude": rec["latitude"],
        "longitude": rec["longitude"],
        "geo_precision": rec["geo_precision"],
        "source": source_names(event),
        "notes": rec["notes"],
        "fatalities": rec["fatalities"],
        "document_ids": ACLED_SEPARATOR.join(dict.fromkeys(s.document_id for s in event.sources)),
    }
    cells = {col: ("" if row.get(col) is None else row[col]) for col in CSV_COLUMNS}
    return cells if raw else {col: safe_cell(value) for col, value in cells.items()}


def geojson_feature(event: Event) -> dict[str, Any] | None:
    """A GeoJSON Point feature (coordinates [longitude, latitude]), or None for an event without a point."""
    if event.place is None:
        return None
    rec = event_to_record(event)
    return {
        "type": "Feature",
        "id": event.id,
        "geometry": {"type": "Point", "coordinates": [rec["longitude"], rec["latitude"]]},
        "properties": rec,
    }


def write_events(events: Iterable[Event], fmt: Format, out: TextIO, *, raw: bool = False) -> int:
    """Write ``events`` to ``out`` in ``fmt``; returns how many events were written.

    - ``jsonl``: one export record per line, UTF-8 kept as is (ensure_ascii=False).
    - ``csv``: a header then one row per event, ACLED columns plus ``document_ids``; RFC 4180 quoting and
      CRLF line ends, so open ``out`` with ``newline=""`` and ``encoding="utf-8"``. A text cell that starts
      with ``= + - @``, tab or carriage return gets a leading ``'`` (:func:`safe_cell`) unless ``raw``.
    - ``geojson``: one FeatureCollection of Point features whose properties are the export record.
      Events without coordinates cannot be drawn and are left out: the return value counts only the
      features written, so ``number of events - return value`` were skipped.
    """
    if fmt == "jsonl":
        n = 0
        for event in events:
            out.write(_json(event_to_record(event)) + "\n")
            n += 1
        return n
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        n = 0
        for event in events:
            writer.writerow(csv_row(event, raw=raw))
            n += 1
        return n
    if fmt == "geojson":
        out.write('{"type": "FeatureCollection", "features": [')
        n = 0
        for event in events:
            feature = geojson_feature(event)
            if feature is None:
                continue
            out.write(("," if n else "") + "\n" + _json(feature))
            n += 1
        out.write("\n]}\n")
        return n
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
