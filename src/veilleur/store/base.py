"""The one interface every store backend implements, and what a save reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, runtime_checkable

from veilleur.model import Document, Event

BBox = tuple[float, float, float, float]
"""(min_lon, min_lat, max_lon, max_lat), the GeoJSON bbox order."""


@dataclass(frozen=True)
class SaveReport:
    """What one ``Store.save`` call changed."""

    documents_added: int = 0
    documents_skipped: int = 0  # already stored (same id or same content hash): skipped with their events
    events_added: int = 0  # new event rows (an event id already stored only gains sources)
    sources_added: int = 0  # new (event, document) pairs, including those appended to existing events

    def __add__(self, other: SaveReport) -> SaveReport:
        return SaveReport(
            self.documents_added + other.documents_added,
            self.documents_skipped + other.documents_skipped,
            self.events_added + other.events_added,
            self.sources_added + other.sources_added,
        )


@dataclass(frozen=True)
class EventQuery:
    """Filters for the analyst's reads (``find_events``, ``count_events``, ``event_points``,
    ``event_stats``). Within one field any value matches (OR); fields combine with AND. Names (countries,
    admin areas, actors, outlets) match case-insensitively; types and claims match exactly.

    ``countries`` holds ISO 3166 alpha-2 codes or country names; ``actors`` matches actor1, actor2 and the
    associated actors; ``outlets`` and ``claims`` keep events with at least one such source; ``text`` is a
    full-text search (FTS5) over the title and text of the articles that report the event: every word or
    "quoted phrase" must occur, a trailing ``*`` searches a prefix, operators are plain words. A date bound
    leaves undated events out; ``bbox`` leaves events without a point out.
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    event_types: tuple[str, ...] = ()
    sub_event_types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    document_id: str | None = None
    bbox: BBox | None = None
    text: str | None = None


@dataclass(frozen=True)
class EventPoint:
    """The least a map needs of an event."""

    id: str
    latitude: float
    longitude: float
    event_type: str
    date: dt.date | None
    fatalities: int | None


@dataclass(frozen=True)
class StatRow:
    """One group of an aggregate: its key (and split value), how many events, their known fatalities
    (None when no event of the group has a toll)."""

    key: str | None
    split: str | None
    events: int
    fatalities: int | None


@dataclass(frozen=True)
class DocumentHit:
    """A document found by ``search_documents``; ``snippet`` is the matching passage as (text, matched)
    pieces, so a caller can highlight the matched words without ever handling markup."""

    id: str
    title: str | None
    url: str | None
    outlet: str | None
    published: dt.date | None
    language: str | None
    snippet: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True)
class Outlet:
    """One outlet of the source registry, read from the stored documents (``Store.outlets``)."""

    name: str
    documents: int = 0  # stored documents from this outlet
    events: int = 0  # distinct events these documents report
    languages: tuple[str, ...] = ()  # most documents first
    first_seen: dt.date | None = None  # earliest publication date (ingestion date when a document has none)
    last_seen: dt.date | None = None
    labels: tuple[str, ...] = ()  # the user's labels, sorted


@runtime_checkable
class Store(Protocol):
    """The event ledger's storage. Every method is safe to call from several threads of one process."""

    def has_document(self, doc_id: str) -> bool:
        """True when a document with this id is stored."""
        ...

    def known_documents(self, ids: Iterable[str], hashes: Iterable[str]) -> set[str]:
        """The subset of ``ids`` and ``hashes`` already stored (as document ids or content hashes).

        Meant for a batch check before the NLP stage: a document is already known when its id or its
        content hash is in the returned set. Empty hashes are ignored.
        """
        ...

    def known(self, documents: Iterable[Document]) -> set[str]:
        """The ids of ``documents`` that are already stored: the same id, or the same text (content hash)
        from the same outlet. The same text from another outlet is that outlet's report, not a known
        document (it is stored, and its events join the ledger's)."""
        ...

    def save(self, batch: Sequence[tuple[Document, Sequence[Event]]]) -> SaveReport:
        """Store documents with their events in ONE transaction: all of the batch or none of it.

        A document already stored (same id, or same non-empty content hash from the same outlet, also
        within the batch) is skipped together with its events, so re-ingesting changes nothing. An event
        whose id is already stored keeps its fields and gains the sources it did not have yet, unless it
        carries history entries (``Event.history``) not stored yet: then those entries are stored and the
        event's fields take the values it carries (the ledger's sharpening). Raises StoreError (after a
        rollback) when anything in the batch cannot be stored.
        """
        ...

    def events(
        self,
        *,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        event_type: str | None = None,
        sub_event_type: str | None = None,
        country: str | None = None,
        document_id: str | None = None,
        bbox: BBox | None = None,
        limit: int | None = None,
        offset: int = 0,
        source_label: str | None = None,
    ) -> list[Event]:
        """Events ordered by date (undated last) then id, with their sources, evidence and history.

        ``country`` matches the ISO 3166 alpha-2 code or the country name (case-insensitive);
        ``document_id`` keeps events that this document reports; ``bbox`` keeps events whose point lies
        inside (min_lon, min_lat, max_lon, max_lat); ``source_label`` keeps events that at least one outlet
        with this label reports. A date bound leaves undated events out.
        """
        ...

    def candidates(
        self,
        *,
        latitude: float | None = None,
        longitude: float | None = None,
        radius_km: float = 0.0,
        iso: str | None = None,
        admin1: str | None = None,
        areas_only: bool = False,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        undated: bool = False,
        event_types: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        """Stored events that may be the same incident as a new report (the ledger's pre-filter).

        Place: events whose point lies within ``radius_km`` of (``latitude``, ``longitude``), or, when
        ``admin1`` is given, that lie in that admin1 area of country ``iso`` (only those coded at admin-area
        precision, geo_precision >= 3, with ``areas_only``); no place test when neither is given. Date:
        events whose date range overlaps [``date_from``, ``date_to``] (an open bound does not test), undated
        events only with ``undated``. ``event_types``: only these event types. Nearest first (then by
        date, id), at most ``limit``, with sources, evidence and history.
        """
        ...

    def outlets(self, *, label: str | None = None) -> list[Outlet]:
        """The source registry: every outlet named by a stored document or given a label, most documents
        first; with ``label``, only the outlets that carry it."""
        ...

    def label_outlet(self, outlet: str, label: str, *, remove: bool = False) -> bool:
        """Give ``outlet`` the user label ``label`` (or take it away with ``remove``); True when this
        changed anything. An outlet may be labelled before any of its documents is stored."""
        ...

    def get_event(self, event_id: str) -> Event | None: ...

    def get_document(self, doc_id: str) -> Document | None: ...

    def count(self) -> dict[str, int]:
        """Row counts: ``documents``, ``events``, ``sources``."""
        ...

    # ---- the analyst's reads (web API, reports)

    def find_events(
        self, query: EventQuery, *, limit: int | None = None, offset: int = 0, newest_first: bool = False
    ) -> list[Event]:
        """Events matching ``query`` with their sources and evidence, by date (undated last) then id;
        ``newest_first`` reverses the dates (undated still last)."""
        ...

    def count_events(self, query: EventQuery) -> int:
        """How many events match ``query``."""
        ...

    def event_points(self, query: EventQuery, *, limit: int | None = None) -> list[EventPoint]:
        """The matching events that have a point, newest first."""
        ...

    def event_stats(
        self, query: EventQuery, by: str, *, split: str | None = None, limit: int | None = None
    ) -> list[StatRow]:
        """Matching events counted by ``by`` (and ``split``): ``day``, ``week`` (ISO, ``2024-W12``),
        ``month``, ``year``, ``event_type``, ``sub_event_type``, ``country``, ``iso``, ``admin1``,
        ``admin2``, ``location``, ``actor`` (actor1 or actor2), ``outlet``, ``claim`` (of any source).
        Time keys come in order; categories biggest first, the top ``limit`` of them."""
        ...

    def search_documents(
        self, text: str | None, *, limit: int = 20, offset: int = 0
    ) -> tuple[list[DocumentHit], int]:
        """Full-text search (FTS5) over the stored articles' titles and texts, best match first, and the
        number of matches; the newest documents when ``text`` is None or holds no word. The query syntax
        is ``EventQuery.text``'s."""
        ...

    def close(self) -> None:
        """Release the connection; calling it twice is harmless."""
        ...

    def __enter__(self) -> Store: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
