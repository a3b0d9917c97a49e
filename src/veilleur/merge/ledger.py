"""Ledger stage: a new article's events join the events already in the ledger when they are the same incident.

The in-article merge (:func:`veilleur.merge.merge_mentions`) gives each document its events; this stage
compares each of them with the stored events that could be the same incident (``Store.candidates``: near in
place and date) and with the events of the same run not stored yet, using :func:`compare`, a pure and
symmetric test over two events:

- **type**: the same sub-event type, or two sub-types outlets use for one incident
  (``LedgerRules.compatible_sub_types``); a *background* mention (an event told long after it happened,
  "l'assassinat du 3 janvier 2020 près de l'aéroport de Bagdad") joins a day-precise event of any violent
  type at the same place and day;
- **place**: the same point, the same name, two places a few km apart, a city and a place in it, an admin
  area and a place inside it; never two differently named places further apart, so distinct incidents on
  the same day in the same province stay distinct;
- **date**: the two date ranges overlap or are at most ``day_slack`` days apart (by the coarser precision);
- **actors**: no two different named actors in the same role (roles may be swapped);
- **toll**: stated figures that are close (``fatality_slack`` / ``fatality_ratio``).

A document's events join at most one event each, and an event takes at most one event of a document (the
in-article merge already said they are distinct). The best pairs are taken first; an admin-area report that
fits several events equally well joins none ("none of these" rather than a guess). A joining event keeps the
ledger event's id (ids never change when sources are added), brings its source with the reason of the merge
(:class:`~veilleur.model.MergeReason`), and may sharpen the event's place, date, actors and toll: each change
is recorded in ``Event.history``. Fatalities follow ACLED: the lowest figure a source gives (denials aside);
every source keeps its own figure.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from veilleur.geo.spherical import haversine_km
from veilleur.model import Actor, Change, Claim, DateValue, Document, Event, MergeReason, Place, Source
from veilleur.settings import LedgerRules

__all__ = ["CandidateStore", "Ledger", "Match", "compare", "event_fatalities", "is_background", "join"]


class CandidateStore(Protocol):
    """What the ledger needs of a store: :meth:`veilleur.store.Store.candidates`."""

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
    ) -> list[Event]: ...


@dataclass(frozen=True)
class Match:
    """Why two events are one incident, and how good the pairing is (higher is better)."""

    score: float
    type_rule: str  # "same sub-type", "compatible sub-types", "background mention"
    place_rule: str  # "same place", "same name", "nearby", "inside city", "inside area", "same area"
    date_rule: str  # "dates overlap", "dates within slack", "strong match", "undated"
    km: float | None
    days: int | None

    @property
    def rule(self) -> str:
        return f"{self.type_rule}, {self.place_rule}, {self.date_rule}"

    @property
    def rank(self) -> tuple[int, int]:
        """(type, place) strength: two candidates of equal rank are equally plausible."""
        return _TYPE_RANK[self.type_rule], _PLACE_RANK[self.place_rule]


_TYPE_RANK = {"same sub-type": 3, "compatible sub-types": 2, "background mention": 1}
_PLACE_RANK = {
    "same place": 3, "same name": 3, "nearby": 2, "inside city": 1, "inside area": 1, "same area": 1,
}  # fmt: skip
_PERIOD = re.compile(r"\s*\(\d{4}-(?:\d{4})?\)$")  # ACLED's period qualifier: "(2021-)", "(2016-2021)"


# ---------------------------------------------------------------- the pairwise test (pure, symmetric)


def _name(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


def _date_range(date: DateValue) -> tuple[dt.date, dt.date] | None:
    if date.date is None:
        return None
    lo, hi = date.date_min or date.date, date.date_max or date.date
    return (lo, hi) if lo <= hi else (hi, lo)


def _precision(date: DateValue) -> int:
    return min(3, max(1, date.precision or 3))


def is_background(event: Event, rules: LedgerRules) -> bool:
    """True when every dated source tells the event at least ``background_days`` after it ended."""
    span = _date_range(event.date)
    published = [s.published for s in event.sources if s.published is not None]
    if span is None or not published:
        return False
    return all((p - span[1]).days >= rules.background_days for p in published)


def _types(a: Event, b: Event, rules: LedgerRules) -> str | None:
    if a.sub_event_type == b.sub_event_type and a.event_type == b.event_type:
        return "same sub-type"
    if any(a.sub_event_type in group and b.sub_event_type in group for group in rules.compatible_sub_types):
        return "compatible sub-types"
    day_precise = _precision(a.date) == 1 and _precision(b.date) == 1 and a.date.date and b.date.date
    if (
        day_precise
        and a.event_type in rules.background_types
        and b.event_type in rules.background_types
        and (is_background(a, rules) or is_background(b, rules))
    ):
        return "background mention"
    return None


def _places(a: Place, b: Place, rules: LedgerRules) -> tuple[str, float] | None:
    km = haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
    if km <= rules.same_place_km:
        return "same place", km
    if a.country and b.country and a.country != b.country:
        return None
    area_a, area_b = a.geo_precision >= 3, b.geo_precision >= 3
    if area_a and area_b:
        if _name(a.name) == _name(b.name) or (a.admin1 and a.admin1 == b.admin1 and a.country == b.country):
            return "same area", km
        return None
    if area_a or area_b:
        area, spot = (a, b) if area_a else (b, a)
        inside = bool(area.admin1) and area.admin1 == spot.admin1 and area.country == spot.country
        if inside and area.admin2 and spot.admin2 and area.admin2 != spot.admin2:
            inside = False
        return ("inside area", km) if inside else None
    if _name(a.name) == _name(b.name) and km <= rules.city_km:
        return "same name", km
    if km <= rules.nearby_km:
        return "nearby", km
    if km <= rules.city_km and max(a.population or 0, b.population or 0) >= rules.city_population:
        return "inside city", km
    return None


def _day_gap(a: DateValue, b: DateValue) -> int | None:
    ra, rb = _date_range(a), _date_range(b)
    if ra is None or rb is None:
        return None
    return max((rb[0] - ra[1]).days, (ra[0] - rb[1]).days, 0)


def _specific(actor: Actor | None, rules: LedgerRules) -> str | None:
    """The actor's name without ACLED's period, or None for nobody in particular."""
    if actor is None or not actor.name or actor.name.startswith(rules.generic_actors):
        return None
    return _PERIOD.sub("", actor.name)


def _actors(a: Event, b: Event, rules: LedgerRules) -> int | None:
    """None when two different named actors hold the same role (either way round), else the number of named
    actors both reports share."""
    a1, a2 = _specific(a.actor1, rules), _specific(a.actor2, rules)
    b1, b2 = _specific(b.actor1, rules), _specific(b.actor2, rules)

    def same(x: str | None, y: str | None) -> bool:
        return x is None or y is None or x == y

    if not ((same(a1, b1) and same(a2, b2)) or (same(a1, b2) and same(a2, b1))):
        return None
    return len({a1, a2} & {b1, b2} - {None})


def _figures(event: Event) -> set[int]:
    found = {s.fatalities for s in event.sources if s.fatalities is not None}
    if event.fatalities is not None:
        found.add(event.fatalities)
    return found


def _tolls(a: Event, b: Event, rules: LedgerRules) -> bool:
    fa, fb = _figures(a), _figures(b)
    if not fa or not fb:
        return True
    slack, ratio = rules.fatality_slack, rules.fatality_ratio
    return any(abs(x - y) <= slack or max(x, y) <= ratio * min(x, y) for x in fa for y in fb)


def compare(a: Event, b: Event, rules: LedgerRules) -> Match | None:
    """How ``a`` and ``b`` can be one incident under ``rules``, or None. Symmetric: compare(a, b) and
    compare(b, a) agree. Events without a place never match (Veilleur does not guess a place)."""
    if a.place is None or b.place is None:
        return None
    type_rule = _types(a, b, rules)
    if type_rule is None:
        return None
    place = _places(a.place, b.place, rules)
    if place is None:
        return None
    place_rule, km = place
    gap = _day_gap(a.date, b.date)
    if gap is None:
        if not rules.merge_undated:
            return None
        date_rule, slack = "undated", 0
    else:
        slack = rules.day_slack[max(_precision(a.date), _precision(b.date)) - 1]
        if gap == 0:
            date_rule = "dates overlap"
        elif gap <= slack:
            date_rule = "dates within slack"
        elif (
            gap <= rules.strong_day_slack
            and type_rule == "same sub-type"
            and _name(a.place.name) == _name(b.place.name)
            and a.fatalities
            and a.fatalities == b.fatalities
        ):
            date_rule, slack = "strong match", rules.strong_day_slack
        else:
            return None
    shared = _actors(a, b, rules)
    if shared is None or not _tolls(a, b, rules):
        return None
    search = max(rules.search_km, 1e-9)
    score = (
        10.0 * _TYPE_RANK[type_rule]
        + 3.0 * _PLACE_RANK[place_rule]
        + (1.0 - min(km, search) / search)
        + 2.0 * (1.0 - (gap or 0) / (slack + 1))
        + 0.5 * shared
    )
    return Match(score, type_rule, place_rule, date_rule, round(km, 1), gap)


# ---------------------------------------------------------------- joining: sources, sharpening, history


def event_fatalities(sources: Sequence[Source]) -> int | None:
    """ACLED's rule: when reports conflict, the lowest figure; sources that deny the event give no figure
    unless no other source gives one."""
    figures = [s.fatalities for s in sources if s.fatalities is not None and s.claim is not Claim.DENIED]
    if not figures:
        figures = [s.fatalities for s in sources if s.fatalities is not None]
    return min(figures) if figures else None


def _show_place(place: Place | None) -> str | None:
    if place is None:
        return None
    where = ", ".join(x for x in (place.admin1, place.country) if x)
    return f"{place.name}" + (f" ({where})" if where else "") + f" [geo precision {place.geo_precision}]"


def _show_date(date: DateValue) -> str | None:
    if date.date is None:
        return None
    text = date.date.isoformat()
    lo, hi = date.date_min, date.date_max
    if lo and hi and (lo, hi) != (date.date, date.date):
        text += f" ({lo.isoformat()}..{hi.isoformat()})"
    return text + f" [time precision {date.precision}]"


def _sharper_date(new: DateValue, old: DateValue) -> bool:
    if new.date is None:
        return False
    if old.date is None:
        return True
    if _precision(new) != _precision(old):
        return _precision(new) < _precision(old)
    rn, ro = _date_range(new), _date_range(old)
    assert rn is not None and ro is not None
    inside = ro[0] <= rn[0] and rn[1] <= ro[1]
    return inside and (rn[1] - rn[0]) < (ro[1] - ro[0])


def join(target: Event, new: Event, match: Match, document: Document, at: str, rules: LedgerRules) -> Event:
    """``target`` with ``new``'s sources added (each with the merge reason) and its fields sharpened by
    ``new`` where ``new`` is more precise; every change is appended to the history. Pure: a new Event."""
    reason = MergeReason(rule=match.rule, km=match.km, days=match.days, merged_id=new.id)
    added = [replace(s, merge=reason) for s in new.sources]
    joined = replace(
        target,
        sources=[*target.sources, *added],
        history=list(target.history),
        assoc_actor_1=list(target.assoc_actor_1),
        assoc_actor_2=list(target.assoc_actor_2),
    )
    changes: list[Change] = []

    def change(name: str, old: str | None, value: str | None) -> None:
        if old != value:
            changes.append(Change(name, old, value, document.id, at))

    old_place = joined.place
    if new.place is not None and (old_place is None or new.place.geo_precision < old_place.geo_precision):
        change("place", _show_place(joined.place), _show_place(new.place))
        joined.place, joined.location_text = new.place, new.location_text
    if _sharper_date(new.date, joined.date):
        change("date", _show_date(joined.date), _show_date(new.date))
        joined.date = new.date
    if (
        (new.event_type, new.sub_event_type) != (joined.event_type, joined.sub_event_type)
        and is_background(target, rules)
        and not is_background(new, rules)
    ):  # the first report of the incident itself codes it better than a mention in passing
        change("type", f"{joined.event_type} / {joined.sub_event_type}",
               f"{new.event_type} / {new.sub_event_type}")  # fmt: skip
        joined.event_type, joined.sub_event_type = new.event_type, new.sub_event_type
    named = {_specific(joined.actor1, rules), _specific(joined.actor2, rules)} - {None}
    for role in ("actor1", "actor2"):
        old_actor: Actor | None = getattr(joined, role)
        new_actor: Actor | None = getattr(new, role)
        name = _specific(new_actor, rules)
        if name and _specific(old_actor, rules) is None and name not in named:
            change(role, old_actor.name if old_actor else None, new_actor.name if new_actor else None)
            setattr(joined, role, new_actor)
            named.add(name)
    for role in ("assoc_actor_1", "assoc_actor_2"):
        mine: list[Actor] = getattr(joined, role)
        known = {a.name for a in mine}
        extra = [a for a in getattr(new, role) if a.name not in known]
        if extra:
            change(role, "; ".join(sorted(known)) or None, "; ".join(sorted(known | {a.name for a in extra})))
            mine.extend(extra)
    toll = event_fatalities(joined.sources)
    if toll != joined.fatalities:
        change("fatalities", None if joined.fatalities is None else str(joined.fatalities),
               None if toll is None else str(toll))  # fmt: skip
        joined.fatalities = toll
    if not joined.notes and new.notes:
        joined.notes = new.notes
    joined.history.extend(changes)
    return joined


# ---------------------------------------------------------------- the stage


class Ledger:
    """Places each new document's events in the ledger: joined to a stored (or same-run) event, or new.

    One ``Ledger`` serves one ``place`` call per batch: the store is read, never written (the caller saves
    what ``place`` returns, in one transaction)."""

    def __init__(self, store: CandidateStore, rules: LedgerRules, *, now: str | None = None) -> None:
        self.store = store
        self.rules = rules
        self.now = now
        self.joined = 0  # events of new documents that joined a ledger event, over every ``place`` call

    def place(self, batch: Sequence[tuple[Document, Sequence[Event]]]) -> list[tuple[Document, list[Event]]]:
        """The batch with each event either unchanged (a new ledger event) or replaced by the ledger event it
        joined, in its final state after the whole batch (an event cited by several documents of the batch
        is the same object in each)."""
        at = self.now or dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        pending: dict[str, Event] = {}  # ledger events created or changed by this batch, by id
        placed: list[tuple[Document, list[str]]] = []
        for doc, events in batch:
            ids = self._place_document(doc, list(events), pending, at) if self.rules.enabled else None
            if ids is None:
                ids = [e.id for e in events]
                for e in events:
                    pending.setdefault(e.id, e)
            placed.append((doc, ids))
        return [(doc, [pending[i] for i in dict.fromkeys(ids)]) for doc, ids in placed]

    def _candidates(self, event: Event, pending: dict[str, Event], document_id: str) -> list[Event]:
        place, rules = event.place, self.rules
        if place is None:
            return []
        span = _date_range(event.date)
        if span is None and not rules.merge_undated:
            return []
        slack = dt.timedelta(days=max(*rules.day_slack, rules.strong_day_slack))
        stored = self.store.candidates(
            latitude=place.latitude,
            longitude=place.longitude,
            radius_km=rules.search_km,
            iso=place.country,
            admin1=place.admin1,
            areas_only=place.geo_precision < 3,
            date_from=span[0] - slack if span else None,
            date_to=span[1] + slack if span else None,
            undated=rules.merge_undated,
            limit=rules.max_candidates,
        )
        found = {x.id: pending.get(x.id, x) for x in stored}
        for x in pending.values():
            found.setdefault(x.id, x)
        return [
            found[i] for i in sorted(found) if all(s.document_id != document_id for s in found[i].sources)
        ]

    def _place_document(
        self, doc: Document, events: list[Event], pending: dict[str, Event], at: str
    ) -> list[str]:
        pairs: list[tuple[Match, int, str]] = []
        targets: dict[str, Event] = {}
        for i, event in enumerate(events):
            matches: list[tuple[Match, str]] = []
            for x in self._candidates(event, pending, doc.id):
                match = compare(event, x, self.rules)
                if match is not None:
                    matches.append((match, x.id))
                    targets.setdefault(x.id, x)
            matches.sort(key=lambda p: (-p[0].score, p[1]))
            vague = event.place is not None and event.place.geo_precision >= 3
            if vague and len(matches) > 1 and matches[0][0].rank == matches[1][0].rank:
                continue  # an admin-area report that fits several events equally: none of these
            pairs += [(m, i, x) for m, x in matches]
        pairs.sort(key=lambda p: (-p[0].score, p[1], p[2]))
        chosen: dict[int, str] = {}
        for match, i, target_id in pairs:
            if i in chosen or target_id in chosen.values():
                continue
            chosen[i] = target_id
            self.joined += 1
            target = pending.get(target_id, targets[target_id])
            pending[target_id] = join(target, events[i], match, doc, at, self.rules)
        ids: list[str] = []
        for i, event in enumerate(events):
            if i in chosen:
                ids.append(chosen[i])
            else:
                pending.setdefault(event.id, event)
                ids.append(event.id)
        return ids
