"""Who did it, and to whom, without a parser: actor roles from word order and voice.

Active verb: the agent is the first actor of the trigger's clause that stands as a subject (not inside a
phrase of its own: "of X", "against X"); the target is the first actor after it. Passive ("were killed by
X"): the actor before is the target, the one after "by" the agent. Noun trigger: "X attack", "attack by X",
"attack on Y", or the subject of its light verb ("X conducted airstrikes against Y"). Failing that, an
actor the note blames ("the device was likely planted by X").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from veilleur.detect.linear import LinearHit, LinearLexicon, Word, find_phrases
from veilleur.model import Actor
from veilleur.resolve.actors import ActorMatch

if TYPE_CHECKING:
    from veilleur.arguments import Resources


@dataclass(frozen=True)
class Placed:
    """An actor match with the word indices it covers in its sentence."""

    start: int
    end: int
    match: ActorMatch


def place_matches(words: Sequence[Word], matches: Sequence[ActorMatch], base: int) -> list[Placed]:
    """Word indices of each match (``base``: the sentence's character offset the matches count from)."""
    out = []
    for m in matches:
        s = e = None
        for k, w in enumerate(words):
            ws, we = w.char - base, w.char - base + len(w.text)
            if s is None and we > m.start:
                s = k
            if ws < m.end:
                e = k + 1
        if s is not None and e is not None and e > s:
            out.append(Placed(s, e, m))
    return out


def passive(words: Sequence[Word], hit: LinearHit, lin: LinearLexicon) -> bool:
    """"were killed", "was reportedly struck", "was sexually assaulted": an auxiliary before a verb-form
    trigger; "three soldiers killed" (a figure, a noun and a participle opening a clause): the reports' short
    passive."""
    forms = [k for k in range(hit.start, hit.end) if lin.morph.is_verb_form(words[k].text)]
    if not hit.is_verb or not forms or lin.morph.is_active_participle(words[forms[0]].text):
        return False
    k = hit.start - 1
    while k >= 0 and k >= hit.start - 4 and words[k].text.lower() in lin.between:
        k -= 1
    if k >= 0 and bool(words[k].keys & lin.passive):
        return True
    if find_phrases(words, lin.agent, lin, hit.end, min(len(words), hit.end + 1)):
        return True  # "arrested and executed by the army": a participle with its agent
    # "..., three soldiers killed and others wounded"
    j = next((j for j in range(hit.start - 1, max(-1, hit.start - 5), -1) if words[j].number), None)
    return j is not None and (j == 0 or words[j - 1].text in (",", ";", ":")) and not any(
        w.text in (",", ";") for w in words[j:hit.start])


def _is_subject(words: Sequence[Word], p: Placed, lin: LinearLexicon) -> bool:
    k = p.start - 1
    while k >= 0 and words[k].text.lower() in lin.fillers:
        k -= 1
    return k < 0 or not (words[k].text.lower() in lin.not_subject or words[k].keys & lin.not_subject)


def _break_before(words: Sequence[Word], i: int, lin: LinearLexicon) -> int:
    for k in range(i - 1, -1, -1):
        if words[k].text.lower() in lin.subject_breaks:
            return k + 1
    return 0


def _break_after(words: Sequence[Word], i: int, lin: LinearLexicon) -> int:
    for k in range(i, len(words)):
        if words[k].text.lower() in lin.subject_breaks:
            return k
    return len(words)


def _after(words: Sequence[Word], actors: Sequence[Placed], i: int, phrases: Sequence[tuple[str, ...]],
           lin: LinearLexicon, reach: int = 6) -> Placed | None:
    """The first actor within ``reach`` words after a phrase that starts at or after word ``i``."""
    for _s, e in find_phrases(words, phrases, lin, i, min(len(words), i + reach)):
        for p in actors:
            if e <= p.start <= e + 4:
                return p
    return None


@dataclass
class LinearRoles:
    agent: Placed | None = None
    target: Placed | None = None


def linear_roles(words: Sequence[Word], hit: LinearHit, actors: Sequence[Placed],
                 lin: LinearLexicon) -> LinearRoles:
    i, e = hit.start, hit.end
    lo, hi = _break_before(words, i, lin), _break_after(words, e, lin)
    left = [p for p in actors if lo <= p.start and p.end <= i]
    right = [p for p in actors if e <= p.start < hi]
    roles = LinearRoles()
    by = _after(words, actors, e, lin.agent, lin, reach=5)
    if passive(words, hit, lin):
        roles.agent = by
        roles.target = left[-1] if left else None
    elif hit.is_verb:
        subjects = [p for p in left if _is_subject(words, p, lin)]
        roles.agent = subjects[0] if subjects else None
        roles.target = next((p for p in right if p is not by), None)
    else:
        compound = [p for p in left if p.end == i or (p.end == i - 1 and words[i - 1].text in lin.possessive)]
        if compound:
            roles.agent = compound[-1]
        elif by is not None:
            roles.agent = by
        else:
            subjects = [p for p in left if _is_subject(words, p, lin)]
            roles.agent = subjects[0] if subjects else None
        # a noun's target follows a target word ("airstrikes against X"), or it is the noun's own ("the killing
        # of X"); an actor further on may be the agent of a clause of its own ("... executed by the army")
        roles.target = _after(words, actors, e, lin.target, lin) or (
            _after(words, actors, e, tuple((w,) for w in sorted(lin.attached)), lin, reach=2)
            if hit.frame.coding is None else None)
    if hit.frame.reverse_roles and words[i].keys & hit.frame.reverse_roles:
        roles.agent, roles.target = roles.target, roles.agent
    if roles.agent is not None and roles.target is roles.agent:
        roles.target = None
    return roles


def blamed(words: Sequence[Word], actors: Sequence[Placed], lin: LinearLexicon) -> Actor | None:
    """The actor a sentence lays an incident at ("planted by X", "blamed on X", "claimed by X")."""
    for _s, e in find_phrases(words, lin.attribution, lin):
        for p in actors:
            if e <= p.start <= e + 3 and not p.match.actor.name.startswith(("Civilians", "Protesters")):
                return p.match.actor
    return None


def claimant(words: Sequence[Word], actors: Sequence[Placed], lin: LinearLexicon) -> Actor | None:
    """The actor that says it did it: the subject of a claim ("Al-Shabaab claimed responsibility"), unless the
    claim is negated ("no group has claimed")."""
    for s, _e in find_phrases(words, lin.phrases["claimed"], lin):
        if find_phrases(words, lin.phrases["negation"], lin, max(0, s - 4), s):
            continue
        before = [p for p in actors if p.end <= s and not p.match.generic]
        if before:
            return before[-1].match.actor
    return None


def reporter(words: Sequence[Word], lin: LinearLexicon) -> str | None:
    """Who the sentence cites: "according to X", or the subject of a reporting verb in its last clause
    ("..., local officials said")."""
    stops = (",", ";", ".", ":", "(", ")")
    for _s, e in find_phrases(words, lin.phrases["source_prepositions"], lin):
        said = []
        for w in words[e:e + 8]:
            if w.text in stops:
                break
            said.append(w.text)
        if said:
            return " ".join(said)
    found = find_phrases(words, lin.phrases["reported"], lin)
    for s, _e in reversed(found):
        k = s - 1
        while k >= 0 and s - k <= 6 and words[k].text not in stops:
            k -= 1
        if 0 <= k < s - 1 and words[k].text == ",":
            return " ".join(w.text for w in words[k + 1:s])
    return None


def parent_group(agent: Placed, res: Resources, country: str | None, actor1: Actor | None,
            assoc1: list[Actor]) -> tuple[Actor | None, list[Actor]]:
    """ "Katiba Macina (JNIM) militants": the group in brackets is the one the unit belongs to; it is actor1 and
    the unit an associated actor."""
    surface = agent.match.actor.surface or ""
    a, b = surface.find("("), surface.find(")")
    if actor1 is None or a < 0 or b < a:
        return actor1, assoc1
    inner = res.actors.find(surface[a + 1:b], country=country)
    if len(inner) != 1 or inner[0].actor.name == actor1.name or inner[0].generic:
        return actor1, assoc1
    return inner[0].actor, [actor1, *[x for x in assoc1 if x.name != actor1.name]]


def country_agent(words: Sequence[Word], hit: LinearHit, lin: LinearLexicon, res: Resources) -> Actor | None:
    """ "airstrikes likely by France": a country after the agent word stands for its armed forces."""
    for _s, e in find_phrases(words, lin.agent, lin, hit.end, min(len(words), hit.end + 4)):
        k = e
        while k < len(words) and words[k].text.lower() in lin.fillers:
            k += 1
        if k < len(words) and words[k].text[:1].isupper():
            found = res.gazetteer.country(words[k].text)
            if found is not None:
                return res.actors.state_forces(found[0])
    return None


__all__ = ["LinearRoles", "Placed", "blamed", "claimant", "country_agent", "linear_roles", "parent_group", "passive",
           "place_matches", "reporter"]
