"""Query-string filters shared by the API's event endpoints, turned into a store ``EventQuery``.

Repeated parameters (``?type=Battles&type=Riots``) match any of their values; different parameters combine.
Every value is bounded so that no query string can make the store fail (a 4xx, never a 500).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import HTTPException, Query

from veilleur.model import Claim
from veilleur.store.base import BBox, EventQuery

MAX_VALUES = 50  # values per repeated parameter
MAX_TEXT = 500  # characters of a full-text query or a name
MAX_OFFSET = 1_000_000_000


def parse_bbox(text: str) -> BBox:
    """``min_lon,min_lat,max_lon,max_lat`` (the GeoJSON order) as numbers within the globe, mins first."""
    parts = text.split(",")
    if len(parts) != 4:
        raise HTTPException(400, "bbox must be four numbers: min_lon,min_lat,max_lon,max_lat")
    try:
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts)
    except ValueError:
        raise HTTPException(400, "bbox must be four numbers: min_lon,min_lat,max_lon,max_lat") from None
    for value, bound in ((min_lon, 180), (max_lon, 180), (min_lat, 90), (max_lat, 90)):
        if not -bound <= value <= bound:  # also refuses nan
            raise HTTPException(400, "bbox longitudes lie within ±180, latitudes within ±90")
    if min_lon > max_lon or min_lat > max_lat:
        raise HTTPException(400, "bbox must be min_lon,min_lat,max_lon,max_lat with mins <= maxes")
    return (min_lon, min_lat, max_lon, max_lat)


def _clean(values: list[str]) -> tuple[str, ...]:
    """Drop empty values (an empty select in a form) and overlong ones."""
    for value in values:
        if len(value) > MAX_TEXT:
            raise HTTPException(400, f"a filter value is longer than {MAX_TEXT} characters")
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))


def event_query(
    date_from: Annotated[
        dt.date | None, Query(alias="from", description="events on or after this date (YYYY-MM-DD)")
    ] = None,
    date_to: Annotated[
        dt.date | None, Query(alias="to", description="events on or before this date (YYYY-MM-DD)")
    ] = None,
    event_type: Annotated[
        list[str], Query(alias="type", max_length=MAX_VALUES, description='ACLED event type, e.g. "Battles"')
    ] = [],  # noqa: B006 - FastAPI copies defaults
    sub_event_type: Annotated[
        list[str], Query(alias="sub_type", max_length=MAX_VALUES, description='e.g. "Armed clash"')
    ] = [],  # noqa: B006
    country: Annotated[
        list[str], Query(max_length=MAX_VALUES, description="ISO 3166 alpha-2 code or country name")
    ] = [],  # noqa: B006
    admin1: Annotated[list[str], Query(max_length=MAX_VALUES, description="first-level admin area")] = [],  # noqa: B006
    actor: Annotated[list[str], Query(max_length=MAX_VALUES, description="actor1, actor2 or an associated actor")] = [],  # noqa: B006
    outlet: Annotated[list[str], Query(max_length=MAX_VALUES, description="an outlet among the event's sources")] = [],  # noqa: B006
    claim: Annotated[list[Claim], Query(max_length=4, description="a claim status among the event's sources")] = [],  # noqa: B006
    document_id: Annotated[str | None, Query(max_length=MAX_TEXT, description="events this document reports")] = None,
    bbox: Annotated[
        str | None,
        Query(max_length=200, description="min_lon,min_lat,max_lon,max_lat: events whose point lies inside"),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=MAX_TEXT,
            description='full-text search over the reporting articles: every word or "phrase" must occur; '
            "a trailing * searches a prefix",
        ),
    ] = None,
) -> EventQuery:
    if date_from and date_to and date_from > date_to:
        raise HTTPException(400, f"from {date_from} is after to {date_to}")
    return EventQuery(
        date_from=date_from,
        date_to=date_to,
        event_types=_clean(event_type),
        sub_event_types=_clean(sub_event_type),
        countries=_clean(country),
        admin1=_clean(admin1),
        actors=_clean(actor),
        outlets=_clean(outlet),
        claims=tuple(dict.fromkeys(c.value for c in claim)),
        document_id=document_id,
        bbox=parse_bbox(bbox) if bbox else None,
        text=q.strip() if q and q.strip() else None,
    )
