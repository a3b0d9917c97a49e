"""SQL for the analyst's reads (filtered pages, counts, map points, aggregates, full-text search).

Every function takes an open ``sqlite3.Connection`` on a Veilleur database and an :class:`EventQuery`;
the SQLite store wraps them in its lock and a read transaction. Values always travel as parameters; the
only text spliced into SQL comes from the fixed tables below, never from the caller.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from veilleur.errors import StoreError
from veilleur.model import Event, Source
from veilleur.store import codec
from veilleur.store.base import DocumentHit, EventPoint, EventQuery, StatRow

# the dimensions event_stats can group by: SQL expression over the ``events`` table, or a join
_COLUMN_DIMS = {
    "day": "events.event_date",
    "month": "substr(events.event_date, 1, 7)",
    "year": "substr(events.event_date, 1, 4)",
    "event_type": "events.event_type",
    "sub_event_type": "events.sub_event_type",
    "country": "events.country",
    "iso": "events.iso",
    "admin1": "events.admin1",
    "admin2": "events.admin2",
    "location": "events.location",
}
_JOIN_DIMS = {
    # alias, join clause (each joined row belongs to exactly one event; duplicates are removed below)
    "actor": (
        "a.actor",
        "JOIN (SELECT n AS event_n, actor1 AS actor FROM events WHERE actor1 IS NOT NULL "
        "UNION SELECT n, actor2 FROM events WHERE actor2 IS NOT NULL) a ON a.event_n = events.n",
    ),
    "outlet": ("so.outlet", "JOIN sources so ON so.event_id = events.id"),
    "claim": ("sc.claim", "JOIN sources sc ON sc.event_id = events.id"),
}
STAT_DIMENSIONS: tuple[str, ...] = (*_COLUMN_DIMS, "week", *_JOIN_DIMS)
"""Every value ``Store.event_stats`` accepts for ``by`` and ``split``."""

# snippet markers: control characters that article text practically never holds (a stray one only shifts
# a highlight: snippets travel as (text, matched) pairs, never as markup)
_SNIPPET_OPEN, _SNIPPET_CLOSE = "\x02", "\x03"


# ---------------------------------------------------------------- full-text queries


def fts_query(text: str) -> str | None:
    """A safe FTS5 query from what a user typed: every word or "quoted phrase" must occur (implicit AND);
    a trailing ``*`` keeps prefix search. FTS5 operators and syntax in ``text`` are searched as plain words,
    so no input makes the query fail. None when ``text`` holds no word at all."""
    parts: list[str] = []
    for phrase, word in re.findall(r'"([^"]*)"?|([^\s"]+)', text.replace("\x00", " ")):
        token = phrase if phrase else word
        prefix = bool(word) and word.endswith("*")
        if not re.search(r"\w", token):
            continue
        quoted = '"' + token.rstrip("*" if prefix else "").replace('"', '""') + '"'
        parts.append(quoted + ("*" if prefix else ""))
    return " ".join(parts) if parts else None


# ---------------------------------------------------------------- WHERE clause


def _any_of(expr: str, values: tuple[str, ...], params: list[Any], *, nocase: bool = True) -> str:
    collate = " COLLATE NOCASE" if nocase else ""
    if len(values) == 1:
        params.append(values[0])
        return f"{expr} = ?{collate}"
    params.extend(values)
    return f"{expr}{collate} IN ({','.join('?' * len(values))})"


def where_clause(query: EventQuery) -> tuple[str, list[Any]]:
    """`` WHERE ...`` (or "") over the ``events`` table, and its parameters."""
    where: list[str] = []
    params: list[Any] = []
    if query.date_from is not None:
        where.append("events.event_date >= ?")
        params.append(query.date_from.isoformat())
    if query.date_to is not None:
        where.append("events.event_date <= ?")
        params.append(query.date_to.isoformat())
    if query.event_types:
        where.append(_any_of("events.event_type", query.event_types, params, nocase=False))
    if query.sub_event_types:
        where.append(_any_of("events.sub_event_type", query.sub_event_types, params, nocase=False))
    if query.countries:
        # a two-letter value is an ISO code (stored upper-case: the index answers), anything else a name
        codes = tuple(dict.fromkeys(c.upper() for c in query.countries if len(c) == 2))
        names = tuple(c for c in query.countries if len(c) != 2)
        either = [_any_of("events.iso", codes, params, nocase=False)] if codes else []
        either += [_any_of("events.country", names, params)] if names else []
        where.append("(" + " OR ".join(either) + ")")
    if query.admin1:
        where.append(_any_of("events.admin1", query.admin1, params))
    if query.actors:
        clauses = [_any_of(f"events.{col}", query.actors, params) for col in ("actor1", "actor2")]
        for col in ("assoc_actor_1", "assoc_actor_2"):
            # most events have no associated actor: skip the JSON walk for them
            clauses.append(
                f"(events.{col} != '[]' AND EXISTS (SELECT 1 FROM json_each(events.{col}) j WHERE "
                f"{_any_of('j.value', query.actors, params)}))"
            )
        where.append("(" + " OR ".join(clauses) + ")")
    # conditions on sources: the matching event ids are found once (IN), not per event (EXISTS)
    if query.outlets:
        where.append(
            f"events.id IN (SELECT s.event_id FROM sources s WHERE {_any_of('s.outlet', query.outlets, params)})"
        )
    if query.claims:
        claims = _any_of("s.claim", query.claims, params, nocase=False)
        where.append(f"events.id IN (SELECT s.event_id FROM sources s WHERE {claims})")
    if query.document_id is not None:
        where.append("events.id IN (SELECT s.event_id FROM sources s WHERE s.document_id = ?)")
        params.append(query.document_id)
    if query.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = query.bbox
        if min_lon > max_lon or min_lat > max_lat:
            raise StoreError(f"bbox must be (min_lon, min_lat, max_lon, max_lat), not {query.bbox!r}")
        where.append(
            "events.n IN (SELECT n FROM events_rtree WHERE max_lon >= ? AND min_lon <= ? AND max_lat >= ? "
            "AND min_lat <= ?) AND events.longitude BETWEEN ? AND ? AND events.latitude BETWEEN ? AND ?"
        )
        params += [min_lon, max_lon, min_lat, max_lat, min_lon, max_lon, min_lat, max_lat]
    if query.text is not None:
        match = fts_query(query.text)
        if match is not None:
            where.append(
                "events.id IN (SELECT s.event_id FROM sources s WHERE s.document_id IN (SELECT d.id FROM "
                "documents d WHERE d.n IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)))"
            )
            params.append(match)
    return (" WHERE " + " AND ".join(where)) if where else "", params


def _run(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[Any]:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:  # e.g. a full-text query SQLite still refuses
        raise StoreError(f"query failed: {exc}") from exc


# ---------------------------------------------------------------- events


def event_rows(
    conn: sqlite3.Connection,
    query: EventQuery,
    columns: str,
    *,
    limit: int | None,
    offset: int,
    newest_first: bool,
) -> list[Any]:
    where, params = where_clause(query)
    offset = max(0, offset)
    if not newest_first:  # the events_order index gives this order: no sort
        sql = (
            f"SELECT {columns} FROM events{where} "
            "ORDER BY events.event_date IS NULL, events.event_date, events.id LIMIT ? OFFSET ?"
        )
        return _run(conn, sql, [*params, -1 if limit is None else limit, offset])
    # newest first, undated last: the dated events read backwards along events_order (whose first column
    # is "event_date IS NULL"; the equality below lets SQLite use it, no sort of every match), then the
    # undated ones
    joiner = " AND " if where else " WHERE "
    dated = _run(
        conn,
        f"SELECT {columns} FROM events{where}{joiner}(events.event_date IS NULL) = 0 "
        "ORDER BY events.event_date DESC, events.id DESC LIMIT ? OFFSET ?",
        [*params, -1 if limit is None else limit, offset],
    )
    if limit is not None and len(dated) >= limit:
        return dated
    if dated or offset == 0:
        undated_offset = 0
    else:
        n_dated = _run(conn, f"SELECT count(*) FROM events{where}{joiner}(events.event_date IS NULL) = 0", params)
        undated_offset = offset - int(n_dated[0][0])
    undated = _run(
        conn,
        f"SELECT {columns} FROM events{where}{joiner}events.event_date IS NULL "
        "ORDER BY events.id DESC LIMIT ? OFFSET ?",
        [*params, -1 if limit is None else limit - len(dated), max(0, undated_offset)],
    )
    return dated + undated


def count_events(conn: sqlite3.Connection, query: EventQuery) -> int:
    where, params = where_clause(query)
    return int(_run(conn, f"SELECT count(*) FROM events{where}", params)[0][0])


def event_points(conn: sqlite3.Connection, query: EventQuery, limit: int | None) -> list[EventPoint]:
    where, params = where_clause(query)
    sql = (
        "SELECT events.id, events.latitude, events.longitude, events.event_type, events.event_date, "
        f"events.fatalities FROM events{where}{' AND' if where else ' WHERE'} events.latitude IS NOT NULL "
        "ORDER BY events.event_date DESC, events.id DESC LIMIT ?"
    )
    rows = _run(conn, sql, [*params, -1 if limit is None else limit])
    return [EventPoint(r[0], r[1], r[2], r[3], dt.date.fromisoformat(r[4]) if r[4] else None, r[5]) for r in rows]


# ---------------------------------------------------------------- aggregates


def _dimension(name: str) -> tuple[str, str]:
    """(SQL expression, join clause) for a stat dimension; "week" is grouped by day here."""
    if name in ("day", "week"):
        return _COLUMN_DIMS["day"], ""
    if name in _COLUMN_DIMS:
        return _COLUMN_DIMS[name], ""
    if name in _JOIN_DIMS:
        return _JOIN_DIMS[name]
    raise StoreError(f"unknown stat dimension {name!r}; choose one of {', '.join(STAT_DIMENSIONS)}")


def iso_week(day: str) -> str:
    year, week, _ = dt.date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def event_stats(
    conn: sqlite3.Connection, query: EventQuery, by: str, split: str | None, limit: int | None
) -> list[StatRow]:
    key_expr, key_join = _dimension(by)
    split_expr, split_join = _dimension(split) if split else ("NULL", "")
    if split and split_join and split_join == key_join:
        split_join = ""  # the same join twice (e.g. by=actor, split=actor)
    where, params = where_clause(query)
    # one row per (event, key, split): fatalities are summed once per event and key
    inner = (
        f"SELECT DISTINCT events.n, {key_expr} AS k, {split_expr} AS s, events.fatalities AS f "
        f"FROM events {key_join} {split_join}{where}"
    )
    sql = f"SELECT k, s, count(*), sum(f) FROM ({inner}) GROUP BY k, s"
    rows = _run(conn, sql, params)
    if by == "week" or split == "week":
        merged: dict[tuple[Any, Any], list[Any]] = {}
        for k, s, n, f in rows:
            k = iso_week(k) if by == "week" and k else k
            s = iso_week(s) if split == "week" and s else s
            slot = merged.setdefault((k, s), [0, None])
            slot[0] += n
            if f is not None:
                slot[1] = (slot[1] or 0) + f
        rows = [(k, s, n, f) for (k, s), (n, f) in merged.items()]
    stats = [StatRow(k, s, int(n), None if f is None else int(f)) for k, s, n, f in rows]
    if by in ("day", "week", "month", "year"):
        stats.sort(key=lambda r: (r.key is None, r.key or "", r.split or ""))
        return stats
    # categories: the biggest first; with a limit, the top keys (all their splits)
    totals: dict[Any, int] = {}
    for row in stats:
        totals[row.key] = totals.get(row.key, 0) + row.events
    ranked = sorted(totals, key=lambda k: (k is None, -totals[k], str(k)))
    if limit is not None:
        ranked = ranked[:limit]
    rank = {k: i for i, k in enumerate(ranked)}
    kept = [r for r in stats if r.key in rank]
    kept.sort(key=lambda r: (rank[r.key], -r.events, str(r.split)))
    return kept


# ---------------------------------------------------------------- documents


def search_documents(
    conn: sqlite3.Connection, text: str | None, limit: int, offset: int
) -> tuple[list[DocumentHit], int]:
    """Documents matching ``text`` (best first) with a snippet, or the newest documents when ``text`` is
    None or holds no word; and how many match in all."""
    match = fts_query(text) if text is not None else None
    columns = "d.id, d.title, d.url, d.outlet, d.published, d.language"
    if match is None:
        total = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        rows = _run(
            conn,
            f"SELECT {columns}, substr(d.text, 1, 200) AS snip FROM documents d "
            "ORDER BY d.published IS NULL, d.published DESC, d.id LIMIT ? OFFSET ?",
            [limit, offset],
        )
        return [_hit(r, marked=False) for r in rows], int(total)
    total = _run(conn, "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?", [match])[0][0]
    rows = _run(
        conn,
        f"SELECT {columns}, snippet(documents_fts, 1, char(2), char(3), '…', 24) AS snip "
        "FROM documents_fts JOIN documents d ON d.n = documents_fts.rowid "
        "WHERE documents_fts MATCH ? ORDER BY rank, d.id LIMIT ? OFFSET ?",
        [match, limit, offset],
    )
    return [_hit(r, marked=True) for r in rows], int(total)


def _hit(row: sqlite3.Row, *, marked: bool) -> DocumentHit:
    snippet: list[tuple[str, bool]] = []
    raw = row["snip"] or ""
    if not marked:
        snippet = [(raw, False)] if raw else []
    else:
        for i, piece in enumerate(re.split(f"[{_SNIPPET_OPEN}{_SNIPPET_CLOSE}]", raw)):
            if piece:
                snippet.append((piece, i % 2 == 1))
    published = row["published"]
    return DocumentHit(
        id=row["id"],
        title=row["title"],
        url=row["url"],
        outlet=row["outlet"],
        published=dt.date.fromisoformat(published) if published else None,
        language=row["language"],
        snippet=tuple(snippet),
    )


# ---------------------------------------------------------------- the store's methods


class AnalystReads:
    """The analyst's read methods of the ``Store`` protocol, for a SQLite store class that provides
    ``_read()`` (a locked read transaction) and ``_sources(conn, event_ids)``."""

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    @staticmethod
    def _sources(conn: sqlite3.Connection, event_ids: Sequence[str]) -> dict[str, list[Source]]:
        raise NotImplementedError

    def find_events(
        self, query: EventQuery, *, limit: int | None = None, offset: int = 0, newest_first: bool = False
    ) -> list[Event]:
        columns = ", ".join(f"events.{c}" for c in codec.EVENT_COLUMNS)
        with self._read() as conn:
            rows = event_rows(conn, query, columns, limit=limit, offset=offset, newest_first=newest_first)
            sources = self._sources(conn, [r["id"] for r in rows])
        return [codec.row_event(r, sources.get(r["id"])) for r in rows]

    def count_events(self, query: EventQuery) -> int:
        with self._read() as conn:
            return count_events(conn, query)

    def event_points(self, query: EventQuery, *, limit: int | None = None) -> list[EventPoint]:
        with self._read() as conn:
            return event_points(conn, query, limit)

    def event_stats(
        self, query: EventQuery, by: str, *, split: str | None = None, limit: int | None = None
    ) -> list[StatRow]:
        with self._read() as conn:
            return event_stats(conn, query, by, split, limit)

    def search_documents(self, text: str | None, *, limit: int = 20, offset: int = 0) -> tuple[list[DocumentHit], int]:
        with self._read() as conn:
            return search_documents(conn, text, max(0, limit), max(0, offset))
