"""Typed, validated view of a language's trigger, modality and reporting data (triggers.toml, modality.toml,
reporting.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from veilleur import lang
from veilleur.errors import LanguageDataError

EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}

_ELISIONS = {
    "d'": "de",
    "l'": "le",
    "n'": "ne",
    "qu'": "que",
    "j'": "je",
    "m'": "me",
    "t'": "te",
    "c'": "ce",
    "jusqu'": "jusque",
    "lorsqu'": "lorsque",
    "puisqu'": "puisque",
}


def norm_word(word: str) -> str:
    """Lower-case a word and expand an elided article/pronoun ("l'" -> "le"); typographic apostrophes too."""
    w = word.lower().replace("\u2019", "'")
    return _ELISIONS.get(w, w)


def split_phrase(phrase: str) -> tuple[str, ...]:
    """Split a data phrase into words the way the tokenizer does: on spaces, and after an elided "l'", "d'"..."""
    words: list[str] = []
    for part in phrase.replace("\u2019", "'").split():
        while "'" in part[:-1]:
            head, tail = part.split("'", 1)
            words.append(norm_word(head + "'"))
            part = tail
        words.append(norm_word(part))
    return tuple(w for w in words if w)


@dataclass(frozen=True)
class Coding:
    event_type: str
    sub_event_type: str


@dataclass(frozen=True)
class Frame:
    name: str
    coding: Coding | None  # None: decided by the weapon, then the target
    fallback: Coding | None  # with coding None: what the frame means when no weapon is named
    verbs: tuple[tuple[str, ...], ...]
    nouns: tuple[tuple[str, ...], ...]
    weak_nouns: frozenset[str]
    weak_verbs: frozenset[str]
    reverse_roles: frozenset[str]
    requires_weapon: bool


@dataclass(frozen=True)
class Weapon:
    coding: Coding
    cues: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Lexicon:
    code: str
    frames: tuple[Frame, ...]
    weapons: tuple[Weapon, ...]
    targets: tuple[tuple[Coding, frozenset[str]], ...]
    default: Coding
    distinct_links: frozenset[str]
    anaphoric: frozenset[str]
    non_violent: frozenset[str]
    threat: frozenset[str]
    hypothetical: frozenset[str]
    condition_marks: tuple[tuple[str, ...], ...]
    negation: frozenset[str]
    success: frozenset[str]
    success_in_past: frozenset[str]
    perpetration: frozenset[str]
    conditional_endings: tuple[str, ...]
    future_endings: tuple[str, ...]
    generic: tuple[tuple[str, ...], ...]
    commemoration: frozenset[str]
    reported: frozenset[str]
    claimed: frozenset[str]
    denied: frozenset[str]
    hedged: frozenset[str]
    source_prepositions: tuple[tuple[str, ...], ...]
    source_nouns: frozenset[str]
    attribution: frozenset[str]
    protest_outcomes: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]  # (outcome, cue phrases)
    # an explosion the article puts down to an accident (gas, industry) is not political violence...
    accident: tuple[tuple[str, ...], ...] = ()
    # ...unless its own sentence says otherwise
    hostile: tuple[tuple[str, ...], ...] = ()
    # objects of a claim or denial told in a sentence of its own ("a démenti toute implication")
    statement_objects: frozenset[str] = frozenset()
    # phrases that hedge a sentence's whole report ("selon des sources non confirmées")
    hedge_phrases: tuple[tuple[str, ...], ...] = ()
    # frames whose clash with a crowd is a riot, the cues of a crowd, and the riot's coding
    crowd_frames: frozenset[str] = frozenset()
    crowd_cues: frozenset[str] = frozenset()
    crowd_coding: Coding | None = None
    # words that make a toll of its own sentence a running total ("depuis janvier", "au total")
    running_total: tuple[tuple[str, ...], ...] = ()
    # family words: an abduction by one of them ("enlevé par sa mère") is a domestic crime
    domestic: frozenset[str] = frozenset()
    # a plural trigger counted at least this many times ("51 attaques") is a running total, not an incident
    aggregate_count: int = 3


def _coding(where: str, table: dict[str, Any]) -> Coding:
    et, st = table.get("event_type"), table.get("sub_event_type")
    if et not in EVENT_TYPES or st not in EVENT_TYPES[et]:
        raise LanguageDataError(f"{where}: ({et!r}, {st!r}) is not an ACLED event type / sub-event type")
    return Coding(et, st)


def _words(where: str, table: dict[str, Any], key: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise LanguageDataError(f"{where}: '{key}' must be a list of non-empty strings")
    return value


def _phrases(where: str, table: dict[str, Any], key: str) -> tuple[tuple[str, ...], ...]:
    return tuple(split_phrase(p) for p in _words(where, table, key))


def _set(where: str, table: dict[str, Any], key: str) -> frozenset[str]:
    return frozenset(norm_word(w) for w in _words(where, table, key))


@cache
def load_lexicon(code: str) -> Lexicon:
    data = lang.load(code)
    trig, mod, rep = data.section("triggers"), data.section("modality"), data.section("reporting")
    frames = []
    for name, table in trig.get("frames", {}).items():
        where = f"lang/{code}/triggers.toml [frames.{name}]"
        coding = None if table.get("sub") == "weapon" else _coding(where, table)
        fallback = None
        if "fallback_event_type" in table:
            fallback = _coding(
                where,
                {
                    "event_type": table["fallback_event_type"],
                    "sub_event_type": table.get("fallback_sub_event_type"),
                },
            )
        frames.append(
            Frame(
                name,
                coding,
                fallback,
                _phrases(where, table, "verbs"),
                _phrases(where, table, "nouns"),
                _set(where, table, "weak_nouns"),
                _set(where, table, "weak_verbs"),
                _set(where, table, "reverse_roles"),
                bool(table.get("requires_weapon", False)),
            )
        )
    if not frames:
        raise LanguageDataError(f"lang/{code}/triggers.toml defines no [frames]")
    weapons = tuple(
        Weapon(
            _coding(f"lang/{code}/triggers.toml [[weapons]] #{i}", w),
            _phrases(f"lang/{code}/triggers.toml [[weapons]] #{i}", w, "cues"),
        )
        for i, w in enumerate(trig.get("weapons", []))
    )
    targets = tuple(
        (
            _coding(f"lang/{code}/triggers.toml [targets.{k}]", t),
            _set(f"lang/{code}/triggers.toml [targets.{k}]", t, "cues"),
        )
        for k, t in trig.get("targets", {}).items()
    )
    links = trig.get("links", {})
    lw = f"lang/{code}/triggers.toml [links]"
    mw, rw = f"lang/{code}/modality.toml", f"lang/{code}/reporting.toml"
    return Lexicon(
        code=code,
        frames=tuple(frames),
        weapons=weapons,
        targets=targets,
        default=_coding(f"lang/{code}/triggers.toml [defaults]", trig.get("defaults", {})),
        distinct_links=_set(lw, links, "distinct"),
        anaphoric=_set(lw, links, "anaphoric"),
        non_violent=_set(lw, links, "non_violent"),
        threat=_set(mw, mod, "threat"),
        hypothetical=_set(mw, mod, "hypothetical"),
        condition_marks=_phrases(mw, mod, "condition_marks"),
        negation=_set(mw, mod, "negation"),
        success=_set(mw, mod, "success"),
        success_in_past=_set(mw, mod, "success_in_past"),
        perpetration=_set(mw, mod, "perpetration"),
        conditional_endings=tuple(_words(mw, mod, "conditional_endings")),
        future_endings=tuple(_words(mw, mod, "future_endings")),
        generic=_phrases(mw, mod, "generic"),
        commemoration=_set(mw, mod, "commemoration"),
        reported=_set(rw, rep, "reported"),
        claimed=_set(rw, rep, "claimed"),
        denied=_set(rw, rep, "denied"),
        hedged=_set(rw, rep, "hedged"),
        source_prepositions=_phrases(rw, rep, "source_prepositions"),
        source_nouns=_set(rw, rep, "source_nouns"),
        attribution=_set(rw, rep, "attribution"),
        protest_outcomes=tuple(
            (k, _phrases(f"lang/{code}/triggers.toml [protest_outcomes]", po, k))
            for po in [trig.get("protest_outcomes", {})]
            for k in ("lethal", "violent", "intervention")
        ),
        accident=_phrases(f"lang/{code}/triggers.toml [accident]", trig.get("accident", {}), "cues"),
        hostile=_phrases(f"lang/{code}/triggers.toml [accident]", trig.get("accident", {}), "hostile"),
        aggregate_count=int(links.get("aggregate_count", 3)),
        running_total=_phrases(lw, links, "running_total"),
        domestic=_set(lw, links, "domestic"),
        statement_objects=_set(rw, rep, "statement_objects"),
        crowd_frames=frozenset(trig.get("crowd_clash", {}).get("frames", [])),
        crowd_cues=_set(f"lang/{code}/triggers.toml [crowd_clash]", trig.get("crowd_clash", {}), "cues"),
        crowd_coding=(
            _coding(f"lang/{code}/triggers.toml [crowd_clash]", trig["crowd_clash"]) if "crowd_clash" in trig else None
        ),
        hedge_phrases=_phrases(rw, rep, "hedge_phrases"),
    )
