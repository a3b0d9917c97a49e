"""The analyst's desk: a read-only REST API over the ledger, and the map page that uses it.

    from veilleur.web.app import create_app
    app = create_app(settings)          # an ASGI app; ``veilleur serve`` runs it with uvicorn

The store is opened once when the app starts; each request reads through a read-only connection of a
pool (``web/readers.py``: WAL readers do not queue behind one another or behind the writer), and each
export through one of its own, in one snapshot. Every endpoint reads, except ``POST /api/documents``, which
ingests and needs the bearer token of ``Settings.api_token`` (``VEILLEUR_API_TOKEN``): without one
configured the API is read-only.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Body, Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from veilleur import __version__
from veilleur.errors import VeilleurError
from veilleur.settings import Settings
from veilleur.store.base import EventQuery, Store
from veilleur.web import models, views
from veilleur.web.exporting import EXPORT_TYPES, export_chunks, private_export_chunks
from veilleur.web.params import MAX_OFFSET, MAX_TEXT, event_query
from veilleur.web.readers import ReaderPool
from veilleur.web.security import SecurityHeaders, allowed_hosts, content_security_policy, token_matches

STATIC = Path(__file__).parent / "static"
MAX_PAGE = 1000
MAX_POINTS = 200_000
MAX_INGEST = 1000  # documents per POST

StatDimension = Literal[
    "day", "week", "month", "year", "event_type", "sub_event_type", "country", "iso", "admin1", "admin2",
    "location", "actor", "outlet", "claim",
]  # fmt: skip
FACETS = ("event_type", "sub_event_type", "country", "admin1", "actor", "outlet", "claim")

Query_ = Annotated[EventQuery, Depends(event_query)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="at most this many items")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="skip this many items")]
_ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": models.ErrorOut}}


def create_app(settings: Settings, *, store: Store | None = None, host: str = "127.0.0.1") -> FastAPI:
    """The ASGI app. ``store``: an open store to use (the caller closes it); by default the ledger at
    ``settings.db_path`` is opened at start-up (it must exist) and closed at shutdown. ``host``: the
    address the server listens on; on loopback only loopback Host headers are answered."""
    csp = content_security_policy(settings.tile_url)  # a bad tile URL fails here, before serving

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened: Store | None = None  # the ledger this app opened itself (and so closes)
        if store is None:
            from veilleur.api import open_ledger

            opened = app.state.store = open_ledger(settings, create=False)
        app.state.readers = _reader_pool(app.state.store)
        try:
            yield
        finally:
            if app.state.readers is not None:
                app.state.readers.close()
            if opened is not None:
                opened.close()

    app = FastAPI(
        title="Veilleur",
        version=__version__,
        description="The event ledger, read-only: events with their sources and evidence, articles, "
        "aggregates and exports. Article text is untrusted and is only ever sent as JSON strings.",
        docs_url=None,  # the interactive docs load scripts from a CDN: not offline, not under our CSP
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    if store is not None:
        app.state.store = store
    app.state.ingest_lock = threading.Lock()
    app.state.readers = None  # set at start-up: a pool of read-only connections (web/readers.py)
    app.state.pipeline = None
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(host))
    app.add_middleware(SecurityHeaders, csp=csp)  # outermost: refusals get the headers too

    @app.exception_handler(VeilleurError)
    async def veilleur_error(request: Request, exc: VeilleurError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    _routes(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _reader_pool(store: Store) -> ReaderPool | None:
    """A pool of read-only connections to the store's file (None for an in-memory or non-SQLite store,
    which then serves every request itself)."""
    from veilleur.store.sqlite import SQLiteStore

    if not isinstance(store, SQLiteStore) or store.path == ":memory:" or store.path.startswith("file:"):
        return None
    return ReaderPool(store.path)


def _store(request: Request) -> Iterator[Store]:
    """The store a request reads: a read-only connection of the pool (readers do not queue behind one
    another or behind the writer), or the shared store when there is no pool."""
    readers: ReaderPool | None = getattr(request.app.state, "readers", None)
    if readers is None:
        yield request.app.state.store
        return
    with readers.reader() as reader:
        yield reader


StoreDep = Annotated[Store, Depends(_store)]


def _routes(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    @app.get("/api/config", response_model=models.ConfigOut, tags=["meta"])
    def config(request: Request) -> dict[str, Any]:
        """What the page needs to start: the tile URL (null: the offline base map) and whether the API
        accepts documents."""
        settings: Settings = request.app.state.settings
        return {
            "version": __version__,
            "tile_url": settings.tile_url,
            "tile_attribution": settings.tile_attribution,
            "ingest": bool(settings.api_token),
        }

    @app.get("/api/events", response_model=models.EventsPage, responses=_ERRORS, tags=["events"])
    def list_events(
        store: StoreDep,
        query: Query_,
        limit: Limit = 100,
        offset: Offset = 0,
        sort: Annotated[
            Literal["date", "-date"], Query(description="date: oldest first; -date: newest first")
        ] = "-date",
    ) -> JSONResponse:
        """Events matching the filters, a page at a time, with ``count`` (all pages). Undated events
        come last in either order."""
        events = store.find_events(query, limit=limit, offset=offset, newest_first=sort == "-date")
        return JSONResponse(
            {
                "data": [views.event_record(e) for e in events],
                "count": store.count_events(query),
                "limit": limit,
                "offset": offset,
            }
        )

    @app.get(
        "/api/events/{event_id:path}",
        response_model=models.EventDetail,
        responses={404: {"model": models.ErrorOut}},
        tags=["events"],
    )
    def event_detail(store: StoreDep, event_id: Annotated[str, PathParam(max_length=MAX_TEXT)]) -> JSONResponse:
        """One event with every source (article title, claim status, evidence spans), and its history."""
        event = store.get_event(event_id)
        if event is None:
            raise HTTPException(404, f"no event with id {event_id!r}")
        documents = {}
        for source in event.sources:
            doc = store.get_document(source.document_id)
            if doc is not None:
                documents[doc.id] = doc
        return JSONResponse(views.event_detail(event, documents))

    @app.get("/api/points", response_model=models.PointsPage, responses=_ERRORS, tags=["events"])
    def points(
        store: StoreDep,
        query: Query_,
        limit: Annotated[int, Query(ge=1, le=MAX_POINTS)] = 50_000,
    ) -> JSONResponse:
        """The matching events that have a point, newest first, as compact rows for a map."""
        found = store.event_points(query, limit=limit + 1)
        return JSONResponse(
            {
                "data": [views.point_row(p) for p in found[:limit]],
                "count": min(len(found), limit),
                "truncated": len(found) > limit,
            }
        )

    @app.get("/api/stats", response_model=models.StatsOut, responses=_ERRORS, tags=["stats"])
    def stats(
        store: StoreDep,
        query: Query_,
        by: Annotated[StatDimension, Query(description="what to count by")] = "day",
        split: Annotated[StatDimension | None, Query(description="a second key, e.g. event_type")] = None,
        limit: Annotated[int | None, Query(ge=1, le=10_000, description="top categories kept")] = None,
    ) -> JSONResponse:
        """Events (and their known fatalities) per day, ISO week, month, type, admin area, actor, outlet
        or claim status, optionally split by a second key."""
        rows = store.event_stats(query, by, split=split, limit=limit)
        return JSONResponse({"by": by, "split": split, "data": [views.stat_view(r) for r in rows]})

    @app.get("/api/facets", response_model=models.FacetsOut, tags=["stats"])
    def facets(store: StoreDep) -> JSONResponse:
        """The values each filter can take in this ledger, most frequent first, and the date range."""
        everything = EventQuery()
        days = [r.key for r in store.event_stats(everything, "day") if r.key]
        out: dict[str, Any] = {
            "events": store.count_events(everything),
            "date_min": days[0] if days else None,
            "date_max": days[-1] if days else None,
        }
        for name in FACETS:
            out[name] = [
                {"key": r.key, "events": r.events}
                for r in store.event_stats(everything, name, limit=500)
                if r.key is not None
            ]
        return JSONResponse(out)

    @app.get(
        "/api/export",
        responses={200: {"content": {t: {} for t in EXPORT_TYPES.values()}}, **_ERRORS},
        tags=["events"],
    )
    def export(
        request: Request,
        query: Query_,
        format: Annotated[
            Literal["csv", "geojson", "jsonl"],
            Query(description="csv: ACLED's columns; geojson: points; jsonl: the export record"),
        ] = "csv",
        raw: Annotated[
            bool,
            Query(description="CSV for machines: cells starting with = + - @ are not neutralised with a '"),
        ] = False,
    ) -> StreamingResponse:
        """Every matching event as a download, streamed (the same writers as ``veilleur export``), read in
        one snapshot of the ledger (an export taken during an ingest has no duplicate or missing row). CSV
        cells a spreadsheet would run as a formula get a leading ``'`` unless ``raw=true``."""
        shared: Store = request.app.state.store
        from veilleur.store.sqlite import SQLiteStore

        if isinstance(shared, SQLiteStore) and shared.path != ":memory:":
            chunks = private_export_chunks(shared.path, query, format, raw=raw)
        else:  # an in-memory store shared by every request: read page by page, as before
            chunks = export_chunks(shared, query, format, raw=raw, snapshot=False)
        return StreamingResponse(
            chunks,
            media_type=EXPORT_TYPES[format],
            headers={"content-disposition": f'attachment; filename="veilleur-events.{format}"'},
        )

    @app.get("/api/documents", response_model=models.DocumentsPage, responses=_ERRORS, tags=["documents"])
    def documents(
        store: StoreDep,
        q: Annotated[str | None, Query(max_length=MAX_TEXT, description="full-text query (as for events)")] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> JSONResponse:
        """Articles matching a full-text query, best first, each with its matching passage as pieces
        (text, match); the newest articles without a query."""
        hits, total = store.search_documents(q, limit=limit, offset=offset)
        return JSONResponse(
            {"data": [views.hit_view(h) for h in hits], "count": total, "limit": limit, "offset": offset}
        )

    @app.get(
        "/api/documents/{document_id:path}",
        response_model=models.DocumentOut,
        responses={404: {"model": models.ErrorOut}},
        tags=["documents"],
    )
    def document(store: StoreDep, document_id: Annotated[str, PathParam(max_length=MAX_TEXT)]) -> JSONResponse:
        """One article with the evidence of every event it reports: ``segments`` cut the text at every
        evidence boundary, so a page highlights the evidence by putting each segment's text in a node."""
        doc = store.get_document(document_id)
        if doc is None:
            raise HTTPException(404, f"no document with id {document_id!r}")
        events = store.find_events(EventQuery(document_id=doc.id))
        return JSONResponse(views.document_view(doc, events))

    @app.post(
        "/api/documents",
        response_model=models.IngestOut,
        responses={
            207: {"model": models.IngestOut, "description": "some documents were not read (see results)"},
            401: {"model": models.ErrorOut},
            413: {"model": models.ErrorOut},
            422: {"description": "no document was read (an IngestOut, see results), or the body is not an array"},
        },
        dependencies=[Depends(_require_token)],
        tags=["documents"],
    )
    def ingest(
        request: Request,
        documents: Annotated[
            list[Any],
            Body(
                description="a JSON array of documents (the documents contract: objects like DocumentIn); "
                "each is judged on its own",
                json_schema_extra={"items": models.DocumentIn.model_json_schema()},
            ),
        ],
    ) -> JSONResponse:
        """Ingest articles (the JSON Lines documents contract, as a JSON array): extract their events and
        store both. Each document is judged on its own: 200 when every one was read, 207 (Multi-Status)
        when some were not, 422 when none was; ``results`` says what became of each, with its problem and
        stable code. Needs ``Authorization: Bearer <token>`` with the server's ``VEILLEUR_API_TOKEN``; a
        server started without one refuses (the API is read-only by default)."""
        if len(documents) > MAX_INGEST:
            raise HTTPException(413, f"at most {MAX_INGEST} documents per request")
        if not documents:
            raise HTTPException(422, "no documents: post a JSON array of documents")
        from veilleur.web.ingesting import ingest_documents

        status, report = ingest_documents(request.app.state, request.app.state.settings, documents)
        return JSONResponse(report, status_code=status)


def _require_token(
    request: Request,
    authorization: Annotated[str | None, Header(description="Bearer <VEILLEUR_API_TOKEN>")] = None,
) -> None:
    settings: Settings = request.app.state.settings
    if not settings.api_token:
        raise HTTPException(401, "ingesting through the API is off: start the server with VEILLEUR_API_TOKEN set")
    if not token_matches(settings.api_token, authorization):
        raise HTTPException(401, "a valid bearer token is needed", headers={"WWW-Authenticate": "Bearer"})
