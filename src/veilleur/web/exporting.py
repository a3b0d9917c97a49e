"""Exports over HTTP: the ``veilleur export`` writers, streamed a page of events at a time."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

from veilleur.export import geojson_feature, write_events
from veilleur.store.base import EventQuery, Store

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "jsonl": "application/x-ndjson",
}
_PAGE = 1000


def export_chunks(
    store: Store,
    query: EventQuery,
    fmt: str,
    page: int = _PAGE,
    *,
    raw: bool = False,
    hold_lock: bool = True,
    snapshot: bool = True,
) -> Iterator[str]:
    """The export of the matching events (oldest first) as text chunks, one page of events each: CSV with
    ACLED's columns (one header; formula cells neutralised unless ``raw``), a GeoJSON FeatureCollection of
    the events that have a point, or JSON Lines of the export record. Every page is read in one read
    transaction (``store.snapshot``), so an export taken during an ingest has no duplicate or missing row.
    ``hold_lock=False``: ``store`` is this export's own (see :meth:`SQLiteStore.snapshot`);
    ``snapshot=False``: page by page, as a store shared by other threads must be read from a generator that
    several threads advance."""
    if fmt not in EXPORT_TYPES:
        raise ValueError(f"unknown export format {fmt!r}")
    begin = getattr(store, "snapshot", None) if snapshot else None
    if begin is None:
        yield from _chunks(store, query, fmt, page, raw)
        return
    with begin(hold_lock=hold_lock):
        yield from _chunks(store, query, fmt, page, raw)


def private_export_chunks(
    path: str, query: EventQuery, fmt: str, page: int = _PAGE, *, raw: bool = False
) -> Iterator[str]:
    """:func:`export_chunks` over a read-only connection of its own to the ledger at ``path``, opened when
    the first chunk is asked for and closed after the last (or when the client goes away): a long
    download neither holds the server's shared connections nor sees the ingest that runs meanwhile."""
    from veilleur.store.sqlite import SQLiteStore

    store = SQLiteStore(path, readonly=True)
    try:
        yield from export_chunks(store, query, fmt, page, raw=raw, hold_lock=False)
    finally:
        store.close()


def _chunks(store: Store, query: EventQuery, fmt: str, page: int, raw: bool) -> Iterator[str]:
    offset = 0
    written = 0
    if fmt == "geojson":
        yield '{"type": "FeatureCollection", "features": ['
    while True:
        events = store.find_events(query, limit=page, offset=offset)
        if fmt == "geojson":
            parts = []
            for event in events:
                feature = geojson_feature(event)
                if feature is not None:
                    parts.append(("," if written else "") + "\n" + json.dumps(feature, ensure_ascii=False))
                    written += 1
            yield "".join(parts)
        else:
            buffer = io.StringIO(newline="")
            write_events(events, "csv" if fmt == "csv" else "jsonl", buffer, raw=raw)
            text = buffer.getvalue()
            if fmt == "csv" and offset:
                text = text.split("\r\n", 1)[1]  # the header once, on the first page
            yield text
        if len(events) < page:
            break
        offset += page
    if fmt == "geojson":
        yield "\n]}\n"
