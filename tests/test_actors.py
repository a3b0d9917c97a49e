"""Actor dictionary: canonical ACLED-style names from French and English phrases, country qualification,
ambiguous aliases, user files, validation errors, offsets, and a speed report."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veilleur import lang as langdata
from veilleur.errors import LanguageDataError
from veilleur.model import Actor
from veilleur.resolve.actors import KINDS, ActorDictionary, ActorMatch, fold, inter_code
from veilleur.settings import Settings

PMF = "Military Forces of Iraq Popular Mobilization Forces"
US = "Military Forces of the United States"


@pytest.fixture(scope="module")
def fr() -> ActorDictionary:
    return ActorDictionary.load(Settings(), "fr")


@pytest.fixture(scope="module")
def en() -> ActorDictionary:
    return ActorDictionary.load(Settings(), "en")


def names(d: ActorDictionary, text: str, country: str | None = None) -> list[str]:
    return [m.actor.name for m in d.find(text, country=country)]


def only(d: ActorDictionary, text: str, country: str | None = None) -> ActorMatch:
    found = d.find(text, country=country)
    assert len(found) == 1, [(m.actor.surface, m.actor.name) for m in found]
    return found[0]


# ------------------------------------------------------------------------------------- named actors


@pytest.mark.parametrize(
    ("surface", "expected"),
    [
        ("Hachd al-Chaabi", PMF),
        ("les Hachd al-Chaabi", PMF),
        ("Hashd al-Shaabi", PMF),
        ("al-Hashd al-Sha'bi", PMF),
        ("Unités de mobilisation populaire", PMF),
        ("PMU", PMF),
        ("PMF", PMF),
        ("Kataeb Hezbollah", "Kataib Hezbollah"),
        ("Kata'ib Hizballah", "Kataib Hezbollah"),
        ("Kata’ib Hizballah", "Kataib Hezbollah"),
        ("Asaïb Ahl al-Haq", "Asaib Ahl al Haq"),
        ("Harakat al-Nujaba", "Harakat Hezbollah al Nujaba"),
        ("Brigades Sayyed al-Chohada", "Kataib Sayyid al Shuhada"),
        ("Kataib Sayyid al-Shuhada", "Kataib Sayyid al Shuhada"),
        ("Alwiya al-Waad al-Haq", "Alwiya al Waad al Haq"),
        ("Résistance islamique en Irak", "Islamic Resistance in Iraq"),
        ("la Résistance irakienne", "Islamic Resistance in Iraq"),
        ("Hezbollah", "Hezbollah"),
        ("Hamas", "Hamas Movement"),
        ("les Houthis", "Military Forces of Yemen Houthi"),
        ("Ansar Allah", "Military Forces of Yemen Houthi"),
        ("les peshmergas", "Military Forces of Iraq Peshmerga"),
        ("YPG", "YPG: People's Protection Units"),
        ("HTS", "HTS: Hayat Tahrir al Sham"),
        ("Hayat Tahrir al-Cham", "HTS: Hayat Tahrir al Sham"),
        ("Armée nationale syrienne", "Syrian National Army"),
        ("le GSIM", "JNIM: Group for Support of Islam and Muslims"),
        ("JNIM", "JNIM: Group for Support of Islam and Muslims"),
        ("la katiba Macina", "Katiba Macina"),
        ("Ansar Dine", "Ansar Dine"),
        ("Al-Mourabitoune", "Al Mourabitoune Battalion"),
        ("Ansaroul Islam", "Ansaroul Islam"),
        ("AQMI", "AQIM: Al Qaeda in the Islamic Maghreb"),
        ("EIGS", "Islamic State (Greater Sahara)"),
        ("l'État islamique au Grand Sahara", "Islamic State (Greater Sahara)"),
        ("ISWAP", "Islamic State (West Africa)"),
        ("Boko Haram", "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad"),
        ("les shebab", "Al Shabaab"),
        ("les ADF", "ADF: Allied Democratic Forces"),
        ("le M23", "M23: March 23 Movement"),
        ("CODECO", "CODECO: Cooperative for Development of Congo"),
        ("FDLR", "FDLR: Democratic Forces for the Liberation of Rwanda"),
        ("les Maï-Maï", "Mai-Mai Militia"),
        ("l'UPC", "UPC: Union for Peace in the Central African Republic"),
        ("les 3R", "3R: Return, Reclamation, Rehabilitation"),
        ("l'ex-Séléka", "Seleka Militia"),
        ("les anti-balaka", "Anti-Balaka"),
        ("Dan Na Ambassagou", "Dan Na Ambassagou"),
        ("les Koglweogo", "Koglweogo Militia"),
        ("les VDP", "VDP: Volunteers for the Defense of the Homeland"),
        ("Volontaires pour la défense de la patrie", "VDP: Volunteers for the Defense of the Homeland"),
        ("chasseurs dozos", "Dozo Militia"),
        ("la CMA", "CMA: Coordination of Movements of the Azawad"),
        ("le GATIA", "GATIA: Imghad Tuareg and Allies Self-Defense Group"),
        ("le MSA", "MSA: Movement for Azawad Salvation"),
        ("le groupe Wagner", "Wagner Group"),
        ("Africa Corps", "Military Forces of Russia Africa Corps"),
        ("l'opération Barkhane", "Military Forces of France"),
        ("la force Barkhane", "Military Forces of France"),
        ("la Minusma", "MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali"),
        (
            "la Monusco",
            "MONUSCO: United Nations Organization Stabilization Mission in the Democratic Republic of Congo",
        ),
        ("EUTM", "EUTM: European Union Training Mission in Mali"),
        ("les FAMa", "Military Forces of Mali"),
        ("Tsahal", "Military Forces of Israel"),
        ("les Gardiens de la révolution", "Military Forces of Iran Islamic Revolutionary Guard Corps"),
        ("la Force Qods", "Military Forces of Iran Islamic Revolutionary Guard Corps Quds Force"),
        ("les FSR", "RSF: Rapid Support Forces"),
    ],
)
def test_french_named_actors(fr: ActorDictionary, surface: str, expected: str) -> None:
    assert only(fr, surface).actor.name == expected


@pytest.mark.parametrize(
    ("surface", "expected"),
    [
        ("Popular Mobilization Forces", PMF),
        ("Kata'ib Hizballah", "Kataib Hezbollah"),
        ("Islamic Resistance in Iraq", "Islamic Resistance in Iraq"),
        ("Houthi rebels", "Military Forces of Yemen Houthi"),
        ("Syrian Democratic Forces", "SDF: Syrian Democratic Forces"),
        ("al-Shabaab", "Al Shabaab"),
        ("suspected JNIM militants", "JNIM: Group for Support of Islam and Muslims"),
        ("ISGS militants", "Islamic State (Greater Sahara)"),
        ("Katiba Macina", "Katiba Macina"),
        ("AQIM", "AQIM: Al Qaeda in the Islamic Maghreb"),
        ("the Wagner Group", "Wagner Group"),
        ("Operation Barkhane", "Military Forces of France"),
        ("M23 rebels", "M23: March 23 Movement"),
        ("the US-led coalition", US),
        ("the Saudi-led coalition", "Operation Restoring Hope"),
    ],
)
def test_english_named_actors(en: ActorDictionary, surface: str, expected: str) -> None:
    assert only(en, surface).actor.name == expected


def test_kinds_and_countries(fr: ActorDictionary) -> None:
    assert only(fr, "Kataeb Hezbollah").actor == Actor(
        "Kataib Hezbollah", "Kataeb Hezbollah", "political_militia", "IQ"
    )
    assert only(fr, "les FAMa").actor.kind == "state"
    assert only(fr, "la Minusma").actor.kind == "external"
    assert only(fr, "Dan Na Ambassagou").actor.kind == "identity_militia"
    assert all(
        m.actor.kind in KINDS
        for m in fr.find("Daech, HTS, les FDS, la Minusma, Wagner, des civils", country="SY")
    )


# -------------------------------------------------------------------------------- qualification


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("IQ", "Islamic State (Iraq)"),
        ("SY", "Islamic State (Syria)"),
        ("NG", "Islamic State (West Africa)"),
        ("ML", "Islamic State (Greater Sahara)"),
        ("CD", "Islamic State (Central Africa)"),
        ("SO", "Islamic State (Somalia)"),
        ("AF", "Islamic State (Afghanistan)"),
        (None, "Islamic State"),
    ],
)
def test_islamic_state_is_named_by_the_event_country(
    fr: ActorDictionary, country: str | None, expected: str
) -> None:
    for surface in (
        "Daech",
        "l'EI",
        "l'État islamique",
        "ETAT ISLAMIQUE",
        "ISIS",
        "les takfiristes",
        "les daechistes",
    ):
        assert only(fr, surface, country).actor.name == expected
    assert only(fr, "Daech", country).actor.country == country


def test_regional_names_do_not_depend_on_the_country(fr: ActorDictionary, en: ActorDictionary) -> None:
    assert only(fr, "l'EIGS", "NG").actor.name == "Islamic State (Greater Sahara)"
    assert only(en, "ISWAP", "ML").actor.name == "Islamic State (West Africa)"
    assert only(en, "Islamic State (Iraq)").actor.name == "Islamic State (Iraq)"


def test_al_qaeda_in_the_sahel_is_jnim(fr: ActorDictionary) -> None:
    assert only(fr, "al-Qaïda", "ML").actor.name == "JNIM: Group for Support of Islam and Muslims"
    assert only(fr, "al-Qaïda", "YE").actor.name == "AQAP: Al Qaeda in the Arabian Peninsula"
    assert only(fr, "al-Qaïda").actor.name == "Al Qaeda"


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("BF", "Military Forces of Burkina Faso"),
        ("ML", "Military Forces of Mali"),
        ("NE", "Military Forces of Niger"),
        ("SY", "SDF: Syrian Democratic Forces"),
        ("IQ", "SDF: Syrian Democratic Forces"),
        (None, "SDF: Syrian Democratic Forces"),
    ],
)
def test_fds_is_resolved_by_the_event_country(
    fr: ActorDictionary, country: str | None, expected: str
) -> None:
    assert only(fr, "Les FDS ont repoussé l'attaque.", country).actor.name == expected


def test_other_shared_aliases(fr: ActorDictionary, en: ActorDictionary) -> None:
    assert only(en, "SNA forces", "SO").actor.name == "Military Forces of Somalia"
    assert only(en, "the SNA", "SY").actor.name == "Syrian National Army"
    assert only(en, "ADF fighters", "CM").actor.name == "Ambazonian Separatists"
    assert only(en, "ADF fighters", "CD").actor.name == "ADF: Allied Democratic Forces"
    assert only(fr, "les casques bleus", "ML").actor.name.startswith("MINUSMA")
    assert only(fr, "les casques bleus", "LB").actor.name.startswith("UNIFIL")
    assert only(fr, "la Coalition", "IQ").actor.name == "Global Coalition Against Daesh"
    assert only(fr, "la Coalition", "YE").actor.name == "Operation Restoring Hope"
    assert fr.find("une coalition gouvernementale", country="IQ") == []  # "=Coalition": capital C only
    assert only(fr, "la Résistance", "LB").actor.name == "Hezbollah"


# ------------------------------------------------------------------------------------- state forces


@pytest.mark.parametrize(
    ("surface", "expected"),
    [
        ("les forces américaines", US),
        ("l'armée américaine", US),
        ("l'armée US", US),
        ("les troupes US", US),
        ("des soldats américains", US),
        ("un raid américain", US),
        ("des drones américains", US),
        ("des militaires maliens", "Military Forces of Mali"),
        ("l'armée malienne", "Military Forces of Mali"),
        ("les forces armées maliennes", "Military Forces of Mali"),
        ("l'armée du Mali", "Military Forces of Mali"),
        ("la police irakienne", "Police Forces of Iraq"),
        ("la gendarmerie burkinabè", "Police Forces of Burkina Faso Gendarmerie"),
        ("l'armée israélienne", "Military Forces of Israel"),
        ("les forces d'occupation israéliennes", "Military Forces of Israel"),
        ("l'armée saoudienne", "Military Forces of Saudi Arabia"),
        ("des drones turcs", "Military Forces of Turkey"),
        ("des missiles iraniens", "Military Forces of Iran"),
        ("l'armée de l'air nigérienne", "Military Forces of Niger"),
        ("l'armée congolaise", "Military Forces of the Democratic Republic of Congo"),
        ("l'armée ivoirienne", "Military Forces of Ivory Coast"),
    ],
)
def test_french_state_forces(fr: ActorDictionary, surface: str, expected: str) -> None:
    assert only(fr, surface, "CD" if "congolaise" in surface else None).actor.name == expected


@pytest.mark.parametrize(
    ("surface", "expected"),
    [
        ("Israeli forces", "Military Forces of Israel"),
        ("Malian soldiers", "Military Forces of Mali"),
        ("the Burkinabe air force", "Military Forces of Burkina Faso"),
        ("Nigerien troops", "Military Forces of Niger"),
        ("US troops", US),
        ("U.S. forces", US),
        ("American soldiers", US),
        ("Iraq's army", "Military Forces of Iraq"),
        ("the Nigerian Army", "Military Forces of Nigeria"),
        ("Malian police", "Police Forces of Mali"),
        ("Turkish drones", "Military Forces of Turkey"),
        ("forces of Mali", "Military Forces of Mali"),
        ("French forces", "Military Forces of France"),
        ("Sudanese Armed Forces", "Military Forces of Sudan"),
    ],
)
def test_english_state_forces(en: ActorDictionary, surface: str, expected: str) -> None:
    assert only(en, surface).actor.name == expected


def test_coordinated_countries(fr: ActorDictionary, en: ActorDictionary) -> None:
    assert names(fr, "les forces irakiennes et américaines") == ["Military Forces of Iraq", US]
    assert names(en, "US and Iraqi forces") == [US, "Military Forces of Iraq"]


def test_a_bare_noun_names_the_forces_of_the_event_country(fr: ActorDictionary, en: ActorDictionary) -> None:
    assert only(fr, "l'armée a riposté", "ML").actor.name == "Military Forces of Mali"
    assert only(en, "the army said", "NG").actor.name == "Military Forces of Nigeria"
    assert fr.find("l'armée a riposté") == []  # no country: nothing to name
    assert only(fr, "les soldats de la Minusma", "ML").actor.name.startswith("MINUSMA")  # not Mali's soldiers
    assert only(fr, "les combattants de l'EI", "IQ").actor.name == "Islamic State (Iraq)"


def test_phrases_that_name_nobody_are_skipped(fr: ActorDictionary, en: ActorDictionary) -> None:
    assert fr.find("selon des sources militaires, l'opération militaire a échoué", country="ML") == []
    assert en.find("a military base and military sources", country="NG") == []
    assert only(fr, "une base militaire américaine", "IQ").actor.name == US
    assert only(en, "a Malian army vehicle").actor.name == "Military Forces of Mali"
    assert (
        only(fr, "la guerre civile a fait des morts parmi les civils", "SY").actor.name == "Civilians (Syria)"
    )


def test_noun_then_actor_name(fr: ActorDictionary) -> None:
    assert only(fr, "des combattants ADF", "CD").actor.name == "ADF: Allied Democratic Forces"
    assert only(fr, "les rebelles du M23").actor.surface == "rebelles du M23"
    dispersed = names(fr, "La police a dispersé les jeunes.", "BF")  # state forces do not make them civilians
    assert dispersed == ["Police Forces of Burkina Faso", "Protesters (Burkina Faso)"]


def test_lower_case_coalition_by_country(fr: ActorDictionary) -> None:
    assert only(fr, "des frappes de la coalition", "YE").actor.name == "Operation Restoring Hope"
    assert only(fr, "des frappes de la coalition", "SY").actor.name == "Global Coalition Against Daesh"


def test_state_forces_helper(fr: ActorDictionary) -> None:
    assert fr.state_forces("US") == Actor(US, None, "state", "US")
    assert fr.state_forces("ml").name == "Military Forces of Mali"
    assert fr.state_forces("CD", "police").name == "Police Forces of the Democratic Republic of Congo"
    assert fr.state_forces("CF").name == "Military Forces of the Central African Republic"
    assert fr.state_forces("BF", "police", "Gendarmerie").name == "Police Forces of Burkina Faso Gendarmerie"
    with pytest.raises(ValueError, match="branch"):
        fr.state_forces("ML", "navy")


def test_inter_codes(fr: ActorDictionary) -> None:
    us = only(fr, "les forces américaines").actor
    assert inter_code(us, "US") == 1 and inter_code(us, "IQ") == 8
    assert inter_code(fr.civilians("IQ")) == 7 and inter_code(fr.protesters(None)) == 6


# ------------------------------------------------------------------------------------ generic actors


def test_generic_helpers(fr: ActorDictionary) -> None:
    assert fr.unidentified("IQ") == Actor("Unidentified Armed Group (Iraq)", None, "political_militia", "IQ")
    assert fr.unidentified(None).name == "Unidentified Armed Group"
    assert fr.civilians("ML").name == "Civilians (Mali)"
    assert fr.protesters("CD").name == "Protesters (Democratic Republic of Congo)"
    assert fr.rioters("PS").name == "Rioters (Palestine)"
    assert fr.civilians("CI").name == "Civilians (Ivory Coast)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("des hommes armés non identifiés", "Unidentified Armed Group (Mali)"),
        ("des terroristes", "Unidentified Armed Group (Mali)"),
        ("des jihadistes", "Unidentified Armed Group (Mali)"),
        ("des assaillants", "Unidentified Armed Group (Mali)"),
        ("des HANI", "Unidentified Armed Group (Mali)"),
        ("des civils", "Civilians (Mali)"),
        ("trois villageois", "Civilians (Mali)"),
        ("des habitants", "Civilians (Mali)"),
        ("des manifestants", "Protesters (Mali)"),
        ("des émeutiers", "Rioters (Mali)"),
        ("une milice peule", "Fulani Ethnic Militia (Mali)"),
        ("des miliciens dogons", "Dogon Ethnic Militia (Mali)"),
        ("une milice d'autodéfense", "Unidentified Communal Militia (Mali)"),
    ],
)
def test_french_generic_actors(fr: ActorDictionary, text: str, expected: str) -> None:
    match = only(fr, text, "ML")
    assert match.actor.name == expected
    assert match.generic == (not expected.endswith("Ethnic Militia (Mali)"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("unidentified gunmen", "Unidentified Armed Group (Nigeria)"),
        ("suspected jihadists", "Unidentified Armed Group (Nigeria)"),
        ("armed men", "Unidentified Armed Group (Nigeria)"),
        ("civilians", "Civilians (Nigeria)"),
        ("a farmer", "Civilians (Nigeria)"),
        ("a trader", "Civilians (Nigeria)"),
        ("a teacher", "Civilians (Nigeria)"),
        ("protesters", "Protesters (Nigeria)"),
        ("rioters", "Rioters (Nigeria)"),
        ("Fulani militia", "Fulani Ethnic Militia (Nigeria)"),
        ("Fulani herdsmen", "Fulani Ethnic Militia (Nigeria)"),
        ("communal militia", "Unidentified Communal Militia (Nigeria)"),
    ],
)
def test_english_generic_actors(en: ActorDictionary, text: str, expected: str) -> None:
    assert only(en, text, "NG").actor.name == expected


def test_people_become_protesters_or_rioters_when_the_sentence_says_so(
    fr: ActorDictionary, en: ActorDictionary
) -> None:
    students = only(
        en, "On 30 December 2019, students in the Kabala area of Bamako staged a demonstration.", "ML"
    )
    assert students.actor.name == "Protesters (Mali)"
    assert [a.name for a in students.associated] == ["Students (Mali)"]
    assert only(en, "Women demonstrated against insecurity.", "ML").actor.name == "Protesters (Mali)"
    assert only(en, "Residents rioted and burned tyres.", "ML").actor.name == "Rioters (Mali)"
    assert only(fr, "Des étudiants ont manifesté à Bamako.", "ML").actor.name == "Protesters (Mali)"
    assert only(fr, "Des habitants ont manifesté.", "ML").actor.name == "Protesters (Mali)"
    assert only(en, "Youths ransacked a bar.", "ML").actor.name == "Rioters (Mali)"
    two = names(fr, "Des étudiants ont manifesté. Des habitants ont été tués!\nDes jeunes ont pillé", "ML")
    assert two == ["Protesters (Mali)", "Civilians (Mali)", "Rioters (Mali)"]  # cues stay in their sentence
    looted = en.find("Gunmen attacked the market and ransacked the shops of traders.", country="ML")
    assert [m.actor.name for m in looted] == ["Unidentified Armed Group (Mali)", "Civilians (Mali)"]
    assert only(fr, "Des villageois ont saccagé la mairie.", "ML").actor.name == "Rioters (Mali)"
    teacher = en.find("Gunmen killed a teacher. Students protested the next day.", country="ML")[1]
    assert teacher.actor.name == "Civilians (Mali)" and teacher.associated[0].name == "Teachers (Mali)"


def test_country_words_qualify_people_too(fr: ActorDictionary) -> None:
    assert only(fr, "des civils irakiens", "SY").actor.name == "Civilians (Iraq)"
    assert only(fr, "des éleveurs peuls", "BF").associated[0].name == "Fulani Ethnic Group (Burkina Faso)"
    assert only(fr, "des manifestants libanais").actor.name == "Protesters (Lebanon)"


# ----------------------------------------------------------------------------- matching mechanics


def test_offsets_point_at_the_text(fr: ActorDictionary) -> None:
    text = (
        "Début mai, une base américaine a été attaquée; l’armée américaine accuse le Hachd al-Chaabi "
        "et les Brigades Sayyed al-Chohada, tandis que Daech revendique."
    )
    found = fr.find(text, country="IQ")
    assert [text[m.start : m.end] for m in found] == [
        "armée américaine",
        "Hachd al-Chaabi",
        "Brigades Sayyed al-Chohada",
        "Daech",
    ]
    assert all(m.actor.surface == text[m.start : m.end] for m in found)


def test_accents_case_and_word_boundaries(fr: ActorDictionary, en: ActorDictionary) -> None:
    assert only(fr, "HACHD AL-CHAABI").actor.name == PMF
    assert only(fr, "etat islamique").actor.name == "Islamic State"
    assert fr.find("Hamasa et Daechistan et forcesaméricaines") == []
    assert en.find("This is what it is.") == []  # "IS" only in capitals
    assert only(en, "IS fighters").actor.name == "Islamic State"
    assert only(fr, "l'EIGS").actor.name == "Islamic State (Greater Sahara)"  # longest, not "EI"


def test_longest_match_wins(fr: ActorDictionary) -> None:
    assert only(fr, "l'État islamique en Afrique de l'Ouest").actor.name == "Islamic State (West Africa)"
    assert only(fr, "des hommes armés non identifiés").actor.surface == "hommes armés non identifiés"
    assert names(fr, "la coalition dirigée par les États-Unis") == [US]


ALIASES = [
    "Daech",
    "les FAMa",
    "l'armée malienne",
    "des civils",
    "Hachd al-Chaabi",
    "M23",
    "des hommes armés",
    "JNIM",
    "les forces américaines",
    "Kata'ib Hizballah",
]
FILLER = ["le", "et", "à", "Bamako", "mardi", "a", "attaqué", ",", ".", "’", "é", "-", "armée", "forces"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(ALIASES + FILLER), max_size=25), st.sampled_from([None, "ML", "IQ", "BF"]))
def test_matches_are_ordered_disjoint_and_exact(words: list[str], country: str | None) -> None:
    d = ActorDictionary.load(Settings(), "fr")
    text = " ".join(words)
    found = d.find(text, country=country)
    for a, b in zip(found, found[1:], strict=False):
        assert a.end <= b.start
    for m in found:
        assert 0 <= m.start < m.end <= len(text)
        assert m.actor.surface == text[m.start : m.end]
        assert m.actor.name
    assert len(found) >= sum(text.count(a) for a in ("Daech", "JNIM", "Hachd al-Chaabi"))


def test_fold_keeps_offsets() -> None:
    text = "Kata’ib Ḥizballāh, ÉTAT İslamique, Œuvre ß"
    assert len(fold(text)) == len(text)
    assert fold("État Islamique") == "etat islamique"


# ------------------------------------------------------------------------------------------ canonical


def test_canonical(fr: ActorDictionary, en: ActorDictionary) -> None:
    assert fr.canonical("Hachd al-Chaabi") == Actor(PMF, "Hachd al-Chaabi", "state", "IQ")
    assert fr.canonical("les FAMa").name == "Military Forces of Mali"  # type: ignore[union-attr]
    assert fr.canonical("l'armée malienne").name == "Military Forces of Mali"  # type: ignore[union-attr]
    assert fr.canonical("Daech", country="IQ").name == "Islamic State (Iraq)"  # type: ignore[union-attr]
    assert en.canonical("Islamic State (Iraq)").name == "Islamic State (Iraq)"  # type: ignore[union-attr]
    assert en.canonical("Civilians (Mali)") == Actor(
        "Civilians (Mali)", "Civilians (Mali)", "civilians", "ML"
    )
    assert en.canonical("Unidentified Armed Group").name == "Unidentified Armed Group"  # type: ignore[union-attr]
    forces = en.canonical("Military Forces of Mali (2013-2020)")
    assert forces is not None and (forces.name, forces.country) == ("Military Forces of Mali", "ML")
    assert en.canonical("Military Forces of the United States").country == "US"  # type: ignore[union-attr]
    assert en.canonical("the suspected JNIM militants").name.startswith("JNIM")  # type: ignore[union-attr]
    assert fr.canonical("un communiqué du ministère") is None
    assert fr.canonical("Daech et les FAMa") is None  # two different actors
    assert fr.canonical("") is None


# ------------------------------------------------------------------------------- countries.toml


def test_countries_toml_adds_country_words() -> None:
    data = langdata.load("fr")
    files = [
        (f"data/actors/{p.name}", __import__("tomllib").loads(p.read_text(encoding="utf-8")))
        for p in sorted((Path(__file__).parents[1] / "src/veilleur/data/actors").glob("*.toml"))
    ]
    countries = {"GH": {"names": ["Ghana"], "demonyms": ["ghanéen", "ghanéenne", "ghanéens", "ghanéennes"]}}
    d = ActorDictionary.from_data("fr", data.section("actors"), files, countries)
    assert only(d, "des soldats ghanéens").actor.name == "Military Forces of Ghana"
    assert only(d, "l'armée du Ghana").actor.name == "Military Forces of Ghana"


# ------------------------------------------------------------------------------------- user files


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_file_extends_the_dictionary(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "mine.toml",
        """
[[actor]]
name = "Katiba Ansar al-Test"
kind = "rebel"
country = "ML"
aliases = ["Ansar al-Test", "KAT"]

[[actor]]
name = "Military Forces of Iraq Popular Mobilization Forces"
aliases = ["Hachd chaabi irakien de test"]

[[actor]]
name = "Mes Forces Spéciales"
kind = "state"
country = "BF"
aliases = ["FDS"]

[country_names]
XK = "Kosovo (test)"
""",
    )
    d = ActorDictionary.load(Settings(user_actors=(path,)), "fr")
    assert only(d, "les combattants d'Ansar al-Test", "ML").actor == Actor(
        "Katiba Ansar al-Test", "combattants d'Ansar al-Test", "rebel", "ML"
    )
    assert only(d, "le KAT").actor.name == "Katiba Ansar al-Test"
    assert only(d, "Hachd chaabi irakien de test").actor.name == PMF  # alias added to a bundled actor
    assert only(d, "Hachd al-Chaabi").actor.name == PMF  # bundled aliases kept
    assert only(d, "les FDS", "BF").actor.name == "Mes Forces Spéciales"  # the user's entry wins the tie
    assert d.civilians("XK").name == "Civilians (Kosovo (test))"
    assert ActorDictionary.load(Settings(user_actors=(path,)), "fr") is d  # cached per files
    assert ActorDictionary.load(Settings(), "fr") is not d


def test_user_file_change_is_picked_up(tmp_path: Path) -> None:
    path = write(
        tmp_path, "mine.toml", '[[actor]]\nname = "Groupe Un"\nkind = "rebel"\naliases = ["Alpha Un"]\n'
    )
    first = ActorDictionary.load(Settings(user_actors=(path,)), "fr")
    path.write_text(
        '[[actor]]\nname = "Groupe Deux"\nkind = "rebel"\naliases = ["Alpha Un"]\n', encoding="utf-8"
    )
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert (
        only(ActorDictionary.load(Settings(user_actors=(path,)), "fr"), "Alpha Un").actor.name
        == "Groupe Deux"
    )
    assert only(first, "Alpha Un").actor.name == "Groupe Un"


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('[[actor]]\nname = "X"\nkind = "rebels"\naliases = ["x"]\n', "actor[0] (X).kind"),
        ('[[actor]]\nname = "X"\nkind = "rebel"\naliases = "x"\n', "actor[0] (X).aliases"),
        ('[[actor]]\nname = "X"\nkind = "rebel"\ncountry = "Mali"\n', "actor[0] (X).country"),
        ('[[actor]]\nname = "X"\nkind = "rebel"\nalias = ["x"]\n', "unknown key 'alias'"),
        ('[[actor]]\nkind = "rebel"\naliases = ["x"]\n', "actor[0]: needs 'name'"),
        ('[[actor]]\nname = "X"\nkind = "rebel"\nqualify = "X"\n', "actor[0] (X).qualify"),
        (
            '[[actor]]\nname = "X"\nkind = "rebel"\nby_country = { Mali = "X (Mali)" }\n',
            "actor[0] (X).by_country.Mali",
        ),
        ('[[actor]]\nname = "X"\nkind = "rebel"\n[[actor]]\nname = ""\nkind = "rebel"\n', "actor[1].name"),
        ('[actors]\nname = "X"\n', "unknown top-level key 'actors'"),
        ('[[actor]]\nname = "X"\nkind = rebel\n', "not valid TOML"),
    ],
)
def test_malformed_user_file_gives_one_line_error(tmp_path: Path, body: str, key: str) -> None:
    path = write(tmp_path, "bad.toml", body)
    with pytest.raises(LanguageDataError) as info:
        ActorDictionary.load(Settings(user_actors=(path,)), "fr")
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message and key in message and "[V200]" in message


def test_missing_user_file(tmp_path: Path) -> None:
    with pytest.raises(LanguageDataError, match="missing.toml"):
        ActorDictionary.load(Settings(user_actors=(tmp_path / "missing.toml",)), "fr")


def test_malformed_language_patterns() -> None:
    with pytest.raises(LanguageDataError, match=r"lang/xx/actors.toml: state.military.branch"):
        ActorDictionary.from_data("xx", {"state": {"military": {"branch": "navy", "words": ["armée"]}}}, [])
    with pytest.raises(LanguageDataError, match=r"demonyms.Mali"):
        ActorDictionary.from_data("xx", {"demonyms": {"Mali": ["malien"]}}, [])


# ------------------------------------------------------------------------------------------- speed


def test_speed_report(fr: ActorDictionary) -> None:
    """Not a gate: prints matches per second on a long text (about 1.3 MB)."""
    seed = next((Path(__file__).parents[2] / "shared" / "eval" / "seeds").glob("*.txt"), None)
    base = seed.read_text(encoding="utf-8") if seed else " ".join(ALIASES + FILLER) + ". "
    text = base * max(1, 1_300_000 // len(base))
    start = time.perf_counter()
    found = fr.find(text, country="IQ")
    elapsed = time.perf_counter() - start
    print(
        f"\nactors.find: {len(text) / 1e6:.1f} M chars, {len(found)} matches in {elapsed:.2f} s: "
        f"{len(found) / elapsed:,.0f} matches/s, {len(text) / elapsed / 1e6:.2f} M chars/s; {fr.stats()}"
    )
    assert found
