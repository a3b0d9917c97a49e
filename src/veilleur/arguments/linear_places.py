"""Places for the parser-free reading (:mod:`veilleur.arguments.linear`): the countries a text is about, the
place a note says it was coded at, bracketed context ("Dioura (Tenenkou, Mopti)"), and which of a sentence's
places is the incident's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from spacy.tokens import Span as SpacySpan

from veilleur import lang
from veilleur.arguments.places import WELL_KNOWN, PlaceMention
from veilleur.detect.linear import LinearLexicon, Word, find_phrases
from veilleur.geo.normalize import key_bare
from veilleur.geo.words import place_words, word_key
from veilleur.model import Place
from veilleur.resolve.numbers import parse_number

if TYPE_CHECKING:
    from veilleur.arguments import Resources

# actor kinds that may act abroad: they say nothing about where the text happens
_NOT_AT_HOME = ("state", "external", "civilians", "protesters", "rioters")


@cache
def group_names(code: str) -> frozenset[str]:
    """Ethnic and communal group names of the language's actor patterns ("Dogon", "Fulani"): as a word
    before "village" or "community" they name people, not a place."""
    groups = lang.load(code).files.get("actors", {}).get("groups", {})
    names = {str(k).lower() for k in groups}
    for table in groups.values():
        if isinstance(table, dict):
            names.update(str(w).lower() for w in table.get("words", []))
    return frozenset(names)


@dataclass(frozen=True)
class NotePlace:
    place: Place | None
    fatalities: int | None


def coded_as(sent: SpacySpan, words: Sequence[Word], res: Resources, lin: LinearLexicon,
              countries: Sequence[str]) -> NotePlace:
    """ "(coded as Parou at geoprecision 2)": the place the note was coded at; "(coded as 10)": its toll."""
    place, killed = None, None
    for _s, e in find_phrases(words, lin.coded_as, lin):
        k = e
        while k < len(words) and words[k].text.lower() not in lin.coded_end and k - e < 6:
            k += 1
        text = " ".join(w.text for w in words[e:k]).strip()
        if not text:
            continue
        number = parse_number(text, res.lang)
        if number is not None and text[:1].isdigit():
            killed = number
            continue
        found = res.gazetteer.resolve(text, countries=countries)
        if found is not None and found.geo_precision <= 2:
            place = found
    return NotePlace(place, killed)


def choose_place(places: Sequence[PlaceMention], words: Sequence[Word], start: int, end: int,
                 lin: LinearLexicon) -> PlaceMention | None:
    """The finest place nearest the trigger, one after it (in its clause) first; a place that only says whose
    something is ("the mayor of Banikane") or the second of "between X and Y" after the others."""
    usable = [p for p in places if p.fineness <= 2]
    if not usable:
        return None
    t0, t1 = words[start].start, words[end - 1].end
    first = {w.start: k for k, w in enumerate(words)}
    pw = place_words(lin.lex.code)

    def before(p: PlaceMention, back: int) -> Word | None:
        k = first.get(p.start)
        return words[k - back] if k is not None and k - back >= 0 else None

    def second_of_between(p: PlaceMention) -> bool:
        w = before(p, 1)
        if w is None or w.text.lower() not in lin.conjunctions:
            return False
        # "between X and Y", whether or not the gazetteer knows X ("between Acharane and Timbuktu")
        for k in range(2, 7):
            b = before(p, k)
            if b is None or b.text in (",", ";", "."):
                return False
            if b.text.lower() in lin.between_words:
                return True
        return False

    def attached(p: PlaceMention) -> bool:
        w, owner = before(p, 1), before(p, 2)
        if w is None or w.text.lower() not in lin.attached or owner is None:
            return False
        forms = {owner.text, *owner.keys}  # "the towns of", "the villages of"
        return all(pw.kind_of(f) is None and word_key(f) not in pw.directions for f in forms)

    def breaks(p: PlaceMention) -> int:
        """Clause boundaries between the trigger and the place."""
        lo, hi = (t1, p.start) if p.start >= t1 else (p.end, t0)
        return sum(1 for w in words if lo <= w.start < hi and (w.text in (",", ";") or
                                                               w.text.lower() in lin.subject_breaks))

    def key(p: PlaceMention) -> tuple[int, int, float]:
        dist = p.start - t1 if p.start >= t1 else (t0 - p.end) * 1.5 + 2
        return (min(p.fineness, 1), int(attached(p)) + int(second_of_between(p)), dist + 15 * breaks(p))

    return min(usable, key=key)


def name_countries(sents: Sequence[SpacySpan], res: Resources) -> list[str]:
    """Countries voted for by the place names of the text: each name the gazetteer knows gives one vote,
    shared among the countries it may be in, a country where the name is a town of some size or an admin
    area weighing three times one where it is only a hamlet, a feature or an alternate spelling ("Parou" and
    "Songobia" are both only in Mali; "Kidal" is a Malian regional capital and an Indonesian hamlet). So a
    report that never names its country ("in the area of Didia") still has one. Most votes first; a country
    needs the votes of two names, or most of one name's vote, and half the votes of the first. Named rebel
    groups and militias vote for their home country."""
    votes: dict[str, float] = {}
    named: dict[str, int] = {}
    seen: set[str] = set()
    for sent in sents:
        tokens = [t.text for t in sent]
        for a, b, entries in res.gazetteer.find_names(tokens):
            name = key_bare(" ".join(tokens[a:b]))
            if name in seen or " ".join(tokens[a:b]).lower() in group_names(res.lang):
                continue  # a people ("Fulani gunmen", "Dogon hunters") votes for no country
            seen.add(name)
            weight: dict[str, int] = {}
            biggest: dict[str, int] = {}
            # a name spelled as some place's own name weighs its other readings (alternate spellings) as
            # hamlets: "Bi" is a Malian village's name and only an alternate spelling of a French town
            primary = any(e.match == 0 and e.kind != "country" for e in entries)
            for e in entries:
                if e.country and e.kind != "country" and e.match <= 1:
                    sized = e.kind.startswith("admin") or e.population >= 1000
                    big = 3 if sized and (e.match == 0 or not primary) else 1
                    weight[e.country] = max(weight.get(e.country, 0), big)
                    biggest[e.country] = max(biggest.get(e.country, 0), e.population)
            sizes = sorted(biggest.values(), reverse=True) + [0]
            if sizes[0] >= WELL_KNOWN and sizes[0] >= 10 * sizes[1]:
                # a city everybody means by that name ("Lagos", "Kabul"): its country
                weight = {c: 1 for c, pop in biggest.items() if pop == sizes[0]}
            total = sum(weight.values())
            for c, wgt in weight.items():
                votes[c] = votes.get(c, 0.0) + wgt / total
                named[c] = named.get(c, 0) + 1
        # a rebel group or a militia named in the text fights at home ("Katiba Macina" says Mali)
        for m in res.actors.find(sent.text):
            home = m.actor.country
            if home and not m.generic and m.actor.kind not in _NOT_AT_HOME and m.actor.name not in seen:
                seen.add(m.actor.name)
                votes[home] = votes.get(home, 0.0) + 1.0
                named[home] = named.get(home, 0) + 1
    ranked = sorted(votes, key=lambda c: -votes[c])
    top = votes[ranked[0]] if ranked else 0.0
    return [c for c in ranked if (named[c] >= 2 or votes[c] >= 0.7) and votes[c] >= top / 2]


def with_context(sent: SpacySpan, places: list[PlaceMention], res: Resources,
                  countries: Sequence[str]) -> list[PlaceMention]:
    """ "Dioura (Tenenkou, Mopti)": the names in brackets after a place say where it is, they are not places
    of their own; the place is resolved with them as context."""
    doc = sent.doc
    out: list[PlaceMention] = []
    skip: set[int] = set()
    for p in places:
        if id(p) in skip:
            continue
        if p.end < sent.end and doc[p.end].text == "(":
            close = next((k for k in range(p.end + 1, min(sent.end, p.end + 12)) if doc[k].text == ")"), None)
            inside = [q for q in places if close is not None and p.end < q.start and q.end <= close]
            if inside and close is not None:
                skip.update(id(q) for q in inside)
                text = doc[p.start:close + 1].text
                found = res.gazetteer.resolve_phrase(text, lang=res.lang, countries=countries)
                where = {q.place.country for q in inside}
                if found is not None and found.country in where:
                    p = replace(p, place=found)
                elif p.place.country not in where:
                    # the name is a namesake abroad ("Maarat al-Numan (Idleb)" read as a Nigerian town): the
                    # bracketed area is what the text locates
                    p = replace(p, place=inside[0].place, text=text)
        out.append(p)
    return [p for p in out if id(p) not in skip]


def abroad_respelled(p: PlaceMention, countries: Sequence[str]) -> bool:
    """A place outside the text's countries reached only through another spelling ("Boni" read as Bonn)."""
    if not countries or p.place.country in countries or p.fineness >= 3:
        return False
    return key_bare(p.text) != key_bare(p.place.name)


def neighbours(n: int, total: int) -> list[int]:
    """The sentences after sentence n, then the one before it (the next sentence most often goes on)."""
    return [k for k in (n + 1, n + 2, n - 1) if 0 <= k < total]


__all__ = ["NotePlace", "abroad_respelled", "choose_place", "coded_as", "group_names", "name_countries",
           "neighbours", "with_context"]
