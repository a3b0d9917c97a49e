"""Does a trigger report something that happened? The parser-free reading: the cues of ``modality.toml``
and ``reporting.toml`` in the trigger's clause, before it (threats, plans, futures, conditions, negations,
running counts, background incidents told as a reason), and the claim status of the sentence."""

from __future__ import annotations

from collections.abc import Sequence

from veilleur.detect.linear import LinearHit, LinearLexicon, Word, find_phrases
from veilleur.detect.modality import Reading
from veilleur.model import Claim, Modality


def clause_start(words: Sequence[Word], i: int, lin: LinearLexicon, limit: int) -> int:
    """The first word of the clause that ends at word ``i`` (at most ``limit`` words back)."""
    lo = max(0, i - limit)
    for k in range(i - 1, lo - 1, -1):
        if words[k].text.lower() in lin.boundaries or words[k].keys & lin.boundaries:
            return k + 1
    return lo


def _any(words: Sequence[Word], key: str, lin: LinearLexicon, lo: int, hi: int) -> tuple[int, int] | None:
    found = find_phrases(words, lin.phrases[key], lin, lo, hi)
    return found[-1] if found else None


def _describes_a_noun(words: Sequence[Word], hit: LinearHit, lin: LinearLexicon) -> bool:
    """ "widows of soldiers killed (and wounded) amidst an attack": a past participle after the noun of an "of"
    phrase, with no object of its own, describes that noun (a reduced relative clause); it is not the
    sentence's verb."""
    nxt = words[hit.end].text.lower() if hit.end < len(words) else "."
    if not (nxt in lin.target_ends or not nxt.isalpha()):
        return False
    i = hit.start
    if i >= 2 and words[i - 1].text.lower() in lin.conjunctions and lin.morph.is_verb_form(words[i - 2].text):
        i -= 2  # "killed and wounded": the first participle decides
    w = words[i].text
    if i < 2 or not lin.morph.is_verb_form(w) or lin.morph.is_active_participle(w):
        return False
    noun = words[i - 1]
    function = lin.noun_markers | lin.verb_markers | lin.skip | lin.boundaries
    if not noun.text.isalpha() or noun.keys & function or noun.text.lower() in function:
        return False
    j = i - 2
    while j >= 0 and (words[j].number or words[j].text.lower() in lin.fillers):
        j -= 1  # "of the two soldiers killed"
    return j >= 0 and words[j].text.lower() in lin.described_after


def read_linear_modality(words: Sequence[Word], hit: LinearHit, lin: LinearLexicon,
                         undated: bool = False) -> Reading:
    """The modality and claim status of a trigger. ``undated``: its sentence has no date expression (a running
    count may then be told after the trigger)."""
    r = Reading()
    i = hit.start
    lo = clause_start(words, i, lin, lin.window)
    near = clause_start(words, i, lin, lin.negation_window)

    def says(key: str, a: int = lo) -> tuple[int, int] | None:
        return _any(words, key, lin, a, i)

    if (f := find_phrases(words, lin.future, lin, near, i)):
        r.modality, r.why = Modality.FUTURE, [f"future '{words[f[-1][0]].text}'"]
        return r
    if (t := says("threat")):
        r.modality, r.why = Modality.THREAT, [f"governed by '{words[t[0]].text}'"]
        return r
    if says("condition_marks") or find_phrases(words, lin.phrases["condition_marks"], lin, 0, 1):
        # a condition in the trigger's clause, or one that opens the sentence ("If the talks fail, ...")
        r.modality, r.why = Modality.HYPOTHETICAL, ["condition"]
        return r
    if (md := find_phrases(words, lin.modals, lin, near, i)):
        r.modality, r.why = Modality.HYPOTHETICAL, [f"modal '{words[md[-1][0]].text}'"]
        return r
    h = says("hypothetical")
    if h is not None and not says("success", h[1]):
        r.modality, r.why = Modality.HYPOTHETICAL, [f"governed by '{words[h[0]].text}'"]
        return r
    if hit.is_verb and i > 0 and words[i - 1].text.lower() in lin.infinitive \
            and not lin.morph.is_verb_form(words[i].text) and not says("success"):
        r.modality, r.why = Modality.HYPOTHETICAL, ["infinitive"]
        return r
    if (n := says("negation", near)):
        r.modality, r.why = Modality.NEGATED, [f"negation '{words[n[0]].text}'"]
        return r
    if (g := says("generic")):
        r.modality, r.why = Modality.GENERIC, [f"running count or habit '{words[g[0]].text}'"]
        return r
    if undated:
        # "300 people have been killed in attacks in the region this year": a running count told after it
        after = find_phrases(words, lin.phrases["generic"], lin, hit.end, min(len(words), hit.end + lin.window))
        if after:
            r.modality, r.why = Modality.GENERIC, [f"running count '{words[after[0][0]].text}'"]
            return r
    if hit.is_verb and _describes_a_noun(words, hit, lin):
        r.modality, r.why = Modality.GENERIC, ["a participle describing a noun: an earlier incident"]
        r.commemoration = True
        return r
    if not hit.is_verb:
        quantified = find_phrases(words, lin.plural_cues, lin, max(0, i - 3), i)
        if quantified and not find_phrases(words, lin.light_verbs, lin, max(0, quantified[0][0] - 2),
                                           quantified[0][0]):
            r.modality, r.why = Modality.GENERIC, ["a kind of incident, not one"]
            return r
        b = find_phrases(words, lin.background, lin, max(0, i - lin.background_distance), i)
        if b or says("commemoration", max(0, i - lin.background_distance)):
            r.modality, r.why = Modality.GENERIC, ["an earlier incident told as background"]
            r.commemoration = True
            return r
    # claim status of the sentence: hedges before the trigger, denials and claims anywhere in its clause
    if says("hedged", near):
        r.claim = Claim.HEDGED
        r.why.append("hedged")
    if says("denied"):
        r.claim = Claim.DENIED
    if find_phrases(words, lin.phrases["claimed"], lin):
        r.claim = Claim.CLAIMED
    return r


__all__ = ["clause_start", "read_linear_modality"]
