"""Exports of the ledger: the evaluation contract's JSON Lines, ACLED-style CSV, GeoJSON."""

from __future__ import annotations

from veilleur.export.records import event_to_record
from veilleur.export.writers import CSV_COLUMNS, FORMATS, Format, csv_row, geojson_feature, write_events

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "Format",
    "csv_row",
    "event_to_record",
    "geojson_feature",
    "write_events",
]
