"""Arguments stage for a language read without a parser (English): the same Mention objects as the parsed
route, read from word order, the language's data and the gazetteer.

For each sentence: triggers and their modality (:mod:`veilleur.detect.linear`), the means and target that
decide an attack's sub-type, the places of the sentence (the gazetteer's place-phrase grammar, and the place a
note says it was "coded as"), the date nearest the trigger, the casualty figures, the actors and their roles
(:mod:`veilleur.arguments.linear_roles`). The trigger words of one sentence that tell one incident become one
mention, coded by the language's ``[precedence]`` and ``[[combine]]`` data (``triggers.toml``).

``build_linear_mentions`` is a pure function of the tokenised document and the language resources.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from veilleur import lang
from veilleur.arguments.linear_places import (
    abroad_respelled,
    choose_place,
    coded_as,
    group_names,
    name_countries,
    neighbours,
    with_context,
)
from veilleur.arguments.linear_roles import (
    Placed,
    blamed,
    claimant,
    country_agent,
    linear_roles,
    parent_group,
    passive,
    place_matches,
    reporter,
)
from veilleur.arguments.places import PlaceMention, after_locative, find_places
from veilleur.detect.lexicon import EVENT_TYPES, Coding
from veilleur.detect.linear import (
    LinearHit,
    LinearLexicon,
    Word,
    find_linear_triggers,
    find_phrases,
    linear_lexicon,
)
from veilleur.detect.linear_modality import clause_start, read_linear_modality
from veilleur.detect.modality import Reading
from veilleur.errors import LanguageDataError
from veilleur.geo import haversine_km
from veilleur.model import Actor, Claim, DateValue, Document, Mention, Modality, Place, Span
from veilleur.resolve.numbers import find_tolls

if TYPE_CHECKING:
    from veilleur.arguments import Resources

_BATTLES = "Battles"
_VIOLENT = (_BATTLES, "Explosions/Remote violence", "Violence against civilians", "Riots")
_DEVELOPMENTS = "Strategic developments"
_PROTESTS, _RIOTS = "Protests", "Riots"
_CIVILIAN_LOSS = ("Looting/property destruction", "Mob violence")
_BLAMEABLE = (*_VIOLENT, _DEVELOPMENTS)
_REMOTE = _VIOLENT[1]
# two places this far apart are two incidents unless the text says otherwise
_FAR_KM = 50.0
# what a report may tell without any place because it is national in scope (a nationwide strike, a government
# decision, groups rejoining the army): ACLED codes it at the capital
_NATIONAL = ("Peaceful protest", "Protest with intervention", "Agreement", "Change to group/activity", "Other")
# date expressions that name a day (not "this year", "in recent weeks")
_DAY_KINDS = ("absolute", "weekday", "relative", "anchored", "ago", "range")


@dataclass(frozen=True)
class Combine:
    when: frozenset[str]
    with_: frozenset[str]
    coding: Coding
    deaths: bool = False


@dataclass(frozen=True)
class Crowd:
    kinds: frozenset[str]
    violent: frozenset[str]
    unless_deaths: frozenset[str]
    coding: Coding


@dataclass(frozen=True)
class CodingRules:
    order: dict[str, int]
    prevail: tuple[str, ...]
    combine: tuple[Combine, ...]
    crowd: tuple[Crowd, ...]


def _coding(where: str, t: dict[str, Any]) -> Coding:
    et, st = t.get("event_type"), t.get("sub_event_type")
    if et not in EVENT_TYPES or st not in EVENT_TYPES[et]:
        raise LanguageDataError(f"{where}: ({et!r}, {st!r}) is not an ACLED event type / sub-event type")
    return Coding(et, st)


@cache
def coding_rules(code: str) -> CodingRules:
    trig = lang.load(code).section("triggers")
    where = f"lang/{code}/triggers.toml"
    prec = trig.get("precedence", {})
    order = {name: n for n, name in enumerate(prec.get("order", []))}
    combine = tuple(Combine(frozenset(c.get("when", [])), frozenset(c.get("with", [])),
                            _coding(f"{where} [[combine]] #{n}", c), bool(c.get("deaths", False)))
                    for n, c in enumerate(trig.get("combine", [])))
    crowd = tuple(Crowd(frozenset(c.get("kinds", [])), frozenset(c.get("violent", [])),
                        frozenset(c.get("unless_deaths", [])), _coding(f"{where} [[crowd]] #{n}", c))
                  for n, c in enumerate(trig.get("crowd", [])))
    return CodingRules(order, tuple(prec.get("prevail", [])), combine, crowd)


@dataclass
class _Cand:
    hit: LinearHit
    reading: Reading
    coding: Coding
    strength: int  # 3 intrinsic or from a weapon, 2 target, 1 default
    lo: int  # the trigger's clause, word indices
    hi: int


def _clause_end(words: Sequence[Word], i: int, lin: LinearLexicon) -> int:
    for k in range(i, len(words)):
        if words[k].text in (";", ".") or (words[k].text == "," and k > i + 8):
            return k
    return len(words)


def _weapon(words: Sequence[Word], lin: LinearLexicon, lo: int, hi: int, anchor: int,
            remote_only: bool = False) -> Coding | None:
    """The coding of the means named nearest the anchor in words[lo:hi]; with ``remote_only`` only explosives,
    aircraft, artillery and the like (firearms say nothing of whether the target was armed)."""
    best: tuple[tuple[int, int, int], Coding] | None = None
    for rank, weapon in enumerate(lin.lex.weapons):
        if remote_only and weapon.coding.event_type != _REMOTE:
            continue
        for s, e in find_phrases(words, weapon.cues, lin, lo, hi):
            key = (min(abs(s - anchor), abs(e - 1 - anchor)), s - e, rank)
            if best is None or key < best[0]:
                best = (key, weapon.coding)
    return best[1] if best else None


def _target(words: Sequence[Word], lin: LinearLexicon, lo: int, hi: int, last: bool = False) -> Coding | None:
    """The coding the target's words give: the first cue in words[lo:hi], or with ``last`` the last cue of
    the noun phrase that starts at lo ("a member of a self-defense militia": the militia)."""
    if last:
        end = next((k for k in range(lo, hi) if k > lo and (
            words[k].text.lower() in lin.target_ends or words[k].text in (",", ";"))), hi)
        found = None
        for k in range(lo, end):
            for coding, cues in lin.lex.targets:
                if words[k].keys & cues:
                    found = coding
                    break
        return found
    for k in range(lo, hi):
        for coding, cues in lin.lex.targets:
            if words[k].keys & cues:
                return coding
    return None


def _code(words: Sequence[Word], hit: LinearHit, lin: LinearLexicon, lo: int, hi: int,
          passive_hit: bool) -> tuple[Coding, int]:
    frame = hit.frame
    if frame.coding is not None:
        return frame.coding, 3
    # the means in the trigger's clause, else an explosive, aircraft or artillery named in its sentence
    weapon = (_weapon(words, lin, lo, hit.start, hit.start, True) or _weapon(words, lin, hit.end, hi, hit.start, True)
              or _weapon(words, lin, lo, hi, hit.start, True) or _weapon(words, lin, 0, len(words), hit.start, True))
    if weapon is not None:
        return weapon, 3
    # the target: the noun phrase after an active trigger, the words before a passive one ("two herders
    # were killed"), then anything in the clause, then (for frames sure of themselves) in the sentence
    def nearest_before(stop: int) -> Coding | None:
        return next((t for k in range(hit.start - 1, stop - 1, -1) if (t := _target(words, lin, k, k + 1))), None)

    strength = lin.strength.get(frame.name, 0)
    if passive_hit:
        target = nearest_before(0)  # "members of the Fulani community, arrested and executed by the army"
    else:
        target = _target(words, lin, hit.end, hi, last=True) or _target(words, lin, lo, hi)
        if target is None and strength >= 3:
            # "abducted six men, executed them": the victims told before
            target = nearest_before(0) or _target(words, lin, hit.end, len(words))
    if target is not None:
        return target, max(2, strength)
    return lin.lex.default, 1


def _concrete(words: Sequence[Word], c: _Cand, lin: LinearLexicon, tolls: bool) -> bool:
    """Weak triggers ("operation", "strike", "target") need a weapon, a target or a toll of their own."""
    frame, head = c.hit.frame, words[c.hit.start]
    weak_words = frame.weak_verbs if c.hit.is_verb else frame.weak_nouns
    weak = bool(head.keys & weak_words) and c.hit.end - c.hit.start == 1
    own = [k for k in range(c.lo, c.hi) if not c.hit.start <= k < c.hit.end]
    has_weapon = bool(own) and _weapon(words, lin, c.lo, c.hi, c.hit.start) is not None and any(
        _weapon(words, lin, k, k + 1, k) for k in own)
    if frame.requires_weapon and not has_weapon:
        return False
    near = range(max(c.lo, c.hit.start - 3), min(len(words), c.hit.end + 3))
    if weak and frame.coding is None and any(words[k].keys & lin.lex.non_violent for k in near):
        return False  # "a search operation", "fired in the air"
    if not weak:
        return True
    if c.hit.start > 0 and head.text[:1].isupper() and not head.text.isupper():
        return False  # a name ("Operation Barkhane", "since March"), not an incident
    if lin.context.get(frame.name) and find_phrases(words, lin.context[frame.name], lin):
        return True  # "marched to the ministry to demand their salaries"
    return has_weapon or any(_target(words, lin, k, k + 1) for k in own) or tolls


def _weak(words: Sequence[Word], c: _Cand) -> bool:
    frame = c.hit.frame
    return bool(words[c.hit.start].keys & (frame.weak_verbs if c.hit.is_verb else frame.weak_nouns))


def _absorb(words: Sequence[Word], cands: list[_Cand], lin: LinearLexicon) -> list[_Cand]:
    """A trigger noun that is the object of a trigger verb names its means or its object, not another
    incident ("discovered an IED", "detonated an IED", "fired mortar shells"): the verb tells the incident."""
    verbs = [c for c in cands if c.hit.is_verb]
    keep = []
    for c in cands:
        absorbed = not c.hit.is_verb and any(
            0 <= c.hit.start - v.hit.end <= 3 and all(
                w.keys & (lin.skip | lin.noun_markers) for w in words[v.hit.end:c.hit.start]) for v in verbs)
        if not absorbed:
            keep.append(c)
    return keep


def _rank(c: _Cand, rules: CodingRules, deaths: bool) -> int:
    if c.hit.frame.name in rules.prevail:
        return rules.prevail.index(c.hit.frame.name) - len(rules.prevail)
    if c.strength < 3 and not deaths:
        return rules.order.get("guessed", 99)
    return rules.order.get(c.coding.sub_event_type, 98)


def _combined(codings: set[str], best: Coding, rules: CodingRules, deaths: bool) -> Coding:
    for cb in rules.combine:
        if best.sub_event_type in cb.when and codings & cb.with_ and (deaths or not cb.deaths):
            return cb.coding
    return best


def _date(sent: SpacySpan, found: Sequence[Any], res: Resources, published: Any, words: Sequence[Word],
          c: _Cand) -> DateValue | None:
    exprs = [e for e in found if not e.future]
    if not exprs:
        return None
    anchor = words[c.hit.start].char - sent.start_char
    best = min(exprs, key=lambda e: min(abs(e.span.start - anchor), abs(e.span.end - anchor)))
    value = res.dates.resolve(best, published)
    return value if value.date is not None else None


def _note_fatalities(tolls: Sequence[Any]) -> int | None:
    killed = [t.killed for t in tolls if t.killed is not None]
    return min(killed) if killed else None


def _candidates(sent: SpacySpan, words: Sequence[Word], hits: Sequence[LinearHit], exprs: Sequence[Any],
                named_by: Sequence[Placed], tolls: bool, lin: LinearLexicon) -> list[_Cand]:
    """The sentence's trigger words that tell something that happened, each with its coding."""
    cands: list[_Cand] = []
    background: list[_Cand] = []
    dated = [(sent.start_char + e.span.start, sent.start_char + e.span.end) for e in exprs]
    precise = any(e.kind in _DAY_KINDS for e in exprs)
    for hit in hits:
        if any(a <= words[hit.start].char < b for a, b in dated):
            continue  # "On March 7": a date, not a march
        if any(p.start <= hit.start and hit.end < p.end for p in named_by):
            continue  # "riot police": a word of an actor's name that is not its head
        if not hit.is_verb and cands and hit.start > 0 and words[hit.start - 1].keys & lin.lex.anaphoric:
            continue  # "the device", "the attack": told already in this sentence
        reading = read_linear_modality(words, hit, lin, undated=not precise)
        told_before = reading.modality is Modality.GENERIC and reading.commemoration
        if reading.modality is not Modality.FACTUAL and not told_before:
            continue
        lo = clause_start(words, hit.start, lin, 30)
        hi = _clause_end(words, hit.end, lin)
        coding, strength = _code(words, hit, lin, lo, hi, passive(words, hit, lin))
        c = _Cand(hit, reading, coding, strength, lo, hi)
        if told_before:
            background.append(c)
        elif _concrete(words, c, lin, tolls):
            cands.append(c)
    if not cands and background and len(background) == len(hits):
        # an incident told as the cause of something that is no incident ("suffered breathing problems after a
        # chlorine attack") is the sentence's incident
        cands = [c for c in background if _concrete(words, c, lin, tolls)]
    return _absorb(words, cands, lin)


def build_linear_mentions(document: Document, doc: Doc, res: Resources, context: Sequence[str] = (),
                          own: Sequence[str] | None = None) -> list[Mention]:
    """Every factual event mention of one tokenised (unparsed) document; ``context``: the countries of the
    documents it came with, for a document that names none; ``own``: its own countries when the caller has
    them already (:func:`veilleur.arguments.build_mentions`)."""
    from veilleur.arguments import document_countries, reference_date

    lin = linear_lexicon(res.lang)
    rules = coding_rules(res.lang)
    sents = list(doc.sents)
    # the countries the places and groups of the text vote for, when they vote (a demonym or a country name
    # often names a foreign force: "French forces conducted airstrikes in the area of Dialloube"), else the
    # countries it names, else those of the documents it came with
    countries = list(own if own is not None else document_countries(document, doc, res)) or list(context)
    main_country = countries[0] if countries else None
    sent_words = [lin.words(s) for s in sents]
    actor_cache: dict[tuple[int, str | None], list[Placed]] = {}

    def actors_of(n: int, country: str | None) -> list[Placed]:
        if (n, country) not in actor_cache:
            s = sents[n]
            found = res.actors.find(s.text, country=country)
            actor_cache[n, country] = place_matches(sent_words[n], found, s.start_char)
        return actor_cache[n, country]

    place_cache: dict[int, list[PlaceMention]] = {}

    def places_of(n: int) -> list[PlaceMention]:
        if n not in place_cache:
            words = sent_words[n]
            named = [(words[p.start].start, words[p.end - 1].end) for p in actors_of(n, main_country)
                     if not p.match.generic]
            # a group or an ethnic name ("Katiba Macina", "Dogon villagers") is not a place
            found = [p for p in find_places(sents[n], res.gazetteer, res.lang, countries)
                     if not any(a < p.end and p.start < b for a, b in named)
                     and p.text.lower() not in group_names(res.lang)]
            place_cache[n] = [p for p in with_context(sents[n], found, res, countries)
                              if not abroad_respelled(p, countries)]
        return place_cache[n]

    def anchored(n: int, p: PlaceMention) -> PlaceMention:
        """A village among namesakes: the one nearest the other places the text names."""
        here = p.place
        if here.population >= 1000 or here.geo_precision > 2 or (here.source or "").startswith("facility"):
            return p
        entry = res.gazetteer.entry(here.source) if here.source else None
        if entry is None or (entry.latitude, entry.longitude) != (here.latitude, here.longitude):
            return p  # "10 km north of X": a point of its own
        others = [q.place for k in range(len(sents)) for q in places_of(k)
                  if q.place.name != p.place.name and q.fineness <= 2]
        if not others:
            return p
        big = max(others, key=lambda q: (q.population, -q.geo_precision))
        moved = res.gazetteer.resolve(p.text, countries=countries, near=(big.latitude, big.longitude))
        if moved is None or moved.name != here.name:
            return p
        return replace(p, place=replace(moved, geo_precision=max(moved.geo_precision, here.geo_precision)))

    unknown: list[bool] = []

    def unknown_places() -> bool:
        """Does the text name a place the gazetteer does not know ("locals in Kersigane protested")? Computed
        once, on first need."""
        if not unknown:
            unknown.append(_names_unknown_place())
        return unknown[0]

    def _names_unknown_place() -> bool:
        for k, sent in enumerate(sents):
            dated = [(sent.start_char + e.span.start, sent.start_char + e.span.end) for e in res.dates.find(sent.text)]
            for i in after_locative(sent, res.lang):
                tok = doc[i]
                if not any(a <= tok.idx < b for a, b in dated) and res.gazetteer.country(tok.text) is None \
                        and not any(sent_words[k][p.start].start <= i < sent_words[k][p.end - 1].end
                                    for p in actors_of(k, main_country)):
                    return True
        return False

    coded_tolls: list[int | None] = []

    def coded_toll() -> int | None:
        if not coded_tolls:
            coded_tolls.extend(coded_as(s, sent_words[k], res, lin, countries).fatalities
                               for k, s in enumerate(sents))
        return next((t for t in coded_tolls if t is not None), None)

    doc_claimant: Actor | None = None
    for n, words in enumerate(sent_words):
        if doc_claimant is None and find_phrases(words, lin.phrases["claimed"], lin):
            doc_claimant = claimant(words, actors_of(n, main_country), lin)
    doc_blamed: Actor | None = None
    for n, words in enumerate(sent_words):
        if find_phrases(words, lin.attribution, lin):
            doc_blamed = doc_blamed or blamed(words, actors_of(n, main_country), lin)
    doc_tolls = [find_tolls(_without_tags(s.text, lin), res.lang) for s in sents]
    any_killed = any(t.killed is not None for ts in doc_tolls for t in ts)
    ref_date: DateValue | None = None
    ref_done = False
    mentions: list[Mention] = []
    lent: set[int] = set()
    goes_on: set[int] = set()
    refers_back: set[int] = set()
    for n, sent in enumerate(sents):
        words = sent_words[n]
        hits = find_linear_triggers(words, lin)
        if not hits:
            continue
        tolls = doc_tolls[n]
        exprs = res.dates.find(sent.text)
        cands = _candidates(sent, words, hits, exprs, actors_of(n, main_country), bool(tolls), lin)
        if not cands:
            continue
        note = coded_as(sent, words, res, lin, countries)
        places = places_of(n)
        # a note's own coding of the toll ("(coded as 10)", "Unknown fatalities coded as 10.") wins
        coded = note.fatalities if note.fatalities is not None else coded_toll()
        killed = coded if coded is not None else _note_fatalities(tolls)
        deaths = bool(killed)
        best = min(cands, key=lambda c: (_rank(c, rules, deaths), c.hit.start))
        coding = _combined({c.coding.sub_event_type for c in cands}, best.coding, rules, deaths)
        chosen = choose_place(places, words, best.hit.start, best.hit.end, lin)
        if chosen is None:
            chosen = next((p for c in cands
                           if (p := choose_place(places, words, c.hit.start, c.hit.end, lin))), None)
        borrowed = chosen is None and note.place is None
        if borrowed:
            # the place told in a sentence next to this one ("... in Kidal. The attackers fled.")
            chosen = next((p for k in neighbours(n, len(sents)) for p in places_of(k)
                           if p.fineness <= 1), None)
        if chosen is not None:
            chosen = anchored(n, chosen)
        place = note.place or (chosen.place if chosen else None)
        place_text = note.place.name if note.place else (chosen.text if chosen else None)
        national = place is None and coding.sub_event_type in _NATIONAL and main_country is not None and not any(
            p.fineness <= 2 for k in range(len(sents)) for p in places_of(k)) and not unknown_places()
        if national and main_country is not None:
            place = res.gazetteer.capital(main_country)  # a report that names no place at all: national scope
            place_text = place.name if place else None
        country = (place.country if place and place.country else None) or main_country
        actors = actors_of(n, country)
        roles = linear_roles(words, best.hit, actors, lin)
        # what the chosen trigger's words leave open, the sentence's other trigger words may say ("conducted an
        # air-supported operation ... targeting presumed JNIM militants")
        for c in cands:
            if roles.agent is not None and roles.target is not None:
                break
            other = linear_roles(words, c.hit, actors, lin)
            if roles.agent is None and other.agent is not None and other.agent is not roles.target:
                roles.agent = other.agent
            if roles.target is None and other.target is not None and other.target is not roles.agent:
                roles.target = other.target
        actor1 = roles.agent.match.actor if roles.agent else None
        actor2 = roles.target.match.actor if roles.target else None
        assoc1 = list(roles.agent.match.associated) if roles.agent else []
        if roles.agent is not None:
            actor1, assoc1 = parent_group(roles.agent, res, country, actor1, assoc1)
        if actor1 is None:
            actor1 = country_agent(words, best.hit, lin, res)
        claimed = False
        if doc_claimant is not None and coding.event_type in _BLAMEABLE and (
                actor1 is None or actor1.name.startswith(res.actors.unidentified(country).name.split(" (")[0])):
            actor1, claimed = doc_claimant, True  # "Al-Shabaab claimed responsibility for the attack"
        if actor1 is None and doc_blamed is not None and coding.event_type in _BLAMEABLE:
            actor1 = doc_blamed
        if actor1 is None and actor2 is not None and coding.event_type == _DEVELOPMENTS:
            actor1, actor2 = actor2, None  # "... announced the founding of X": X changes, X is actor1
        for cr in rules.crowd:
            if actor1 is not None and actor1.kind in cr.kinds and coding.sub_event_type in cr.violent and not (
                    deaths and actor1.kind in cr.unless_deaths):
                coding = cr.coding
                break
        actor1, actor2, assoc1 = _defaults(coding, actor1, actor2, assoc1, res, country)
        if killed is None and not any_killed:
            killed = 0  # ACLED codes 0 when a report gives no fatalities
        elif killed is None:
            killed = _note_fatalities([t for ts in doc_tolls[n + 1:] for t in ts])
        date = _date(sent, exprs, res, document.published, words, best)
        if date is None and not find_phrases(words, lin.distinct_incident, lin):
            goes_on.add(len(mentions))
            anaphoric = not best.hit.is_verb and best.hit.start > 0 and bool(
                words[best.hit.start - 1].keys & lin.lex.anaphoric)
            if anaphoric or best.strength < 3 or _weak(words, best) or find_phrases(words, lin.same_incident, lin):
                refers_back.add(len(mentions))  # "the IED attack took place near Menaka", "two others were wounded"
        if date is None:
            if not ref_done:
                ref_date, ref_done = reference_date(doc, res, document.published), True
            date = ref_date
        trig = doc[words[best.hit.start].start:words[best.hit.end - 1].end]
        sent_span = Span(sent.start_char, sent.end_char, sent.text)
        claim = Claim.CLAIMED if claimed else best.reading.claim
        mentions.append(Mention(
            document_id=document.id,
            trigger=Span(trig.start_char, trig.end_char, trig.text),
            sentence=sent_span,
            event_type=coding.event_type,
            sub_event_type=coding.sub_event_type,
            modality=Modality.FACTUAL,
            actor1=actor1, actor2=actor2, assoc_actor_1=assoc1, assoc_actor_2=[],
            place_text=place_text,
            place=place,
            date=date or DateValue(),
            fatalities=killed,
            claim=claim,
            reporting_source=reporter(words, lin),
            evidence=[sent_span],
            score=max(c.strength for c in cands) / 3,
            notes=list(best.reading.why) + (["no place named: national in scope, coded at the capital"]
                                            if national and place is not None else []),
        ))
        if borrowed:
            lent.add(id(mentions[-1]))
    _settle(mentions, lent, goes_on, refers_back, rules)
    return mentions


def _settle(mentions: list[Mention], lent: set[int], goes_on: set[int], refers_back: set[int],
            rules: CodingRules) -> None:
    """Mentions that borrowed a place or go on telling an incident already told give up their place (the merge
    stage then joins them to the incident or drops them); what they add may change the incident's coding. A
    later sentence that tells its own place far from the incident's is another incident ("In Kidal, gunmen
    killed two traders"), unless it refers back to it ("the attack took place near Menaka")."""
    if len(lent) < len(mentions):
        # a borrowed place only serves a text whose incidents tell no place of their own
        for m in mentions:
            if id(m) in lent:
                m.place, m.place_text = None, None
    told = [m for k, m in enumerate(mentions) if k not in goes_on and m.place is not None]
    for k in goes_on:
        m = mentions[k]
        armed = m.event_type in _VIOLENT[:3]
        same = [t for t in told if t is not m and (t.event_type == m.event_type or
                                                   (armed and t.event_type in _VIOLENT[:3]))
                and (k in refers_back or not _far(t.place, m.place))]
        if same:
            # told again without a date of its own: the same incident, not a new place for it; what it adds
            # may change the incident's coding ("... protested in Bamako. Police dispersed them.")
            m.place, m.place_text = None, None
            t = same[-1]
            coding = _combined({t.sub_event_type, m.sub_event_type}, Coding(t.event_type, t.sub_event_type),
                               rules, bool(t.fatalities))
            if coding.sub_event_type == t.sub_event_type and m.event_type == t.event_type and m.score >= 1 and \
                    rules.order.get(m.sub_event_type, 99) < rules.order.get(t.sub_event_type, 99):
                coding = Coding(m.event_type, m.sub_event_type)  # "... in a suspected chlorine attack"
            t.event_type, t.sub_event_type = coding.event_type, coding.sub_event_type
            if t.event_type == _PROTESTS and t.actor2 is None and m.actor1 is not None and m.actor1.kind == "state":
                t.actor2 = m.actor1  # "... Security forces intervened and dispersed the demonstration."


def _far(a: Place | None, b: Place | None) -> bool:
    if a is None or b is None:
        return False
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) > _FAR_KM


def _without_tags(text: str, lin: LinearLexicon) -> str:
    """The text with a note's "[size=...]" tags and "(coded as ... at geoprecision 2)" remarks blanked: a
    crowd size or a precision code is not a toll."""
    for opening, closing in [(lin.size_tag, "]"), *(("(" + " ".join(p), ")") for p in lin.coded_as)]:
        if not opening:
            continue
        k = text.lower().find(opening)
        while k >= 0:
            end = text.find(closing, k)
            end = len(text) if end < 0 else end + 1
            text = text[:k] + " " * (end - k) + text[end:]
            k = text.lower().find(opening, end)
    return text


def _defaults(coding: Coding, actor1: Actor | None, actor2: Actor | None, assoc1: list[Actor],
              res: Resources, country: str | None) -> tuple[Actor | None, Actor | None, list[Actor]]:
    """ACLED's generic actors: protesters and rioters of the event's country as actor1 of protests and riots
    (who they are goes to assoc_actor_1), an unidentified armed group for violence by no one named, civilians
    as the victims of violence against civilians."""
    actors = res.actors
    crowd = {_PROTESTS: actors.protesters, _RIOTS: actors.rioters}.get(coding.event_type)
    if crowd is not None:
        generic = crowd(country)
        if actor1 is not None and actor1.name != generic.name and actor1.kind not in ("protesters", "rioters") \
                and actor1 not in assoc1:
            assoc1 = [*assoc1, actor1]
        actor1 = generic
        if coding.event_type == _PROTESTS and actor2 is not None and actor2.kind not in ("state", "external"):
            actor2 = None  # whom a demonstration is against is not its counterpart; the force that intervenes is
    elif actor1 is None and coding.event_type in _VIOLENT:
        actor1 = actors.unidentified(country)
    if actor2 is None and (coding.event_type == _VIOLENT[2] or coding.sub_event_type in _CIVILIAN_LOSS):
        actor2 = actors.civilians(country)  # burned, looted or demolished with no owner named: civilians' loss
    same = actor1 is not None and actor2 is not None and actor1.name == actor2.name
    if same and coding.event_type != _BATTLES:
        actor2 = None
    return actor1, actor2, assoc1


__all__ = ["build_linear_mentions", "coding_rules", "name_countries"]
