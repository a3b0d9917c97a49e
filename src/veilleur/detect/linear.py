"""Triggers for a language read without a parser: words in any inflection, matched left to right.

A language whose ``lang/<code>/nlp.toml`` names no statistical model (English) has tokens and sentences but
no lemmas, parts of speech or dependency tree. This module gives it what the detect stage needs from the
same data files as the parsed route (``triggers.toml``, ``modality.toml``, ``reporting.toml``) plus two of
its own: ``morphology.toml`` (inflection, so that "kidnapped" finds "kidnap") and ``linear.toml`` (clause
boundaries, voice, role and background words). Everything is read once per language and cached.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from spacy.tokens import Span as SpacySpan

from veilleur import lang
from veilleur.detect.lexicon import Frame, Lexicon, load_lexicon
from veilleur.detect.triggers import TriggerHit
from veilleur.errors import LanguageDataError

Phrase = tuple[str, ...]


def _phrase(text: str) -> Phrase:
    return tuple(w for w in text.lower().replace("\u2019", "'").split() if w)


def _phrases(values: Iterable[str]) -> tuple[Phrase, ...]:
    return tuple(p for p in (_phrase(v) for v in values) if p)


def _strings(where: str, table: dict[str, Any], key: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LanguageDataError(f"{where}: '{key}' must be a list of strings")
    return value


@dataclass(frozen=True)
class Morphology:
    """Candidate base forms of a word: itself, its irregular base, and what each suffix rule gives."""

    suffixes: tuple[tuple[str, str, bool], ...]
    irregular: dict[str, str]
    verb_suffixes: tuple[str, ...]
    active_participle: tuple[str, ...] = ()
    nouns: dict[str, str] = field(default_factory=dict)
    vowels: str = ""

    def bases(self, word: str) -> list[str]:
        w = word.lower().replace("\u2019", "'")
        out = [w]
        if w in self.irregular:
            out.append(self.irregular[w])
        if w in self.nouns:
            out.append(self.nouns[w])
        for strip, add, double in self.suffixes:
            if len(w) > len(strip) + 2 and w.endswith(strip):
                stem = w[: -len(strip)]
                if double:
                    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in self.vowels:
                        out.append(stem[:-1] + add)
                else:
                    out.append(stem + add)
        return out

    def is_verb_form(self, word: str) -> bool:
        w = word.lower()
        if w in self.irregular and self.irregular[w] != w:
            return True
        return any(w.endswith(s) and len(w) > len(s) + 2 for s in self.verb_suffixes)

    def is_active_participle(self, word: str) -> bool:
        w = word.lower()
        return any(w.endswith(s) and len(w) > len(s) + 2 for s in self.active_participle)


@dataclass(frozen=True)
class Word:
    """One word of a sentence: hyphen-joined tokens ("sit-in", "counter-attack") are one word."""

    text: str
    start: int  # token indices in the Doc
    end: int
    char: int  # character offset in the Doc
    keys: frozenset[str]
    number: bool = False  # a figure ("three", "12")


@dataclass(frozen=True)
class LinearLexicon:
    """The shared Lexicon plus what a parser-free reader needs."""

    lex: Lexicon
    morph: Morphology
    vocab: frozenset[str]
    strength: dict[str, int]
    context: dict[str, tuple[Phrase, ...]]
    skip: frozenset[str]
    max_skip: int
    not_triggers: tuple[Phrase, ...]
    noun_markers: frozenset[str]
    verb_markers: frozenset[str]
    infinitive: frozenset[str]
    possessive: frozenset[str]
    fillers: frozenset[str]
    passive: frozenset[str]
    between: frozenset[str]
    agent: tuple[Phrase, ...]
    target: tuple[Phrase, ...]
    attribution: tuple[Phrase, ...]
    not_subject: frozenset[str]
    target_ends: frozenset[str]
    subject_breaks: frozenset[str]
    background: tuple[Phrase, ...]
    background_distance: int
    described_after: frozenset[str]
    attached: frozenset[str]
    between_words: frozenset[str]
    conjunctions: frozenset[str]
    distinct_incident: tuple[Phrase, ...]
    same_incident: tuple[Phrase, ...]
    coded_as: tuple[Phrase, ...]
    coded_end: frozenset[str]
    size_tag: str
    future: tuple[Phrase, ...]
    plural_cues: tuple[Phrase, ...]
    modals: tuple[Phrase, ...]
    light_verbs: tuple[Phrase, ...]
    window: int
    negation_window: int
    boundaries: frozenset[str]
    phrases: dict[str, tuple[Phrase, ...]] = field(default_factory=dict)  # multi-word cues of the Lexicon
    _cache: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    def keys(self, word: str) -> frozenset[str]:
        """The data words this word of the text can stand for."""
        hit = self._cache.get(word)
        if hit is None:
            bases = self.morph.bases(word)
            hit = frozenset([bases[0], *(b for b in bases[1:] if b in self.vocab)])
            if len(self._cache) < 200_000:
                self._cache[word] = hit
        return hit

    def words(self, sent: SpacySpan) -> list[Word]:
        out: list[Word] = []
        toks = list(sent)
        base = sent.start
        texts = [t.text for t in toks]
        spaces = [bool(t.whitespace_) for t in toks]
        n, i = len(toks), 0
        while i < n:
            j = i + 1
            # "sit-in", "gang-rape": tokens joined by a hyphen with no space
            while j + 1 < n and texts[j] == "-" and not spaces[j - 1] and not spaces[j] and texts[j + 1][:1].isalnum():
                j += 2
            text = "".join(texts[k] + (" " if spaces[k] and k < j - 1 else "") for k in range(i, j))
            out.append(Word(text, base + i, base + j, toks[i].idx, self.keys(text), toks[i].like_num))
            i = j
        return out


def _vocabulary(*tables: Any) -> set[str]:
    words: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, str):
            words.update(_phrase(v))
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    for t in tables:
        walk(t)
    return words


@cache
def linear_lexicon(code: str) -> LinearLexicon:
    data = lang.load(code)
    lex = load_lexicon(code)
    morph_t, lin = data.section("morphology"), data.section("linear")
    trig, mod, rep = data.section("triggers"), data.section("modality"), data.section("reporting")
    mw, lw = f"lang/{code}/morphology.toml", f"lang/{code}/linear.toml"
    suffixes = []
    for rule in morph_t.get("suffixes", []):
        if not isinstance(rule, dict) or not isinstance(rule.get("strip"), str):
            raise LanguageDataError(f"{mw}: every suffix rule needs a 'strip' string")
        suffixes.append((rule["strip"], str(rule.get("add", "")), bool(rule.get("double", False))))
    irregular, nouns = morph_t.get("irregular", {}), morph_t.get("irregular_nouns", {})
    if not isinstance(irregular, dict) or not isinstance(nouns, dict):
        raise LanguageDataError(f"{mw}: [irregular] and [irregular_nouns] must map forms to base forms")
    morph = Morphology(tuple(suffixes), {str(k).lower(): str(v).lower() for k, v in irregular.items()},
                       tuple(_strings(mw, morph_t, "verb_suffixes")),
                       tuple(_strings(mw, morph_t, "active_participle")),
                       {str(k).lower(): str(v).lower() for k, v in nouns.items()},
                       str(morph_t.get("vowels", "")))
    vocab = _vocabulary(trig, mod, rep, lin)
    frames_t = trig.get("frames", {})
    strength = {name: int(t.get("strength", 0)) for name, t in frames_t.items()}
    context = {name: _phrases(_strings(f"lang/{code}/triggers.toml [frames.{name}]", t, "context"))
               for name, t in frames_t.items()}
    m, v, r, b, n = (lin.get(k, {}) for k in ("matching", "voice", "roles", "background", "notes"))
    pl = lin.get("places", {})
    win = mod.get("window", {})
    return LinearLexicon(
        lex=lex, morph=morph, vocab=frozenset(vocab), strength=strength, context=context,
        skip=frozenset(_strings(lw, m, "skip")), max_skip=int(m.get("max_skip", 2)),
        not_triggers=_phrases(_strings(lw, m, "not_triggers")),
        noun_markers=frozenset(_strings(lw, m, "noun_markers")),
        verb_markers=frozenset(_strings(lw, m, "verb_markers")),
        infinitive=frozenset(_strings(lw, m, "infinitive")),
        possessive=frozenset(_strings(lw, m, "possessive")),
        fillers=frozenset(_strings(lw, r, "fillers")),
        passive=frozenset(_strings(lw, v, "passive")), between=frozenset(_strings(lw, v, "between")),
        agent=_phrases(_strings(lw, r, "agent")), target=_phrases(_strings(lw, r, "target")),
        attribution=_phrases(_strings(lw, r, "attribution")),
        not_subject=frozenset(_strings(lw, r, "not_subject")),
        target_ends=frozenset(_strings(lw, r, "target_ends")),
        subject_breaks=frozenset(_strings(lw, r, "subject_breaks")),
        background=_phrases(_strings(lw, b, "links")), background_distance=int(b.get("max_distance", 5)),
        described_after=frozenset(_strings(lw, b, "described_after")),
        attached=frozenset(_strings(lw, pl, "attached")),
        between_words=frozenset(_strings(lw, pl, "between")),
        conjunctions=frozenset(_strings(lw, pl, "conjunctions")),
        distinct_incident=_phrases(_strings(lw, lin.get("continuation", {}), "distinct")),
        same_incident=_phrases(_strings(lw, lin.get("continuation", {}), "same")),
        coded_as=_phrases(_strings(lw, n, "coded_as")), coded_end=frozenset(_strings(lw, n, "coded_end")),
        size_tag=str(n.get("size_tag", "")),
        future=_phrases(_strings(f"lang/{code}/modality.toml", mod, "future")),
        plural_cues=_phrases(_strings(f"lang/{code}/modality.toml [window]", win, "plural_cues")),
        modals=_phrases(_strings(f"lang/{code}/modality.toml [window]", win, "modals")),
        light_verbs=_phrases(_strings(f"lang/{code}/modality.toml [window]", win, "light_verbs")),
        window=int(win.get("before", 8)), negation_window=int(win.get("negation_before", 4)),
        boundaries=frozenset(_strings(f"lang/{code}/modality.toml [window]", win, "boundaries")),
        phrases=_cue_phrases(code, mod, rep),
    )


def _cue_phrases(code: str, mod: dict[str, Any], rep: dict[str, Any]) -> dict[str, tuple[Phrase, ...]]:
    out = {k: _phrases(_strings(f"lang/{code}/modality.toml", mod, k)) for k in
           ("threat", "hypothetical", "condition_marks", "negation", "success", "generic", "commemoration")}
    out |= {k: _phrases(_strings(f"lang/{code}/reporting.toml", rep, k)) for k in
            ("reported", "claimed", "denied", "hedged", "source_prepositions", "attribution")}
    return out


# ------------------------------------------------------------------------------------------------ matching


def match_at(words: Sequence[Word], i: int, phrase: Phrase, lin: LinearLexicon) -> int | None:
    """The end word index when ``phrase`` matches from word ``i`` (any inflection; up to ``max_skip`` filler
    words between its words), else None."""
    j, skipped = i, 0
    gap = False
    for n, want in enumerate(phrase):
        if want == "*":  # "set * ablaze": up to four words of any kind
            gap = True
            continue
        if gap:
            gap = False
            k = next((k for k in range(j, min(len(words), j + 5)) if want in words[k].keys), None)
            if k is None or any(w.text in (",", ";", ".") for w in words[j:k]):
                return None
            j = k + 1
            continue
        while n > 0 and j < len(words) and want not in words[j].keys and skipped < lin.max_skip and (
                words[j].keys & lin.skip):
            j, skipped = j + 1, skipped + 1
        if j >= len(words) or want not in words[j].keys:
            return None
        j += 1
    return j


_INDEXES: dict[int, tuple[Sequence[Phrase], dict[str, tuple[Phrase, ...]]]] = {}


def _by_first_word(phrases: Sequence[Phrase]) -> dict[str, tuple[Phrase, ...]]:
    """The phrases of a (long-lived) phrase table grouped by their first word, built once per table."""
    hit = _INDEXES.get(id(phrases))
    if hit is not None and hit[0] is phrases:
        return hit[1]
    index: dict[str, list[Phrase]] = {}
    for ph in phrases:
        if ph:
            index.setdefault(ph[0], []).append(ph)
    built = {k: tuple(v) for k, v in index.items()}
    if len(_INDEXES) > 4096:
        _INDEXES.clear()
    _INDEXES[id(phrases)] = (phrases, built)
    return built


def find_phrases(words: Sequence[Word], phrases: Sequence[Phrase], lin: LinearLexicon,
                 lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) word ranges in words[lo:hi] where a phrase matches, longest first."""
    hi = len(words) if hi is None else hi
    index = _by_first_word(phrases)
    out: list[tuple[int, int]] = []
    i = lo
    while i < hi:
        best = None
        for key in words[i].keys:
            for ph in index.get(key, ()):
                end = match_at(words[:hi], i, ph, lin) if len(ph) > 1 else i + 1
                if end is not None and (best is None or end > best):
                    best = end
        if best is not None:
            out.append((i, best))
            i = best
        else:
            i += 1
    return out


@dataclass(frozen=True)
class LinearHit:
    """A trigger found without a parser: its words (indices into the sentence's word list) and frame."""

    frame: Frame
    start: int
    end: int
    is_verb: bool

    def as_trigger(self, words: Sequence[Word]) -> TriggerHit:
        first = words[self.start].start
        return TriggerHit(self.frame, first, words[self.end - 1].end, first, self.is_verb)


@cache
def _frame_phrases(code: str) -> tuple[tuple[Frame, Phrase, bool], ...]:
    lex = load_lexicon(code)
    out = []
    for frame in lex.frames:
        for phrases, verb in ((frame.verbs, True), (frame.nouns, False)):
            for ph in phrases:
                words = tuple(w for part in ph for w in _phrase(part))
                if words:
                    out.append((frame, words, verb))
    return tuple(out)


def find_linear_triggers(words: Sequence[Word], lin: LinearLexicon) -> list[LinearHit]:
    index: dict[str, list[tuple[Frame, Phrase, bool]]] = _first_word_index(lin.lex.code)
    cands: list[tuple[int, int, int, int, Frame, bool]] = []  # (-len, start, order, end, frame, verb)
    for i, w in enumerate(words):
        seen: dict[tuple[str, int], tuple[int, set[bool], int]] = {}
        for key in w.keys:
            for order, (frame, ph, verb) in enumerate(index.get(key, ())):
                end = match_at(words, i, ph, lin) if len(ph) > 1 else i + 1
                if end is None:
                    continue
                k = (frame.name, end)
                prev = seen.get(k)
                if prev is None:
                    seen[k] = (end, {verb}, order)
                else:
                    prev[1].add(verb)
        for (_name, end), (_e, kinds, order) in seen.items():
            frame = next(f for f in lin.lex.frames if f.name == _name)
            cands.append((-(end - i), i, order, end, frame, _is_verb(words, i, kinds, lin)))
    # the same words in two frames ("strike": an attack or a walkout): the frame whose context words the
    # sentence has first, then data order
    in_context = {name for name, cues in lin.context.items() if cues and find_phrases(words, cues, lin)}
    cands.sort(key=lambda c: (c[0], c[1], c[4].name not in in_context, _frame_rank(lin.lex, c[4])))
    taken: set[int] = set()
    hits: list[LinearHit] = []
    for _neg, i, _order, end, frame, verb in cands:
        if any(k in taken for k in range(i, end)):
            continue
        taken.update(range(i, end))
        hits.append(LinearHit(frame, i, end, verb))
    blocked = find_phrases(words, lin.not_triggers, lin)
    hits = [h for h in hits if not any(a < h.end and h.start < b for a, b in blocked)]
    hits.sort(key=lambda h: h.start)
    return hits


def _frame_rank(lex: Lexicon, frame: Frame) -> int:
    return next(n for n, f in enumerate(lex.frames) if f is frame)


@cache
def _first_word_index(code: str) -> dict[str, list[tuple[Frame, Phrase, bool]]]:
    index: dict[str, list[tuple[Frame, Phrase, bool]]] = {}
    for frame, ph, verb in _frame_phrases(code):
        index.setdefault(ph[0], []).append((frame, ph, verb))
    return index


def _is_verb(words: Sequence[Word], i: int, kinds: set[bool], lin: LinearLexicon) -> bool:
    """Is the trigger a verb? A verb-only or noun-only phrase says so; a word that is both ("attack",
    "raid") is a verb when inflected as one ("attacked", "raiding" not after a determiner) or after a
    subject-like word, and a noun after a determiner."""
    if kinds == {True}:
        return True
    if kinds == {False}:
        return False
    prev = words[i - 1].text.lower() if i > 0 else ""
    if prev in lin.noun_markers or prev in lin.possessive or prev in lin.lex.anaphoric:
        return False
    if lin.morph.is_verb_form(words[i].text):
        return True
    return prev in lin.verb_markers


__all__ = ["LinearHit", "LinearLexicon", "Morphology", "Word", "find_linear_triggers", "find_phrases",
           "linear_lexicon", "match_at"]
