"""The learned place ranker: which of a name's gazetteer candidates the text means.

Each candidate of a place mention is described by a few features (how the name matched, what kind of entry
it is, its population, whether it lies in the article's countries, whether it fits the kind hint, how far
it is from the article's other places...). A pairwise logistic model, trained by ``scripts/train_place_ranker.py``
on ACLED notes whose coded point says which candidate was meant (split by country: see
``data/models/place_ranker.md``), turns them into a score; the candidates are ranked by it. The model is a
list of weights, so every score can be explained as the sum of each feature's contribution
(``explain``): an analyst who disagrees with a point sees what decided it.

Pure Python at run time (a dot product per candidate): scikit-learn is needed only to train.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from veilleur.errors import GazetteerError
from veilleur.geo.entry import MATCH_ALTERNATE, MATCH_BARE, MATCH_PRIMARY, MATCH_SKELETON, GeoEntry
from veilleur.geo.spherical import haversine_km

MODEL_FILE = "place_ranker.json"
KINDS = ("country", "admin1", "admin2", "admin3", "facility", "place", "feature")
#: The features, in the model's order. Each is 0/1 or a small number; their meaning is in ``features``.
FEATURES = (
    "match_primary",
    "match_alternate",
    "match_bare",
    "match_skeleton",
    *(f"kind_{k}" for k in KINDS),
    "log_population_place",
    "capital",
    "admin_seat",
    "no_country_context",
    "in_first_country",
    "in_other_country",
    "in_neighbour_country",
    "abroad",
    "no_kind_hint",
    "fits_kind_hint",
    "against_kind_hint",
    "no_near_point",
    "near_25km",
    "near_75km",
    "near_200km",
    "near_600km",
    "far_from_near_point",
    "weak_alias",
    "spelling_distance",
    "common_word",
    "common_word_small_place",
    "most_populous_candidate",
    "candidates_log",
    "small_abroad",
    "log_population_in_context",
    "log_population_abroad",
    "area_in_first_country",
    "primary_name_in_first_country",
    "town_10k",
    "rule_score",
)


@dataclass(frozen=True)
class Contribution:
    feature: str
    value: float
    weight: float

    @property
    def amount(self) -> float:
        return self.value * self.weight


def features(
    entry: GeoEntry,
    *,
    countries: Sequence[str],
    neighbours: frozenset[str],
    compat: float | None,
    distance_km: float | None,
    common_word: bool,
    spelling: float,
    max_population: int,
    n_candidates: int,
    rule_score: float = 0.0,
) -> list[float]:
    """The feature vector of one candidate in its context (the order of FEATURES)."""
    is_area = entry.kind in ("admin1", "admin2", "admin3")
    logpop = math.log10(entry.population + 1)
    ctx = bool(countries)
    in_first = ctx and entry.country == countries[0]
    in_other = ctx and not in_first and entry.country in countries
    neighbour = ctx and not in_first and not in_other and entry.country in neighbours
    abroad = ctx and not (in_first or in_other or neighbour)
    d = distance_km
    small = entry.kind in ("place", "feature") and entry.population < 1000
    return [
        float(entry.match == MATCH_PRIMARY),
        float(entry.match == MATCH_ALTERNATE),
        float(entry.match == MATCH_BARE),
        float(entry.match >= MATCH_SKELETON),
        *(float(entry.kind == k) for k in KINDS),
        0.0 if is_area else logpop,
        float(entry.feature == "PPLC"),
        float((entry.feature or "").startswith("PPLA")),
        float(not ctx),
        float(in_first),
        float(in_other),
        float(neighbour),
        float(abroad),
        float(compat is None),
        float(compat is not None and compat > 0) * (compat or 0.0),
        float(compat is not None and compat <= 0),
        float(d is None),
        float(d is not None and d < 25),
        float(d is not None and 25 <= d < 75),
        float(d is not None and 75 <= d < 200),
        float(d is not None and 200 <= d < 600),
        float(d is not None and d >= 600),
        float(entry.weak),
        (1.0 - spelling) if entry.match > 0 else 0.0,
        float(common_word),
        float(common_word and entry.population < 10000),
        float(entry.population >= max_population and max_population > 0),
        math.log(n_candidates),
        float(abroad and small),
        logpop if (in_first or in_other) else 0.0,
        logpop if abroad else 0.0,
        float(is_area and in_first),
        float(entry.match == MATCH_PRIMARY and in_first),
        float(entry.population >= 10000),
        rule_score,
    ]


@dataclass(frozen=True)
class PlaceRanker:
    """A linear scorer over FEATURES: ``score = bias + sum(weight * value)`` (a ranking score: higher
    is more likely the place meant; trained on pairs of a right and a wrong candidate)."""

    weights: tuple[float, ...]
    bias: float
    threshold: float  # below this score a best candidate is "none of these"
    meta: dict[str, object]

    def score(self, values: Sequence[float]) -> float:
        return self.bias + math.fsum(w * v for w, v in zip(self.weights, values, strict=True))

    def explain(self, values: Sequence[float], top: int = 6) -> list[Contribution]:
        """The features that moved this score most, strongest first."""
        parts = [Contribution(f, v, w) for f, v, w in zip(FEATURES, values, self.weights, strict=True) if v]
        parts.sort(key=lambda c: -abs(c.amount))
        return parts[:top]


def parse(data: dict[str, Any], where: str) -> PlaceRanker:
    """A model file's content, checked against this code's FEATURES."""
    if list(data.get("features") or []) != list(FEATURES):
        raise GazetteerError("the place ranker was trained on other features; retrain it", where=where)
    try:
        weights = tuple(float(w) for w in data["weights"])
        meta = data.get("meta") or {}
        return PlaceRanker(weights, float(data["bias"]), float(data["threshold"]), dict(meta))
    except (KeyError, TypeError, ValueError) as exc:
        raise GazetteerError(f"malformed place ranker ({type(exc).__name__})", where=where) from None


@functools.cache
def bundled() -> PlaceRanker | None:
    """The committed model (``veilleur/data/models/place_ranker.json``), or None when it is absent."""
    path = resources.files("veilleur") / "data" / "models" / MODEL_FILE
    if not path.is_file():
        return None
    return parse(json.loads(path.read_text(encoding="utf-8")), f"data/models/{MODEL_FILE}")


def distance(entry: GeoEntry, near: tuple[float, float] | None) -> float | None:
    return None if near is None else haversine_km(near[0], near[1], entry.latitude, entry.longitude)
