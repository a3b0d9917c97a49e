"""An Event as the export record of ``../shared/eval/README.md`` ("The event export"), and ACLED columns.

The record carries the contract's fields in the contract's order, plus ``event_id`` (first), ``date_note``
and, per source, ``outlet``, ``reporting_source`` and ``fatalities`` (the toll that source gives), and for
a source that joined an event already in the ledger, ``merge`` (rule, km, days, merged_id: why it joined).
Missing values are ``null``: the export says "unknown" rather than guessing (no 0 fatalities, no country
centre). Associated actors are joined with "; " as ACLED does.
"""

from __future__ import annotations

from typing import Any

from veilleur.model import Actor, Claim, Event, Source

ACLED_SEPARATOR = "; "


def _names(actors: list[Actor]) -> str | None:
    return ACLED_SEPARATOR.join(a.name for a in actors) if actors else None


def _claim(value: object) -> str:
    return value.value if isinstance(value, Claim) else str(value)


def source_record(source: Source) -> dict[str, Any]:
    record: dict[str, Any] = {
        "document_id": source.document_id,
        "url": source.url,
        "published": source.published.isoformat() if source.published else None,
        "outlet": source.outlet,
        "claim": _claim(source.claim),
        "reporting_source": source.reporting_source,
        "fatalities": source.fatalities,
        "evidence": [{"start": s.start, "end": s.end, "text": s.text} for s in source.evidence],
    }
    if source.merge is not None:
        m = source.merge
        record["merge"] = {"rule": m.rule, "km": m.km, "days": m.days, "merged_id": m.merged_id}
    return record


def event_to_record(event: Event) -> dict[str, Any]:
    """The export record of one event (JSON-ready: str, int, float, None, lists and dicts only)."""
    place = event.place
    date = event.date
    return {
        "event_id": event.id,
        "event_date": date.date.isoformat() if date.date else None,
        "time_precision": date.precision,
        "date_note": date.note,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "actor1": event.actor1.name if event.actor1 else None,
        "assoc_actor_1": _names(event.assoc_actor_1),
        "actor2": event.actor2.name if event.actor2 else None,
        "assoc_actor_2": _names(event.assoc_actor_2),
        "country": place.country_name if place else None,
        "iso": place.country if place else None,
        "admin1": place.admin1 if place else None,
        "admin2": place.admin2 if place else None,
        "location": place.name if place else event.location_text,
        "latitude": place.latitude if place else None,
        "longitude": place.longitude if place else None,
        "geo_precision": place.geo_precision if place else None,
        "fatalities": event.fatalities,
        "notes": event.notes,
        "sources": [source_record(s) for s in event.sources],
    }


# ---------------------------------------------------------------- ACLED derived columns

# ACLED codebook: disorder type by event type; two sub-event types are exceptions.
_DISORDER_BY_TYPE = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
_DISORDER_BY_SUB_TYPE = {
    "Excessive force against protesters": "Political violence; Demonstrations",
    "Mob violence": "Political violence",
}

# ACLED actor-type codes (inter1/inter2), keyed by Actor.kind; an unknown kind gives an empty code.
_INTER_CODES = {
    "state": 1, "state forces": 1, "military": 1, "police": 1,
    "rebel": 2, "rebels": 2, "rebel group": 2,
    "militia": 3, "political militia": 3,  # ACLED's default militia type
    "identity militia": 4, "communal militia": 4, "ethnic militia": 4,
    "rioters": 5, "rioter": 5,
    "protesters": 6, "protester": 6,
    "civilians": 7, "civilian": 7,
    "external": 8, "other": 8, "external/other forces": 8,
}  # fmt: skip


def disorder_type(event_type: str, sub_event_type: str) -> str:
    """ACLED's disorder type, or "" for a type outside ACLED's taxonomy."""
    return _DISORDER_BY_SUB_TYPE.get(sub_event_type) or _DISORDER_BY_TYPE.get(event_type, "")


def inter_code(actor: Actor | None) -> int | None:
    if actor is None or not actor.kind:
        return None
    return _INTER_CODES.get(actor.kind.strip().lower())


def interaction(event: Event) -> int | None:
    """ACLED's interaction code: the two actor-type codes, lower first; ``10`` etc. for a sole actor."""
    first = inter_code(event.actor1)
    if first is None:
        return None
    if event.actor2 is None:
        return first * 10
    second = inter_code(event.actor2)
    if second is None:
        return None
    low, high = sorted((first, second))
    return low * 10 + high


def civilian_targeting(event: Event) -> str:
    """ACLED's ``civilian_targeting`` column: "Civilian targeting" when civilians are the target, else ""."""
    if event.event_type == "Violence against civilians":
        return "Civilian targeting"
    target = event.actor2
    if target is not None and (inter_code(target) == 7 or target.name.lower().startswith("civilians")):
        return "Civilian targeting"
    return ""


def source_names(event: Event) -> str:
    """ACLED's ``source`` column: outlets and reporting sources, first seen first, "; "-joined."""
    names: dict[str, None] = {}
    for source in event.sources:
        for name in (source.outlet, source.reporting_source):
            if name:
                names.setdefault(name.strip(), None)
    return ACLED_SEPARATOR.join(n for n in names if n)
