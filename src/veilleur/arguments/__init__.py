"""Arguments stage: for each factual trigger, who did what to whom, where, when, with what toll, according to
whom — each read from the sentence, with its evidence span.

``build_mentions`` is a pure function of the parsed document and the language resources.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from veilleur.arguments.places import WELL_KNOWN, PlaceMention, find_places
from veilleur.arguments.roles import assign_actors, reporter_text, speaker_text
from veilleur.detect import (
    Coding,
    Lexicon,
    Reading,
    TriggerHit,
    find_triggers,
    read_modality,
    scope_tokens,
    target_coding,
    weapon_coding,
)
from veilleur.detect.triggers import find_phrases, token_keys, tree_distance
from veilleur.geo import Gazetteer
from veilleur.model import Claim, DateValue, Document, Mention, Modality, Span
from veilleur.resolve.actors import ActorDictionary
from veilleur.resolve.dates import DateExpression, DateGrammar
from veilleur.resolve.numbers import find_tolls, parse_number


@dataclass(frozen=True)
class Resources:
    """Everything language-specific the stage needs, loaded once."""

    lang: str
    lexicon: Lexicon
    gazetteer: Gazetteer
    dates: DateGrammar
    actors: ActorDictionary


@dataclass
class _Candidate:
    hit: TriggerHit
    reading: Reading
    coding: Coding
    coding_strength: int  # 3 intrinsic/weapon, 2 target prior, 1 default
    scope: list[Token]


def _own_scope(sent: SpacySpan, scope: list[Token], lex: Lexicon) -> list[Token]:
    """The scope without the parts that tell another incident ("en représailles à des tirs de roquettes")."""
    other: set[int] = set()
    for tok in scope:
        if (
            tok.i not in other
            and tok.dep_ in ("obl", "obl:mod", "nmod", "advcl")
            and (
                any(
                    token_keys(c) & lex.distinct_links
                    for c in tok.children
                    if c.dep_ in ("case", "mark", "fixed")
                )
                or (token_keys(tok) & lex.distinct_links and any(c.dep_ == "case" for c in tok.children))
            )
        ):
            other.update(t.i for t in tok.subtree)
    return [t for t in scope if t.i not in other]


def _coding_for(sent: SpacySpan, hit: TriggerHit, scope: list[Token], lex: Lexicon) -> tuple[Coding, int]:
    if lex.crowd_coding is not None and hit.frame.name in lex.crowd_frames:
        near = list(scope)
        trig = sent.doc[hit.head]
        if trig.dep_ in ("nsubj", "nsubj:pass"):  # "des heurts ont éclaté entre des manifestants et la police"
            near += [t for c in trig.head.children if c.dep_.startswith("obl") for t in c.subtree]
        if any(token_keys(t) & lex.crowd_cues for t in _own_scope(sent, near, lex) if t.i != hit.head):
            return lex.crowd_coding, 3  # clashes with a crowd: a riot
    if hit.frame.coding is not None:
        return hit.frame.coding, 3
    own = _own_scope(sent, scope, lex)
    weapon = weapon_coding(own, lex, anchor=hit.head)
    if weapon is None and hit.frame.fallback is None:
        weapon = weapon_coding(_own_scope(sent, list(sent), lex), lex, anchor=hit.head)
    target = target_coding([t for t in own if t.i != hit.head], lex)
    if (
        target is not None
        and target.event_type == "Violence against civilians"
        and (weapon is None or weapon.event_type == "Battles")
    ):
        return target, 3  # shooting or killing civilians is violence against civilians, not a battle
    if weapon is not None:
        return weapon, 3
    if hit.frame.fallback is not None:
        return hit.frame.fallback, 3
    if target is not None:
        return target, 2
    return lex.default, 1


def _fold(sent: SpacySpan, cands: list[_Candidate], lex: Lexicon) -> list[_Candidate]:
    """A trigger noun that is the subject, object or means of another trigger in the same clause names the same
    incident ("une attaque a visé un convoi", "prises pour cible lors des frappes au drone"); keep one."""
    keep: list[_Candidate] = []
    absorbed: set[int] = set()
    by_head = {c.hit.head: c for c in cands}
    for c in cands:
        if c.hit.is_verb or _distinct(sent, c.hit, lex):
            continue
        tok = sent.doc[c.hit.head]
        t, steps = tok, 0
        while t.head.i != t.i and steps < 3:
            t, steps = t.head, steps + 1
            if token_keys(t) & lex.distinct_links:
                break  # "en représailles à des tirs de roquettes": another incident
            other = by_head.get(t.i)
            if other is not None and other is not c and other.hit.head not in absorbed:
                if c.coding_strength > other.coding_strength:
                    other.coding, other.coding_strength = c.coding, c.coding_strength
                absorbed.add(c.hit.head)
                break
    for c in cands:
        if c.hit.head not in absorbed:
            keep.append(c)
    return keep


def _concrete(c: _Candidate, tolls_here: bool, lex: Lexicon) -> bool:
    """Weak triggers ("opération", "tir", "combat", "viser") need a weapon, a target or a toll of their own."""
    frame = c.hit.frame
    word = c.scope[0].doc[c.hit.head].lemma_.lower()
    weak = (not c.hit.is_verb and word in frame.weak_nouns) or (c.hit.is_verb and word in frame.weak_verbs)
    own = [t for t in c.scope if not (c.hit.start <= t.i < c.hit.end)]
    has_weapon = weapon_coding(own, lex) is not None
    if frame.requires_weapon and not has_weapon:
        return False
    if weak and any(token_keys(t) & lex.non_violent for t in own):
        return False  # "une opération de reconnaissance"
    return not weak or has_weapon or target_coding(own, lex) is not None or tolls_here


_PROTEST_OUTCOMES = {
    "lethal": Coding("Protests", "Excessive force against protesters"),
    "violent": Coding("Riots", "Violent demonstration"),
    "intervention": Coding("Protests", "Protest with intervention"),
}


def _protest_outcome(sents: list[SpacySpan], k: int, lex: Lexicon) -> Coding | None:
    """A protest's sentence and the next one tell whether it stayed peaceful."""
    tokens = [t for s in sents[k : k + 2] for t in s]
    for outcome, cues in lex.protest_outcomes:
        for start, end in find_phrases(tokens, cues) if cues else []:
            head = tokens[start]
            # "avant de se disperser dans le calme": the protesters left; nobody dispersed them
            reflexive = end - start == 1 and any("Yes" in c.morph.get("Reflex", []) for c in head.children)
            if not reflexive and not any(token_keys(c) & lex.negation for c in head.children):
                return _PROTEST_OUTCOMES[outcome]
    return None


def _victims(sent: SpacySpan, c: _Candidate, res: Resources) -> int | None:
    """ "ont tué quatre personnes": the number on the object of a killing verb."""
    if c.hit.frame.name != "kill" or not c.hit.is_verb:
        return None
    trig = sent.doc[c.hit.head]
    passive = any(ch.dep_ == "aux:pass" for ch in trig.children)
    objs = [ch for ch in trig.children if ch.dep_ == ("nsubj:pass" if passive else "obj")]
    if passive and objs:
        # "un journaliste a été tué", "trois soldats ont été tués": the figure on the subject, else one person
        subj = objs[0]
        words = [t.text for t in sent.doc[subj.left_edge.i : subj.i + 1]]
        value = parse_number(" ".join(words), res.lang)
        if value is not None:
            return value
        if subj.pos_ in ("NOUN", "PROPN") and "Sing" in subj.morph.get("Number", []) and not any(
            ch.dep_ in ("conj", "nummod") for ch in subj.children
        ):
            return 1
        return None
    for obj in objs:
        words = [t.text for t in sent.doc[obj.left_edge.i : obj.i]]
        while words and words[-1].lower() in ("de", "d'", "d’", "of"):
            words.pop()
        for text in (" ".join([*words, obj.text]), " ".join(words)):  # "une vingtaine", "quatre personnes"
            value = parse_number(text, res.lang) if text else None
            if value is not None:
                return value
    return None


def _plural_vague(sent: SpacySpan, c: _Candidate, places: list[PlaceMention], lex: Lexicon) -> bool:
    """ "des frappes aériennes", "les frappes aux drones de la Résistance": a plural with no number and no place
    of its own is a kind of incident, not one incident."""
    if c.hit.is_verb:
        return False
    tok = sent.doc[c.hit.head]
    if "Plur" not in tok.morph.get("Number", []) or any(
        ch.like_num or ch.dep_ == "nummod" for ch in tok.children
    ):
        return False
    own = {t.i for t in c.scope}
    if any(p.fineness <= 2 and p.start in own for p in places):
        return False
    # "de violents affrontements ont opposé...", "l'armée a mené des frappes...": a plural that is the subject
    # of a verb, or the object of a verb of carrying out, names what happened
    if tok.dep_ in ("nsubj", "nsubj:pass"):
        return False
    gov, steps = tok, 0
    while gov.head.i != gov.i and steps < 2:
        gov, steps = gov.head, steps + 1
        if token_keys(gov) & lex.perpetration:
            return False
    return True


def _reference(sent: SpacySpan, c: _Candidate, lex: Lexicon) -> bool:
    """ "l'attentat de Londres", "cette attaque", "son attaque": a definite, demonstrative or possessive trigger noun
    refers to an incident the reader already knows; without a date or a toll of its own it tells nothing new."""
    if c.hit.is_verb:
        return False
    tok = sent.doc[c.hit.head]
    if any(
        ch.dep_ == "nmod"
        and any("Ind" in d.morph.get("Definite", []) for d in ch.children if d.dep_ == "det")
        and any(k.lower_ in ("de", "d'", "d’") for k in ch.children if k.dep_ == "case")
        for ch in tok.children
    ):
        return False  # "l'explosion d'une bombe", "l'attaque d'un convoi": the complement tells something new
    for ch in tok.children:
        if ch.dep_ == "det" and (
            "Def" in ch.morph.get("Definite", [])
            or ch.morph.get("PronType", []) == ["Dem"]
            or "Yes" in ch.morph.get("Poss", [])
            or token_keys(ch) & lex.anaphoric
        ):
            return True
        if ch.dep_ == "case" and "Def" in ch.morph.get("Definite", []):
            return True  # "lors de l'attaque" parsed with a fused article ("du", "au", "aux")
        if ch.dep_ == "amod" and token_keys(ch) & lex.anaphoric:
            return True
    return False


def _accidental_explosions(sents: list[SpacySpan], lex: Lexicon) -> bool:
    """Whether the article puts an explosion down to an accident (gas, a factory, stored chemicals) and never
    calls one an attack."""
    if not lex.accident:
        return False
    accident = False
    for sent in sents:
        if any(h.frame.name == "explosion" for h in find_triggers(sent, lex)):
            tokens = list(sent)
            if find_phrases(tokens, lex.hostile):
                return False
            accident = accident or bool(find_phrases(tokens, lex.accident))
    return accident


def _aggregate(sent: SpacySpan, c: _Candidate, lang: str, lex: Lexicon) -> bool:
    """ "51 attaques", "33.769 attentats ont eu lieu": a trigger noun counted many times is a running total."""
    if c.hit.is_verb:
        return False
    tok = sent.doc[c.hit.head]
    for ch in tok.children:
        if ch.dep_ == "nummod" or (ch.like_num and ch.i < tok.i):
            value = parse_number(ch.text, lang)
            if value is not None and value >= lex.aggregate_count:
                return True
    return False


def _statement(sent: SpacySpan, lex: Lexicon) -> tuple[Claim, Token, Token | None] | None:
    """A claim or a denial told in a sentence of its own, about the incident told before it: "X a démenti toute
    implication", "X a nié avoir mené cette frappe", "X a revendiqué la responsabilité". (status, verb, speaker)."""
    for tok in sent:
        keys = token_keys(tok)
        if tok.pos_ != "VERB":
            continue
        if keys & lex.denied:
            status = Claim.DENIED
        elif keys & lex.claimed:
            status = Claim.CLAIMED
        else:
            continue
        subject = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubj:pass")), None)
        agent = next((c for c in tok.children if c.dep_ == "obl:agent"), None)
        if any(token_keys(c) & lex.negation for c in tok.children if c.dep_ in ("advmod", "det", "cc")) or (
            subject is not None and any(token_keys(c) & lex.negation for c in subject.children if c.dep_ == "det")
        ):
            continue  # "aucun groupe n'a revendiqué"
        objects = [c for c in tok.children if c.dep_ in ("obj", "nsubj:pass")]
        clause = any(c.dep_ in ("xcomp", "ccomp") for c in tok.children)
        about = clause or any(
            token_keys(t) & lex.statement_objects for o in objects for t in (o, *o.children) if t.dep_ != "det"
        ) or any(token_keys(d) & lex.anaphoric for o in objects for d in o.children if d.dep_ == "det")
        if about:
            return status, tok, agent if agent is not None else (subject if tok.dep_ != "acl" else None)
    return None


def _domestic(sent: SpacySpan, c: _Candidate, lex: Lexicon) -> bool:
    """An abduction whose author is the victim's relative ("enlevé par sa mère", "l'enlèvement d'un enfant par
    son père")."""
    if not lex.domestic:
        return False
    tok = sent.doc[c.hit.head]
    for ch in tok.children:
        if ch.dep_ in ("obl:agent", "nmod", "obl") and any(k.lower_ == "par" for k in ch.children if k.dep_ == "case"):
            if token_keys(ch) & lex.domestic:
                return True
    return False


def _toll_sentence(sent: SpacySpan, res: Resources) -> int | None:
    """ "Le bilan s'élève à sept morts", "Une personne est morte": the dead of the incident told just before, in a
    sentence with no trigger of its own (a running total, "depuis janvier", is not)."""
    killed = [t.killed for t in find_tolls(sent.text, res.lang) if t.killed is not None]
    if not killed or sent.text.rstrip().endswith("?"):
        return None
    if find_phrases(list(sent), res.lexicon.running_total):
        return None
    return min(killed)


def _distinct(sent: SpacySpan, hit: TriggerHit, lex: Lexicon) -> bool:
    """ "parallèlement à l'attaque", "après l'attaque": a trigger introduced as another incident."""
    tok = sent.doc[hit.head]
    links = {
        w
        for ch in tok.children
        if ch.dep_ in ("case", "mark", "advmod", "fixed")
        for w in (ch.lower_, ch.lemma_.lower())
    }
    for ch in tok.children:
        if ch.dep_ == "case":
            links.update(g.lower_ for g in ch.children)
    return bool(links & lex.distinct_links)


def _choose_places(
    sent: SpacySpan, hit: TriggerHit, places: list[PlaceMention], scope: list[Token], own_only: bool = False
) -> list[PlaceMention]:
    """The places of one trigger: the finest place nearest in the tree; several when they are coordinated."""
    places = [p for p in places if p.fineness <= 2]  # a country is context, never an event's place
    if own_only:
        own = {t.i for t in scope}
        places = [p for p in places if p.start in own]
    if not places:
        return []
    trig = sent.doc[hit.head]
    in_scope = {t.i for t in scope}

    def descriptive(p: PlaceMention) -> bool:
        """A place inside an apposition, a relative clause or the "par X" phrase that describes someone ("revendiquée
        par le GSIM, principale alliance jihadiste du Sahel")."""
        t = sent.doc[p.anchor]
        for _ in range(5):
            if t.i in in_scope or t.head.i == t.i:
                return False
            if t.dep_ in ("appos", "acl:relcl", "obl:agent"):
                return True
            t = t.head
        return False

    places = [p for p in places if not descriptive(p)]
    if not places:
        return []
    scored = []
    for p in places:
        inside = any(k in in_scope for k in range(p.start, p.end))
        dist = tree_distance(trig, sent.doc[p.anchor])
        scored.append((0 if inside else 1, p.fineness, dist, abs(p.start - trig.i), 0, p))
    scored.sort(key=lambda x: x[:5])
    best = scored[0][5]
    if scored[0][0] == 1 and trig.dep_ in ("acl:relcl", "acl"):
        return []  # a relative clause describing someone ("qui a combattu Daech") takes no place from the sentence
    chosen = [best]
    for *_rest, p in scored[1:]:
        if (
            p.fineness <= 2
            and p.place.name not in {c.place.name for c in chosen}
            and any(_coordinated(sent, c, p) for c in chosen)
        ):
            chosen.append(p)
    return chosen


_JOINERS = {"et", "ou", ",", "à", "a", "de", "d'", "d’", "du", "en", "dans", "au", "aux"}


def _coordinated(sent: SpacySpan, a: PlaceMention, b: PlaceMention) -> bool:
    """ "à Diwaniyeh et à Babel", "d'Aïn al-Asad et de Victory": two places joined by a conjunction (not the
    two ends of a road: "entre Djibo et Namssiguia")."""
    first, second = (a, b) if a.start < b.start else (b, a)
    if first.start > sent.start and sent.doc[first.start - 1].lower_ in ("entre", "between"):
        return False
    between = [t.lower_ for t in sent.doc[first.end : second.start]]
    return (
        0 < len(between) <= 3
        and any(w in ("et", "ou") for w in between)
        and all(w in _JOINERS for w in between)
    )


def _date_for(
    sent: SpacySpan, hit: TriggerHit, res: Resources, published: dt.date | None, scope: list[Token], skip_chars: int = 0
) -> DateValue | None:
    exprs = [e for e in res.dates.find(sent.text) if sent.start_char + e.span.start >= skip_chars]
    if not exprs:
        return None
    trig = sent.doc[hit.head]
    in_scope = {t.i for t in scope}

    def rank(e: DateExpression) -> tuple[int, int, int]:
        span = sent.char_span(e.span.start, e.span.end, alignment_mode="expand")
        if span is None:
            return (1, 99, 99)
        inside = any(t.i in in_scope for t in span)
        return (0 if inside else 1, tree_distance(trig, span.root), abs(span.root.i - trig.i))

    best = min(exprs, key=rank)
    value = res.dates.resolve(best, published)
    return value if value.date is not None else None


def reference_date(doc: Doc, res: Resources, published: dt.date | None) -> DateValue | None:
    """The day the article's news is about: its latest precise date within a week before publication."""
    if published is None:
        return None
    best: DateValue | None = None
    for expr in res.dates.find(doc.text):
        value = res.dates.resolve(expr, published)
        if (
            value.date
            and value.precision == 1
            and dt.timedelta(0) <= published - value.date <= dt.timedelta(7)
        ):
            if best is None or (best.date is not None and value.date > best.date):
                best = value
    if best is not None and best.date is not None:
        return DateValue(
            best.date,
            2,
            best.date - dt.timedelta(days=1),
            best.date,
            expression=best.expression,
            note="date of the article's news (no date in the sentence)",
        )
    return DateValue(
        published,
        2,
        published - dt.timedelta(days=2),
        published,
        note="publication date (no date in the sentence)",
    )


def article_countries(document: Document, doc: Doc, res: Resources) -> list[str]:
    """The article's countries, most mentioned first: country names and demonyms, then the countries of the
    well-known places it names ("Niamey" says Niger when the article never writes "Niger")."""
    counts: Counter[str] = res.gazetteer.countries_in(document.text, res.lang)
    places: Counter[str] = Counter()
    others: Counter[str] = Counter()  # votes of names that are only another name of a place
    for ent in doc.ents:
        if ent.label_ in ("LOC", "GPE"):
            # a name that only one country has, at its closest spelling ("Aguelhok", "Niamey", "Jisr al-Choghour")
            cands = [c for c in res.gazetteer.candidates(ent.text) if not c.weak and c.kind != "country"]
            # a city everybody means by that name, in any of its spellings ("Londres" is London, not the
            # Argentine village whose own name it is)
            sizes = sorted((c.population for c in cands if c.match <= 1), reverse=True) + [0, 0]
            if sizes[0] >= WELL_KNOWN and sizes[0] >= 10 * sizes[1]:
                places[next(c.country for c in cands if c.match <= 1 and c.population == sizes[0])] += 1
                continue
            best = min((c.match for c in cands), default=None)
            found = {c.country for c in cands if c.match == best}
            if len(found) == 1:
                if best == 0:
                    places[found.pop()] += 1
                else:
                    others[found.pop()] += 1
    # a name that is only another name of a place supports a country; it brings one in only when no place
    # of the text names one by its own name ("Jisr al-Choghour" alone says Syria; "Lazaret" beside Niamey is
    # a Niamey quarter, not the district abroad that has it as another name)
    named = set(places)
    for c, n in others.items():
        if c in counts or c in named or not named:
            places[c] += n
    ranked = [c for c, _ in counts.most_common()]
    return ranked + [c for c, _ in places.most_common() if c not in ranked]


# "Bamako, 14 mars (AFP) -", "BAGDAD (Reuters) —": where and when the dispatch was filed, not the incident
_DATELINE = re.compile(r"^\s*[A-ZÀ-Ý][\w'’ .-]{1,40}(?:,[^()\n]{1,40})?\s*\([A-Z][A-Za-z]{1,10}\)\s*[-–—:]")


def dateline_end(text: str) -> int:
    """The character offset where a news agency dateline ends (0 when the text has none)."""
    m = _DATELINE.match(text)
    return m.end() if m else 0


def document_countries(document: Document, doc: Doc, res: Resources) -> list[str]:
    """The countries a document is about by its own words (most likely first; may be empty): the votes of
    its place names and groups for a document read linearly, its country names and demonyms otherwise."""
    if not doc.has_annotation("DEP"):
        from veilleur.arguments.linear import name_countries

        return name_countries(list(doc.sents), res)[:3] or article_countries(document, doc, res)
    return article_countries(document, doc, res)


def corpus_countries(per_document: Sequence[Sequence[str]], min_documents: int = 3,
                     share: float = 0.6) -> tuple[str, ...]:
    """The country the documents of one batch are about, when most of those that say agree: at least
    ``min_documents`` documents, and ``share`` of those that name a country, name it first. Else ()."""
    firsts = Counter(c[0] for c in per_document if c)
    if not firsts:
        return ()
    top, n = firsts.most_common(1)[0]
    return (top,) if n >= min_documents and n >= share * sum(firsts.values()) else ()


def build_mentions(document: Document, doc: Doc, res: Resources, context: Sequence[str] = (),
                   own: Sequence[str] | None = None) -> list[Mention]:
    """Every factual event mention of one parsed document (a document without a dependency parse, in a
    language read without a statistical model, is read linearly: :mod:`veilleur.arguments.linear`).
    ``context``: the countries of the documents this one came with (:func:`corpus_countries`), read only when
    the document names no country of its own: a note of a Malian feed saying "the village of Banikane" means
    Mali's Banikane. ``own``: the document's own countries (:func:`document_countries`) when the caller has
    them already."""
    if not doc.has_annotation("DEP"):
        from veilleur.arguments.linear import build_linear_mentions

        return build_linear_mentions(document, doc, res, context, own)
    countries = list(own if own is not None else article_countries(document, doc, res)) or list(context)
    main_country = countries[0] if countries else None
    ref_date: DateValue | None = None
    ref_done = False  # the reference date is computed on first need
    mentions: list[Mention] = []
    sents = list(doc.sents)
    skip_chars = dateline_end(document.text)
    accidental: bool | None = None  # computed on first need
    for k, sent in enumerate(sents):
        if sent.text.rstrip().endswith("?"):
            continue  # a question reports nothing
        hits = find_triggers(sent, res.lexicon)
        said = _statement(sent, res.lexicon)
        if said is not None:
            status, verb, speaker = said
            sent_span = Span(sent.start_char, sent.end_char, sent.text)
            mentions.append(
                Mention(
                    document_id=document.id,
                    trigger=Span(verb.idx, verb.idx + len(verb.text), verb.text),
                    sentence=sent_span,
                    event_type="",
                    sub_event_type="",
                    claim=status,
                    reporting_source=speaker_text(speaker, res.lexicon) if speaker is not None else None,
                    evidence=[sent_span],
                    score=0.0,
                    notes=[f"{status.value} in a sentence of its own"],
                    reference=True,
                )
            )
        if not hits:
            toll = _toll_sentence(sent, res)
            if toll is not None:
                sent_span = Span(sent.start_char, sent.end_char, sent.text)
                mentions.append(
                    Mention(
                        document_id=document.id,
                        trigger=sent_span,
                        sentence=sent_span,
                        event_type="",
                        sub_event_type="",
                        fatalities=toll,
                        evidence=[sent_span],
                        score=0.0,
                        notes=["toll told in a sentence of its own"],
                        reference=True,
                    )
                )
            continue
        cands = []
        for hit in hits:
            reading = read_modality(sent, hit, res.lexicon)
            scope = scope_tokens(sent, hit)
            coding, strength = _coding_for(sent, hit, scope, res.lexicon)
            cands.append(_Candidate(hit, reading, coding, strength, scope))
        cands = [c for c in _fold(sent, cands, res.lexicon) if c.reading.modality is Modality.FACTUAL]
        if not cands:
            continue
        # a place inside a named group's or institution's name ("l'État islamique en Irak", "la katiba
        # Macina") is not where anything happened
        named = [(sent.start_char + m.start, sent.start_char + m.end) for m in res.actors.find(sent.text)
                 if not m.generic]  # fmt: skip
        places = [p for p in find_places(sent, res.gazetteer, res.lang, countries)
                  if doc[p.start].idx >= skip_chars
                  and not any(a < doc[p.end - 1].idx + len(doc[p.end - 1]) and doc[p.start].idx < b
                              for a, b in named)]  # fmt: skip
        tolls = find_tolls(sent.text, res.lang)
        for c in cands:
            if not _concrete(c, bool(tolls), res.lexicon) or _plural_vague(sent, c, places, res.lexicon):
                continue
            if c.hit.frame.name == "abduction" and _domestic(sent, c, res.lexicon):
                continue  # "enlevé par sa mère": a custody case, not political violence
            if c.hit.frame.name == "explosion":
                if accidental is None:
                    accidental = _accidental_explosions(sents, res.lexicon)
                if accidental and not find_phrases(list(sent), res.lexicon.hostile):
                    continue  # "une explosion due au gaz", "l'explosion d'un entrepôt": not political violence
            chosen = _choose_places(
                sent, c.hit, places, c.scope, own_only=_distinct(sent, c.hit, res.lexicon)
            )
            if c.coding.event_type == "Protests":
                c.coding = _protest_outcome(sents, k, res.lexicon) or c.coding
            if len(chosen) >= 3:
                continue  # a list of places is a summary of many incidents, not one
            date = _date_for(sent, c.hit, res, document.published, c.scope, skip_chars)
            if date is None and _aggregate(sent, c, res.lang, res.lexicon):
                continue  # "51 attaques concentrées sur 8 pays": a count over no given day is a running total
            reference = date is None and not tolls and _reference(sent, c, res.lexicon)
            if date is None and c.reading.background:
                continue  # an incident told as background ("avaient attaqué ... en 2019") with no date of its own
            if reference:
                # only the trigger's own places ("l'attentat de X"): a speaker's city is not where it happened
                own_scope = _own_scope(sent, c.scope, res.lexicon)  # not "depuis Bamako"
                chosen = _choose_places(sent, c.hit, places, own_scope, own_only=True)
                date = DateValue()  # it joins the event it names, whose date that event tells
            elif date is None:
                if not ref_done:
                    ref_date, ref_done = reference_date(doc, res, document.published), True
                date = ref_date
            country = next((p.place.country for p in chosen if p.place.country), main_country)
            roles = assign_actors(
                sent, c.hit, c.reading, res.actors, country, c.coding, res.lexicon, res.gazetteer.countries
            )
            if roles.actor2 is None and c.coding.event_type == "Violence against civilians":
                roles.actor2 = res.actors.civilians(country)  # ACLED: the target of this type is civilians
            killed = [t.killed for t in tolls if t.killed is not None]
            fatalities = min(killed) if killed else _victims(sent, c, res)
            wounded_only = fatalities is None and any(t.wounded is not None for t in tolls)
            if fatalities is None and c.coding.sub_event_type in (
                "Peaceful protest",
                "Protest with intervention",
            ):
                fatalities = 0  # a protest that was not met with lethal force has no dead
            claim = c.reading.claim
            if claim is Claim.REPORTED and find_phrases(list(sent), res.lexicon.hedge_phrases):
                claim = Claim.HEDGED  # "selon des sources non confirmées", "une frappe présumée"
            reporter = reporter_text(sent, c.reading, res.lexicon)
            sent_span = Span(sent.start_char, sent.end_char, sent.text)
            trig = sent.doc[c.hit.start : c.hit.end]
            targets: list[PlaceMention | None] = list(chosen) or [None]
            for p in targets:
                mentions.append(
                    Mention(
                        document_id=document.id,
                        trigger=Span(trig.start_char, trig.end_char, trig.text),
                        sentence=sent_span,
                        event_type=c.coding.event_type,
                        sub_event_type=c.coding.sub_event_type,
                        modality=c.reading.modality,
                        actor1=roles.actor1,
                        actor2=roles.actor2,
                        assoc_actor_1=roles.assoc1,
                        assoc_actor_2=roles.assoc2,
                        place_text=p.text if p else None,
                        place=p.place if p and p.fineness <= 2 else None,
                        date=date or DateValue(),
                        fatalities=fatalities,
                        claim=claim if claim is not Claim.REPORTED or not roles.claimed else Claim.CLAIMED,
                        reporting_source=reporter,
                        evidence=[sent_span],
                        score=c.coding_strength / 3,
                        notes=list(c.reading.why),
                        reference=reference,
                        wounded_only=wounded_only,
                    )
                )
    return mentions


__all__ = ["Resources", "article_countries", "build_mentions", "reference_date"]
