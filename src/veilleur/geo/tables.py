"""Readers for the gazetteer's data files: the committed tables under ``veilleur/data/geo/`` and users'
facility CSVs. Pure readers: they validate and return typed rows, they build nothing."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from veilleur.errors import GazetteerError
from veilleur.geo.entry import FACILITY_KINDS

FACILITY_COLUMNS = (
    "key",
    "name",
    "aliases",
    "kind",
    "latitude",
    "longitude",
    "country",
    "admin1",
    "admin2",
    "source",
)
#: Data files whose content defines the index (their hash names the cache file).
DATA_FILES = (
    "admin_aliases.tsv",
    "facilities.csv",
    "names.toml",
    "country_points.tsv",
    "extra_places.tsv",
)


def data_dir() -> Traversable:
    return resources.files("veilleur") / "data" / "geo"


@dataclass(frozen=True)
class Facility:
    """One row of a facilities CSV. ``weak_aliases`` (written ``~Victory`` in the CSV) only match with a
    facility-kind hint and a country or proximity context: they are ordinary words on their own."""

    key: str
    name: str
    aliases: tuple[str, ...]
    weak_aliases: tuple[str, ...]
    kind: str
    latitude: float
    longitude: float
    country: str
    admin1: str | None
    admin2: str | None
    source: str
    origin: str  # "file:line"


def _float(value: str, lo: float, hi: float, what: str, where: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise GazetteerError(f"{what} '{value}' is not a number", where=where) from None
    if not (lo <= x <= hi) or math.isnan(x):
        raise GazetteerError(f"{what} {x} is outside [{lo}, {hi}]", where=where)
    return x


def parse_facilities(text: str, origin: str) -> list[Facility]:
    """Parse a facilities CSV (header with at least FACILITY_COLUMNS; '#' lines are comments)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    missing = [c for c in FACILITY_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise GazetteerError(f"facilities CSV lacks column(s) {', '.join(missing)}", where=origin)
    out: list[Facility] = []
    seen: set[str] = set()
    for i, row in enumerate(reader, start=2):
        where = f"{origin}:{i}"
        key = (row["key"] or "").strip()
        name = (row["name"] or "").strip()
        if not key or not name:
            raise GazetteerError("facility row needs a key and a name", where=where)
        if key in seen:
            raise GazetteerError(f"duplicate facility key '{key}'", where=where)
        seen.add(key)
        kind = (row["kind"] or "").strip()
        if kind not in FACILITY_KINDS:
            raise GazetteerError(
                f"unknown facility kind '{kind}' (use one of {', '.join(sorted(FACILITY_KINDS))})",
                where=where,
            )
        cc = (row["country"] or "").strip().upper()
        if len(cc) != 2 or not cc.isalpha():
            raise GazetteerError(f"country '{cc}' is not an ISO 3166 alpha-2 code", where=where)
        aliases = [a.strip() for a in (row["aliases"] or "").split("|") if a.strip()]
        out.append(
            Facility(
                key=key,
                name=name,
                aliases=tuple(a for a in aliases if not a.startswith("~")),
                weak_aliases=tuple(a[1:].strip() for a in aliases if a.startswith("~")),
                kind=kind,
                latitude=_float(row["latitude"] or "", -90, 90, "latitude", where),
                longitude=_float(row["longitude"] or "", -180, 180, "longitude", where),
                country=cc,
                admin1=(row["admin1"] or "").strip() or None,
                admin2=(row["admin2"] or "").strip() or None,
                source=(row["source"] or "").strip(),
                origin=where,
            )
        )
    return out


def bundled_facilities() -> list[Facility]:
    return parse_facilities((data_dir() / "facilities.csv").read_text(encoding="utf-8"), "data/geo/facilities.csv")


def user_facilities(paths: Iterable[Path]) -> list[Facility]:
    out: list[Facility] = []
    for p in paths:
        try:
            text = Path(p).read_text(encoding="utf-8")
        except OSError as exc:
            raise GazetteerError(f"cannot read facilities file: {exc.strerror}", where=str(p)) from exc
        out.extend(parse_facilities(text, str(p)))
    return out


def read_tsv_gz(name: str) -> Iterator[dict[str, str]]:
    """Rows of a committed gzip TSV table as dicts (header line gives the keys)."""
    text = gzip.decompress((data_dir() / name).read_bytes()).decode("utf-8")
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
    header = next(reader)
    for fields in reader:
        if fields:
            yield dict(zip(header, fields, strict=False))


@dataclass(frozen=True)
class CuratedAdmin:
    code: str
    display: str | None
    seat: str | None
    aliases: tuple[str, ...]


def curated_admins() -> dict[str, CuratedAdmin]:
    """The hand-written admin_aliases.tsv: display names, seats and aliases of admin areas."""
    out: dict[str, CuratedAdmin] = {}
    text = (data_dir() / "admin_aliases.tsv").read_text(encoding="utf-8")
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#") or line.startswith("code\t"):
            continue
        f = line.split("\t") + ["", "", ""]
        if not f[0]:
            raise GazetteerError("admin alias row without a code", where=f"data/geo/admin_aliases.tsv:{i}")
        out[f[0]] = CuratedAdmin(
            f[0],
            f[1].strip() or None,
            f[2].strip() or None,
            tuple(a.strip() for a in f[3].split("|") if a.strip()),
        )
    return out


def data_hash(extra_files: Iterable[Path] = (), salt: str = "") -> str:
    """SHA-256 over the bundled data files, the given user files and ``salt`` (code/schema version)."""
    h = hashlib.sha256(salt.encode("utf-8"))
    for name in DATA_FILES:
        h.update(name.encode())
        h.update((data_dir() / name).read_bytes())
    for p in extra_files:
        h.update(str(p).encode())
        try:
            h.update(Path(p).read_bytes())
        except OSError as exc:
            raise GazetteerError(f"cannot read facilities file: {exc.strerror}", where=str(p)) from exc
    return h.hexdigest()


def country_points() -> dict[str, tuple[float, float]]:
    """ISO2 -> the curated representative point of a country (country_points.tsv)."""
    out: dict[str, tuple[float, float]] = {}
    text = (data_dir() / "country_points.tsv").read_text(encoding="utf-8")
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith(("#", "iso2\t")):
            continue
        f = line.split("\t")
        where = f"data/geo/country_points.tsv:{i}"
        if len(f) != 3:
            raise GazetteerError("expected iso2, lat, lon", where=where)
        out[f[0]] = (_float(f[1], -90, 90, "latitude", where), _float(f[2], -180, 180, "longitude", where))
    return out


@dataclass(frozen=True)
class ExtraPlace:
    """A row of extra_places.tsv: extra aliases of a GeoNames place (geonameid set) or a new place."""

    key: str
    geonameid: int | None
    name: str
    aliases: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    country: str
    admin1: str | None
    feature: str
    source: str


def extra_places() -> list[ExtraPlace]:
    out: list[ExtraPlace] = []
    text = (data_dir() / "extra_places.tsv").read_text(encoding="utf-8")
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith(("#", "key\t")):
            continue
        f = (line.split("\t") + [""] * 10)[:10]
        where = f"data/geo/extra_places.tsv:{i}"
        key, gid, name, aliases, lat, lon, cc, admin1, feature, source = (x.strip() for x in f)
        if not key or not name:
            raise GazetteerError("extra place row needs a key and a name", where=where)
        has_point = bool(lat or lon)
        if not gid and not (has_point and len(cc) == 2):
            raise GazetteerError("a new place needs lat, lon and a country", where=where)
        out.append(
            ExtraPlace(
                key=key,
                geonameid=int(gid) if gid else None,
                name=name,
                aliases=tuple(a.strip() for a in aliases.split("|") if a.strip()),
                latitude=_float(lat, -90, 90, "latitude", where) if has_point else None,
                longitude=_float(lon, -180, 180, "longitude", where) if has_point else None,
                country=cc.upper(),
                admin1=admin1 or None,
                feature=feature or "PPL",
                source=source,
            )
        )
    return out
