"""Response and request shapes, for the OpenAPI spec at ``/openapi.json`` (and the schema tests)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Evidence(BaseModel):
    start: int
    end: int
    text: str


class SourceOut(BaseModel):
    document_id: str
    url: str | None
    published: str | None
    outlet: str | None
    claim: str = Field(description="reported, claimed, denied or hedged")
    reporting_source: str | None
    fatalities: int | None
    evidence: list[Evidence]


class EventOut(BaseModel):
    """An event as the export record (``veilleur export --format jsonl``)."""

    event_id: str
    event_date: str | None
    time_precision: int | None
    date_note: str | None
    event_type: str
    sub_event_type: str
    actor1: str | None
    assoc_actor_1: str | None
    actor2: str | None
    assoc_actor_2: str | None
    country: str | None
    iso: str | None
    admin1: str | None
    admin2: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    fatalities: int | None
    notes: str
    sources: list[SourceOut]


class EventsPage(BaseModel):
    data: list[EventOut]
    count: int = Field(description="how many events match the filters (all pages)")
    limit: int
    offset: int


class SourceDetail(SourceOut):
    title: str | None
    language: str | None
    merge: dict[str, Any] | None = Field(description="why this source joined the event, when the ledger says")


class EventDetail(EventOut):
    sources: list[SourceDetail]  # type: ignore[assignment]
    date_min: str | None
    date_max: str | None
    date_expression: str | None
    history: list[dict[str, Any]] = Field(description="what later documents changed, oldest first")


class PointsPage(BaseModel):
    data: list[list[Any]] = Field(description="[event_id, latitude, longitude, event_type, event_date, fatalities]")
    count: int
    truncated: bool = Field(description="true when more events match than limit")


class StatOut(BaseModel):
    key: str | None
    split: str | None
    events: int
    fatalities: int | None = Field(description="sum of the known tolls (null when none is known)")


class StatsOut(BaseModel):
    by: str
    split: str | None
    data: list[StatOut]


class Facet(BaseModel):
    key: str | None
    events: int


class FacetsOut(BaseModel):
    events: int
    date_min: str | None
    date_max: str | None
    event_type: list[Facet]
    sub_event_type: list[Facet]
    country: list[Facet]
    admin1: list[Facet]
    actor: list[Facet]
    outlet: list[Facet]
    claim: list[Facet]


class SnippetPiece(BaseModel):
    text: str
    match: bool


class DocumentHitOut(BaseModel):
    id: str
    title: str | None
    url: str | None
    outlet: str | None
    published: str | None
    language: str | None
    snippet: list[SnippetPiece]


class DocumentsPage(BaseModel):
    data: list[DocumentHitOut]
    count: int
    limit: int
    offset: int


class EvidenceRef(BaseModel):
    event_id: str
    event_type: str
    sub_event_type: str
    event_date: str | None
    claim: str
    reporting_source: str | None
    start: int
    end: int


class Segment(BaseModel):
    start: int
    end: int
    text: str
    evidence: list[int] = Field(description="indexes into the document's evidence list")


class DocumentOut(BaseModel):
    id: str
    title: str | None
    url: str | None
    outlet: str | None
    published: str | None
    language: str | None
    text: str
    evidence: list[EvidenceRef]
    segments: list[Segment]


class ConfigOut(BaseModel):
    version: str
    tile_url: str | None
    tile_attribution: str | None
    ingest: bool = Field(description="true when POST /api/documents is enabled (a token is configured)")


class DocumentIn(BaseModel):
    """One article, as in the JSON Lines documents contract."""

    text: str = Field(min_length=1, max_length=1_000_000)
    id: str | None = Field(default=None, max_length=1000)
    published: str | None = Field(default=None, max_length=40, description="YYYY-MM-DD or an ISO datetime")
    language: str | None = Field(default=None, max_length=10)
    title: str | None = Field(default=None, max_length=2000)
    url: str | None = Field(default=None, max_length=4000)
    outlet: str | None = Field(default=None, max_length=500)


class DocumentResult(BaseModel):
    """What became of one posted document: ``status`` 200 (read: stored, or already stored) or 422 (not
    stored: ``problem`` says why, with its stable code)."""

    index: int
    id: str | None
    status: int
    outcome: str = Field(
        description="added, already stored (the same id, or the same text from the same outlet), "
        "failed (read but not processed) or not read"
    )
    problem: str | None = None
    warning: str | None = None


class IngestOut(BaseModel):
    """The whole request's counts, and one result per posted document. The response is 200 when every
    document was read, 207 when some were not, 422 when none was."""

    documents_read: int
    documents_added: int
    documents_skipped: int
    events_added: int
    events_joined: int = 0
    sources_added: int
    problems: list[str]
    warnings: list[str] = []
    results: list[DocumentResult] = []


class ErrorOut(BaseModel):
    detail: Any
