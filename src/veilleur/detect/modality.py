"""Does a trigger report something that happened? Threats, futures, conditions, negations, running counts and
intentions are told apart from facts by the trigger's own verb form and the words that govern it."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from veilleur.detect.lexicon import Lexicon
from veilleur.detect.triggers import TriggerHit, find_phrases, token_keys
from veilleur.model import Claim, Modality

_SUBJ = ("nsubj", "nsubj:pass", "expl:subj")
# relations through which the governing word's attitude reaches the trigger
_GOVERNED = (
    "xcomp",
    "obj",
    "obl",
    "obl:arg",
    "obl:mod",
    "nmod",
    "iobj",
    "conj",
    "acl",
    "appos",
    "dep",
    "ccomp",
    "csubj",
    "amod",
    "flat:name",
    "fixed",
    "compound",
)
_MAX_UP = 6


@dataclass
class Reading:
    modality: Modality = Modality.FACTUAL
    claim: Claim = Claim.REPORTED
    why: list[str] = field(default_factory=list)
    commemoration: bool = False
    background: bool = False  # pluperfect: told as background, date must come from the text
    claimant: Token | None = None  # subject of "revendiquer"
    reporter: Token | None = None  # subject of a reporting verb


def _morph(tok: Token, key: str) -> set[str]:
    return set(tok.morph.get(key, []))


def _aux(tok: Token) -> list[Token]:
    return [c for c in tok.children if c.dep_.startswith("aux")]


def _is_compound_past(tok: Token) -> bool:
    """ "ont été attaqués", "a visé": an auxiliary in the indicative and a past participle."""
    if "Part" not in _morph(tok, "VerbForm"):
        return False
    aux = _aux(tok)
    return bool(aux) and all("Cnd" not in _morph(a, "Mood") and "Fut" not in _morph(a, "Tense") for a in aux)


def _is_pluperfect(tok: Token) -> bool:
    return "Part" in _morph(tok, "VerbForm") and any("Imp" in _morph(a, "Tense") for a in _aux(tok))


def _form_from_endings(tok: Token, lex: Lexicon) -> Modality | None:
    """A conditional or future the tagger missed, read from the form: infinitive stem + ending."""
    if tok.pos_ != "VERB" or "Fin" not in _morph(tok, "VerbForm"):
        return None
    lemma = tok.lemma_.lower()
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    text = tok.text.lower()
    if len(stem) < 3 or not text.startswith(stem):
        return None
    rest = text[len(stem):]
    if rest in lex.conditional_endings:
        return Modality.HYPOTHETICAL
    if rest in lex.future_endings:
        return Modality.FUTURE
    return None


def _verb_form(tok: Token, lex: Lexicon) -> Modality | None:
    """Modality told by a verb's own tense and mood (or its auxiliaries')."""
    if not any(k in _morph(t, "Mood") or k in _morph(t, "Tense") for t in (tok, *_aux(tok)) for k in ("Cnd", "Fut")):
        guesses = (_form_from_endings(t, lex) for t in (tok, *_aux(tok)))
        guessed = next((g for g in guesses if g is not None), None)
        if guessed is not None:
            return guessed
    forms = [tok, *_aux(tok)]
    if any("Fut" in _morph(t, "Tense") for t in forms):
        return Modality.FUTURE
    if any(norm in lex.success_in_past for norm in token_keys(tok)) and _is_compound_past(tok):
        return None
    cnd = [t for t in forms if "Cnd" in _morph(t, "Mood")]
    if cnd:
        # "aurait été tué": the journalistic conditional of a past fact is a hedge, not a hypothesis
        if _hedged_conditional(tok):
            return None
        return Modality.HYPOTHETICAL
    if any("Sub" in _morph(t, "Mood") for t in forms):
        return Modality.HYPOTHETICAL
    return None


def _hedged_conditional(tok: Token) -> bool:
    """A past conditional ("aurait visé", "auraient été tués"), not a passive one ("seraient visés")."""
    return "Part" in _morph(tok, "VerbForm") and any(
        "Cnd" in _morph(a, "Mood") and a.dep_ != "aux:pass" for a in _aux(tok)
    )


def _is_infinitive(tok: Token) -> bool:
    return "Inf" in _morph(tok, "VerbForm") and not _aux(tok)


def _perfect_infinitive(tok: Token) -> bool:
    """ "avoir tué", "avoir mené": a past participle under an auxiliary in the infinitive."""
    return "Part" in _morph(tok, "VerbForm") and any("Inf" in _morph(a, "VerbForm") for a in _aux(tok))


def _has_condition(tok: Token, lex: Lexicon) -> bool:
    """A subordinator of condition before the verb ("si", "s'ils", "au cas où")."""
    marks = [c for c in tok.children if c.i < tok.i and c.dep_ in ("mark", "case", "advmod", "cc", "dep")]
    return bool(marks) and bool(find_phrases(marks, lex.condition_marks))


def _negated(tok: Token, lex: Lexicon) -> bool:
    return any(
        token_keys(c) & lex.negation
        for c in tok.children
        if c.dep_ in ("advmod", "det", "cc", "nmod", "mark")
    )


def _generic(sent: SpacySpan, hit: TriggerHit, lex: Lexicon) -> bool:
    """A running count or a habit: a generic cue attached to the trigger, a multi-word one ("tous les jours",
    "à plusieurs reprises") anywhere in its sentence, or a generic word governing it ("la cadence des attaques")."""
    head = sent.doc[hit.head]
    skip: tuple[str, ...] = ("ccomp", "advcl", "acl:relcl", "parataxis", "conj")
    if hit.is_verb:  # "plusieurs centaines de personnes ont manifesté": who did it is not how often
        skip += ("nsubj", "nsubj:pass", "obj", "expl:subj", "obl:agent")
    near = [c for c in head.children if c.dep_ not in skip]
    words = sorted({t.i: t for c in near for t in c.subtree}.items())
    if find_phrases([t for _, t in words], lex.generic):
        return True
    if find_phrases(list(sent), tuple(g for g in lex.generic if len(g) > 1)):
        return True
    single = {g[0] for g in lex.generic if len(g) == 1}
    return head.head.i != head.i and bool(token_keys(head.head) & single)


def read_modality(sent: SpacySpan, hit: TriggerHit, lex: Lexicon) -> Reading:
    doc = sent.doc
    tok = doc[hit.head]
    r = Reading()

    if hit.is_verb:
        if "Part" in _morph(tok, "VerbForm") and "Pres" in _morph(tok, "Tense"):
            r.modality, r.why = Modality.HYPOTHETICAL, ["present participle (a description or an aim)"]
            return r
        if _is_infinitive(tok):
            gov = tok.head
            if gov.i == tok.i or not (
                token_keys(gov) & lex.success
                or (token_keys(gov) & lex.success_in_past and _is_compound_past(gov))
            ):
                r.modality, r.why = Modality.HYPOTHETICAL, [f"infinitive under '{gov.text}'"]
                return r
        if _has_condition(tok, lex) and not _is_compound_past(tok):
            r.modality, r.why = Modality.HYPOTHETICAL, ["condition"]
            return r
        form = _verb_form(tok, lex)
        if form is not None:
            r.modality, r.why = form, [f"verb form of '{tok.text}'"]
            return r
        if _hedged_conditional(tok):
            r.claim = Claim.HEDGED
            r.why.append("conditional past")
        r.background = _is_pluperfect(tok)
        if _negated(tok, lex):
            r.modality, r.why = Modality.NEGATED, ["negation"]
            return r
    else:
        mods = [c for c in tok.children if c.dep_ in ("amod", "det", "nmod", "advmod")]
        if any(token_keys(c) & lex.hypothetical for c in mods):
            r.modality, r.why = Modality.HYPOTHETICAL, ["possible/imminent"]
            return r
        if any(token_keys(c) & lex.negation for c in mods):
            r.modality, r.why = Modality.NEGATED, ["negation"]
            return r

    if _generic(sent, hit, lex):
        r.modality, r.why = Modality.GENERIC, ["running count or habit"]
        return r

    # walk up through the words that govern the trigger
    cur = tok
    for _ in range(_MAX_UP):
        gov = cur.head
        if gov.i == cur.i:
            break
        rel = cur.dep_
        keys = token_keys(gov)
        if keys & lex.commemoration:
            r.commemoration = True
            r.modality, r.why = Modality.GENERIC, [f"commemoration '{gov.text}'"]
            return r
        if rel in _SUBJ:
            if rel == "nsubj:pass" and keys & (lex.claimed | lex.denied) and not _negated(gov, lex):
                # "l'attaque a été revendiquée par X", "l'attaque a été démentie par X"
                r.claim = Claim.CLAIMED if keys & lex.claimed else Claim.DENIED
                r.claimant = next((c for c in gov.children if c.dep_ == "obl:agent"), None)
            if not hit.is_verb and cur.i == tok.i:
                # a noun subject is presupposed ("l'attentat du 19 janvier aurait débouché sur...") unless its verb
                # is itself a plain conditional or future ("s'ajouteraient les raids")
                form = _verb_form(gov, lex)
                if form is not None and not _hedged_conditional(gov):
                    r.modality, r.why = form, [f"subject of '{gov.text}'"]
                    return r
            break
        if rel in ("advcl", "acl:relcl", "parataxis") or rel not in _GOVERNED:
            break
        if keys & lex.claimed:
            r.claim = Claim.CLAIMED
            # "X a revendiqué l'attaque", "l'attaque a été revendiquée par X"
            agents = [
                c
                for c in gov.children
                if c.dep_ in ("obl:agent", "obl")
                and any(k.lower_ == "par" for k in c.children if k.dep_ == "case")
            ]
            subject = next((c for c in gov.children if c.dep_ == "nsubj"), None)
            r.claimant = agents[0] if agents else subject
            if _negated(gov, lex) or (subject is not None and _negated(subject, lex)):
                r.claim, r.claimant = Claim.REPORTED, None  # "aucun groupe n'a revendiqué l'attaque"
        elif keys & lex.denied:
            r.claim = Claim.DENIED
            r.claimant = next((c for c in gov.children if c.dep_ == "nsubj"), None)  # who denies
        elif keys & lex.hedged:
            r.claim = Claim.HEDGED
        elif keys & lex.reported and r.reporter is None:
            r.reporter = next((c for c in gov.children if c.dep_ in _SUBJ), None)
            if rel in ("xcomp", "ccomp") and r.claim is Claim.REPORTED and _perfect_infinitive(cur):
                # "les talibans affirment avoir tué douze soldats": the doer says it did it
                r.claim, r.claimant = Claim.CLAIMED, r.reporter
        if keys & lex.threat:
            r.modality, r.why = Modality.THREAT, [f"governed by '{gov.text}'"]
            return r
        if keys & lex.hypothetical and not (keys & lex.success_in_past and _is_compound_past(gov)):
            r.modality, r.why = Modality.HYPOTHETICAL, [f"governed by '{gov.text}'"]
            return r
        if gov.pos_ in ("VERB", "AUX"):
            if rel == "ccomp":
                # a reported clause keeps its own tense; only the reporting verb's attitude counts (done above)
                break
            form = _verb_form(gov, lex)
            if form is not None and not (hit.is_verb and rel == "conj"):
                r.modality, r.why = form, [f"governed by '{gov.text}'"]
                return r
            if _is_infinitive(gov) and not (keys & lex.success):
                up = gov.head
                if up.i != gov.i and not (
                    token_keys(up) & lex.success
                    or (token_keys(up) & lex.success_in_past and _is_compound_past(up))
                ):
                    r.modality, r.why = Modality.HYPOTHETICAL, [f"infinitive '{gov.text}'"]
                    return r
            if _has_condition(gov, lex) and not _is_compound_past(gov):
                r.modality, r.why = Modality.HYPOTHETICAL, [f"condition on '{gov.text}'"]
                return r
            if not hit.is_verb and _is_pluperfect(gov):
                r.background = True
        cur = gov
    return r
