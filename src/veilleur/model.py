"""Typed objects passed between stages.

Every stage is a function over these objects; none of them does I/O. Offsets are character offsets into
``Document.text`` (start inclusive, end exclusive).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum


class Modality(str, Enum):
    """How the text presents an event mention. Only FACTUAL mentions become events."""

    FACTUAL = "factual"
    THREAT = "threat"
    FUTURE = "future"
    NEGATED = "negated"
    HYPOTHETICAL = "hypothetical"
    GENERIC = "generic"  # running totals, habits ("plusieurs fois par semaine")


class Claim(str, Enum):
    """How a source presents what it reports."""

    REPORTED = "reported"
    CLAIMED = "claimed"
    DENIED = "denied"
    HEDGED = "hedged"


@dataclass(frozen=True)
class Document:
    """One article, as read by the ingest stage."""

    id: str
    text: str
    published: dt.date | None = None
    url: str | None = None
    outlet: str | None = None
    language: str | None = None
    title: str | None = None
    origin: str | None = None  # file path or "file:line" it came from
    content_hash: str = ""


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class DateValue:
    """A resolved date with ACLED time precision (1 = day, 2 = week or a few days, 3 = month)."""

    date: dt.date | None = None
    precision: int | None = None
    date_min: dt.date | None = None
    date_max: dt.date | None = None
    expression: str | None = None
    note: str | None = None  # e.g. a weekday/date conflict


@dataclass(frozen=True)
class Place:
    """A resolved location. geo_precision: 1 = the place itself, 2 = near / part of a region, 3 = admin area."""

    name: str
    latitude: float
    longitude: float
    country: str | None = None  # ISO 3166 alpha-2
    country_name: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    geo_precision: int = 1
    feature: str | None = None  # GeoNames feature code or facility kind
    source: str | None = None  # "geonames:<id>", "facility:<key>", ...
    population: int = 0


@dataclass(frozen=True)
class Actor:
    name: str  # canonical ACLED-style name
    surface: str | None = None  # the words in the text
    kind: str | None = None  # state, rebel, militia, civilians, protesters, ...
    country: str | None = None


@dataclass
class Mention:
    """One event mention inside one document (output of detect + arguments + resolve)."""

    document_id: str
    trigger: Span
    sentence: Span
    event_type: str
    sub_event_type: str
    modality: Modality = Modality.FACTUAL
    actor1: Actor | None = None
    actor2: Actor | None = None
    assoc_actor_1: list[Actor] = field(default_factory=list)
    assoc_actor_2: list[Actor] = field(default_factory=list)
    place_text: str | None = None
    place: Place | None = None
    date: DateValue = field(default_factory=DateValue)
    fatalities: int | None = None
    claim: Claim = Claim.REPORTED
    reporting_source: str | None = None
    evidence: list[Span] = field(default_factory=list)
    score: float = 1.0
    notes: list[str] = field(default_factory=list)
    # a mention that only refers back to an incident ("l'attentat de X", "cette attaque"): it joins the event it
    # names and never makes one of its own
    reference: bool = False
    # the sentence gives only wounded ("faisant 29 blessés"): no dead, unless another sentence gives a figure
    wounded_only: bool = False


@dataclass(frozen=True)
class MergeReason:
    """Why a document's event joined an event already in the ledger (set by the ledger stage).

    ``rule`` names the rules that matched ("same sub-type, same place, dates overlap"), ``km`` the distance
    between the two points, ``days`` the gap between the two date ranges (0 when they overlap), ``merged_id``
    the id the document's own event had before it joined."""

    rule: str
    km: float | None = None
    days: int | None = None
    merged_id: str | None = None


@dataclass(frozen=True)
class Change:
    """One change to a ledger event made by a later document: which field, from what to what, when (UTC,
    ``YYYY-MM-DDTHH:MM:SSZ``). Values are the readable forms ``veilleur events --show`` prints."""

    field: str
    old: str | None
    new: str | None
    document_id: str
    at: str


@dataclass
class Source:
    """One document's report of an event."""

    document_id: str
    url: str | None = None
    published: dt.date | None = None
    outlet: str | None = None
    claim: Claim = Claim.REPORTED
    reporting_source: str | None = None
    fatalities: int | None = None
    evidence: list[Span] = field(default_factory=list)
    merge: MergeReason | None = None  # None for the source that created the event


@dataclass
class Event:
    """A ledger entry: one incident with every source that reported it."""

    id: str
    event_type: str
    sub_event_type: str
    date: DateValue = field(default_factory=DateValue)
    actor1: Actor | None = None
    actor2: Actor | None = None
    assoc_actor_1: list[Actor] = field(default_factory=list)
    assoc_actor_2: list[Actor] = field(default_factory=list)
    place: Place | None = None
    location_text: str | None = None
    fatalities: int | None = None
    notes: str = ""
    sources: list[Source] = field(default_factory=list)
    history: list[Change] = field(default_factory=list)  # what later documents changed, oldest first
