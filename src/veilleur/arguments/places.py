"""Place mentions in a parsed sentence: named places, facilities ("la base d'Aïn al-Asad"), admin areas
("la province de Diyala") and place phrases ("à 110 km au nord-est de Baaqouba", "dans le sud de ...")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from veilleur.detect.lexicon import norm_word
from veilleur.geo import Gazetteer, offset
from veilleur.model import Place

_PLACE_LABELS = {"LOC", "GPE", "FAC"}
# how fine a place is: lower is finer
FINENESS = {1: 0, 2: 1, 3: 2}


@dataclass(frozen=True)
class PlaceWords:
    """Typed view of lang/<code>/places.toml."""

    bearings: dict[str, float]
    admin_words: dict[str, int]
    facility_words: dict[str, str]
    near_words: frozenset[str]
    units: frozenset[str]

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> PlaceWords:
        def flat(table: Any) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for key, value in (table or {}).items():
                if isinstance(value, list):
                    for v in value:
                        out[norm_word(str(v))] = key
                else:
                    out[norm_word(key)] = value
            return out

        bearings = {k: float(v) for k, v in flat(data.get("bearings", data.get("directions"))).items()
                    if isinstance(v, int | float)}
        admin = {k: int(v) for k, v in flat(data.get("admin_units", data.get("admin_words"))).items()
                 if isinstance(v, int)}
        facility = {k: str(v) for k, v in flat(data.get("facility_words", {})).items()}
        near = frozenset(norm_word(w) for w in data.get("near", []))
        units = frozenset(norm_word(w) for w in data.get("distance_units", ["km", "kilomètres", "kilomètre"]))
        return cls(bearings, admin, facility, near, units)


@dataclass(frozen=True)
class PlaceMention:
    start: int  # token indices in the Doc
    end: int
    place: Place
    text: str
    anchor: int  # the token whose tree position is compared with the trigger's

    @property
    def fineness(self) -> int:
        if self.place.feature and self.place.feature.startswith("country"):
            return 9
        return FINENESS.get(self.place.geo_precision, 3)


def _is_name(tok: Token) -> bool:
    return tok.text[:1].isupper() or tok.pos_ == "PROPN"


def _name_run(sent: SpacySpan, i: int) -> tuple[int, int] | None:
    """The proper-name run starting at token i (allowing al-/el- particles and hyphens inside)."""
    doc = sent.doc
    if i >= sent.end or not _is_name(doc[i]) and doc[i].lower_ not in ("al", "el", "ad", "as", "an", "ar", "at"):
        return None
    j = i
    while j < sent.end:
        t = doc[j]
        if _is_name(t) or t.text in ("-", "'", "’") or t.lower_ in ("al", "el", "ad", "as", "an", "ar", "at", "ez", "es"):
            j += 1
            continue
        break
    while j > i and doc[j - 1].text in ("-", "'", "’"):
        j -= 1
    return (i, j) if j > i else None


def _modifiers(sent: SpacySpan, start: int, words: PlaceWords) -> tuple[float | None, float | None, bool]:
    """Bearing, distance and "near" read from the few words before a place ("à 110 km au nord-est de X")."""
    doc = sent.doc
    lo = max(sent.start, start - 9)
    window = [doc[k] for k in range(lo, start)]
    bearing: float | None = None
    km: float | None = None
    near = False
    for k, tok in enumerate(window):
        key = norm_word(tok.text)
        if key in words.bearings:
            bearing = words.bearings[key]
        if key in words.near_words:
            near = True
        if key in words.units and k > 0 and window[k - 1].like_num:
            try:
                km = float(window[k - 1].text.replace(",", ".").replace("\u202f", ""))
            except ValueError:
                km = None
        if tok.text in (".", ";", ":") or tok.lower_ in ("et", "ou"):
            bearing, km, near = None, None, False
    return bearing, km, near


def find_places(sent: SpacySpan, gaz: Gazetteer, words: PlaceWords, countries: Sequence[str]) -> list[PlaceMention]:
    doc = sent.doc
    found: list[PlaceMention] = []
    covered: set[int] = set()

    def add(start: int, end: int, place: Place | None, anchor: int) -> None:
        if place is None or any(k in covered for k in range(start, end)):
            return
        bearing, km, near = _modifiers(sent, start, words)
        if (bearing is not None or km is not None) and place.geo_precision <= 3:
            place = offset(place, bearing, km) if km else replace(place, geo_precision=max(place.geo_precision, 2))
        elif near and place.geo_precision == 1:
            place = replace(place, geo_precision=2)
        covered.update(range(start, end))
        found.append(PlaceMention(start, end, place, doc[start:end].text, anchor))

    i = sent.start
    while i < sent.end:
        tok = doc[i]
        key = norm_word(tok.lemma_)
        # "la base (aérienne) (américaine) d'Aïn al-Asad", "le champ pétrolier de Naft Khaneh"
        if key in words.facility_words or key in words.admin_words:
            j = i + 1
            while j < sent.end and j - i < 5 and not (doc[j].lower_ in ("de", "d'", "d’", "du", "des")):
                if doc[j].pos_ not in ("ADJ", "NOUN") or _is_name(doc[j]):
                    break
                j += 1
            k = j + 1 if j < sent.end and doc[j].lower_ in ("de", "d'", "d’", "du") else j
            if k < sent.end and doc[k].lower_ in ("la", "le", "l'", "l’"):
                k += 1
            run = _name_run(sent, k)
            if run:
                name = doc[run[0]:run[1]].text
                if key in words.admin_words:
                    place = gaz.admin_area(name, countries=countries, level=words.admin_words[key])
                    if place is None:
                        place = gaz.resolve(name, countries=countries)
                else:
                    kind = words.facility_words[key]
                    place = gaz.resolve(doc[i:run[1]].text, countries=countries, kind=kind)
                    if place is None:
                        place = gaz.resolve(name, countries=countries, kind=kind)
                add(run[0], run[1], place, i)
                if run[0] < run[1] and run[0] in covered:
                    i = run[1]
                    continue
        i += 1

    for ent in sent.ents:
        if ent.label_ in _PLACE_LABELS:
            add(ent.start, ent.end, gaz.resolve(ent.text, countries=countries), ent.root.i)

    names = [t.text for t in sent]
    for s, e, _entries in gaz.find_names(names):
        start, end = sent.start + s, sent.start + e
        if any(k in covered for k in range(start, end)):
            continue
        add(start, end, gaz.resolve(doc[start:end].text, countries=countries), doc[start:end].root.i)
    found.sort(key=lambda p: p.start)
    return found
