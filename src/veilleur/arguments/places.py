"""Place mentions in a parsed sentence: named places, facilities ("la base d'Aïn al-Asad"), admin areas
("la province de Diyala") and place phrases ("à 110 km au nord-est de Baaqouba", "dans le sud de ..."),
resolved with the gazetteer's phrase grammar (:mod:`veilleur.geo.phrases`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from veilleur.geo import Gazetteer
from veilleur.geo.words import place_words, word_key
from veilleur.model import Place

_PLACE_LABELS = {"LOC", "GPE", "FAC"}
#: A city this big is the one a name means unless the text says otherwise ("Londres", "Kabul").
WELL_KNOWN = 100_000
_PARTICLES = {"al", "el", "ad", "as", "an", "ar", "at", "ez", "es", "ash", "ach", "ech"}
_STOP_PUNCT = {",", ";", ":", ".", "«", "»", "(", ")", "!", "?", "\n"}


@dataclass(frozen=True)
class PlaceMention:
    start: int  # token indices in the Doc
    end: int
    place: Place
    text: str
    anchor: int  # the token whose tree position is compared with the trigger's

    @property
    def fineness(self) -> int:
        """0 the place itself, 1 near it, 2 an admin area, 9 a country (never an event's place)."""
        if self.place.feature == "country" or (self.place.source or "").startswith("country"):
            return 9
        return {1: 0, 2: 1}.get(self.place.geo_precision, 2)


@lru_cache(maxsize=65536)
def resolve_cached(
    gaz: Gazetteer, text: str, countries: tuple[str, ...], lang: str | None = None
) -> Place | None:
    """Gazetteer look-ups repeat across sentences and articles: keep the recent answers (pure function)."""
    if lang is not None:
        return gaz.resolve_phrase(text, lang=lang, countries=countries)
    return gaz.resolve(text, countries=countries)


@cache
def _vocabulary(lang: str) -> tuple[frozenset[str], frozenset[str]]:
    """Words that may stand before a name inside a place phrase, and the words naming facilities/areas."""
    w = place_words(lang)
    units = {*w.admin_words, *w.place_words, *w.facility_words}
    words: set[str] = set()
    for group in (
        w.directions,
        w.direction_adjectives,
        units,
        w.units,
        w.number_words,
        w.approx_numbers,
        w.prepositions,
        w.near,
        w.articles,
        w.of,
    ):
        for phrase in group:
            words.update(word_key(phrase).replace("'", "' ").replace("-", " - ").split())
    heads = {word_key(u).split()[0] for u in units}
    return frozenset(words), frozenset(heads)


def _key(tok: Token) -> str:
    return word_key(tok.text)


def _is_name(tok: Token) -> bool:
    return tok.text[:1].isupper() or (tok.pos_ == "PROPN" and tok.text[:1].isalpha())


def _name_run(sent: SpacySpan, i: int) -> tuple[int, int] | None:
    """The proper-name run starting at token i ("al-Diwaniyah", "Naft Khaneh", "Aïn al-Asad")."""
    doc = sent.doc
    if i >= sent.end or not (_is_name(doc[i]) or doc[i].lower_ in _PARTICLES):
        return None
    j = i
    while j < sent.end:
        t = doc[j]
        if _is_name(t) or t.lower_ in _PARTICLES or (t.text in ("-", "'", "’") and not t.whitespace_):
            j += 1
            continue
        break
    while j > i and (doc[j - 1].text in ("-", "'", "’") or doc[j - 1].lower_ in _PARTICLES):
        j -= 1
    return (i, j) if j > i else None


def _phrase_start(sent: SpacySpan, start: int, vocab: frozenset[str]) -> list[Token]:
    """The words before a name that belong to its place phrase ("à 110 km au nord-est de", "dans le sud de la
    province de"); adjectives inside ("la base militaire américaine d'") are passed over."""
    doc = sent.doc
    kept: list[Token] = []
    k = start - 1
    while k >= sent.start and start - k <= 10:
        tok = doc[k]
        if tok.text in _STOP_PUNCT or tok.pos_ in ("VERB", "AUX", "CCONJ", "SCONJ", "PRON"):
            break
        key = _key(tok)
        if key in vocab or tok.like_num or key.rstrip("'") in vocab:
            kept.append(tok)
        elif tok.pos_ in ("ADJ",) or key in ("us",):
            pass
        else:
            break
        k -= 1
    kept.reverse()
    return kept


@cache
def _area_words(lang: str) -> frozenset[str]:
    """One-word area and admin words that may follow a name ("area", "region", "district")."""
    w = place_words(lang)
    words = {k for k, v in w.place_words.items() if v == "area"} | set(w.admin_words)
    return frozenset(word_key(k) for k in words if " " not in k and "-" not in k)


def _area_after(sent: SpacySpan, end: int, lang: str) -> int:
    """The end of "X area" / "X region" when an area word follows the name at ``end`` (else 0)."""
    if end < sent.end and _key(sent.doc[end]) in _area_words(lang) and sent.doc[end].is_lower:
        return end + 1
    return 0


def _resolve(
    gaz: Gazetteer,
    sent: SpacySpan,
    start: int,
    end: int,
    lang: str,
    vocab: frozenset[str],
    countries: Sequence[str],
) -> Place | None:
    doc = sent.doc
    name = doc[start:end].text
    before = _phrase_start(sent, start, vocab)
    after = _area_after(sent, end, lang)
    if after:
        # "the Tessit area", "Menaka region": an area named after the place
        name = doc[start:after].text
    if before or after:
        text = "".join(t.text_with_ws for t in before) + name
        place = resolve_cached(gaz, text, tuple(countries[:6]), lang)
        if place is not None:
            return place
    return resolve_cached(gaz, name, tuple(countries[:6]))


@cache
def _of_words(lang: str) -> tuple[frozenset[str], frozenset[str]]:
    """The one-word "of" words and articles of a language's place phrases ("de", "d'", "du"; "of", "the")."""
    w = place_words(lang)
    of = frozenset(word_key(x) for x in w.of if " " not in x)
    articles = frozenset(word_key(x) for x in w.articles if " " not in x)
    return of, articles


def _after_of(sent: SpacySpan, j: int, lang: str) -> int:
    """The index after "de"/"d'"/"du"/"of" and an article at j, or j when there is none."""
    doc = sent.doc
    of, articles = _of_words(lang)
    if j < sent.end and _key(doc[j]) in of:
        j += 1
        if j < sent.end and _key(doc[j]) in articles:
            j += 1
    return j


def _facility_spans(
    sent: SpacySpan, heads: frozenset[str], lang: str
) -> dict[tuple[int, int], tuple[int, bool]]:
    """Names after a facility or area word ("la base US de Victory", "les bases d'Aïn al-Asad et de Victory",
    "le champ pétrolier de Naft Khaneh"), and nameless facility phrases ("le poste-frontière irako-koweïtien").
    Value: (anchor token, named)."""
    doc = sent.doc
    spans: dict[tuple[int, int], tuple[int, bool]] = {}
    for i in range(sent.start, sent.end):
        if _key(doc[i]) not in heads:
            continue
        j = i + 1
        while (
            j < sent.end
            and j - i <= 4
            and _key(doc[j]) not in _of_words(lang)[0]
            and doc[j].text not in _STOP_PUNCT
        ):
            if doc[j].pos_ in ("VERB", "AUX"):
                break
            j += 1
        k = _after_of(sent, j, lang)
        run = _name_run(sent, k) if k > j else None
        if run is None:
            # "le poste-frontière irako-koweïtien": a described facility with no name
            e = i + 1
            while (
                e < sent.end
                and e - i <= 6
                and (
                    doc[e].pos_ in ("ADJ", "NOUN")
                    or doc[e].text == "-"
                    or (doc[e].pos_ in ("PROPN", "X") and doc[e].is_lower)
                    or (
                        not doc[e - 1].whitespace_
                        and doc[e].pos_ not in ("ADP", "AUX", "VERB", "DET", "PUNCT")
                    )
                )
            ):
                if doc[e].text in _STOP_PUNCT:
                    break
                e += 1
            if e > i + 1:
                spans[(i, e)] = (i, False)
            continue
        spans[run] = (i, True)
        # coordinated names share the facility word: "d'Aïn al-Asad et de Victory"
        while run[1] + 1 < sent.end and _key(doc[run[1]]) in ("et", "ou", ","):
            nxt = _name_run(sent, _after_of(sent, run[1] + 1, lang))
            if nxt is None:
                break
            spans[nxt] = (i, True)
            run = nxt
    return spans


@cache
def _locatives(lang: str) -> frozenset[str]:
    return frozenset(place_words(lang).locative)


def after_locative(sent: SpacySpan, lang: str) -> list[int]:
    """Token indices right after a locative word of the language ("in", "near"), for languages read without
    a named-entity model: the names there are looked up as places even when the index does not know them as
    written."""
    words = _locatives(lang)
    doc = sent.doc
    return [k + 1 for k in range(sent.start, sent.end - 1) if _key(doc[k]) in words and doc[k + 1].text[:1].isupper()]


def _acronym(word: str) -> bool:
    """"FAMa", "JNIM", "MINUSMA" (mostly capitals), not "NDaki" or "McKenzie"."""
    letters = [ch for ch in word if ch.isalpha()]
    upper = sum(ch.isupper() for ch in letters)
    return upper >= 2 and upper * 2 > len(letters)


def _plausible(place: Place, countries: Sequence[str]) -> bool:
    """A small place outside the article's countries is more likely a homonym than the place meant."""
    if not countries or place.country in countries[:4] or place.geo_precision >= 3:
        return True
    return (place.population or 0) >= 500_000 or (place.source or "").startswith("facility")


def find_places(sent: SpacySpan, gaz: Gazetteer, lang: str, countries: Sequence[str]) -> list[PlaceMention]:
    doc = sent.doc
    vocab, heads = _vocabulary(lang)
    spans: dict[tuple[int, int], tuple[int, bool]] = {}
    # people, and organisations with a place in their name ("l'unité al-Qods"), are not places; a one-word
    # "organisation" that is a place of the article's main country is (spaCy tags "Bankass" ORG)
    blocked = {t.i for ent in sent.ents if ent.label_ == "PER" for t in ent}
    for ent in sent.ents:
        if ent.label_ == "ORG":
            place = resolve_cached(gaz, ent.text, tuple(countries[:6])) if len(ent) == 1 else None
            if place is None or not countries or place.country != countries[0]:
                blocked.update(t.i for t in ent)
    # acronyms ("FAMa", "JNIM", "ADF") name organisations, not places
    blocked.update(t.i for t in sent if _acronym(t.text))
    for ent in sent.ents:
        if ent.label_ in _PLACE_LABELS:
            spans[(ent.start, ent.end)] = (ent.root.i, True)
    facility = _facility_spans(sent, heads, lang)
    spans.update(facility)
    tokens = [t.text for t in sent]
    for s, e, _entries in gaz.find_names(tokens):
        spans.setdefault((sent.start + s, sent.start + e), (sent.start + s, True))
    for i in after_locative(sent, lang):
        run = _name_run(sent, i)
        if run is not None and not any(a <= run[0] < b for a, b in spans):
            spans[run] = (run[0], True)

    found: list[PlaceMention] = []
    taken: set[int] = set()
    for (start, end), (anchor, named) in sorted(
        spans.items(), key=lambda kv: (-(kv[0][1] - kv[0][0]), kv[0][0])
    ):
        if any(k in taken for k in range(start, end)):
            continue
        if (start, end) not in facility and any(k in blocked for k in range(start, end)):
            continue  # a person or an organisation ("l'unité al-Qods", "Kenneth McKenzie")
        if named:
            place = _resolve(gaz, sent, start, end, lang, vocab, countries)
        else:
            place = resolve_cached(gaz, doc[start:end].text, tuple(countries[:6]))
        if (start, end) in facility and named:
            taken.update(range(start, end))  # the name of a facility is not also a town of the same name
        if place is None or not _plausible(place, countries):
            continue
        taken.update(range(start, end))
        found.append(PlaceMention(start, end, place, doc[start:end].text, anchor))
    found.sort(key=lambda p: p.start)
    return found
