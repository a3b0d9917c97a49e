"""The detect stage on sentences written for these tests: what happened is told apart from threats, plans,
conditions, negations and running counts."""

from __future__ import annotations

import pytest

from veilleur.detect import find_triggers, load_lexicon, read_modality, scope_tokens, weapon_coding
from veilleur.errors import LanguageDataError
from veilleur.model import Claim, Modality

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def nlp():
    from veilleur.nlp import load_pipeline

    return load_pipeline("fr")


@pytest.fixture(scope="module")
def lex():
    return load_lexicon("fr")


def readings(nlp, lex, text):
    doc = nlp(text)
    out = []
    for sent in doc.sents:
        for hit in find_triggers(sent, lex):
            out.append((hit.text(sent).lower(), read_modality(sent, hit, lex), hit, sent))
    return out


def modality_of(nlp, lex, text, word):
    for trig, reading, _hit, _sent in readings(nlp, lex, text):
        if word in trig:
            return reading.modality
    raise AssertionError(f"no trigger '{word}' in {text!r}: {[r[0] for r in readings(nlp, lex, text)]}")


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("Mardi, un convoi de l'armée malienne a été attaqué près de Boni.", "attaqué", Modality.FACTUAL),
        (
            "Des hommes armés ont attaqué le poste de gendarmerie de Kaya dans la nuit.",
            "attaqué",
            Modality.FACTUAL,
        ),
        ("Le groupe a menacé d'attaquer les bases françaises.", "attaquer", Modality.HYPOTHETICAL),
        ("Les rebelles attaqueront la ville si l'armée ne se retire pas.", "attaqueront", Modality.FUTURE),
        ("S'ils attaquent le camp, la riposte sera terrible.", "attaquent", Modality.HYPOTHETICAL),
        (
            "Les convois ont été pris pour cible plus de cinquante fois cette année.",
            "pris pour cible",
            Modality.GENERIC,
        ),
        (
            "Les milices prennent régulièrement pour cible les camions de ravitaillement.",
            "prennent",
            Modality.GENERIC,
        ),
        ("Ils n'ont jamais attaqué la caserne.", "attaqué", Modality.NEGATED),
        (
            "La possibilité d'une attaque contre l'aéroport inquiète les diplomates.",
            "attaque",
            Modality.HYPOTHETICAL,
        ),
        ("Les soldats ont réussi à repousser les assaillants près de Djibo.", "repousser", Modality.FACTUAL),
        ("Les convois seraient visés à partir de janvier.", "visés", Modality.HYPOTHETICAL),
    ],
)
def test_modality(nlp, lex, text, word, expected):
    assert modality_of(nlp, lex, text, word) is expected


def test_past_conditional_is_a_hedged_fact(nlp, lex):
    (_, reading, _, _), *_ = [
        r for r in readings(nlp, lex, "Trois civils auraient été tués à Mora.") if "tués" in r[0]
    ]
    assert reading.modality is Modality.FACTUAL
    assert reading.claim is Claim.HEDGED


def test_claim_verb_marks_a_claim(nlp, lex):
    text = "Le groupe a revendiqué l'attaque au drone contre la base de Tessalit."
    hits = [r for r in readings(nlp, lex, text) if "attaque" in r[0]]
    assert hits and hits[0][1].claim is Claim.CLAIMED


@pytest.mark.parametrize(
    ("text", "word", "sub"),
    [
        (
            "Une bombe en bordure de route a visé une patrouille à Gao.",
            "visé",
            "Remote explosive/landmine/IED",
        ),
        ("Des roquettes ont frappé la base de Kidal.", "frappé", "Shelling/artillery/missile attack"),
        ("Un drone a frappé un véhicule près de Tombouctou.", "frappé", "Air/drone strike"),
    ],
)
def test_weapon_decides_sub_type(nlp, lex, text, word, sub):
    for trig, _reading, hit, sent in readings(nlp, lex, text):
        if word in trig:
            coding = weapon_coding(scope_tokens(sent, hit), lex, anchor=hit.head) or weapon_coding(
                list(sent), lex, anchor=hit.head
            )
            assert coding is not None and coding.sub_event_type == sub
            return
    raise AssertionError(f"no trigger '{word}'")


def test_every_frame_codes_to_the_acled_taxonomy(lex):
    from veilleur.detect.lexicon import EVENT_TYPES

    for frame in lex.frames:
        if frame.coding is not None:
            assert frame.coding.sub_event_type in EVENT_TYPES[frame.coding.event_type]
    assert sum(len(v) for v in EVENT_TYPES.values()) == 25


def test_bad_language_data_names_the_file(monkeypatch):
    from veilleur import lang
    from veilleur.detect import lexicon

    bad = lang.LanguageData(
        "xx",
        {
            "triggers": {
                "frames": {"x": {"event_type": "Battles", "sub_event_type": "Nope", "verbs": ["a"]}}
            },
            "modality": {},
            "reporting": {},
        },
    )
    monkeypatch.setattr(lang, "load", lambda code: bad)
    lexicon.load_lexicon.cache_clear()
    try:
        with pytest.raises(LanguageDataError, match=r"triggers.toml \[frames.x\]"):
            lexicon.load_lexicon("xx")
    finally:
        lexicon.load_lexicon.cache_clear()
