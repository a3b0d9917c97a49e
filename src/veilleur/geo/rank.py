"""Ranking gazetteer candidates for a name in context, with an explicit "none of these".

A candidate's score adds up evidence: how well the name matched, what kind of entry it is, its
population, whether it lies in the article's countries, whether it fits the kind hint ("base", "province"),
and how far it is from a point the caller knows is near. Plausibility rules then refuse answers a careful
coder would not give: a common word, a weak alias without a hint, a loose spelling match far from any
context, a tiny village abroad.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from veilleur.geo import ranker as ranker_mod
from veilleur.geo.entry import FACILITY_KINDS, MATCH_ALTERNATE, MATCH_BARE, MATCH_SKELETON, GeoEntry
from veilleur.geo.normalize import key_exact
from veilleur.geo.spherical import haversine_km

MATCH_SCORE = {0: 3.0, 1: 2.6, 2: 2.3, 3: 0.8}
KIND_PRIOR = {
    "country": 3.2,
    "admin1": 1.7,
    "admin2": 1.0,
    "admin3": 0.3,
    "facility": 1.8,
    "place": 0.0,
    "feature": -0.8,
}

# kind hint -> {entry category: compatibility 0..1}
COMPATIBLE: dict[str, dict[str, float]] = {
    "base": {"base": 1.0, "airbase": 1.0, "airport": 0.6, "zone": 0.5},
    "airbase": {"airbase": 1.0, "airport": 0.8, "base": 0.7},
    "airport": {"airport": 1.0, "airbase": 0.8},
    "crossing": {"crossing": 1.0},
    "oilfield": {"oilfield": 1.0, "gasfield": 0.8},
    "gasfield": {"gasfield": 1.0, "oilfield": 0.8},
    "refinery": {"refinery": 1.0, "oilfield": 0.3},
    "idp_camp": {"idp_camp": 1.0, "refugee_camp": 0.8},
    "refugee_camp": {"refugee_camp": 1.0, "idp_camp": 0.8},
    "admin": {"admin1": 1.0, "admin2": 1.0, "admin3": 0.8},
    "admin1": {"admin1": 1.0, "admin2": 0.5, "admin3": 0.2},
    "admin2": {"admin2": 1.0, "admin1": 0.5, "admin3": 0.6},
    "admin3": {"admin3": 1.0, "admin2": 0.6, "village": 0.3, "town": 0.3},
    "town": {"town": 1.0, "village": 0.7, "neighbourhood": 0.5},
    "village": {"village": 1.0, "town": 0.7, "neighbourhood": 0.5},
    "neighbourhood": {"neighbourhood": 1.0, "town": 0.5, "village": 0.5},
    "area": {"town": 0.6, "village": 0.6, "admin1": 0.5, "admin2": 0.6, "admin3": 0.6},
    "country": {"country": 1.0},
}
FACILITY_HINTS = FACILITY_KINDS


@dataclass(frozen=True)
class Context:
    """What the caller knows: the article's countries (most frequent first), a kind hint, a nearby point."""

    countries: tuple[str, ...] = ()
    kind: str | None = None
    near: tuple[float, float] | None = None
    neighbours: frozenset[str] = frozenset()
    common_word: bool = False  # the looked-up name is a common word of a loaded language
    query: str = ""  # the looked-up name's exact key (normalize.key_exact), for the spelling tie-break


@dataclass(frozen=True)
class Scored:
    entry: GeoEntry
    score: float
    distance_km: float | None


def compatibility(kind: str | None, entry: GeoEntry) -> float | None:
    """None without a hint; else 0..1 (0: incompatible)."""
    if kind is None:
        return None
    table = COMPATIBLE.get(kind, {kind: 1.0})
    return table.get(entry.category, 0.0)


def score(entry: GeoEntry, ctx: Context) -> Scored:
    s = MATCH_SCORE.get(entry.match, 0.0) + KIND_PRIOR.get(entry.kind, 0.0)
    if entry.kind in ("place", "feature"):
        s += 0.55 * math.log10(entry.population + 1)
    elif entry.kind in ("admin1", "admin2", "admin3"):
        s += 0.35 * math.log10(entry.population + 1)  # the seat's population: a salient area
    if ctx.countries:
        if entry.country == ctx.countries[0]:
            s += 3.0
        elif entry.country in ctx.countries:
            s += max(1.5, 2.6 - 0.3 * ctx.countries.index(entry.country))
        elif entry.country in ctx.neighbours:
            s += 0.3
        else:
            s -= 1.5
    compat = compatibility(ctx.kind, entry)
    if compat is not None:
        s += 3.0 * compat if compat > 0 else -1.2
    dist = None
    if ctx.near is not None:
        dist = haversine_km(ctx.near[0], ctx.near[1], entry.latitude, entry.longitude)
        s += 2.5 if dist < 25 else 1.8 if dist < 75 else 0.8 if dist < 200 else 0.0 if dist < 600 else -1.5
    if entry.weak:
        s -= 1.0
    if ctx.query and entry.match > 0:
        # among alternate and loose spellings, the entry whose own name is spelled closest to the text's
        # ("Dialloube" is Dialoube rather than Dyaloube): a tie-break, never more
        s -= 0.4 * (1.0 - spelling(ctx.query, entry.name))
    return Scored(entry, s, dist)


def spelling(query_key: str, name: str) -> float:
    """0..1: how close a name's spelling is to a looked-up key (1: the same up to case and accents)."""
    return SequenceMatcher(None, query_key, key_exact(name), autojunk=False).ratio()


def _drop_seat_areas(cands: Sequence[GeoEntry], kind: str | None) -> list[GeoEntry]:
    """A bare name naming both a town and the area it heads means the town ("Mopti", "Tessalit"),
    unless the hint asks for an area."""
    if kind is not None and kind.startswith("admin"):
        return list(cands)
    ids = {c.id for c in cands}
    return [c for c in cands if not (c.kind in ("admin1", "admin2", "admin3") and c.seat in ids)]


def _drop_loose(cands: Sequence[GeoEntry], ctx: Context) -> list[GeoEntry]:
    """Loose (skeleton) matches only compete when no closer spelling fits the context: "Dioura" is the
    Malian village, not a large city whose name happens to share its skeleton."""

    def in_ctx(c: GeoEntry) -> bool:
        return not ctx.countries or c.country in ctx.countries

    if any(c.match < MATCH_SKELETON and in_ctx(c) for c in cands):
        return [c for c in cands if c.match < MATCH_SKELETON]
    return list(cands)


#: When a list, every ranking appends (candidates, context) to it: how the ranker's training data is
#: collected (``scripts/train_place_ranker.py``). None in normal runs.
RECORDER: list[tuple[tuple[GeoEntry, ...], Context]] | None = None


def candidate_features(cands: Sequence[GeoEntry], ctx: Context) -> list[list[float]]:
    """The learned ranker's feature vector of each candidate (``geo.ranker.FEATURES``)."""
    top = max((c.population for c in cands), default=0)
    out = []
    for c in cands:
        out.append(
            ranker_mod.features(
                c,
                countries=ctx.countries,
                neighbours=ctx.neighbours,
                compat=compatibility(ctx.kind, c),
                distance_km=ranker_mod.distance(c, ctx.near),
                common_word=ctx.common_word,
                spelling=spelling(ctx.query, c.name) if ctx.query and c.match > 0 else 1.0,
                max_population=top,
                n_candidates=len(cands),
                rule_score=score(c, ctx).score,
            )
        )
    return out


def rank(cands: Sequence[GeoEntry], ctx: Context, model: ranker_mod.PlaceRanker | None = None) -> list[Scored]:
    """Candidates best first (no plausibility test): by ``model`` (the learned ranker) when given, else by
    the hand-weighted score."""
    kept = _drop_seat_areas(_drop_loose(cands, ctx), ctx.kind)
    if RECORDER is not None:
        RECORDER.append((tuple(kept), ctx))
    if model is not None and kept:
        vectors = candidate_features(kept, ctx)
        scored = [
            Scored(c, model.score(v) - model.threshold + 2.0, ranker_mod.distance(c, ctx.near))
            for c, v in zip(kept, vectors, strict=True)
        ]
    else:
        scored = [score(c, ctx) for c in kept]
    scored.sort(key=lambda x: (-x.score, -x.entry.population, x.entry.id))
    return scored


def plausible(best: Scored, ranked: Sequence[Scored], ctx: Context) -> bool:
    """Would a careful coder accept ``best`` for this name in this context?"""
    e = best.entry
    in_ctx = bool(ctx.countries) and e.country in ctx.countries
    near_ok = best.distance_km is not None and best.distance_km < 150
    compat = compatibility(ctx.kind, e)
    if ctx.common_word:
        # "Mais", "Car", "Hit": only a sizeable place (or an area/facility named with a hint) in context
        if not (in_ctx or near_ok):
            return False
        big = e.population >= 10000 or e.kind == "country"
        hinted = compat is not None and compat > 0 and e.match <= MATCH_ALTERNATE
        return big or hinted
    if e.weak:
        return bool(compat) and (in_ctx or near_ok)
    if e.match >= MATCH_SKELETON and not (in_ctx or near_ok or e.population >= 100000):
        return False
    if e.kind == "facility" and ctx.kind is not None and compat == 0 and ctx.kind in FACILITY_HINTS:
        return in_ctx or near_ok
    small = e.kind in ("place", "feature") and e.population < 1000
    if ctx.countries and not in_ctx and not near_ok and e.kind in ("place", "feature") and e.match > 0:
        # the article's countries are a constraint: a town abroad reached only through another of its names
        # ("Lazaret" in an article about Niamey is not a Vietnamese district) is refused, unless it is a
        # world city whose exonym everybody uses ("Londres")
        if e.population < 500_000:
            return False
    if ctx.countries and not in_ctx and not near_ok:
        if e.kind in ("place", "feature") and e.population < 50000:
            # a town just across the border of the article's country, spelled as GeoNames spells it
            return e.country in ctx.neighbours and e.population >= 5000 and e.match <= MATCH_ALTERNATE
        if e.kind in ("admin1", "admin2", "admin3"):
            return False  # a province of an unrelated country: a homonym ("al-Jazira" is not Sudan's)
    if in_ctx and small and e.country != ctx.countries[0] and e.match > 0 and not near_ok:
        return False  # a hamlet of a secondary country reached through an alternate spelling
    if not ctx.countries and ctx.near is None and small:
        # a tiny place with no context: only if the name is unambiguous (all readings within 50 km)
        others = [r for r in ranked if r.entry.id != e.id and r.entry.match <= MATCH_BARE]
        return (
            all(
                haversine_km(e.latitude, e.longitude, r.entry.latitude, r.entry.longitude) < 50
                for r in others
            )
            and e.match <= MATCH_BARE
        )
    return best.score >= 2.0
