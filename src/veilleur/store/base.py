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

    def save(self, batch: Sequence[tuple[Document, Sequence[Event]]]) -> SaveReport:
        """Store documents with their events in ONE transaction: all of the batch or none of it.

        A document already stored (same id or same non-empty content hash, also within the batch) is
        skipped together with its events, so re-ingesting changes nothing. An event whose id is already
        stored keeps its fields and gains the sources it did not have yet. Raises StoreError (after a
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
    ) -> list[Event]:
        """Events ordered by date (undated last) then id, with their sources and evidence.

        ``country`` matches the ISO 3166 alpha-2 code or the country name (case-insensitive);
        ``document_id`` keeps events that this document reports; ``bbox`` keeps events whose point lies
        inside (min_lon, min_lat, max_lon, max_lat). A date bound leaves undated events out.
        """
        ...

    def get_event(self, event_id: str) -> Event | None: ...

    def get_document(self, doc_id: str) -> Document | None: ...

    def count(self) -> dict[str, int]:
        """Row counts: ``documents``, ``events``, ``sources``."""
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
