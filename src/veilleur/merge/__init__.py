"""Merge stage: mentions of one incident inside one article become one event with every evidence span.

Two mentions are the same incident when their ACLED types agree (or one was only guessed from the target) and
their places and dates are compatible. A mention with no place joins the one event it can belong to; with none,
it is dropped (Veilleur never invents a place). Rules live in :class:`MergeRules`, not in constants.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from veilleur.geo import haversine_km
from veilleur.model import Claim, DateValue, Document, Event, Mention, Place, Source, Span


@dataclass(frozen=True)
class MergeRules:
    km: float = 25.0  # two places closer than this can be one incident
    days: int = 1  # two dates closer than this (beyond their ranges) can be one incident
    toll_gap_chars: int = 400  # a toll told in a sentence of its own joins an incident told this close before it


@dataclass
class _Group:
    mentions: list[Mention] = field(default_factory=list)

    @property
    def place(self) -> Place | None:
        placed = [m.place for m in self.mentions if m.place is not None]
        return min(placed, key=lambda p: p.geo_precision) if placed else None

    @property
    def date(self) -> DateValue:
        dated = [m.date for m in self.mentions if m.date.date is not None]
        return min(dated, key=lambda d: d.precision or 9) if dated else DateValue()

    @property
    def best(self) -> Mention:
        return max(self.mentions, key=lambda m: (m.score, m.place is not None))


def _places_ok(a: Place | None, b: Place | None, rules: MergeRules) -> bool:
    if a is None or b is None:
        return True
    if a.name == b.name:
        return True
    # an admin area and a place inside it ("la province d'Anbar" and "Hit")
    area, spot = (a, b) if a.geo_precision >= 3 else (b, a)
    if (
        area.geo_precision >= 3
        and area.admin1
        and area.admin1 == spot.admin1
        and area.country == spot.country
    ):
        return True
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) <= rules.km


def _dates_ok(a: DateValue, b: DateValue, rules: MergeRules) -> bool:
    if a.date is None or b.date is None:
        return True
    lo_a, hi_a = a.date_min or a.date, a.date_max or a.date
    lo_b, hi_b = b.date_min or b.date, b.date_max or b.date
    gap = max((lo_b - hi_a).days, (lo_a - hi_b).days, 0)
    return gap <= rules.days


def _types_ok(group: _Group, m: Mention) -> bool:
    best = group.best
    if best.sub_event_type == m.sub_event_type:
        return True
    # a coding guessed from the target or a default gives way to one read from a weapon or trigger
    return (
        min(best.score, m.score) < 1.0
        and best.event_type in (m.event_type, "Battles")
        or (m.score < 1.0 and m.event_type == "Battles")
    )


def _compatible(group: _Group, m: Mention, rules: MergeRules) -> bool:
    return (
        _types_ok(group, m)
        and _places_ok(group.place, m.place, rules)
        and _dates_ok(group.date, m.date, rules)
    )


def event_id(document_id: str, sentence: Span, sub_event_type: str, place: Place | None) -> str:
    key = f"{document_id}|{sentence.start}|{sub_event_type}|{place.name if place else ''}"
    return "ev-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def merge_mentions(
    document: Document, mentions: Sequence[Mention], rules: MergeRules | None = None
) -> list[Event]:
    rules = rules or MergeRules()
    groups: list[_Group] = []
    placeless: list[Mention] = []
    references: list[Mention] = []
    for m in mentions:
        if m.reference:
            references.append(m)
            continue
        if m.place is None:
            placeless.append(m)
            continue
        target = next((g for g in groups if _compatible(g, m, rules)), None)
        if target is None:
            groups.append(_Group([m]))
        else:
            target.mentions.append(m)
    for m in placeless:
        fits = [g for g in groups if _compatible(g, m, rules) and g.best.sub_event_type == m.sub_event_type]
        if len(fits) == 1:
            fits[0].mentions.append(m)
    # a mention that refers back to an incident ("l'attentat de X", "cette attaque") joins the one event it can
    # name, whatever coding its bare noun guessed; it never makes an event of its own
    for m in references:
        fits = [g for g in groups if _places_ok(g.place, m.place, rules) and _dates_ok(g.date, m.date, rules)]
        if not m.sub_event_type:
            # a claim, a denial or a toll in a sentence of its own is said of the incident told last before it
            before = [g for g in fits if min(x.sentence.start for x in g.mentions) <= m.sentence.start]
            fits = [max(before, key=lambda g: max(x.sentence.start for x in g.mentions if x.sentence.start
                                                  <= m.sentence.start))] if before else fits[:1]
            if m.fatalities is not None and fits:
                # a toll joins only the incident told in the sentence or two just before it
                ends = [x.sentence.end for x in fits[0].mentions if x.sentence.start <= m.sentence.start]
                if not ends or m.sentence.start - max(ends) > rules.toll_gap_chars:
                    fits = []
        elif len(fits) > 1:
            fits = [g for g in fits if _types_ok(g, m)]
        if len(fits) == 1:
            fits[0].mentions.append(m)
    # an incident the article reports only to deny it is still recorded, with the denying source
    return [_to_event(document, g) for g in groups]


# which status a document's source takes when its sentences disagree: a claim or a denial is news, a hedge
# counts only when nothing is said plainly
_CLAIM_ORDER = (Claim.CLAIMED, Claim.DENIED, Claim.REPORTED, Claim.HEDGED)


def _source_claim(mentions: Sequence[Mention]) -> tuple[Claim, str | None]:
    """The source's claim status and who says so ("Résistance islamique en Irak; denied by Kataëb Hezbollah")."""
    mentions = [m for m in mentions if m.sub_event_type or m.fatalities is None] or list(mentions)  # not tolls
    claims = {m.claim for m in mentions}
    claim = next(c for c in _CLAIM_ORDER if c in claims)
    first = next((m.reporting_source for m in mentions if m.claim is claim and m.reporting_source), None)
    others = []
    for other in (Claim.CLAIMED, Claim.DENIED):
        if other is claim:
            continue
        who = next((m.reporting_source for m in mentions if m.claim is other and m.reporting_source), None)
        if who:
            others.append(f"{other.value} by {who}")
    if first is None:
        first = next((m.reporting_source for m in mentions if m.reporting_source), None)
    parts = [p for p in (first, *others) if p]
    return claim, "; ".join(parts) if parts else None


def _to_event(document: Document, g: _Group) -> Event:
    best = g.best
    first = g.mentions[0]
    place = g.place
    actor1 = next(
        (
            m.actor1
            for m in sorted(
                g.mentions, key=lambda m: m.actor1 is None or m.actor1.name.startswith("Unidentified")
            )
            if m.actor1
        ),
        None,
    )
    actor2 = next((m.actor2 for m in g.mentions if m.actor2), None)
    killed = [m.fatalities for m in g.mentions if m.fatalities is not None]
    if not killed and any(m.wounded_only for m in g.mentions):
        killed = [0]  # wounded and no dead: ACLED's toll is 0
    claim, reporter = _source_claim(g.mentions)
    evidence: list[Span] = []
    for m in g.mentions:
        for ev in m.evidence:
            if ev not in evidence:
                evidence.append(ev)
    date = g.date
    notes = [date.note] if date.note else []
    source = Source(
        document_id=document.id,
        url=document.url,
        published=document.published,
        outlet=document.outlet,
        claim=claim,
        reporting_source=reporter,
        fatalities=min(killed) if killed else None,
        evidence=sorted(evidence, key=lambda s: s.start),
    )
    return Event(
        id=event_id(document.id, first.sentence, best.sub_event_type, place),
        event_type=best.event_type,
        sub_event_type=best.sub_event_type,
        date=date,
        actor1=actor1,
        actor2=actor2,
        assoc_actor_1=best.assoc_actor_1,
        assoc_actor_2=best.assoc_actor_2,
        place=place,
        location_text=next((m.place_text for m in g.mentions if m.place is place), None),
        fatalities=min(killed) if killed else None,
        notes=" ".join([first.evidence[0].text.strip()[:300], *notes]).strip(),
        sources=[source],
    )
