"""The store's reads for the analyst's desk: filters, counts, map points, aggregates, full-text search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veilleur.errors import StoreError
from veilleur.store import SQLiteStore, Store, open_store
from veilleur.store.analyst import STAT_DIMENSIONS, fts_query
from veilleur.store.base import EventQuery
from web_helpers import XSS_DOC_ID, build_small_ledger


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("analyst") / "ledger.db"
    build_small_ledger(path)
    with open_store(path) as opened:
        yield opened


def ids(store: Store, **filters: object) -> set[str]:
    return {e.id for e in store.find_events(EventQuery(**filters))}  # type: ignore[arg-type]


def test_the_sqlite_store_still_implements_the_protocol(store: Store) -> None:
    assert isinstance(store, SQLiteStore) and isinstance(store, Store)


def test_no_filter_finds_everything_in_date_order_undated_last(store: Store) -> None:
    events = store.find_events(EventQuery())
    assert len(events) == store.count_events(EventQuery()) == 9
    assert events[0].id == "ev-feb" and events[-1].id == "ev-vague"
    newest = store.find_events(EventQuery(), newest_first=True)
    assert newest[0].id == "ev-samarra" and newest[-1].id == "ev-vague"  # undated last either way
    assert [e.id for e in store.find_events(EventQuery(), limit=2, offset=1)] == [e.id for e in events[1:3]]


@pytest.mark.parametrize("newest_first", [True, False])
def test_pages_are_slices_of_the_whole_order(store: Store, newest_first: bool) -> None:
    whole = [e.id for e in store.find_events(EventQuery(), newest_first=newest_first)]
    for limit in (1, 2, 4, 20):
        for offset in range(0, 11):
            page = store.find_events(EventQuery(), limit=limit, offset=offset, newest_first=newest_first)
            assert [e.id for e in page] == whole[offset : offset + limit], (limit, offset)
    battles = [e.id for e in store.find_events(EventQuery(event_types=("Battles",)), newest_first=newest_first)]
    assert battles[-1] == "ev-vague"  # undated last either way


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"date_from": dt.date(2024, 3, 20), "date_to": dt.date(2024, 3, 21)}, {"ev-ouaga", "ev-djibo"}),
        ({"event_types": ("Protests", "Strategic developments")}, {"ev-ouaga", "ev-feb"}),
        ({"sub_event_types": ("Attack",)}, {"ev-samarra"}),
        ({"countries": ("bf",)}, {"ev-ouaga", "ev-djibo"}),
        ({"countries": ("iraq", "BF")}, {"ev-ouaga", "ev-djibo", "ev-asad", "ev-samarra"}),
        ({"admin1": ("gao",)}, {"ev-tessit", "ev-hostile"}),
        ({"actors": ("jnim",)}, {"ev-boni", "ev-feb"}),
        ({"actors": ("Dozo militia",)}, {"ev-djibo"}),  # an associated actor
        ({"actors": ("Unidentified Armed Group (Burkina Faso)",)}, {"ev-djibo"}),  # actor2
        ({"outlets": ("gulf wire",)}, {"ev-asad", "ev-samarra"}),
        ({"claims": ("claimed", "hedged")}, {"ev-samarra", "ev-vague"}),
        ({"document_id": "doc-mali"}, {"ev-boni", "ev-tessit"}),
        ({"bbox": (-3.0, 12.0, 0.0, 16.0)}, {"ev-boni", "ev-ouaga", "ev-djibo", "ev-feb"}),
        ({"text": "drone"}, {"ev-boni", "ev-tessit", "ev-asad", "ev-samarra"}),  # the articles that say it
        ({"text": "frappe drone"}, {"ev-boni", "ev-tessit"}),  # every word
        ({"text": '"hommes armés"'}, {"ev-ouaga", "ev-djibo", "ev-hostile"}),  # a phrase
        ({"text": "manif*"}, {"ev-ouaga", "ev-djibo"}),  # a prefix
        ({"text": "defile"}, {"ev-ouaga", "ev-djibo"}),  # accents folded
        (
            {"countries": ("ML",), "event_types": ("Battles",), "claims": ("reported",)},
            {"ev-boni", "ev-hostile"},
        ),
    ],
)
def test_filters(store: Store, filters: dict[str, object], expected: set[str]) -> None:
    assert ids(store, **filters) == expected
    assert store.count_events(EventQuery(**filters)) == len(expected)  # type: ignore[arg-type]


def test_a_bad_bbox_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError):
        store.find_events(EventQuery(bbox=(10.0, 0.0, 0.0, 5.0)))


def test_points_leave_out_events_without_a_point(store: Store) -> None:
    points = store.event_points(EventQuery())
    assert {p.id for p in points} == ids(store) - {"ev-vague"}
    assert points[0].id == "ev-samarra"  # newest first
    assert len(store.event_points(EventQuery(), limit=3)) == 3


def test_stats_by_type_and_by_week_split_by_type(store: Store) -> None:
    by_type = {r.key: (r.events, r.fatalities) for r in store.event_stats(EventQuery(), "event_type")}
    assert by_type == {
        "Battles": (5, 10),  # 5 + 2 + 0 + 3; the hedged one has no toll
        "Explosions/Remote violence": (2, None),
        "Protests": (1, None),
        "Strategic developments": (1, None),
    }
    weeks = store.event_stats(EventQuery(), "week", split="event_type")
    assert [(r.key, r.split, r.events) for r in weeks if r.key == "2024-W12"] == [
        ("2024-W12", "Battles", 4),
        ("2024-W12", "Explosions/Remote violence", 2),
        ("2024-W12", "Protests", 1),
    ]
    assert weeks[-1].key is None  # undated last


def test_stats_by_actor_count_each_event_once_and_keep_the_top(store: Store) -> None:
    rows = store.event_stats(EventQuery(), "actor", limit=2)
    assert [(r.key, r.events) for r in rows] == [("JNIM", 2), ("Military Forces of Mali", 2)]
    assert sum(r.fatalities or 0 for r in store.event_stats(EventQuery(), "claim")) == 10


@pytest.mark.parametrize("by", STAT_DIMENSIONS)
def test_every_dimension_counts_every_event_at_least_once(store: Store, by: str) -> None:
    rows = store.event_stats(EventQuery(), by, split="event_type")
    assert sum(r.events for r in rows) >= 9 - (1 if by in ("actor",) else 0)


def test_an_unknown_dimension_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="unknown stat dimension"):
        store.event_stats(EventQuery(), "events; DROP TABLE events")


def test_document_search_gives_snippets_as_text_pieces(store: Store) -> None:
    hits, total = store.search_documents("drone")
    assert total == 2 and {h.id for h in hits} == {"doc-mali", "doc-iraq"}
    for hit in hits:
        assert any(match and text.lower() == "drone" for text, match in hit.snippet)
    hostile, n = store.search_documents("onerror")
    assert n == 1 and hostile[0].id == XSS_DOC_ID
    assert "<script>" in "".join(text for text, _ in hostile[0].snippet)  # text, never interpreted
    newest, everything = store.search_documents(None, limit=2)
    assert everything == 5 and newest[0].id == "doc-iraq"


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("drone", '"drone"'),
        ("frappe  drone", '"frappe" "drone"'),
        ('"hommes armés" Djibo', '"hommes armés" "Djibo"'),
        ("manif*", '"manif"*'),
        ("NOT OR AND NEAR(", '"NOT" "OR" "AND" "NEAR("'),
        ('say "hi', '"say" "hi"'),
        ("*** ---", None),
        ("", None),
    ],
)
def test_fts_query_quotes_what_users_type(typed: str, query: str | None) -> None:
    assert fts_query(typed) == query


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=60))
def test_no_typed_text_makes_the_search_fail(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = _shared_ledger(tmp_path_factory)
    with open_store(path) as store:
        store.count_events(EventQuery(text=text))
        store.search_documents(text, limit=3)


_LEDGER: list[Path] = []


def _shared_ledger(factory: pytest.TempPathFactory) -> Path:
    if not _LEDGER:
        path = factory.mktemp("fts") / "ledger.db"
        build_small_ledger(path)
        _LEDGER.append(path)
    return _LEDGER[0]
