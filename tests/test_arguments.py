"""The French pipeline end to end on short reports written for these tests (not the evaluation articles):
type and sub-type, place, date, actors, toll, source and claim of each event, and what is not an event."""

from __future__ import annotations

import datetime as dt

import pytest

from veilleur.model import Claim, Document, Event
from veilleur.pipeline import Pipeline
from veilleur.settings import Settings


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return Pipeline(Settings())


def events_of(pipeline: Pipeline, text: str, published: str | None = "2023-03-12") -> list[Event]:
    doc = Document(
        id="t", text=text, language="fr", published=dt.date.fromisoformat(published) if published else None
    )
    ((_, events),) = list(pipeline.process([doc]))
    return events


def only(events: list[Event]) -> Event:
    assert len(events) == 1, [(e.sub_event_type, e.place.name if e.place else None) for e in events]
    return events[0]


def test_attack_on_a_village_is_violence_against_civilians(pipeline: Pipeline) -> None:
    e = only(
        events_of(
            pipeline,
            "Au moins 15 civils ont été tués samedi dans l'attaque de leur village par des "
            "hommes armés non identifiés près de Bankass, dans le centre du Mali.",
        )
    )
    assert (e.event_type, e.sub_event_type) == ("Violence against civilians", "Attack")
    assert e.place is not None and e.place.name == "Bankass" and e.place.country == "ML"
    assert e.place.geo_precision == 2  # "près de"
    assert e.date.date == dt.date(2023, 3, 11)
    assert e.fatalities == 15
    assert e.actor1 is not None and e.actor1.name.startswith("Unidentified Armed Group")
    assert e.actor2 is not None and e.actor2.name == "Civilians (Mali)"


def test_roadside_bomb_with_a_source_and_no_victims(pipeline: Pipeline) -> None:
    e = only(
        events_of(
            pipeline,
            "Une bombe artisanale a explosé lundi au passage d'un convoi militaire près de "
            "Ramadi, sans faire de victimes, selon une source sécuritaire irakienne.",
            published="2022-03-15",
        )
    )
    assert e.sub_event_type == "Remote explosive/landmine/IED"
    assert e.fatalities == 0
    assert e.date.date == dt.date(2022, 3, 14)
    assert e.sources[0].reporting_source and "source sécuritaire" in e.sources[0].reporting_source


def test_claimed_drone_strike(pipeline: Pipeline) -> None:
    e = only(
        events_of(
            pipeline,
            "Le 22 janvier, Kataëb Hezbollah a revendiqué une attaque au drone contre "
            "la base aérienne d'Aïn al-Asad, dans l'ouest de l'Irak.",
            published="2021-01-28",
        )
    )
    assert e.sub_event_type == "Air/drone strike"
    assert e.place is not None and "Asad" in e.place.name
    assert e.date.date == dt.date(2021, 1, 22)
    assert e.sources[0].claim is Claim.CLAIMED
    assert e.actor1 is not None and "Hezbollah" in e.actor1.name


def test_state_forces_and_country_doers(pipeline: Pipeline) -> None:
    e = only(
        events_of(
            pipeline,
            "L'armée israélienne a mené lundi des frappes aériennes contre des positions "
            "du Hezbollah près de Naqoura, dans le sud du Liban.",
            published="2023-05-30",
        )
    )
    assert e.sub_event_type == "Air/drone strike"
    assert e.actor1 is not None and e.actor1.name == "Military Forces of Israel"
    assert e.place is not None and e.place.country == "LB"


def test_distance_and_bearing_from_a_town(pipeline: Pipeline) -> None:
    e = only(
        events_of(
            pipeline,
            "De violents affrontements ont opposé mardi l'armée congolaise aux rebelles du "
            "M23 à une vingtaine de kilomètres au nord de Goma.",
            published="2022-11-09",
        )
    )
    assert (e.event_type, e.sub_event_type) == ("Battles", "Armed clash")
    assert e.place is not None and e.place.latitude > -1.68  # north of Goma (-1.68)
    assert e.place.geo_precision == 2


def test_two_towns_named_together_are_two_events(pipeline: Pipeline) -> None:
    events = events_of(
        pipeline,
        "Mardi, deux convois ont été attaqués à Samarra et à Baaqouba, sans faire de victimes.",
        published="2021-12-15",
    )
    assert sorted(e.place.name for e in events if e.place) == ["Baqubah", "Samarra"]


def test_a_road_between_two_towns_is_one_event(pipeline: Pipeline) -> None:
    events = events_of(
        pipeline,
        "Cinq soldats ont été tués vendredi dans l'explosion d'une mine au passage de "
        "leur véhicule entre Djibo et Namssiguia, a indiqué l'état-major.",
        published="2022-10-24",
    )
    assert len(events) == 1 and events[0].fatalities == 5


def test_one_incident_told_twice_is_one_event_with_both_sentences(pipeline: Pipeline) -> None:
    events = events_of(
        pipeline,
        "Des rebelles ont attaqué jeudi une position de l'armée à Bossangoa. "
        "Deux soldats ont été tués lors de cette attaque, selon une source militaire.",
        published="2022-09-03",
    )
    e = only(events)
    assert e.fatalities == 2
    assert len(e.sources[0].evidence) == 2


@pytest.mark.parametrize(
    "text",
    [
        "Le groupe a menacé de frapper les bases américaines si les troupes ne partaient pas.",
        "Les convois de la coalition sont pris pour cible plusieurs fois par semaine dans le sud de l'Irak.",
        "Le ministre a promis de nouvelles frappes contre les terroristes dans la région de Mopti.",
        "Aucune attaque n'a été signalée à Gao depuis un mois.",
        "Des hélicoptères américains patrouillent sans arrêt au-dessus de la base d'Aïn al-Asad.",
        "Les jihadistes avaient déjà attaqué la ville de Kaya il y a des années.",
    ],
)
def test_not_events(pipeline: Pipeline, text: str) -> None:
    assert events_of(pipeline, text) == []


def test_no_place_no_event(pipeline: Pipeline) -> None:
    """Veilleur never puts an event on a country's centre."""
    assert events_of(pipeline, "Trois soldats ont été tués dimanche dans une embuscade au Mali.") == []


def test_weekday_fixes_the_year_without_a_publication_date(pipeline: Pipeline) -> None:
    e = only(
        events_of(
            pipeline,
            "Des sources locales ont fait état mardi 4 janvier d'une frappe au drone contre "
            "la base d'Aïn al-Asad.",
            published=None,
        )
    )
    assert e.date.date == dt.date(2022, 1, 4)


@pytest.mark.parametrize(
    ("text", "coding"),
    [
        (
            "Des centaines d'étudiants ont manifesté lundi à Ouagadougou contre la vie chère, avant de se disperser "
            "dans le calme.",
            ("Protests", "Peaceful protest"),
        ),
        (
            "Des centaines d'étudiants ont manifesté lundi à Ouagadougou. La police les a dispersés à coups de gaz "
            "lacrymogène.",
            ("Protests", "Protest with intervention"),
        ),
        (
            "Des centaines de jeunes ont manifesté lundi à Ouagadougou et ont saccagé des bâtiments publics.",
            ("Riots", "Violent demonstration"),
        ),
    ],
)
def test_protest_outcomes(pipeline: Pipeline, text: str, coding: tuple[str, str]) -> None:
    e = only(events_of(pipeline, text))
    assert (e.event_type, e.sub_event_type) == coding
    assert e.place is not None and e.place.country == "BF"


def test_a_dateline_is_not_the_incident_and_a_claim_joins_it(pipeline: Pipeline) -> None:
    events = events_of(
        pipeline,
        "Bamako, 14 mars (AFP) - Au moins vingt soldats maliens ont été tués lors d'une attaque jihadiste contre "
        "leur camp de Dioura, dans le centre du Mali, a annoncé l'armée dimanche.\n"
        "L'attaque a été revendiquée par le Groupe de soutien à l'islam et aux musulmans (GSIM), principale "
        "alliance jihadiste du Sahel, selon une agence mauritanienne.",
        published="2019-03-17",
    )
    e = only(events)
    assert e.place is not None and e.place.name == "Dioura"  # not Bamako (dateline), not the Sahel (description)
    assert e.fatalities == 20
    assert e.actor1 is not None and e.actor1.name.startswith("JNIM")
    assert len(e.sources[0].evidence) == 2


def test_a_conditional_the_tagger_misses_is_not_a_fact(pipeline: Pipeline) -> None:
    assert events_of(pipeline, "Le groupe a affirmé qu'il riposterait contre la base de Tessalit.") == []


def test_a_country_adjective_on_the_doer_names_its_forces(pipeline: Pipeline) -> None:
    e = only(events_of(pipeline, "Des avions de guerre russes ont bombardé mardi des positions rebelles près de "
                                 "Jisr al-Choghour, a indiqué une source militaire.", published="2021-03-10"))
    assert e.actor1 is not None and e.actor1.name == "Military Forces of Russia"


# ---------------------------------------------------------------- issue 10: reading real reporting


def test_a_later_mention_of_the_incident_joins_it(pipeline: Pipeline) -> None:
    """ "l'attaque", "cette attaque" with no date or toll of their own name the incident already told."""
    e = only(
        events_of(
            pipeline,
            "Des hommes armés ont attaqué samedi un poste de police à Kidal, tuant trois policiers. "
            "L'attaque de Kidal a suscité la colère des habitants. Le gouverneur a condamné cette attaque "
            "depuis Bamako.",
        )
    )
    assert e.place is not None and e.place.name == "Kidal"
    assert len(e.sources[0].evidence) == 3


def test_a_reference_to_a_past_incident_elsewhere_is_no_event(pipeline: Pipeline) -> None:
    events = events_of(
        pipeline,
        "Trois soldats ont été tués samedi dans une embuscade près de Gao. "
        "Les enquêteurs rapprochent cette embuscade de l'attentat de Bamako.",
    )
    assert [e.place.name for e in events if e.place] == ["Gao"]


def test_an_explosion_put_down_to_gas_is_not_political_violence(pipeline: Pipeline) -> None:
    assert events_of(
        pipeline,
        "Une explosion a détruit dimanche un immeuble de Mopti, faisant deux morts. "
        "Selon les pompiers, l'explosion est due à une fuite de gaz.",
    ) == []
    # the same wording with a bomb named in the article is an attack
    assert events_of(
        pipeline,
        "Une explosion a détruit dimanche un immeuble de Mopti, faisant deux morts. "
        "Selon les pompiers, une bombe avait été posée près de la conduite de gaz.",
    )


def test_a_count_of_attacks_and_a_question_are_not_incidents(pipeline: Pipeline) -> None:
    assert events_of(pipeline, "Les chercheurs recensent 51 attaques commises au Mali, dont 17 à Mopti.") == []
    assert events_of(pipeline, "Les jihadistes préparaient-ils une attaque contre la base de Gao ?") == []


def test_rockets_that_fall_are_an_attack_and_wounded_only_is_no_dead(pipeline: Pipeline) -> None:
    e = only(
        events_of(pipeline, "Deux roquettes sont tombées mardi près de la base de Kidal, blessant quatre soldats.")
    )
    assert e.sub_event_type == "Shelling/artillery/missile attack"
    assert e.fatalities == 0
    # something else that falls is nothing
    assert events_of(pipeline, "Des pluies torrentielles sont tombées mardi sur Kidal.") == []


def test_a_denial_article_records_the_incident_with_its_denier(pipeline: Pipeline) -> None:
    e = only(
        events_of(
            pipeline,
            "Une frappe aérienne a tué six civils lundi près de Tessalit, selon des élus locaux. "
            "L'armée a démenti mardi toute implication dans cette frappe.",
        )
    )
    assert e.sources[0].claim is Claim.DENIED
    assert e.sources[0].reporting_source is not None and "armée" in e.sources[0].reporting_source


def test_a_group_that_says_it_did_it_claims_it_and_is_actor1(pipeline: Pipeline) -> None:
    e = only(
        events_of(
            pipeline,
            "Dans un communiqué, le JNIM affirme avoir attaqué dimanche un camp de l'armée près de Boni.",
        )
    )
    assert e.sources[0].claim is Claim.CLAIMED
    assert e.actor1 is not None and e.actor1.name.startswith("JNIM")


def test_no_claim_is_no_claim_and_unconfirmed_sources_hedge(pipeline: Pipeline) -> None:
    e = only(
        events_of(pipeline, "Une bombe a tué deux soldats lundi à Ménaka. Aucun groupe n'a revendiqué l'attentat.")
    )
    assert e.sources[0].claim is Claim.REPORTED
    e = only(events_of(pipeline, "Selon des sources non confirmées, deux soldats ont été tués lundi à Ménaka."))
    assert e.sources[0].claim is Claim.HEDGED


def test_clashes_with_protesters_are_a_riot(pipeline: Pipeline) -> None:
    e = only(events_of(pipeline, "Des heurts ont éclaté vendredi entre des manifestants et la police à Bamako."))
    assert (e.event_type, e.sub_event_type) == ("Riots", "Violent demonstration")
    e = only(events_of(pipeline, "Des heurts ont éclaté vendredi entre l'armée et des jihadistes près de Gao."))
    assert e.sub_event_type == "Armed clash"


def test_a_toll_in_the_next_sentence_is_the_incidents_and_a_running_total_is_not(pipeline: Pipeline) -> None:
    e = only(
        events_of(
            pipeline,
            "Des hommes armés ont attaqué mardi un poste de l'armée près de Boni. Le bilan s'élève à neuf morts, "
            "selon une source sécuritaire.",
        )
    )
    assert e.fatalities == 9
    e = only(
        events_of(
            pipeline,
            "Des hommes armés ont attaqué mardi un poste de l'armée près de Boni. Depuis janvier, le bilan s'élève "
            "à plus de 300 morts dans la région.",
        )
    )
    assert e.fatalities is None


def test_a_custody_abduction_and_a_postponed_talk_are_not_events(pipeline: Pipeline) -> None:
    assert events_of(pipeline, "Un enfant de 8 ans a été enlevé par son père jeudi dans un foyer de Mopti.") == []
    assert events_of(pipeline, "L'ouverture du dialogue prévue lundi à Bamako a été repoussée.") == []
    e = only(events_of(pipeline, "Des hommes armés ont enlevé jeudi six enseignants près de Mopti."))
    assert e.sub_event_type == "Abduction/forced disappearance"
