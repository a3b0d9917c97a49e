"""Numbers (digits and words, fr and en) and casualty tolls by ACLED's fatality rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veilleur.errors import LanguageDataError
from veilleur.lang import load
from veilleur.resolve.numbers import NumberGrammar, Quantity, Toll, find_tolls, parse_number, parse_quantity

# ----------------------------------------------------------------------------------------- parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3", 3),
        ("trois", 3),
        ("vingt-deux", 22),
        ("vingt et un", 21),
        ("soixante et onze", 71),
        ("soixante-dix-sept", 77),
        ("quatre-vingts", 80),
        ("quatre-vingt-dix-sept", 97),
        ("deux cents", 200),
        ("deux cent trente", 230),
        ("mille deux cents", 1200),
        ("septante-cinq", 75),
        ("1 200", 1200),
        ("1\u202f200", 1200),
        ("1.200", 1200),
        ("2,5 millions", 2_500_000),
        ("une dizaine", 10),
        ("deux dizaines", 20),
        ("une centaine", 100),
        ("des dizaines", 10),
        ("plusieurs centaines", 100),
        ("des milliers", 1000),
        ("au moins 5", 5),
        ("plus de 10", 10),
        ("5 à 7", 5),
        ("entre 5 et 7", 5),
        ("aucun", 0),
        ("un", 1),
        ("une", 1),
    ],
)
def test_parse_number_fr(text: str, value: int) -> None:
    assert parse_number(text, "fr") == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("two", 2),
        ("twenty-one", 21),
        ("twenty one", 21),
        ("one hundred and five", 105),
        ("nine hundred ninety-nine", 999),
        ("a dozen", 12),
        ("two dozen", 24),
        ("dozens", 12),
        ("tens", 10),
        ("hundreds", 100),
        ("a hundred", 100),
        ("1,200", 1200),
        ("1 200", 1200),
        ("2.5 million", 2_500_000),
        ("at least five", 5),
        ("more than 10", 10),
        ("5 to 7", 5),
        ("between 5 and 7", 5),
        ("a", 1),
    ],
)
def test_parse_number_en(text: str, value: int) -> None:
    assert parse_number(text, "en") == value


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("trois quatre", "fr"),
        ("three and four", "en"),
        ("soldats", "fr"),
        ("", "en"),
        ("dix dix", "fr"),
        ("twenty thirty", "en"),
    ],
)
def test_not_a_number(text: str, lang: str) -> None:
    assert parse_number(text, lang) is None


def test_qualifiers_are_kept() -> None:
    assert parse_quantity("au moins 5", "fr") == Quantity(5, "at_least")
    assert parse_quantity("plus de 10", "fr") == Quantity(10, "more_than")
    assert parse_quantity("5 à 7", "fr") == Quantity(5, "range", 7)
    assert parse_quantity("une dizaine", "fr") == Quantity(10, "about")
    assert parse_quantity("des dizaines", "fr") == Quantity(10, "vague")
    assert parse_quantity("several", "en") == Quantity(10, "vague")
    assert parse_quantity("environ 20", "fr") == Quantity(20, "about")
    assert parse_quantity("up to 20", "en") == Quantity(20, "up_to")


UNITS_FR = (
    "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize".split()
)
TENS_FR = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def french(n: int) -> str:
    """Traditional French spelling (with hyphens, "et un", "quatre-vingts", "deux cents")."""
    if n < 17:
        return UNITS_FR[n]
    if n < 20:
        return "dix-" + UNITS_FR[n - 10]
    if n < 70:
        t, u = divmod(n, 10)
        return TENS_FR[t] if u == 0 else f"{TENS_FR[t]} et un" if u == 1 else f"{TENS_FR[t]}-{UNITS_FR[u]}"
    if n < 80:
        return "soixante et onze" if n == 71 else "soixante-" + french(n - 60)
    if n < 100:
        return "quatre-vingts" if n == 80 else "quatre-vingt-" + french(n - 80)
    if n < 1000:
        h, r = divmod(n, 100)
        head = "cent" if h == 1 else f"{UNITS_FR[h]} cent" + ("s" if r == 0 else "")
        return head if r == 0 else f"{head} {french(r)}"
    t, r = divmod(n, 1000)
    head = "mille" if t == 1 else f"{french(t)} mille"
    return head if r == 0 else f"{head} {french(r)}"


UNITS_EN = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
TENS_EN = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def english(n: int, *, and_: bool = True) -> str:
    if n < 20:
        return UNITS_EN[n]
    if n < 100:
        t, u = divmod(n, 10)
        return TENS_EN[t] if u == 0 else f"{TENS_EN[t]}-{UNITS_EN[u]}"
    if n < 1000:
        h, r = divmod(n, 100)
        return f"{UNITS_EN[h]} hundred" + (
            "" if r == 0 else (" and " if and_ else " ") + english(r, and_=and_)
        )
    t, r = divmod(n, 1000)
    return f"{english(t)} thousand" + ("" if r == 0 else " " + english(r, and_=and_))


@settings(max_examples=500)
@given(n=st.integers(min_value=0, max_value=999_999))
def test_french_words_round_trip(n: int) -> None:
    assert parse_number(french(n), "fr") == n, french(n)


@settings(max_examples=500)
@given(n=st.integers(min_value=0, max_value=999_999), and_=st.booleans())
def test_english_words_round_trip(n: int, and_: bool) -> None:
    assert parse_number(english(n, and_=and_), "en") == n, english(n, and_=and_)


def test_all_words_0_to_100() -> None:
    for n in range(101):
        assert parse_number(french(n), "fr") == n, french(n)
        assert parse_number(english(n), "en") == n, english(n)
        assert parse_number(str(n), "fr") == n


@settings(max_examples=300)
@given(n=st.integers(min_value=0, max_value=10**9))
def test_digit_groups_round_trip(n: int) -> None:
    assert parse_number(f"{n:,}", "en") == n
    assert parse_number(f"{n:,}".replace(",", " "), "fr") == n
    assert parse_number(f"{n:,}".replace(",", "."), "fr") == n


# ----------------------------------------------------------------------------------------- tolls


def toll(text: str, lang: str) -> tuple[int | None, int | None, str | None]:
    found = find_tolls(text, lang)
    assert len(found) == 1, found
    t = found[0]
    assert text[t.span.start : t.span.end] == t.span.text
    return t.killed, t.wounded, t.qualifier


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("un soldat a été tué", (1, None, None)),
        ("deux soldats US ont été tués", (2, None, None)),
        ("5 à 7 morts", (5, None, "range")),
        ("au moins 5 morts", (5, None, "at_least")),
        ("plus de 10 morts", (10, None, "more_than")),
        ("une dizaine de morts", (10, None, "about")),
        ("des dizaines de morts", (10, None, "vague")),
        ("plusieurs morts", (10, None, "vague")),
        ("deux convois ont été attaqués sans faire de victimes", (0, 0, "none")),
        ("deux convois ont été attaqués sans faire de victime", (0, 0, "none")),
        ("l'attaque n'a fait aucune victime", (0, 0, "none")),
        ("l'attaque a fait 3 morts et 5 blessés", (3, 5, None)),
        ("20 blessés", (None, 20, None)),
        ("tuant trois soldats et en blessant cinq autres", (3, 5, None)),
        ("cette semaine un deuxième soldat US a été tué à bord d'un convoi", (1, None, None)),
        ("un kamikaze a tué 5 personnes", (5, None, None)),
        ("trois militaires et quatre civils ont été tués", (7, None, None)),
        ("au moins cinq personnes, dont deux enfants, ont été tuées", (5, None, "at_least")),
        ("aucun soldat n'a été tué", (0, None, None)),
        ("12 soldats ont perdu la vie", (12, None, None)),
        ("quatre civils ont péri", (4, None, None)),
        ("deux soldats d'une unité d'élite ont été tués", (2, None, None)),
    ],
)
def test_tolls_fr(text: str, expected: tuple[int | None, int | None, str | None]) -> None:
    assert toll(text, "fr") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("killed tens of suspected JNIM militants in the area of Didia", (10, None, "vague")),
        ("40 militants were killed and one captured", (40, None, None)),
        ("two women were killed and two children severely wounded by the explosion", (2, 2, None)),
        ("two Malian soldiers were killed and three wounded", (2, 3, None)),
        ("killed ten militants and destroyed motorbikes", (10, None, None)),
        ("three soldiers killed and others wounded", (3, None, None)),
        ("three militiamen, eight militants, and four civilian bystanders were killed", (15, None, None)),
        ("shot dead six members of the Dogon community", (6, None, None)),
        ("a Coranic school student was killed in the crossfire", (1, None, None)),
        ("one officer was killed and a soldier wounded", (1, 1, None)),
        ("two mass graves containing 24 corpses", (24, None, None)),
        ("no casualties reported", (0, 0, "none")),
        ("no fatalities", (0, None, "none")),
        ("no one was killed", (0, None, "none")),
        ("without causing any injuries or damages", (0, 0, "none")),
        ("a car bomb killed 5 people", (5, None, None)),
        ("killed at least five Dan Na Ambassagou militiamen", (5, None, "at_least")),
        ("dozens killed", (12, None, "vague")),
        ("at least five people, including two children, were killed", (5, None, "at_least")),
        ("between 5 and 7 people were killed", (5, None, "range")),
        ("more than 10 dead", (10, None, "more_than")),
        ("six Malian soldiers were wounded including two severely", (None, 6, None)),
    ],
)
def test_tolls_en(text: str, expected: tuple[int | None, int | None, str | None]) -> None:
    assert toll(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("deux hommes armés ont tué le maire", "fr"),
        ("two gunmen killed the mayor", "en"),
        ("plus de 100 fois et 3 millions de dollars", "fr"),
        ("2500 soldats resteraient sur place", "fr"),
        ("trois drones contre la capitale", "fr"),
        ("at least five ISGS militants including a commander captured", "en"),
    ],
)
def test_no_toll(text: str, lang: str) -> None:
    assert find_tolls(text, lang) == []


def test_wounded_are_not_fatalities() -> None:
    (t,) = find_tolls("six Malian soldiers were wounded by an IED", "en")
    assert t.killed is None and t.wounded == 6


def test_subset_after_the_toll_is_not_counted_again() -> None:
    found = find_tolls(
        "three people were killed including two soldiers and a civilian and three soldiers were wounded", "en"
    )
    assert [(t.killed, t.wounded) for t in found] == [(3, None), (None, 3)]


def test_numbers_in_dates_are_not_tolls() -> None:
    assert toll("Le 3 janvier 2020, 40 soldats ont été tués", "fr") == (40, None, None)
    assert toll("On 30 November 2019, three soldiers killed and others wounded", "en") == (3, None, None)
    assert toll("On November 30, 2019, 5 civilians were killed", "en") == (5, None, None)


def test_toll_spans() -> None:
    text = "Selon la source, deux soldats US ont été tués et trois blessés près de la base."
    (t,) = find_tolls(text, "fr")
    assert isinstance(t, Toll)
    assert t.span.text == "deux soldats US ont été tués et trois blessés"
    assert text[t.span.start : t.span.end] == t.span.text
    assert (t.killed, t.wounded) == (2, 3)


# ----------------------------------------------------------------------------------------- language data


def test_bad_numbers_data_names_file_and_key() -> None:
    data = load("fr").section("numbers")
    with pytest.raises(LanguageDataError) as info:
        NumberGrammar("fr", {**data, "cardinals": {**data["cardinals"], "deux": ["deux"]}})
    assert "lang/fr/numbers.toml" in str(info.value) and "[cardinals.deux]" in str(info.value)
    with pytest.raises(LanguageDataError) as info:
        NumberGrammar("fr", {**data, "qualifiers": {"roughly": ["environ"]}})
    assert "[qualifiers.roughly]" in str(info.value)
    with pytest.raises(LanguageDataError) as info:
        NumberGrammar("fr", {k: v for k, v in data.items() if k != "tolls"})
    assert "[tolls]" in str(info.value)
    with pytest.raises(LanguageDataError) as info:
        NumberGrammar("fr", {**data, "tolls": {**data["tolls"], "killed_after": [3]}})
    assert "[tolls.killed_after]" in str(info.value)
    assert NumberGrammar("fr", {**data, "tolls": {**data["tolls"], "killed_after": ["tués"]}})
