"""The ledger across articles: the pairwise rules (pure, hypothesis), the store's candidates and outlet
registry (real SQLite files), ingest wiring (a stand-in pipeline), and the shared evaluation data
(tests/test_ledger_eval.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veilleur.geo.spherical import haversine_km
from veilleur.merge.ledger import Ledger, compare, event_fatalities, is_background, join
from veilleur.model import Actor, Claim, DateValue, Document, Event, MergeReason, Place, Source, Span
from veilleur.settings import LedgerRules, Settings

RULES = LedgerRules()
D = dt.date


def place(
    name: str,
    lat: float,
    lon: float,
    *,
    precision: int = 1,
    admin1: str | None = "Mopti",
    admin2: str | None = None,
    country: str = "ML",
    population: int = 0,
) -> Place:
    return Place(
        name,
        lat,
        lon,
        country=country,
        country_name="Mali",
        admin1=admin1,
        admin2=admin2,
        geo_precision=precision,
        population=population,
    )


def event(
    eid: str,
    doc: str,
    *,
    where: Place | None,
    day: D | None,
    precision: int = 1,
    span: tuple[D, D] | None = None,
    sub: str = "Armed clash",
    etype: str = "Battles",
    actor1: str | None = None,
    actor2: str | None = None,
    killed: int | None = None,
    published: D | None = None,
    claim: Claim = Claim.REPORTED,
    outlet: str | None = None,
) -> Event:
    lo, hi = span if span else (None, None)
    return Event(
        id=eid,
        event_type=etype,
        sub_event_type=sub,
        date=DateValue(day, precision if day else None, lo, hi),
        actor1=Actor(actor1) if actor1 else None,
        actor2=Actor(actor2) if actor2 else None,
        place=where,
        fatalities=killed,
        notes=f"note of {doc}",
        sources=[
            Source(
                doc,
                published=published or day,
                outlet=outlet,
                claim=claim,
                fatalities=killed,
                evidence=[Span(0, 4, "text")],
            )
        ],
    )


SEVARE = place("Sévaré", 14.5333, -4.0963)
MOPTI = place("Mopti", 14.4843, -4.1827, population=120_000)


# ---------------------------------------------------------------- the pairwise rules


def test_two_outlets_in_two_languages_report_one_incident() -> None:
    fr = event(
        "a",
        "fr-1",
        where=SEVARE,
        day=D(2019, 6, 3),
        actor1="JNIM: Group for Support of Islam and Muslims",
        actor2="Military Forces of Mali (2021-)",
        killed=4,
    )
    en = event(
        "b",
        "en-1",
        where=SEVARE,
        day=D(2019, 6, 3),
        actor1="Unidentified Armed Group (Mali)",
        actor2="Military Forces of Mali (2016-2021)",
        killed=5,
        published=D(2019, 6, 5),
    )
    match = compare(fr, en, RULES)
    assert match is not None and match.rule == "same sub-type, same place, dates overlap"
    assert (match.km, match.days) == (0.0, 0)


def test_distinct_incidents_on_the_same_day_in_the_same_province_stay_apart() -> None:
    # two ACLED notes of the dev set: Dan Na Ambassagou burns Sankoro and Bidi, 5 km apart, the same day
    sankoro = event(
        "a",
        "n1",
        where=place("Sankoro", 14.30, -3.60),
        day=D(2019, 6, 30),
        sub="Looting/property destruction",
        etype="Strategic developments",
    )
    bidi = dataclasses.replace(sankoro, id="b", place=place("Bidi", 14.33, -3.57), sources=[Source("n2")])
    assert 3 < haversine_km(14.30, -3.60, 14.33, -3.57) < 20
    assert compare(sankoro, bidi, RULES) is None
    # the same village, but the next day: two events too (day-precise dates do not slide)
    next_day = dataclasses.replace(sankoro, id="c", date=DateValue(D(2019, 7, 1), 1), sources=[Source("n3")])
    assert compare(sankoro, next_day, RULES) is None


def test_places_same_name_nearby_city_and_admin_area() -> None:
    at = D(2019, 6, 3)
    rules = RULES
    assert compare(
        event("a", "1", where=MOPTI, day=at), event("b", "2", where=SEVARE, day=at), rules
    ).place_rule == ("inside city")
    area = place("Mopti region", 14.6, -3.0, precision=3)
    match = compare(event("a", "1", where=area, day=at), event("b", "2", where=SEVARE, day=at), rules)
    assert match is not None and match.place_rule == "inside area"
    other_area = dataclasses.replace(area, admin1="Segou")
    assert (
        compare(event("a", "1", where=other_area, day=at), event("b", "2", where=SEVARE, day=at), rules)
        is None
    )
    admin2 = dataclasses.replace(area, admin2="Djenne")
    assert (
        compare(
            event("a", "1", where=admin2, day=at),
            event("b", "2", where=dataclasses.replace(SEVARE, admin2="Mopti"), day=at),
            rules,
        )
        is None
    )
    abroad = dataclasses.replace(SEVARE, country="BF", latitude=14.56)
    assert (
        compare(event("a", "1", where=abroad, day=at), event("b", "2", where=SEVARE, day=at), rules) is None
    )


def test_dates_by_precision() -> None:
    a = event("a", "1", where=SEVARE, day=D(2019, 6, 3))
    week = event("b", "2", where=SEVARE, day=D(2019, 6, 5), precision=2, span=(D(2019, 6, 4), D(2019, 6, 6)))
    assert compare(a, week, RULES) is not None  # one day between the ranges, week precision allows one
    later = event("c", "3", where=SEVARE, day=D(2019, 6, 8), precision=2, span=(D(2019, 6, 7), D(2019, 6, 9)))
    assert compare(a, later, RULES) is None
    undated = event("d", "4", where=SEVARE, day=None)
    assert compare(a, undated, RULES) is None
    assert compare(a, undated, dataclasses.replace(RULES, merge_undated=True)) is not None
    # the strong rule: same place name, sub-type and a stated toll other than 0, one day apart
    k12 = event("e", "5", where=SEVARE, day=D(2019, 6, 3), killed=12)
    next12 = event("f", "6", where=SEVARE, day=D(2019, 6, 4), killed=12)
    assert compare(k12, next12, RULES).date_rule == "strong match"  # type: ignore[union-attr]
    zero, next_zero = (dataclasses.replace(e, fatalities=0) for e in (k12, next12))
    assert compare(zero, next_zero, RULES) is None


def test_actors_and_tolls() -> None:
    at = D(2019, 6, 3)
    jnim = event("a", "1", where=SEVARE, day=at, actor1="JNIM", actor2="Military Forces of Mali (2021-)")
    isgs = event("b", "2", where=SEVARE, day=at, actor1="Islamic State (Greater Sahara)")
    swapped = event(
        "c", "3", where=SEVARE, day=at, actor1="Military Forces of Mali (2016-2021)", actor2="JNIM"
    )
    assert compare(jnim, isgs, RULES) is None
    assert compare(jnim, swapped, RULES) is not None  # roles either way round, ACLED periods ignored
    assert (
        compare(jnim, event("d", "4", where=SEVARE, day=at, actor1="Unidentified Armed Group (Mali)"), RULES)
        is not None
    )
    two = dataclasses.replace(jnim, fatalities=2, sources=[Source("1", fatalities=2)])
    assert compare(two, event("e", "5", where=SEVARE, day=at, killed=40), RULES) is None
    assert compare(two, event("f", "6", where=SEVARE, day=at, killed=5), RULES) is not None


def test_types_compatible_and_background_mentions() -> None:
    airport = place("Baghdad International Airport", 33.2625, 44.2346, admin1="Baghdad", country="IQ")
    strike = event(
        "a",
        "2020-report",
        where=airport,
        day=D(2020, 1, 3),
        etype="Explosions/Remote violence",
        sub="Air/drone strike",
    )
    rockets = dataclasses.replace(
        strike, id="b", sub_event_type="Shelling/artillery/missile attack", sources=[Source("other")]
    )
    assert compare(strike, rockets, RULES).type_rule == "compatible sub-types"  # type: ignore[union-attr]
    # "l'assassinat du 3 janvier 2020 près de l'aéroport de Bagdad", told two years later
    near = dataclasses.replace(airport, geo_precision=2)
    mention = event(
        "c",
        "2022-article",
        where=near,
        day=D(2020, 1, 3),
        etype="Violence against civilians",
        sub="Attack",
        published=D(2022, 1, 3),
    )
    assert is_background(mention, RULES) and not is_background(strike, RULES)
    match = compare(strike, mention, RULES)
    assert match is not None and match.type_rule == "background mention"
    fresh = dataclasses.replace(mention, sources=[Source("x", published=D(2020, 1, 4))])
    assert compare(strike, fresh, RULES) is None  # a new report with another coding is another incident
    protest = dataclasses.replace(mention, event_type="Protests", sub_event_type="Peaceful protest")
    assert compare(strike, protest, RULES) is None


# ---------------------------------------------------------------- hypothesis: symmetry and limits

DAY0 = D(2020, 1, 1)
SUBS = ("Armed clash", "Attack", "Air/drone strike", "Peaceful protest")
TYPES = {
    "Armed clash": "Battles",
    "Attack": "Violence against civilians",
    "Air/drone strike": "Explosions/Remote violence",
    "Peaceful protest": "Protests",
}


@st.composite
def events(draw: st.DrawFn, doc: str) -> Event:
    lat = draw(st.floats(14.0, 14.6))
    lon = draw(st.floats(-4.2, -3.6))
    precision = draw(st.sampled_from([1, 1, 2, 3]))
    name = draw(st.sampled_from(["Sévaré", "Mopti", "Bandiagara", "Mopti region"]))
    spot = place(
        name,
        lat,
        lon,
        precision=draw(st.sampled_from([1, 2, 3])),
        admin1=draw(st.sampled_from(["Mopti", "Segou", None])),
        population=draw(st.sampled_from([0, 150_000])),
    )
    day = DAY0 + dt.timedelta(days=draw(st.integers(0, 12)))
    width = {1: 0, 2: 3, 3: 15}[precision]
    sub = draw(st.sampled_from(SUBS))
    actors = st.sampled_from(
        [None, "JNIM", "Military Forces of Mali (2021-)", "Unidentified Armed Group (Mali)"]
    )
    return event(
        f"ev-{doc}",
        doc,
        where=spot,
        day=draw(st.one_of(st.none(), st.just(day))),
        precision=precision,
        span=(day - dt.timedelta(days=width), day + dt.timedelta(days=width)),
        sub=sub,
        etype=TYPES[sub],
        actor1=draw(actors),
        actor2=draw(actors),
        killed=draw(st.one_of(st.none(), st.integers(0, 60))),
        published=day + dt.timedelta(days=draw(st.sampled_from([0, 1, 45]))),
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events("a"), events("b"))
def test_compare_is_symmetric(a: Event, b: Event) -> None:
    ab, ba = compare(a, b, RULES), compare(b, a, RULES)
    assert (ab is None) == (ba is None)
    if ab is not None and ba is not None:
        assert ab == ba


@settings(max_examples=300, deadline=None)
@given(events("a"), events("b"), st.floats(0.5, 5.0), st.integers(0, 400))
def test_no_merge_across_distant_places_or_dates(a: Event, b: Event, degrees: float, days: int) -> None:
    assert a.place is not None and b.place is not None
    far = dataclasses.replace(
        b,
        place=dataclasses.replace(
            b.place, latitude=a.place.latitude + degrees, admin1="Elsewhere", name="Elsewhere"
        ),
    )
    assert compare(a, far, RULES) is None  # more than 55 km away, another name, another admin area
    if a.date.date is not None and b.date.date is not None:
        shift = dt.timedelta(days=days + 40)  # well beyond every slack and the widest range
        late = dataclasses.replace(
            b,
            date=DateValue(
                b.date.date + shift,
                b.date.precision,
                (b.date.date_min or b.date.date) + shift,
                (b.date.date_max or b.date.date) + shift,
            ),
        )
        assert late.date.date_min is not None and (a.date.date_max or a.date.date) is not None
        if late.date.date_min > (a.date.date_max or a.date.date) + dt.timedelta(days=3):  # type: ignore[operator]
            assert compare(a, late, RULES) is None


# ---------------------------------------------------------------- joining: sources, sharpening, history


def test_join_sharpens_keeps_the_id_and_records_history() -> None:
    area = place("Mopti region", 14.6, -3.0, precision=3)
    first = event(
        "ev-1",
        "d1",
        where=area,
        day=D(2019, 6, 3),
        precision=2,
        span=(D(2019, 6, 1), D(2019, 6, 7)),
        actor1="Unidentified Armed Group (Mali)",
        killed=9,
        outlet="a.example",
    )
    second = event("ev-2", "d2", where=SEVARE, day=D(2019, 6, 3), actor1="JNIM", killed=7, outlet="b.example")
    match = compare(first, second, RULES)
    assert match is not None
    joined = join(first, second, match, Document("d2", "texte"), "2019-06-05T10:00:00Z", RULES)
    assert joined.id == "ev-1" and first.sources[-1].document_id == "d1"  # pure: the target is untouched
    assert [s.document_id for s in joined.sources] == ["d1", "d2"]
    assert joined.sources[1].merge == MergeReason(match.rule, match.km, match.days, "ev-2")
    assert joined.place == SEVARE and joined.date.precision == 1 and joined.fatalities == 7
    assert joined.actor1 is not None and joined.actor1.name == "JNIM"
    assert {c.field for c in joined.history} == {"place", "date", "actor1", "fatalities"}
    assert all(c.document_id == "d2" and c.at == "2019-06-05T10:00:00Z" for c in joined.history)
    change = next(c for c in joined.history if c.field == "fatalities")
    assert (change.old, change.new) == ("9", "7")
    assert [s.fatalities for s in joined.sources] == [9, 7]  # each source keeps its figure


def test_fatalities_follow_acled_lowest_figure_and_denials_give_none() -> None:
    assert event_fatalities([Source("a", fatalities=12), Source("b", fatalities=8), Source("c")]) == 8
    denial = Source("d", fatalities=0, claim=Claim.DENIED)
    assert event_fatalities([Source("a", fatalities=12), denial]) == 12
    assert event_fatalities([denial]) == 0
    assert event_fatalities([Source("a")]) is None


class ListStore:
    """The ledger's view of a store over a plain list (no SQL): every stored event is a candidate."""

    def __init__(self, stored: list[Event]) -> None:
        self.stored = stored

    def candidates(self, **_: object) -> list[Event]:
        return list(self.stored)


def test_one_event_per_document_and_best_pairs_first() -> None:
    # a stored article has two events at one base the same day: an IED and a drone strike
    base = place("Ain al-Asad Air Base", 33.80, 42.44, admin1="Al Anbar", country="IQ")
    ied = event(
        "ev-ied",
        "d1",
        where=base,
        day=D(2022, 1, 4),
        etype="Explosions/Remote violence",
        sub="Remote explosive/landmine/IED",
    )
    drone = dataclasses.replace(ied, id="ev-drone", sub_event_type="Air/drone strike")
    copy_drone = dataclasses.replace(drone, id="ev-c1", sources=[Source("d2")])
    copy_ied = dataclasses.replace(ied, id="ev-c2", sources=[Source("d2")])
    ledger = Ledger(ListStore([ied, drone]), RULES, now="2022-01-06T00:00:00Z")
    ((_, placed),) = ledger.place([(Document("d2", "t"), [copy_drone, copy_ied])])
    assert [e.id for e in placed] == ["ev-drone", "ev-ied"] and ledger.joined == 2
    # an admin-area report that fits two events equally well joins neither
    p1 = event("ev-p1", "d1", where=place("Sévaré", 14.53, -4.10), day=D(2019, 6, 3))
    p2 = event("ev-p2", "d1", where=place("Konna", 14.94, -3.89), day=D(2019, 6, 3))
    vague = event("ev-v", "d3", where=place("Mopti region", 14.6, -3.0, precision=3), day=D(2019, 6, 3))
    ((_, placed),) = Ledger(ListStore([p1, p2]), RULES).place([(Document("d3", "t"), [vague])])
    assert [e.id for e in placed] == ["ev-v"]
    # ... and a document's event never joins an event that document already reports
    ((_, placed),) = Ledger(ListStore([p1]), RULES).place(
        [(Document("d1", "t"), [dataclasses.replace(p1, id="x")])]
    )
    assert [e.id for e in placed] == ["x"]


def test_disabled_rules_keep_every_event() -> None:
    a = event("ev-a", "d1", where=SEVARE, day=D(2019, 6, 3))
    b = dataclasses.replace(a, id="ev-b", sources=[Source("d2")])
    out = Ledger(ListStore([a]), dataclasses.replace(RULES, enabled=False)).place(
        [(Document("d2", "t"), [b])]
    )
    assert [e.id for e in out[0][1]] == ["ev-b"]


# ---------------------------------------------------------------- rules as data


def test_rules_from_toml_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        'nearby_km = 5\nday_slack = [0, 2, 5]\ncompatible_sub_types = [["Attack", "Armed clash"]]\n'
        "enabled = true\n",
        encoding="utf-8",
    )
    rules = LedgerRules.from_toml(path)
    assert rules.nearby_km == 5.0 and rules.day_slack == (0, 2, 5)
    assert rules.compatible_sub_types == (("Attack", "Armed clash"),) and rules.city_km == RULES.city_km
    monkeypatch.setenv("VEILLEUR_LEDGER_RULES", str(path))
    assert Settings.from_env().ledger == rules
    for text, message in [
        ("nearby = 1\n", "unknown ledger rule"),
        ("nearby_km = -1\n", ">= 0"),
        ("day_slack = [1]\n", "three whole numbers"),
        ("enabled = 1\n", "true or false"),
        ("city_population = 1.5\n", "whole number"),
        ("nearby_km = [\n", "not valid TOML"),
    ]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError, match=message):
            LedgerRules.from_toml(path)
    with pytest.raises(ValueError, match="cannot read"):
        LedgerRules.from_toml(tmp_path / "missing.toml")
