"""GeoEntry: one gazetteer row as a candidate for a name, with how the name matched it."""

from __future__ import annotations

from dataclasses import dataclass

#: Match quality of a candidate (lower is stronger).
MATCH_PRIMARY = 0  # the entry's own name, up to case/accents/punctuation
MATCH_ALTERNATE = 1  # one of its alternate names or aliases
MATCH_BARE = 2  # equal once Arabic articles are dropped and word variants merged (al-Anbar = Anbar)
MATCH_SKELETON = 3  # equal as transliteration skeletons (Baaqouba = Baqubah): loose

ADMIN_KINDS = frozenset({"admin1", "admin2", "admin3"})

# GeoNames feature codes of non-settlement rows -> the kind category they answer to.
_FEATURE_CATEGORY = {
    "AIRP": "airport",
    "AIRF": "airport",
    "AIRB": "airbase",
    "MILB": "base",
    "INSM": "base",
    "FT": "base",
    "CMPRF": "refugee_camp",
    "PRN": "prison",
    "DAM": "dam",
    "MN": "mine",
    "MNAU": "mine",
    "OILF": "oilfield",
    "CMP": "village",
    "LCTY": "village",
    "BDG": "crossing",
}


#: Facility kinds: the ``kind`` column of a facilities CSV, and the hints a resolver understands as facilities.
FACILITY_KINDS = frozenset(
    {
        "airbase",
        "base",
        "airport",
        "crossing",
        "oilfield",
        "gasfield",
        "refinery",
        "dam",
        "prison",
        "idp_camp",
        "refugee_camp",
        "embassy",
        "port",
        "mine",
        "power_plant",
        "palace",
        "zone",
    }
)


@dataclass(frozen=True)
class GeoEntry:
    """A gazetteer entry. ``kind``: place (settlement), admin1/admin2/admin3 (area, coordinates = its seat),
    country (coordinates = a rough centre), facility (curated table), feature (other GeoNames rows: camps,
    localities, airports). ``feature``: GeoNames feature code, or the facility kind. ``admin1``/``admin2``
    are display names. ``match``: how the looked-up name matched (MATCH_*); ``weak``: only through a weak
    alias, which needs a kind hint and context."""

    id: int
    name: str
    latitude: float
    longitude: float
    country: str
    admin1: str | None
    admin2: str | None
    kind: str
    feature: str | None
    population: int
    source: str
    admin1_code: str | None = None
    seat: int | None = None
    match: int = MATCH_PRIMARY
    weak: bool = False

    @property
    def category(self) -> str:
        """What a kind hint compares against: a facility kind, an admin level, town/village/neighbourhood."""
        if self.kind == "facility":
            return self.feature or "base"
        if self.kind in ADMIN_KINDS or self.kind == "country":
            return self.kind
        if self.kind == "feature":
            return _FEATURE_CATEGORY.get(self.feature or "", "village")
        if self.feature == "PPLX":
            return "neighbourhood"
        if self.feature == "AREA":
            return "area"
        if self.population >= 10000 or (self.feature or "").startswith(("PPLA", "PPLC")):
            return "town"
        return "village"

    @property
    def is_area(self) -> bool:
        return self.kind in ADMIN_KINDS or self.kind == "country"
