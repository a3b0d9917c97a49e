"""Typed view of ``lang/<code>/places.toml``: directions, admin-unit words, facility words, distance units,
common words. Validated once per language (cached)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from veilleur import lang as langdata
from veilleur.errors import LanguageDataError
from veilleur.geo.entry import FACILITY_KINDS
from veilleur.geo.normalize import fold, key_exact

#: Kinds a resolver understands as hints (facility kinds, admin levels, settlement kinds, "country").
KINDS = FACILITY_KINDS | {
    "admin",
    "admin1",
    "admin2",
    "admin3",
    "town",
    "village",
    "neighbourhood",
    "area",
    "country",
}


def word_key(text: str) -> str:
    """Folded form used to look words up: lower case, no accents, single spaces, ’ -> '."""
    return " ".join(fold(text).replace("’", "'").split())


@dataclass(frozen=True)
class PlaceWords:
    lang: str
    directions: dict[str, float]
    direction_adjectives: dict[str, float]
    admin_words: dict[str, int]
    place_words: dict[str, str]
    facility_words: dict[str, str]
    units: dict[str, float]
    approx_numbers: dict[str, float]
    number_words: dict[str, float]
    prepositions: tuple[str, ...]
    near: tuple[str, ...]
    articles: tuple[str, ...]
    of: tuple[str, ...]
    common: frozenset[str]  # key_exact forms
    locative: tuple[str, ...] = ()  # "in", "near": a capitalised name after them is looked up as a place

    def kind_of(self, word: str) -> str | None:
        """Canonical kind hinted by a word ("base aérienne" -> "airbase", "province" -> "admin1")."""
        k = word_key(word)
        if k in self.facility_words:
            return self.facility_words[k]
        if k in self.admin_words:
            return f"admin{self.admin_words[k]}"
        return self.place_words.get(k)


def _table(raw: dict[str, Any], name: str, typ: type, where: str) -> dict[str, Any]:
    section = raw.get(name, {})
    if not isinstance(section, dict):
        raise LanguageDataError(f"places.toml: [{name}] must be a table", where=where)
    out: dict[str, Any] = {}
    for k, v in section.items():
        if typ is float and isinstance(v, int | float) and not isinstance(v, bool):
            out[word_key(k)] = float(v)
        elif typ is int and isinstance(v, int) and not isinstance(v, bool):
            out[word_key(k)] = v
        elif typ is str and isinstance(v, str):
            if v not in KINDS:
                raise LanguageDataError(f"places.toml: [{name}] '{k}' has unknown kind '{v}'", where=where)
            out[word_key(k)] = v
        else:
            raise LanguageDataError(f"places.toml: [{name}] '{k}' has a value of the wrong type", where=where)
    return out


@cache
def place_words(code: str) -> PlaceWords:
    """The place words of one language (raises LanguageDataError when places.toml is missing or wrong)."""
    where = f"lang/{code}/places.toml"
    raw = langdata.load(code).section("places")
    phrases = raw.get("phrases", {})
    common = raw.get("common", {}).get("words", [])

    def words(key: str) -> tuple[str, ...]:
        value = phrases.get(key, [])
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise LanguageDataError(f"places.toml: phrases.{key} must be a list of strings", where=where)
        return tuple(word_key(x) for x in value)

    return PlaceWords(
        lang=code,
        directions=_table(raw, "directions", float, where),
        direction_adjectives=_table(raw, "direction_adjectives", float, where),
        admin_words=_table(raw, "admin_words", int, where),
        place_words=_table(raw, "place_words", str, where),
        facility_words=_table(raw, "facility_words", str, where),
        units=_table(raw, "units", float, where),
        approx_numbers=_table(raw, "approx_numbers", float, where),
        number_words=_table(raw, "number_words", float, where),
        prepositions=words("prepositions"),
        near=words("near"),
        articles=words("articles"),
        of=words("of"),
        locative=words("locative"),
        common=frozenset(key_exact(w) for w in common if isinstance(w, str)),
    )


def languages_with_place_words(codes: tuple[str, ...]) -> list[PlaceWords]:
    """Place words of each language that has a places.toml (others are skipped; a malformed file raises)."""
    available = set(langdata.available())
    return [place_words(code) for code in codes if code in available and "places" in langdata.load(code).files]
