"""Find event triggers in a parsed sentence and decide what kind of incident each one names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from veilleur.detect.lexicon import Coding, Frame, Lexicon, norm_word

_VERB_POS = {"VERB", "AUX"}
_NOUN_POS = {"NOUN", "PROPN", "X", "ADJ"}


def token_keys(tok: Token) -> set[str]:
    """The lemma and the form of a token, normalised (computed once per token and kept on the Doc)."""
    cache = tok.doc.user_data.setdefault("veilleur_keys", {})
    keys = cache.get(tok.i)
    if keys is None:
        keys = cache[tok.i] = {norm_word(tok.lemma_), norm_word(tok.text)}
    return keys


@lru_cache(maxsize=512)
def _phrase_index(phrases: tuple[tuple[str, ...], ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Phrases by the words that can open them (the whole first word, and its part before a hyphen)."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for ph in sorted(set(phrases), key=len, reverse=True):
        if ph:
            for key in {ph[0], ph[0].split("-")[0]}:
                index.setdefault(key, []).append(ph)
    return {k: tuple(v) for k, v in index.items()}


def match_at(tokens: Sequence[Token], i: int, phrase: tuple[str, ...]) -> int | None:
    """The end index when ``phrase`` matches the tokens from ``i`` (lemma or form, hyphenated words may span
    several tokens), else None."""
    j = i
    for n, word in enumerate(phrase):
        skipped = 0
        while (
            n > 0
            and j < len(tokens)
            and tokens[j].pos_ == "ADV"
            and skipped < 2
            and word not in token_keys(tokens[j])
        ):
            j, skipped = j + 1, skipped + 1  # "prennent régulièrement pour cible"
        if j >= len(tokens):
            return None
        if word in token_keys(tokens[j]):
            j += 1
            continue
        joined, k = "", j
        while k < len(tokens) and k - j < 6 and len(joined) < len(word):
            joined += norm_word(tokens[k].text)
            k += 1
            if joined == word:
                break
        if joined != word:
            return None
        j = k
    return j


def find_phrases(tokens: Sequence[Token], phrases: Sequence[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) token ranges where any phrase matches, longest first at each position."""
    index = _phrase_index(tuple(phrases))
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        best = None
        cands = [ph for k in token_keys(tokens[i]) for ph in index.get(k, ())]
        for ph in cands:
            end = match_at(tokens, i, ph)
            if end is not None and (best is None or end > best):
                best = end
        if best is not None:
            out.append((i, best))
            i = best
        else:
            i += 1
    return out


@dataclass(frozen=True)
class TriggerHit:
    frame: Frame
    start: int  # token indices in the Doc
    end: int
    head: int  # the token that carries the trigger (verb or noun)
    is_verb: bool

    def text(self, sent: SpacySpan) -> str:
        return sent.doc[self.start : self.end].text


@cache
def _trigger_index(code: str) -> dict[str, tuple[tuple[tuple[str, ...], Frame, bool], ...]]:
    from veilleur.detect.lexicon import load_lexicon

    index: dict[str, list[tuple[tuple[str, ...], Frame, bool]]] = {}
    for frame in load_lexicon(code).frames:
        for phrases, verb in ((frame.verbs, True), (frame.nouns, False)):
            for ph in phrases:
                for key in {ph[0], ph[0].split("-")[0]}:
                    index.setdefault(key, []).append((ph, frame, verb))
    return {k: tuple(v) for k, v in index.items()}


def find_triggers(sent: SpacySpan, lex: Lexicon) -> list[TriggerHit]:
    tokens = list(sent)
    hits: list[TriggerHit] = []
    taken: set[int] = set()
    candidates: list[tuple[int, int, int, Frame, bool]] = []  # (len, start, end, frame, verb)
    index = _trigger_index(lex.code) if lex is _lexicon_for(lex.code) else None
    for i, tok in enumerate(tokens):
        is_verb_tok = tok.pos_ in _VERB_POS or "Part" in tok.morph.get("VerbForm", [])
        is_noun_tok = tok.pos_ in _NOUN_POS
        if index is not None:
            entries = [e for k in token_keys(tok) for e in index.get(k, ())]
        else:  # a lexicon built by hand (tests): no index
            entries = [
                (ph, frame, verb)
                for frame in lex.frames
                for phrases, verb in ((frame.verbs, True), (frame.nouns, False))
                for ph in phrases
            ]
        for ph, frame, verb in entries:
            if (verb and not is_verb_tok) or (not verb and not is_noun_tok):
                continue
            end = match_at(tokens, i, ph)
            if end is not None:
                candidates.append((end - i, i, end, frame, verb))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    for _length, i, end, frame, verb in candidates:
        if any(k in taken for k in range(i, end)):
            continue
        taken.update(range(i, end))
        head = tokens[i]
        hits.append(TriggerHit(frame, head.i, tokens[end - 1].i + 1, head.i, verb))
    hits.sort(key=lambda h: h.start)
    return hits


def _lexicon_for(code: str) -> Lexicon | None:
    from veilleur.detect.lexicon import load_lexicon

    try:
        return load_lexicon(code)
    except Exception:  # noqa: BLE001 - an unknown code has no index
        return None


def scope_tokens(sent: SpacySpan, hit: TriggerHit) -> list[Token]:
    """The words that belong to a trigger: its subtree, the head it hangs on when it is a participle or a noun
    modifier ("les drones ayant visé la base"), without clauses of their own."""
    doc = sent.doc
    head = doc[hit.head]
    out = {t.i for t in head.subtree}
    if head.dep_ in ("acl", "acl:relcl", "amod") and head.head.i != head.i:
        out.add(head.head.i)
        out.update(t.i for t in head.head.children if t.dep_ in ("amod", "nmod", "compound"))
    out.update(range(hit.start, hit.end))
    return [doc[i] for i in sorted(out) if sent.start <= i < sent.end]


def tree_distance(a: Token, b: Token) -> int:
    """Edges between two tokens of one sentence (99 when they are not connected)."""
    up = {a.i: 0}
    t, d = a, 0
    while t.head.i != t.i:
        t, d = t.head, d + 1
        up[t.i] = d
    t, d = b, 0
    while True:
        if t.i in up:
            return d + up[t.i]
        if t.head.i == t.i:
            return 99
        t, d = t.head, d + 1


def weapon_coding(tokens: Sequence[Token], lex: Lexicon, anchor: int | None = None) -> Coding | None:
    """The ACLED coding given by the means-of-attack cue in ``tokens`` nearest the ``anchor`` token in the tree
    ("un drone chargé d'explosifs s'est abattu": the drone), then the longest cue, then data order."""
    best: tuple[tuple[int, int, int, int], Coding] | None = None
    for rank, weapon in enumerate(lex.weapons):
        for start, end in find_phrases(tokens, weapon.cues):
            if anchor is None:
                dist = lin = 0
            else:
                a = tokens[start].doc[anchor]
                dist = min(tree_distance(a, tokens[k]) for k in range(start, end))
                lin = min(abs(tokens[start].i - anchor), abs(tokens[end - 1].i - anchor))
            key = (dist, lin, start - end, rank)
            if best is None or key < best[0]:
                best = (key, weapon.coding)
    return best[1] if best else None


def target_coding(tokens: Sequence[Token], lex: Lexicon) -> Coding | None:
    for coding, cues in lex.targets:
        for tok in tokens:
            if token_keys(tok) & cues:
                return coding
    return None
