"""SQL for the ledger's reads: candidate events near a new report, and the outlet registry.

Kept apart from ``sqlite.py`` (the connection, transactions and saves) so that the SQL the ledger relies on
can be read in one place. Plain SQL over the v2 schema; the R-tree holds 32-bit floats, so it only
pre-filters and the exact great-circle test follows in Python.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from veilleur.store import codec
from veilleur.store.base import Outlet

_KM_PER_DEGREE = 111.32
_EARTH_RADIUS_KM = 6371.0088  # as veilleur.geo.spherical (the store does not import the geo stage)


def haversine_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    phi1, phi2 = math.radians(a_lat), math.radians(b_lat)
    dphi, dlam = phi2 - phi1, math.radians(b_lon - a_lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class CandidateQuery:
    sql: str
    params: list[Any] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float = 0.0
    admin: tuple[str | None, str] | None = None  # (iso, admin1) rows in that area pass without a distance
    middle: dt.date | None = None  # the middle of the date window, to rank equally near events


def _bbox(latitude: float, longitude: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lon, max_lon, min_lat, max_lat) around the point, wide enough for ``radius_km``."""
    dlat = radius_km / _KM_PER_DEGREE
    cos = math.cos(math.radians(min(89.9, abs(latitude))))
    dlon = min(180.0, radius_km / (_KM_PER_DEGREE * max(cos, 1e-6)))
    margin = 1e-4  # the R-tree's 32-bit rounding
    dlon, dlat = dlon + margin, dlat + margin
    return (longitude - dlon, longitude + dlon, latitude - dlat, latitude + dlat)


def candidates_query(
    *,
    latitude: float | None,
    longitude: float | None,
    radius_km: float,
    iso: str | None,
    admin1: str | None,
    areas_only: bool,
    date_from: dt.date | None,
    date_to: dt.date | None,
    undated: bool,
    event_types: Sequence[str] | None,
) -> CandidateQuery:
    where: list[str] = []
    params: list[Any] = []
    places: list[str] = []
    has_point = latitude is not None and longitude is not None
    if has_point:
        assert latitude is not None and longitude is not None
        min_lon, max_lon, min_lat, max_lat = _bbox(latitude, longitude, max(radius_km, 0.0))
        # a window across the antimeridian is rare enough for the ledger to skip the wrap-around
        places.append(
            "n IN (SELECT n FROM events_rtree "
            "WHERE max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ?)"
        )
        params += [min_lon, max_lon, min_lat, max_lat]
    if admin1 is not None:
        test = "(iso IS ? AND admin1 = ?" + (" AND geo_precision >= 3)" if areas_only else ")")
        places.append(test)
        params += [iso, admin1]
    if places:
        where.append("(" + " OR ".join(places) + ")")
    dated: list[str] = []
    if date_from is not None:
        dated.append("COALESCE(date_max, event_date) >= ?")
        params.append(date_from.isoformat())
    if date_to is not None:
        dated.append("COALESCE(date_min, event_date) <= ?")
        params.append(date_to.isoformat())
    if dated:
        test = " AND ".join(dated)
        where.append(f"(({test}) OR event_date IS NULL)" if undated else f"({test})")
    elif not undated:
        where.append("event_date IS NOT NULL")
    if event_types is not None:
        types = list(dict.fromkeys(event_types))
        if not types:
            where.append("0")
        else:
            where.append(f"event_type IN ({','.join('?' * len(types))})")
            params += types
    sql = f"SELECT {', '.join(codec.EVENT_COLUMNS)} FROM events"
    if where:
        sql += " WHERE " + " AND ".join(where)
    middle = None
    if date_from is not None and date_to is not None:
        middle = date_from + (date_to - date_from) / 2
    return CandidateQuery(
        sql=sql,
        params=params,
        latitude=latitude if has_point else None,
        longitude=longitude if has_point else None,
        radius_km=radius_km,
        admin=(iso, admin1) if admin1 is not None else None,
        middle=middle,
    )


def nearest(rows: Sequence[sqlite3.Row], query: CandidateQuery, limit: int | None) -> list[sqlite3.Row]:
    """The rows that pass the exact distance test, nearest first (then nearest date, then id)."""
    ranked: list[tuple[float, int, str, sqlite3.Row]] = []
    for row in rows:
        km = 0.0
        if query.latitude is not None and query.longitude is not None and row["latitude"] is not None:
            km = haversine_km(query.latitude, query.longitude, row["latitude"], row["longitude"])
            in_area = query.admin is not None and (row["iso"], row["admin1"]) == query.admin
            if km > query.radius_km and not in_area:
                continue
        days = 0
        if query.middle is not None and row["event_date"] is not None:
            days = abs((dt.date.fromisoformat(row["event_date"]) - query.middle).days)
        ranked.append((km, days, row["id"], row))
    ranked.sort(key=lambda t: t[:3])
    chosen = [t[3] for t in ranked]
    return chosen if limit is None else chosen[: max(0, limit)]


# ---------------------------------------------------------------- the outlet registry


def check_label(outlet: str, label: str) -> tuple[str, str]:
    """The outlet and label as stored (whitespace collapsed); ValueError when either is empty."""
    names = []
    for what, value in (("outlet", outlet), ("label", label)):
        text = " ".join(str(value).split()) if isinstance(value, str) else ""
        if not text:
            raise ValueError(f"the {what} must be a non-empty string, not {value!r}")
        names.append(text)
    return names[0], names[1]


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def outlets(conn: sqlite3.Connection, label: str | None) -> list[Outlet]:
    """The registry: outlets of the stored documents and labelled outlets, most documents first."""
    seen = "COALESCE(published, substr(ingested_at, 1, 10))"
    stats: dict[str, dict[str, Any]] = {}
    for row in conn.execute(
        f"SELECT outlet, count(*), min({seen}), max({seen}) FROM documents WHERE outlet IS NOT NULL "
        "GROUP BY outlet"
    ):
        stats[row[0]] = {"documents": row[1], "first_seen": _day(row[2]), "last_seen": _day(row[3])}
    languages: dict[str, list[tuple[int, str]]] = {}
    for row in conn.execute(
        "SELECT outlet, language, count(*) FROM documents WHERE outlet IS NOT NULL AND language IS NOT NULL "
        "GROUP BY outlet, language"
    ):
        languages.setdefault(row[0], []).append((-row[2], row[1]))
    events: dict[str, int] = {
        row[0]: row[1]
        for row in conn.execute(
            "SELECT d.outlet, count(DISTINCT s.event_id) FROM sources s "
            "JOIN documents d ON d.id = s.document_id WHERE d.outlet IS NOT NULL GROUP BY d.outlet"
        )
    }
    labels: dict[str, list[str]] = {}
    for row in conn.execute("SELECT outlet, label FROM outlet_labels ORDER BY outlet, label"):
        labels.setdefault(row[0], []).append(row[1])
    result = [
        Outlet(
            name=name,
            documents=stats.get(name, {}).get("documents", 0),
            events=events.get(name, 0),
            languages=tuple(code for _, code in sorted(languages.get(name, []))),
            first_seen=stats.get(name, {}).get("first_seen"),
            last_seen=stats.get(name, {}).get("last_seen"),
            labels=tuple(labels.get(name, [])),
        )
        for name in set(stats) | set(labels)
    ]
    if label is not None:
        result = [o for o in result if label in o.labels]
    result.sort(key=lambda o: (-o.documents, o.name))
    return result
