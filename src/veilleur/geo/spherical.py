"""Great-circle helpers (spherical Earth, mean radius): distance, destination point, compass names."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088

_COMPASS = (
    "N",
    "NNE",
    "NE",
    "ENE",
    "E",
    "ESE",
    "SE",
    "SSE",
    "S",
    "SSW",
    "SW",
    "WSW",
    "W",
    "WNW",
    "NW",
    "NNW",
)


def haversine_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance in kilometres between two points given in degrees."""
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    dp = p2 - p1
    dl = math.radians(b_lon - a_lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def destination(lat: float, lon: float, bearing_deg: float, km: float) -> tuple[float, float]:
    """The point ``km`` kilometres from (lat, lon) along the initial bearing ``bearing_deg`` (0 = north)."""
    d = km / EARTH_RADIUS_KM
    b = math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    sin_p2 = math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b)
    p2 = math.asin(max(-1.0, min(1.0, sin_p2)))
    y = math.sin(b) * math.sin(d) * math.cos(p1)
    x = math.cos(d) - math.sin(p1) * sin_p2
    l2 = l1 + math.atan2(y, x)
    lon2 = (math.degrees(l2) + 540.0) % 360.0 - 180.0
    return math.degrees(p2), lon2


def initial_bearing(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Initial great-circle bearing from a to b, degrees in [0, 360)."""
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    dl = math.radians(b_lon - a_lon)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360.0) % 360.0


def compass(bearing_deg: float) -> str:
    """Sixteen-point compass abbreviation of a bearing: 45 -> 'NE'."""
    return _COMPASS[int(((bearing_deg % 360.0) + 11.25) // 22.5) % 16]
