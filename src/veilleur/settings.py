"""All settings in one typed object. Values come from defaults, then environment variables (VEILLEUR_*)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

#: How gazetteer candidates may be ranked (Settings.place_ranker).
PLACE_RANKERS = ("rules", "learned")

def _default_cache_dir() -> Path:
    env = os.environ.get("VEILLEUR_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "veilleur"


@dataclass(frozen=True)
class LedgerRules:
    """When an event from a new article is an event already in the ledger (``veilleur.merge.ledger``).

    Every threshold of the cross-article merge is here, as data: the defaults below, or a TOML file with the
    same keys (``LedgerRules.from_toml``, ``VEILLEUR_LEDGER_RULES``). Distances are km, gaps days. Time
    precisions and geo precisions are ACLED's (1 = the day / the place itself).
    """

    enabled: bool = True  # False: every article's events stay separate events (no cross-article merge)
    # place: two points this close are one place whatever their names ...
    same_place_km: float = 1.0
    # ... two differently named places (geo precision 1-2) at most this far apart ...
    nearby_km: float = 3.0
    # ... a populated place of this size contains the facilities and districts within city_km of it ...
    city_population: int = 100_000
    city_km: float = 20.0
    # ... the same name counts as the same place within city_km; an admin area (geo precision 3) contains the
    # points of its admin1 (and admin2 when both have one); an area without admin names matches by name only
    # date: days allowed between the two date ranges, by the coarser time precision (day, week, month) ...
    day_slack: tuple[int, int, int] = (0, 1, 3)
    # ... and between two day-precise dates when place name, sub-type and a stated toll (not 0) all agree
    strong_day_slack: int = 1
    merge_undated: bool = False  # may an event without a date join one (or be joined)?
    # type: sub-event types outlets use for the same incident (any two in one group may merge)
    compatible_sub_types: tuple[tuple[str, ...], ...] = (
        ("Air/drone strike", "Shelling/artillery/missile attack"),
        ("Remote explosive/landmine/IED", "Suicide bomb", "Grenade"),
        ("Armed clash", "Attack"),
        ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
        ("Violent demonstration", "Mob violence"),
    )
    # a background mention (event at least this many days before its article's publication) ...
    background_days: int = 30
    # ... joins a day-precise event of any of these types at a matching place and date
    background_types: tuple[str, ...] = (
        "Battles", "Explosions/Remote violence", "Violence against civilians",
    )  # fmt: skip
    # toll: two stated figures are compatible when they differ by at most fatality_slack, or the larger is
    # at most fatality_ratio times the smaller
    fatality_slack: int = 3
    fatality_ratio: float = 3.0
    # actors whose names start so say nobody in particular: they never keep two reports apart
    generic_actors: tuple[str, ...] = ("Unidentified", "Civilians", "Protesters", "Rioters")
    max_candidates: int = 200  # stored events read per new event (nearest dates first)

    @property
    def search_km(self) -> float:
        """The radius within which any rule can match two points."""
        return max(self.same_place_km, self.nearby_km, self.city_km)

    @classmethod
    def from_toml(cls, path: str | Path, **overrides: Any) -> LedgerRules:
        """Rules from a TOML file whose keys are this class's field names (lists for tuples).

        Unknown keys and values of the wrong kind are a ValueError naming the key."""
        try:
            with Path(path).open("rb") as handle:
                data: dict[str, Any] = tomllib.load(handle)
        except OSError as exc:
            raise ValueError(f"{path}: cannot read the ledger rules ({exc.strerror or exc})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML ({exc})") from None
        return cls.from_mapping({**data, **overrides}, where=str(path))

    @classmethod
    def from_mapping(cls, data: dict[str, Any], where: str = "ledger rules") -> LedgerRules:
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"{where}: unknown ledger rule(s) {', '.join(unknown)}")
        values: dict[str, Any] = {}
        defaults = cls()
        for key, value in data.items():
            default = getattr(defaults, key)
            if isinstance(default, tuple):
                if not isinstance(value, list | tuple):
                    raise ValueError(f"{where}: {key} must be a list")
                value = tuple(tuple(v) if isinstance(v, list | tuple) else v for v in value)
                if key == "day_slack" and (len(value) != 3 or not all(isinstance(v, int) for v in value)):
                    raise ValueError(f"{where}: day_slack must be three whole numbers (day, week, month)")
            elif isinstance(default, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{where}: {key} must be true or false")
            elif isinstance(default, int | float):
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    raise ValueError(f"{where}: {key} must be a number >= 0")
                if isinstance(default, int) and not isinstance(value, int):
                    raise ValueError(f"{where}: {key} must be a whole number")
                value = type(default)(value)
            values[key] = value
        return cls(**values)


@dataclass(frozen=True)
class Settings:
    db_path: Path = Path("veilleur.db")
    cache_dir: Path = field(default_factory=_default_cache_dir)
    languages: tuple[str, ...] = ("fr", "en")
    default_language: str = "fr"
    batch_size: int = 32  # documents per nlp.pipe batch and per store transaction
    n_process: int = 1
    # extra user tables (CSV/TOML) that extend the bundled ones
    user_facilities: tuple[Path, ...] = ()
    user_actors: tuple[Path, ...] = ()
    # merging inside one article: mentions of the same type this close in km and days are one event
    merge_km: float = 25.0
    merge_days: int = 1
    # the web desk (veilleur serve, veilleur report): map tiles for users online (None: the offline base map),
    # the bearer token that enables POST /api/documents (None: the API is read-only), the headless browser
    tile_url: str | None = None
    tile_attribution: str | None = None
    api_token: str | None = field(default=None, repr=False)
    chromium: Path | None = None
    # merging across articles: the ledger's rules (see LedgerRules)
    ledger: LedgerRules = field(default_factory=LedgerRules)
    # how a place name's gazetteer candidates are ranked: "rules" (the hand-weighted score) or "learned" (the
    # bundled model, veilleur/data/models/place_ranker.md)
    place_ranker: str = "rules"

    def __post_init__(self) -> None:
        if self.place_ranker not in PLACE_RANKERS:
            raise ValueError(f"place_ranker must be one of {', '.join(PLACE_RANKERS)}, not {self.place_ranker!r}")

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        values: dict[str, object] = {}
        if "VEILLEUR_DB" in os.environ:
            values["db_path"] = Path(os.environ["VEILLEUR_DB"])
        if "VEILLEUR_BATCH_SIZE" in os.environ:
            values["batch_size"] = int(os.environ["VEILLEUR_BATCH_SIZE"])
        if "VEILLEUR_FACILITIES" in os.environ:
            values["user_facilities"] = tuple(Path(p) for p in os.environ["VEILLEUR_FACILITIES"].split(os.pathsep) if p)
        if "VEILLEUR_ACTORS" in os.environ:
            values["user_actors"] = tuple(Path(p) for p in os.environ["VEILLEUR_ACTORS"].split(os.pathsep) if p)
        if os.environ.get("VEILLEUR_LEDGER_RULES"):
            values["ledger"] = LedgerRules.from_toml(os.environ["VEILLEUR_LEDGER_RULES"])
        for name, key in (
            ("tile_url", "VEILLEUR_TILE_URL"),
            ("tile_attribution", "VEILLEUR_TILE_ATTRIBUTION"),
            ("api_token", "VEILLEUR_API_TOKEN"),
        ):
            if os.environ.get(key):
                values[name] = os.environ[key]
        if os.environ.get("VEILLEUR_CHROMIUM"):
            values["chromium"] = Path(os.environ["VEILLEUR_CHROMIUM"])
        if os.environ.get("VEILLEUR_PLACE_RANKER"):
            values["place_ranker"] = os.environ["VEILLEUR_PLACE_RANKER"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
