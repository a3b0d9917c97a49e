"""All settings in one typed object. Values come from defaults, then environment variables (VEILLEUR_*)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _default_cache_dir() -> Path:
    env = os.environ.get("VEILLEUR_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "veilleur"


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
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
