"""Date grammar: finding expressions (fr, en) and resolving them to ACLED dates with a precision."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veilleur.errors import LanguageDataError, UnsupportedLanguageError
from veilleur.lang import load
from veilleur.model import DateValue
from veilleur.resolve.dates import MONTHS, PARTS, PERIODS, UNITS, WEEKDAYS, DateExpression, DateGrammar

D = dt.date
TODAY = D(2026, 11, 23)


@pytest.fixture(scope="module")
def fr() -> DateGrammar:
    return DateGrammar.for_language("fr")


@pytest.fixture(scope="module")
def en() -> DateGrammar:
    return DateGrammar.for_language("en")


def grammar(code: str) -> DateGrammar:
    return DateGrammar.for_language(code)


def only(g: DateGrammar, text: str) -> DateExpression:
    found = g.find(text)
    assert len(found) == 1, [e.span.text for e in found]
    return found[0]


def resolve(
    code: str,
    text: str,
    published: D | None,
    *,
    today: D = TODAY,
    anchor: D | None = None,
    whole: bool = True,
) -> DateValue:
    """Resolve the one expression in text, which must cover the whole text unless whole=False."""
    g = grammar(code)
    expr = only(g, text)
    assert not whole or expr.span.text == text, f"found {expr.span.text!r} in {text!r}"
    return g.resolve(expr, published, today=today, anchor=anchor)


def day(value: DateValue) -> tuple[D | None, int | None]:
    return value.date, value.precision


# ----------------------------------------------------------------------------- examples from articles


def test_weekday_day_month_with_publication_date() -> None:
    v = resolve("fr", "mardi 4 janvier", D(2022, 1, 5))
    assert day(v) == (D(2022, 1, 4), 1)
    assert (v.date_min, v.date_max, v.note) == (D(2022, 1, 4), D(2022, 1, 4), None)


def test_weekday_fixes_the_year_without_publication_date() -> None:
    v = resolve("fr", "mardi 4 janvier", None, today=D(2026, 11, 23))
    assert day(v) == (D(2022, 1, 4), 1)
    assert v.note and "inferred from the weekday" in v.note


def test_ce_mardi_and_lundi_matin(fr: DateGrammar) -> None:
    text = "Car si ce mardi deux convois ont été attaqués; une source a révélé lundi matin 13 décembre que"
    found = fr.find(text)
    assert [e.span.text for e in found] == ["ce mardi", "lundi matin 13 décembre"]
    values = [fr.resolve(e, D(2021, 12, 14)) for e in found]
    assert [day(v) for v in values] == [(D(2021, 12, 14), 1), (D(2021, 12, 13), 1)]
    assert found[1].part == "morning"


def test_debut_and_mi_mai_and_il_y_a_deux_mois() -> None:
    p = D(2021, 6, 15)
    v = resolve("fr", "Début mai", p)
    assert (v.date_min, v.date_max, v.precision) == (D(2021, 5, 1), D(2021, 5, 10), 2)
    assert v.date == D(2021, 5, 5)
    v = resolve("fr", "mi-mai", p)
    assert (v.date_min, v.date_max, v.precision) == (D(2021, 5, 11), D(2021, 5, 20), 2)
    assert resolve("fr", "la mi-mai", p, whole=False).date_min == D(2021, 5, 11)
    v = resolve("fr", "Il y a deux mois", p)
    assert v.precision == 3 and v.date == D(2021, 4, 15)
    assert v.date_min is not None and v.date_max is not None and v.date_min < v.date < v.date_max


def test_weekday_conflict_keeps_the_date_with_a_note() -> None:
    v = resolve("fr", "mercredi 5 novembre", D(2020, 11, 5))
    assert day(v) == (D(2020, 11, 5), 1)
    assert v.note == "weekday mercredi does not match 2020-11-05 (Thursday)"
    v = resolve("fr", "le mercredi 5 novembre 2020", D(2021, 3, 1), whole=False)
    assert v.date == D(2020, 11, 5) and v.note and "Thursday" in v.note


def test_article_of_2021_01_28(fr: DateGrammar) -> None:
    p = D(2021, 1, 28)
    text = (
        "le double attentat-kamikaze à Bagdad du 19 janvier aurait débouché sur un coup. Le 26 janvier, "
        "une 8ème attaque a visé un convoi. Pire, cette semaine un deuxième soldat US a été tué. le 22 "
        "janvier, le groupe revendiquait le tir de trois drones."
    )
    got = [(e.span.text, fr.resolve(e, p)) for e in fr.find(text)]
    assert [(t, v.date) for t, v in got] == [
        ("19 janvier", D(2021, 1, 19)),
        ("26 janvier", D(2021, 1, 26)),
        ("cette semaine", D(2021, 1, 26)),
        ("22 janvier", D(2021, 1, 22)),
    ]
    week = got[2][1]
    assert (week.date_min, week.date_max, week.precision) == (D(2021, 1, 25), D(2021, 1, 28), 2)


def test_full_date_with_year() -> None:
    assert day(resolve("fr", "le 3 janvier 2020", D(2020, 11, 5), whole=False)) == (D(2020, 1, 3), 1)
    assert day(resolve("fr", "3 janvier 2020", None)) == (D(2020, 1, 3), 1)


# --------------------------------------------------------------------------------------------- French


@pytest.mark.parametrize(
    ("text", "published", "expected", "precision"),
    [
        ("le 1er mars", D(2021, 3, 5), D(2021, 3, 1), 1),
        ("le premier mars", D(2021, 3, 5), D(2021, 3, 1), 1),
        ("3/1/2020", None, D(2020, 1, 3), 1),
        ("30/12/2019", None, D(2019, 12, 30), 1),
        ("2019-12-30", None, D(2019, 12, 30), 1),
        ("hier", D(2021, 12, 14), D(2021, 12, 13), 1),
        ("avant-hier", D(2021, 12, 14), D(2021, 12, 12), 1),
        ("aujourd'hui", D(2021, 12, 14), D(2021, 12, 14), 1),
        ("aujourd’hui", D(2021, 12, 14), D(2021, 12, 14), 1),
        ("ce matin", D(2021, 12, 14), D(2021, 12, 14), 1),
        ("hier soir", D(2021, 12, 14), D(2021, 12, 13), 1),
        ("il y a trois jours", D(2021, 12, 14), D(2021, 12, 11), 1),
        ("il y a une semaine", D(2021, 12, 14), D(2021, 12, 7), 2),
        ("mardi dernier", D(2021, 12, 14), D(2021, 12, 7), 1),  # P is a Tuesday: strictly before
        ("mardi", D(2021, 12, 14), D(2021, 12, 14), 1),
        ("mercredi", D(2021, 12, 14), D(2021, 12, 8), 1),
        ("samedi 11", D(2021, 12, 14), D(2021, 12, 11), 1),
        ("début décembre", D(2021, 12, 14), D(2021, 12, 5), 2),
        ("fin décembre", D(2022, 1, 5), D(2021, 12, 26), 2),
        ("en mai", D(2021, 12, 14), D(2021, 5, 16), 3),
        ("courant mai", D(2021, 12, 14), D(2021, 5, 16), 3),
        ("au mois de mai 2019", None, D(2019, 5, 16), 3),
        ("le mois dernier", D(2021, 12, 14), D(2021, 11, 15), 3),
        ("la semaine dernière", D(2020, 11, 5), D(2020, 10, 29), 2),
        ("le week-end dernier", D(2021, 12, 14), D(2021, 12, 11), 2),
        ("fin 2020", None, D(2020, 11, 15), 3),
        ("début du mois", D(2021, 12, 14), D(2021, 12, 5), 2),
    ],
)
def test_french(text: str, published: D | None, expected: D, precision: int) -> None:
    v = resolve("fr", text, published, whole=False)
    assert day(v) == (expected, precision), v
    assert v.date_min is not None and v.date_max is not None and v.date_min <= v.date <= v.date_max  # type: ignore[operator]


def test_nights_are_the_first_day() -> None:
    v = resolve("fr", "dans la nuit de samedi à dimanche", D(2021, 12, 13))  # a Monday
    assert (v.date, v.precision, v.date_min, v.date_max) == (
        D(2021, 12, 11),
        1,
        D(2021, 12, 11),
        D(2021, 12, 12),
    )
    v = resolve("fr", "dans la nuit du 3 au 4 janvier", D(2022, 1, 5))
    assert (v.date, v.precision, v.date_max) == (D(2022, 1, 3), 1, D(2022, 1, 4))
    v = resolve("fr", "cette nuit", D(2021, 12, 14))
    assert (v.date, v.date_max) == (D(2021, 12, 13), D(2021, 12, 14))
    v = resolve("en", "on the night of 12 to 13 June", D(2019, 6, 14))
    assert (v.date, v.precision) == (D(2019, 6, 12), 1)


def test_ranges() -> None:
    v = resolve("fr", "du 3 au 5 mai 2019", None)
    assert (v.date, v.precision, v.date_min, v.date_max) == (D(2019, 5, 4), 2, D(2019, 5, 3), D(2019, 5, 5))
    v = resolve("fr", "entre le 28 décembre et le 2 janvier", D(2022, 1, 5))
    assert (v.date_min, v.date_max, v.precision) == (D(2021, 12, 28), D(2022, 1, 2), 2)
    v = resolve("en", "between 3 and 5 May 2019", None)
    assert (v.date_min, v.date_max, v.precision) == (D(2019, 5, 3), D(2019, 5, 5), 2)
    v = resolve("fr", "du 1er au 25 mai 2019", None)
    assert v.precision == 3


def test_vague_expressions_have_no_date() -> None:
    for text, published in [
        ("en 2021", D(2021, 12, 14)),
        ("l'an dernier", D(2021, 12, 14)),
        ("depuis des mois", D(2021, 12, 14)),
        ("il y a deux ans", D(2021, 12, 14)),
    ]:
        v = resolve("fr", text, published)
        assert v.date is None and v.precision is None and v.note, text
    assert "too vague" in (resolve("fr", "en 2021", None).note or "")


def test_unknown_year_and_relative_without_publication_date() -> None:
    v = resolve("fr", "le 26 janvier", None, whole=False)
    assert v.date is None and v.note and "year unknown" in v.note
    v = resolve("fr", "hier", None)
    assert v.date is None and v.note and "publication date" in v.note


def test_anchored_needs_the_anchor() -> None:
    assert resolve("fr", "la veille", D(2021, 1, 28)).date is None
    assert resolve("fr", "la veille", D(2021, 1, 28), anchor=D(2021, 1, 20)).date == D(2021, 1, 19)
    assert resolve("fr", "le lendemain matin", None, anchor=D(2021, 1, 20)).date == D(2021, 1, 21)
    assert resolve("en", "Two days later", None, anchor=D(2019, 1, 7)).date == D(2019, 1, 9)


def test_since_qualifier(fr: DateGrammar) -> None:
    expr = only(fr, "Depuis l'assassinat le 3 janvier 2020, dans un raid")
    assert expr.qualifier is None  # "depuis" is not right before the date
    expr = only(fr, "ils attaquent depuis le 3 janvier 2020")
    assert expr.qualifier == "since"
    v = fr.resolve(expr, D(2021, 1, 1))
    assert v.date == D(2020, 1, 3) and v.note and "since" in v.note


def test_future_expressions_are_marked(fr: DateGrammar) -> None:
    expr = only(fr, "mardi prochain")
    assert expr.future
    assert fr.resolve(expr, D(2021, 12, 14)).date == D(2021, 12, 21)


# -------------------------------------------------------------------------------------------- English


@pytest.mark.parametrize(
    ("text", "published", "expected", "precision"),
    [
        ("On 30 December 2019", None, D(2019, 12, 30), 1),
        ("30 December 2019", None, D(2019, 12, 30), 1),
        ("27 December", D(2019, 12, 28), D(2019, 12, 27), 1),
        ("November 15 2019", None, D(2019, 11, 15), 1),
        ("November 9, 2019", None, D(2019, 11, 9), 1),
        ("October 28", D(2019, 10, 29), D(2019, 10, 28), 1),
        ("Tuesday", D(2019, 12, 31), D(2019, 12, 31), 1),
        ("Tuesday night", D(2020, 1, 2), D(2019, 12, 31), 1),
        ("last Tuesday", D(2019, 12, 31), D(2019, 12, 24), 1),
        ("yesterday", D(2019, 12, 31), D(2019, 12, 30), 1),
        ("last week", D(2019, 12, 31), D(2019, 12, 26), 2),
        ("early May", D(2019, 6, 1), D(2019, 5, 5), 2),
        ("mid-May", D(2019, 6, 1), D(2019, 5, 15), 2),
        ("end of March", D(2019, 6, 1), D(2019, 3, 26), 2),
        ("in May 2019", None, D(2019, 5, 16), 3),
        ("3 days ago", D(2019, 12, 31), D(2019, 12, 28), 1),
        ("2019-12-30", None, D(2019, 12, 30), 1),
        ("30/12/2019", None, D(2019, 12, 30), 1),
        ("the 4th of January 2022", None, D(2022, 1, 4), 1),
        ("last night", D(2019, 12, 31), D(2019, 12, 30), 1),
        ("over the weekend", D(2019, 12, 30), D(2019, 12, 28), 2),
    ],
)
def test_english(text: str, published: D | None, expected: D, precision: int) -> None:
    v = resolve("en", text, published, whole=False)
    assert day(v) == (expected, precision), v


def test_on_tuesday_span(en: DateGrammar) -> None:
    expr = only(en, "On Tuesday, gunmen attacked the village.")
    assert expr.span.text == "Tuesday" and expr.kind == "weekday"


def test_english_month_names_are_case_sensitive(en: DateGrammar) -> None:
    assert en.find("the army may 3 times a day march 5 km") == []
    assert [e.span.text for e in en.find("On May 3, protesters march")] == ["May 3"]


# --------------------------------------------------------------------------------------------- find()


def test_offsets_and_order(fr: DateGrammar) -> None:
    text = "Début mai, une base a été attaquée; par la suite la mi-mai le ciel. Il y a deux mois, le général"
    found = fr.find(text)
    assert [e.span.text for e in found] == ["Début mai", "mi-mai", "Il y a deux mois"]
    for e in found:
        assert text[e.span.start : e.span.end] == e.span.text
    starts = [e.span.start for e in found]
    assert starts == sorted(starts)
    assert all(a.span.end <= b.span.start for a, b in zip(found, found[1:], strict=False))


def test_longest_match_wins(fr: DateGrammar) -> None:
    assert [e.span.text for e in fr.find("dans la nuit du 3 au 4 janvier")] == [
        "dans la nuit du 3 au 4 janvier"
    ]
    assert [e.span.text for e in fr.find("le mardi 4 janvier 2022")] == ["mardi 4 janvier 2022"]


def test_no_date_in_numbers_and_times(fr: DateGrammar) -> None:
    assert fr.find("2500 soldats resteraient; 24 soldats; 700 km; 3 millions de dollars") == []
    assert [e.span.text for e in fr.find("samedi 12h30")] == ["samedi"]
    assert fr.find("x30 décembre") == [] or fr.find("x30 décembre")[0].span.start > 0


def test_word_boundaries(fr: DateGrammar) -> None:
    assert fr.find("Semainier, maintenant, mardiste") == []


def test_find_on_a_long_text(fr: DateGrammar) -> None:
    """Every expression of a long text is found (speed is measured by the benchmarks, not asserted here)."""
    sentence = (
        "Selon une source, un convoi logistique a été pris pour cible mardi 4 janvier près de la base. "
    )
    filler = "Les forces américaines ont renforcé leurs mesures de sécurité autour de la base aérienne. "
    text = (sentence + filler * 9) * 200  # about 180 kB
    found = fr.find(text)
    assert len(found) == 200
    assert {text[e.span.start:e.span.end] for e in found} == {"mardi 4 janvier"}


# -------------------------------------------------------------------------------------- language data


FR_DATA = load("fr").section("dates")


def build(**changes: object) -> DateGrammar:
    data = {**FR_DATA, **changes}
    return DateGrammar("fr", data)


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"months": {k: v for k, v in FR_DATA["months"].items() if k != "may"}}, "months"),
        ({"weekdays": {**FR_DATA["weekdays"], "funday": ["fundi"]}}, "weekdays.funday"),
        ({"patterns": [{"kind": "absolute", "regex": "{day} {moon}"}]}, "patterns[0].regex"),
        ({"patterns": [{"kind": "absolute", "regex": "{day} ({month}"}]}, "patterns[0].regex"),
        ({"patterns": [{"kind": "someday", "regex": "{day} {month}"}]}, "patterns[0].kind"),
        (
            {"patterns": [{"kind": "period", "regex": "{month}", "set": {"period": "soon"}}]},
            "patterns[0].set.period",
        ),
        ({"patterns": [{"kind": "period", "regex": "(?:{month})?"}]}, "patterns[0].regex"),
        ({"patterns": []}, "patterns"),
        ({"months": {**FR_DATA["months"], "may": [""]}}, "months.may"),
        (
            {"relative_days": {"yesterday": {"offset": "-1", "words": ["hier"]}}},
            "relative_days.yesterday.offset",
        ),
    ],
)
def test_bad_language_data_names_file_and_key(changes: dict[str, object], key: str) -> None:
    with pytest.raises(LanguageDataError) as info:
        build(**changes)
    message = str(info.value)
    assert "lang/fr/dates.toml" in message and f"[{key}]" in message, message


def test_unknown_language() -> None:
    with pytest.raises(UnsupportedLanguageError):
        DateGrammar.for_language("xx")


def _code_strings(path: Path) -> list[str]:
    """String constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]


def test_no_language_words_in_code() -> None:
    """The code reads the words from the data: no French word of the data appears in a code string."""
    root = Path(__file__).resolve().parents[1] / "src" / "veilleur" / "resolve"
    words: set[str] = set()
    for section in ("dates", "numbers"):
        data = load("fr").section(section)
        stack: list[object] = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                stack.extend(node.values())
            elif isinstance(node, list):  # lists hold the words; plain strings are concept keys or regexes
                stack.extend(n for n in node if not isinstance(n, str))
                words.update(n for n in node if isinstance(n, str) and len(n) >= 4 and n.isalpha())
    words -= set(MONTHS + WEEKDAYS + PARTS + PERIODS + UNITS)  # concept keys ("weekend" is also French)
    for name in ("dates.py", "dates_resolve.py", "dates_data.py", "numbers.py"):
        for s in _code_strings(root / name):
            for w in words:
                assert w not in s.lower().split(), f"{name}: French word {w!r} in code string {s!r}"


# ----------------------------------------------------------------------------------------- properties


def _words(code: str, table: str, key: str) -> str:
    value = load(code).section("dates")[table][key]
    return value[0] if isinstance(value, list) else value


def render(code: str, d: D, *, weekday: bool = True) -> str:
    month = _words(code, "months", MONTHS[d.month - 1])
    wd = _words(code, "weekdays", WEEKDAYS[d.weekday()]) + " " if weekday else ""
    return f"{wd}{d.day} {month}"


window = st.integers(min_value=0, max_value=300)
published_dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2035, 12, 31))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(p=published_dates, back=window, code=st.sampled_from(["fr", "en"]))
def test_weekday_day_month_round_trip(p: D, back: int, code: str) -> None:
    d = p - dt.timedelta(days=back)
    text = render(code, d)
    v = resolve(code, text, p)
    assert day(v) == (d, 1), text
    assert v.note is None


@settings(max_examples=300)
@given(d=st.dates(min_value=D(1900, 3, 1), max_value=TODAY), code=st.sampled_from(["fr", "en"]))
def test_year_from_weekday_matches_the_calendar(d: D, code: str) -> None:
    v = resolve(code, render(code, d), None, today=TODAY)
    assert v.date is not None and v.precision == 1
    assert (v.date.month, v.date.day, v.date.weekday()) == (d.month, d.day, d.weekday())
    assert d <= v.date <= TODAY  # the most recent such year, never in the future
    for year in range(v.date.year + 1, TODAY.year + 1):
        try:
            later = D(year, d.month, d.day)
        except ValueError:
            continue
        assert later > TODAY or later.weekday() != d.weekday()


PAST_FR = [
    "hier",
    "avant-hier",
    "aujourd'hui",
    "ce matin",
    "cette nuit",
    "hier soir",
    "mardi",
    "ce mardi",
    "mardi dernier",
    "lundi matin",
    "dans la nuit de samedi à dimanche",
    "la semaine dernière",
    "cette semaine",
    "le week-end dernier",
    "ce week-end",
    "le mois dernier",
    "ce mois-ci",
    "il y a trois jours",
    "il y a deux semaines",
    "il y a deux mois",
    "il y a quelques jours",
    "depuis trois jours",
    "ces derniers jours",
    "au début du mois",
    "à la fin du mois",
    "en fin de semaine",
    "début mai",
    "mi-mai",
    "fin mai",
    "en mai",
    "courant décembre",
    "le 26 janvier",
    "lundi 13 décembre",
    "samedi 12",
    "le 31 décembre",
    "dans la nuit du 3 au 4 janvier",
    "du 3 au 5 mai",
]
PAST_EN = [
    "yesterday",
    "today",
    "this morning",
    "last night",
    "Tuesday",
    "last Tuesday",
    "this Tuesday",
    "Tuesday night",
    "last week",
    "this week",
    "earlier this week",
    "over the weekend",
    "last month",
    "3 days ago",
    "two weeks ago",
    "a few days ago",
    "over the past three days",
    "early May",
    "mid-May",
    "end of March",
    "in May",
    "27 December",
    "October 28",
    "between 3 and 5 May",
    "on the night of 12 to 13 June",
    "Saturday the 12th",
]


@settings(max_examples=400)
@given(
    case=st.sampled_from([("fr", t) for t in PAST_FR] + [("en", t) for t in PAST_EN]),
    p=published_dates,
)
def test_past_expressions_never_after_publication(case: tuple[str, str], p: D) -> None:
    code, text = case
    v = resolve(code, text, p, whole=False)
    if v.date is None:
        assert v.precision is None and v.note
        return
    assert v.date <= p + dt.timedelta(days=3), (text, p, v)
    assert v.date_min is not None and v.date_max is not None
    assert v.date_min <= v.date <= v.date_max
    assert v.precision in (1, 2, 3)
    if v.precision == 2:
        assert (v.date_max - v.date_min).days <= 10
    if v.precision == 3:
        assert (v.date_max - v.date_min).days <= 62


@settings(max_examples=300)
@given(
    a=st.dates(min_value=D(2000, 1, 1), max_value=D(2030, 12, 31)),
    length=st.integers(min_value=0, max_value=80),
    code=st.sampled_from(["fr", "en"]),
)
def test_ranges_contain_the_reported_date(a: D, length: int, code: str) -> None:
    b = a + dt.timedelta(days=length)
    m1 = _words(code, "months", MONTHS[a.month - 1])
    m2 = _words(code, "months", MONTHS[b.month - 1])
    if code == "fr":
        text = f"du {a.day} {m1} {a.year} au {b.day} {m2} {b.year}"
    else:
        text = f"between {a.day} {m1} {a.year} and {b.day} {m2} {b.year}"
    v = resolve(code, text, None)
    if length > 62:
        assert v.date is None
        return
    assert v.date_min == a and v.date_max == b
    assert v.date is not None and a <= v.date <= b
    assert v.precision == (1 if length == 0 else 2 if length <= 10 else 3)
