"""Who did it, and to whom: actor roles from the dependency tree, canonical names from the actor dictionary."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from veilleur.detect import Coding, Lexicon, Reading, TriggerHit
from veilleur.detect.triggers import token_keys
from veilleur.geo.countries import Countries
from veilleur.model import Actor, Claim
from veilleur.resolve.actors import ActorDictionary, ActorMatch

_SUBJ = ("nsubj", "expl:subj")
_PASS_SUBJ = ("nsubj:pass",)
_OBJ = ("obj", "iobj")
_VIOLENT = ("Battles", "Explosions/Remote violence", "Violence against civilians", "Riots")


@dataclass
class Roles:
    actor1: Actor | None = None
    actor2: Actor | None = None
    assoc1: list[Actor] = field(default_factory=list)
    assoc2: list[Actor] = field(default_factory=list)
    claimed: bool = False


def _sub(tok: Token) -> set[int]:
    return {t.i for t in tok.subtree}


def _case(tok: Token) -> set[str]:
    return {c.lower_ for c in tok.children if c.dep_ in ("case", "fixed")}


def _matches_in(matches: list[tuple[set[int], ActorMatch]], idx: set[int]) -> list[ActorMatch]:
    return [m for toks, m in matches if toks & idx]


def assign_actors(
    sent: SpacySpan,
    hit: TriggerHit,
    reading: Reading,
    actors: ActorDictionary,
    country: str | None,
    coding: Coding,
    lex: Lexicon,
    countries: Countries,
) -> Roles:
    doc = sent.doc
    trig = doc[hit.head]
    found = []
    for m in actors.find(sent.text, country=country):
        span = doc.char_span(sent.start_char + m.start, sent.start_char + m.end, alignment_mode="expand")
        if span is not None:
            found.append(({t.i for t in span}, m))

    agent: set[int] = set()
    patient: set[int] = set()
    if hit.is_verb:
        passive = any(c.dep_ == "aux:pass" for c in trig.children) or "Pass" in trig.morph.get("Voice", [])
        for ch in trig.children:
            if ch.dep_ in _PASS_SUBJ or (passive and ch.dep_ in _SUBJ):
                patient |= _sub(ch)
            elif ch.dep_ in _SUBJ:
                if ch.lower_ in ("qui", "que") and trig.dep_ == "acl:relcl":
                    agent |= _sub(trig.head) - _sub(trig)
                else:
                    agent |= _sub(ch)
            elif ch.dep_ in _OBJ:
                patient |= _sub(ch)
            elif ch.dep_.startswith("obl"):
                cases = _case(ch)
                if "par" in cases:
                    agent |= _sub(ch)
                elif cases & {"contre", "sur"}:
                    patient |= _sub(ch)
        if trig.dep_ in ("acl", "acl:relcl") and not agent and not patient:
            patient |= {trig.head.i}
        if not agent and trig.dep_ in ("xcomp", "ccomp", "conj") and trig.head.i != trig.i:
            # "l'armée a annoncé avoir neutralisé...", "ont attaqué puis incendié...": the governing subject
            for ch in trig.head.children:
                if ch.dep_ in _SUBJ and not (passive and trig.dep_ == "conj"):
                    agent |= _sub(ch)
        if trig.lemma_.lower() in hit.frame.reverse_roles:
            agent, patient = patient, agent
    else:
        for ch in trig.children:
            cases = _case(ch)
            if cases & {"contre", "sur", "visant"}:
                patient |= _sub(ch)
            elif ch.dep_ == "amod":
                agent |= {ch.i}
            elif cases & {"de", "du", "des", "d'", "d’", "par"}:
                if hit.frame.name == "kill":
                    patient |= _sub(ch)
                else:
                    agent |= _sub(ch)
        up, steps = trig, 0
        while up.head.i != up.i and steps < 2:
            up, steps = up.head, steps + 1
            if token_keys(up) & lex.perpetration:
                # "l'armée israélienne a mené des frappes": who carried it out
                agent |= {t.i for ch in up.children if ch.dep_ in _SUBJ for t in ch.subtree}
        gov = trig.head
        if trig.dep_ in _SUBJ and gov.i != trig.i:
            for ch in gov.children:
                if ch.dep_ in _OBJ:
                    patient |= _sub(ch)
        if gov.i != trig.i and gov.lemma_.lower() in lex.attribution:
            # "qui attribue l'enlèvement aux rebelles des ADF"
            for ch in gov.children:
                if ch.dep_.startswith("obl") and _case(ch) & {"à", "aux", "au"}:
                    agent |= _sub(ch)

    roles = Roles()
    if reading.claimant is not None and reading.claim is Claim.CLAIMED:  # a denier is not the doer
        claim_matches = _matches_in(found, _sub(reading.claimant))
        if claim_matches:
            roles.actor1 = claim_matches[0].actor
            roles.claimed = True
    a1 = [m for m in _matches_in(found, agent)]
    if not a1:
        # a country as the doer ("Israël a frappé", "la Turquie a bombardé"), or a country's adjective on the
        # doer ("des avions de guerre russes ont bombardé"): its state forces
        for ent in sent.ents:
            if ent.label_ in ("LOC", "GPE") and ent.root.i in agent and ent.root.dep_ in ("nsubj", "obl:agent"):
                iso = countries.lookup(ent.text)
                if iso:
                    roles.actor1 = actors.state_forces(iso)
                    break
        if roles.actor1 is None:
            iso = _adjective_country(doc, agent, countries)
            if iso:
                roles.actor1 = actors.state_forces(iso)
    a2 = [m for m in _matches_in(found, patient) if m.actor != roles.actor1]
    if roles.actor1 is None and a1:
        roles.actor1 = a1[0].actor
        roles.assoc1 = [m.actor for m in a1[1:] if m.actor != roles.actor1]
    if a2:
        roles.actor2 = a2[0].actor
        roles.assoc2 = [m.actor for m in a2[1:] if m.actor != roles.actor2]
    else:
        # "une base américaine", "le convoi US": a country's adjective on the target names its forces
        iso = _adjective_country(doc, patient, countries)
        if iso and (roles.actor1 is None or roles.actor1.country != iso):
            roles.actor2 = actors.state_forces(iso)
    if roles.actor1 is None and roles.actor2 is None and len(found) >= 1 and coding.event_type == "Battles":
        named = [m.actor for _, m in found if not m.generic]
        if len(named) >= 2:
            roles.actor1, roles.actor2 = named[0], named[1]
    if roles.actor1 is None and coding.event_type in _VIOLENT:
        roles.actor1 = actors.unidentified(country)
    elif roles.actor1 is None and coding.event_type == "Protests":
        roles.actor1 = actors.protesters(country)
    if roles.actor2 is None and coding.event_type == "Violence against civilians":
        roles.actor2 = actors.civilians(country)
    if roles.actor1 and roles.actor2 and roles.actor1.name == roles.actor2.name:
        roles.actor2 = None
    return roles


def _adjective_country(doc: Doc, tokens: set[int], countries: Countries) -> str | None:
    """The country whose adjective qualifies a noun among ``tokens`` ("avions russes", "base américaine")."""
    for i in sorted(tokens):
        t = doc[i]
        if t.dep_ in ("amod", "nmod", "flat:name") and t.head.i in tokens and t.head.pos_ == "NOUN":
            iso = countries.lookup(t.text)
            if iso:
                return iso
    return None


def reporter_text(sent: SpacySpan, reading: Reading, lex: Lexicon) -> str | None:
    """The source a sentence cites: a claimant ("X a revendiqué"), a reporting verb's subject, or "selon X"."""
    heads: list[Token] = []
    if reading.claimant is not None:
        heads.append(reading.claimant)
    if reading.reporter is not None:
        heads.append(reading.reporter)
    for tok in sent:
        if token_keys(tok) & {p[0] for p in lex.source_prepositions if len(p) == 1} and tok.head.i != tok.i:
            heads.append(tok.head)
    for head in heads:
        text = speaker_text(head, lex)
        if text:
            return text
    return None


def speaker_text(head: Token, lex: Lexicon) -> str | None:
    """How a source names itself: a name in the phrase, a quoted name, or the phrase's first words."""
    doc = head.doc
    span = doc[head.left_edge.i : head.right_edge.i + 1]
    names = [
        e for e in doc.ents if e.start >= span.start and e.end <= span.end and e.label_ in ("ORG", "MISC", "PER")
    ]
    own = next((e for e in doc.ents if e.start <= head.i < e.end and e.label_ != "DATE"), None)
    words = [t for t in span if not t.is_punct]
    if own is not None and own.end - own.start >= len(words) - 2:
        return own.text  # "le Hezbollah", "Boko Haram"
    if len(words) <= 6 and not token_keys(words[0]) & {p[0] for p in lex.source_prepositions}:
        return span.text  # "la coalition menée par Ryad", "les talibans"
    quoted = _quoted(doc[span.start : min(span.end + 2, len(doc))].text)  # the parser may leave out a closing »
    if quoted:
        return quoted
    if names:
        return names[0].text
    words = words[:10]
    while words and token_keys(words[0]) & {p[0] for p in lex.source_prepositions}:
        words = words[1:]
    if words:
        return doc[words[0].i : words[-1].i + 1].text
    return None


def _quoted(text: str) -> str | None:
    for open_q, close_q in (("«", "»"), ("“", "”"), ('"', '"')):
        a = text.find(open_q)
        b = text.find(close_q, a + 1)
        if a >= 0 and b > a:
            inner = text[a + 1 : b].strip()
            if 0 < len(inner) < 60:
                return inner
    return None
