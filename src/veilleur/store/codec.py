"""Conversions between the typed stage objects and flat rows (shared by every SQL backend).

Dates are ISO strings, enums their value, actors a name column plus a JSON detail object, and a Place
exists on a row exactly when its coordinates are set. ``row -> object`` is the exact inverse of
``object -> row`` for every value the model allows (the round-trip tests hold it to that).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any

from veilleur.model import Actor, Change, Claim, DateValue, Document, Event, MergeReason, Place, Source, Span

Row = Mapping[str, Any]

DOCUMENT_COLUMNS = (
    "id", "url", "outlet", "published", "language", "title", "origin", "content_hash", "text_hash", "text",
)  # fmt: skip

EVENT_COLUMNS = (
    "id", "event_type", "sub_event_type",
    "event_date", "date_min", "date_max", "time_precision", "date_note", "date_expression",
    "actor1", "actor2", "assoc_actor_1", "assoc_actor_2", "actor_detail",
    "country", "iso", "admin1", "admin2", "location", "location_text", "latitude", "longitude",
    "geo_precision", "place_feature", "place_source", "place_population",
    "fatalities", "notes",
)  # fmt: skip

SOURCE_COLUMNS = (
    "url", "published", "outlet", "claim", "reporting_source", "fatalities",
    "merge_rule", "merge_km", "merge_days", "merged_id",
)  # fmt: skip

HISTORY_COLUMNS = ("field", "old_value", "new_value", "document_id", "changed_at")


def iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def from_iso(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value is not None else None


def _opt_int(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be an int or None, not {value!r}")
    return value


def _text(value: object, what: str, *, optional: bool = True) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string, not {value!r}")
    return value


def _date(value: object, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValueError(f"{what} must be a datetime.date or None, not {value!r}")
    return value.isoformat()


def claim_value(value: object) -> str:
    """The stored form of a Claim; accepts the enum or its value, rejects anything else."""
    try:
        return Claim(value).value
    except ValueError:
        raise ValueError(f"claim must be one of {[c.value for c in Claim]}, not {value!r}") from None


# ---------------------------------------------------------------- documents


def document_row(doc: Document) -> dict[str, Any]:
    return {
        "id": _text(doc.id, "document id", optional=False),
        "url": _text(doc.url, "url"),
        "outlet": _text(doc.outlet, "outlet"),
        "published": _date(doc.published, "published"),
        "language": _text(doc.language, "language"),
        "title": _text(doc.title, "title"),
        "origin": _text(doc.origin, "origin"),
        "content_hash": _text(doc.content_hash, "content_hash") or None,
        "text_hash": doc.content_hash or None,  # the same, kept also for another outlet's copy (schema v2)
        "text": _text(doc.text, "text", optional=False),
    }


def row_document(row: Row) -> Document:
    return Document(
        id=row["id"],
        text=row["text"],
        published=from_iso(row["published"]),
        url=row["url"],
        outlet=row["outlet"],
        language=row["language"],
        title=row["title"],
        origin=row["origin"],
        content_hash=row["content_hash"] or row["text_hash"] or "",
    )


# ---------------------------------------------------------------- actors


def _actor_detail(actor: Actor) -> dict[str, str]:
    if not isinstance(actor, Actor):
        raise ValueError(f"actor must be an Actor, not {actor!r}")
    _text(actor.name, "actor name", optional=False)
    detail = {"surface": actor.surface, "kind": actor.kind, "country": actor.country}
    return {k: _text(v, f"actor {k}") for k, v in detail.items() if v is not None}  # type: ignore[misc]


def _actor(name: str, detail: Mapping[str, Any] | None) -> Actor:
    detail = detail or {}
    return Actor(
        name=name, surface=detail.get("surface"), kind=detail.get("kind"), country=detail.get("country")
    )


def _actor_columns(event: Event) -> dict[str, Any]:
    detail: dict[str, Any] = {}
    for key in ("actor1", "actor2"):
        actor = getattr(event, key)
        if actor is not None and (d := _actor_detail(actor)):
            detail[key] = d
    for key in ("assoc_actor_1", "assoc_actor_2"):
        details = [_actor_detail(a) for a in getattr(event, key)]
        if any(details):
            detail[key] = details
    return {
        "actor1": event.actor1.name if event.actor1 is not None else None,
        "actor2": event.actor2.name if event.actor2 is not None else None,
        "assoc_actor_1": json.dumps([a.name for a in event.assoc_actor_1], ensure_ascii=False),
        "assoc_actor_2": json.dumps([a.name for a in event.assoc_actor_2], ensure_ascii=False),
        "actor_detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
    }


# ---------------------------------------------------------------- events


def _coordinate(value: object, what: str, bound: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number) or abs(number) > bound:
        raise ValueError(f"{what} must be a finite number within ±{bound:g}, not {value!r}")
    return number


def _place_columns(place: Place | None) -> dict[str, Any]:
    if place is None:
        keys = ("country", "iso", "admin1", "admin2", "location", "latitude", "longitude",
                "geo_precision", "place_feature", "place_source", "place_population")  # fmt: skip
        return dict.fromkeys(keys)
    if not isinstance(place, Place):
        raise ValueError(f"place must be a Place, not {place!r}")
    return {
        "country": _text(place.country_name, "place country_name"),
        "iso": _text(place.country, "place country"),
        "admin1": _text(place.admin1, "place admin1"),
        "admin2": _text(place.admin2, "place admin2"),
        "location": _text(place.name, "place name", optional=False),
        "latitude": _coordinate(place.latitude, "latitude", 90.0),
        "longitude": _coordinate(place.longitude, "longitude", 180.0),
        "geo_precision": _opt_int(place.geo_precision, "geo_precision"),
        "place_feature": _text(place.feature, "place feature"),
        "place_source": _text(place.source, "place source"),
        "place_population": _opt_int(place.population, "place population"),
    }


def event_row(event: Event) -> dict[str, Any]:
    """The events-table columns of an event (validated: a bad value raises ValueError)."""
    date = event.date
    if not isinstance(date, DateValue):
        raise ValueError(f"date must be a DateValue, not {date!r}")
    row: dict[str, Any] = {
        "id": _text(event.id, "event id", optional=False),
        "event_type": _text(event.event_type, "event_type", optional=False),
        "sub_event_type": _text(event.sub_event_type, "sub_event_type", optional=False),
        "event_date": _date(date.date, "event date"),
        "date_min": _date(date.date_min, "date_min"),
        "date_max": _date(date.date_max, "date_max"),
        "time_precision": _opt_int(date.precision, "time precision"),
        "date_note": _text(date.note, "date note"),
        "date_expression": _text(date.expression, "date expression"),
        "location_text": _text(event.location_text, "location_text"),
        "fatalities": _opt_int(event.fatalities, "fatalities"),
        "notes": _text(event.notes, "notes", optional=False),
    }
    row.update(_actor_columns(event))
    row.update(_place_columns(event.place))
    return row


def row_event(row: Row, sources: list[Source] | None = None, history: list[Change] | None = None) -> Event:
    detail: dict[str, Any] = json.loads(row["actor_detail"] or "{}")
    place = None
    if row["latitude"] is not None:
        place = Place(
            name=row["location"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            country=row["iso"],
            country_name=row["country"],
            admin1=row["admin1"],
            admin2=row["admin2"],
            geo_precision=row["geo_precision"],
            feature=row["place_feature"],
            source=row["place_source"],
            population=row["place_population"],
        )

    def assoc(key: str) -> list[Actor]:
        names: list[str] = json.loads(row[key] or "[]")
        details: list[dict[str, Any]] = detail.get(key) or [{} for _ in names]
        return [_actor(n, d) for n, d in zip(names, details, strict=True)]

    return Event(
        id=row["id"],
        event_type=row["event_type"],
        sub_event_type=row["sub_event_type"],
        date=DateValue(
            date=from_iso(row["event_date"]),
            precision=row["time_precision"],
            date_min=from_iso(row["date_min"]),
            date_max=from_iso(row["date_max"]),
            expression=row["date_expression"],
            note=row["date_note"],
        ),
        actor1=_actor(row["actor1"], detail.get("actor1")) if row["actor1"] is not None else None,
        actor2=_actor(row["actor2"], detail.get("actor2")) if row["actor2"] is not None else None,
        assoc_actor_1=assoc("assoc_actor_1"),
        assoc_actor_2=assoc("assoc_actor_2"),
        place=place,
        location_text=row["location_text"],
        fatalities=row["fatalities"],
        notes=row["notes"],
        sources=list(sources or []),
        history=list(history or []),
    )


# ---------------------------------------------------------------- sources and evidence


def source_row(source: Source) -> dict[str, Any]:
    if not isinstance(source, Source):
        raise ValueError(f"a source must be a Source, not {source!r}")
    return {
        "document_id": _text(source.document_id, "source document_id", optional=False),
        "url": _text(source.url, "source url"),
        "published": _date(source.published, "source published"),
        "outlet": _text(source.outlet, "source outlet"),
        "claim": claim_value(source.claim),
        "reporting_source": _text(source.reporting_source, "reporting_source"),
        "fatalities": _opt_int(source.fatalities, "source fatalities"),
        **_merge_columns(source.merge),
    }


def _merge_columns(merge: MergeReason | None) -> dict[str, Any]:
    if merge is None:
        return {"merge_rule": None, "merge_km": None, "merge_days": None, "merged_id": None}
    if not isinstance(merge, MergeReason):
        raise ValueError(f"merge must be a MergeReason or None, not {merge!r}")
    km = None if merge.km is None else _coordinate(merge.km, "merge km", 40_100.0)
    return {
        "merge_rule": _text(merge.rule, "merge rule", optional=False),
        "merge_km": km,
        "merge_days": _opt_int(merge.days, "merge days"),
        "merged_id": _text(merge.merged_id, "merged id"),
    }

def span_row(span: Span) -> tuple[int, int, str]:
    if not isinstance(span, Span):
        raise ValueError(f"evidence must be a Span, not {span!r}")
    start = _opt_int(span.start, "evidence start")
    end = _opt_int(span.end, "evidence end")
    if start is None or end is None:
        raise ValueError(f"evidence offsets must be ints, not {span!r}")
    return start, end, _text(span.text, "evidence text", optional=False) or ""


def row_source(row: Row, evidence: list[Span]) -> Source:
    return Source(
        document_id=row["document_id"],
        url=row["url"],
        published=from_iso(row["published"]),
        outlet=row["outlet"],
        claim=Claim(row["claim"]),
        reporting_source=row["reporting_source"],
        fatalities=row["fatalities"],
        evidence=evidence,
        merge=None if row["merge_rule"] is None else MergeReason(
            rule=row["merge_rule"], km=row["merge_km"], days=row["merge_days"], merged_id=row["merged_id"]
        ),
    )


# ---------------------------------------------------------------- history


def change_row(change: Change) -> dict[str, Any]:
    if not isinstance(change, Change):
        raise ValueError(f"history entries must be Change objects, not {change!r}")
    return {
        "field": _text(change.field, "history field", optional=False),
        "old_value": _text(change.old, "history old value"),
        "new_value": _text(change.new, "history new value"),
        "document_id": _text(change.document_id, "history document_id", optional=False),
        "changed_at": _text(change.at, "history time", optional=False),
    }


def row_change(row: Row) -> Change:
    return Change(
        field=row["field"],
        old=row["old_value"],
        new=row["new_value"],
        document_id=row["document_id"],
        at=row["changed_at"],
    )
