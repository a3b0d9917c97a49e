"""The map page in real headless Chromium (Debian's package, driven by Playwright): it loads the seed
articles' events as clustered markers, the filters change the list, the event panel highlights each
source's evidence inside its article, and a hostile article renders as inert text.

Screenshots are kept in test-artifacts/web/. Chromium comes from scripts/ensure_chromium.sh; the tests
skip only when it is missing and cannot be installed, and say so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from web_helpers import (
    ARTIFACTS,
    CHROMIUM_FLAGS,
    XSS_EVENT_ID,
    XSS_SENTENCE,
    chromium_path,
    get_json,
    running_server,
    seeds_input,
    seeds_ledger,
)

playwright_api = pytest.importorskip("playwright.sync_api", reason="the dev extra (playwright) is not installed")


@pytest.fixture(scope="module")
def chromium() -> str:
    path, why = chromium_path()
    if path is None:
        pytest.skip(why)
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = seeds_ledger(tmp_path_factory.mktemp("browser"))
    with running_server(db) as base:
        yield base


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


class Page:
    """A page with its console errors, CSP reports and failed requests collected."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.base = base
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))

    def open(self, fragment: str = "") -> Any:
        self.page.goto(f"{self.base}/{fragment}")
        self.page.wait_for_selector("body[data-ready='1'][data-busy='0']", timeout=20_000)
        return self.page

    def generation(self) -> str:
        return str(self.page.evaluate("document.body.dataset.generation || ''"))

    def settle(self, before: str) -> None:
        """Wait until the page has loaded again after an action (``before``: the generation before it).
        Polled from here: the page's CSP forbids the eval that wait_for_function would need."""
        for _ in range(400):
            busy, generation = self.page.evaluate("[document.body.dataset.busy, document.body.dataset.generation]")
            if busy == "0" and generation != before:
                return
            self.page.wait_for_timeout(50)
        raise AssertionError("the page did not reload")

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Page]:
    opened = Page(browser, server)
    yield opened
    opened.close()


def marker_total(page: Any, expected: int | None = None) -> int:
    """Events on the map: single markers plus the counts shown on cluster icons (polled until it equals
    ``expected`` for a while, as the cluster animation may show two zoom levels for a moment)."""
    total = _marker_total(page)
    for _ in range(100):
        if total == expected:
            break
        page.wait_for_timeout(50)
        total = _marker_total(page)
    return total


def _marker_total(page: Any) -> int:
    return int(
        page.evaluate(
            """() => document.querySelectorAll('.ev-marker').length +
                 [...document.querySelectorAll('.ev-cluster span')]
                   .reduce((n, s) => n + Number(s.textContent), 0)"""
        )
    )


def listed_ids(page: Any) -> list[str]:
    return list(page.eval_on_selector_all("#event-list li", "items => items.map(li => li.dataset.id)"))


def test_the_page_loads_with_the_seeds_events_as_markers(page: Page, server: str) -> None:
    p = page.open()
    total = get_json(f"{server}/api/events?limit=1")["count"]
    points = get_json(f"{server}/api/points")["count"]
    assert total >= 2 and points >= 2  # the seeds' (or samples') events and the hostile article's
    assert p.evaluate("document.body.dataset.points") == str(points)
    assert marker_total(p, points) == points
    assert p.locator(".ev-cluster, .ev-marker").count() >= 1
    assert p.locator("#event-count").inner_text().startswith(f"{total} event")
    assert p.locator(".leaflet-overlay-pane path").count() > 100  # the offline base map: country outlines
    page.shot("01-map-loaded")
    assert page.problems == []


def test_the_seed_articles_give_at_least_eight_events_on_the_map(page: Page, server: str) -> None:
    _, note = seeds_input()
    if note != "seeds":
        pytest.skip(f"{note}; the other browser tests run on the samples")
    p = page.open()
    seeds = [e for e in get_json(f"{server}/api/events?limit=1000")["data"] if e["event_id"] != XSS_EVENT_ID]
    assert len(seeds) >= 8
    with_point = [e for e in seeds if e["latitude"] is not None]
    assert marker_total(p, len(with_point) + 1) == len(with_point) + 1  # and the hostile article's


def test_a_type_filter_changes_the_list_and_the_url_keeps_it(page: Page, server: str) -> None:
    p = page.open()
    before = listed_ids(p)
    generation = page.generation()
    p.locator("#f-types label", has_text="Battles").locator("input").check()
    page.settle(generation)
    expected = get_json(f"{server}/api/events?{urlencode({'type': 'Battles', 'limit': 1000})}")
    ids = listed_ids(p)
    assert ids == [e["event_id"] for e in expected["data"]] and ids != before
    assert p.locator("#event-list li .swatch.t-battles").count() == len(ids)
    assert "type=Battles" in p.evaluate("location.hash")
    page.shot("02-filter-battles")
    # the URL is the view: opening it again shows the same list, the box still ticked
    shared = p.evaluate("location.href")
    other = page.context.new_page()
    other.goto(shared)
    other.wait_for_selector("body[data-ready='1'][data-busy='0']")
    assert listed_ids(other) == ids
    assert other.locator("#f-types label", has_text="Battles").locator("input").is_checked()
    other.close()
    assert page.problems == []


def test_full_text_search_and_timeline_brush(page: Page, server: str) -> None:
    p = page.open()
    p.fill("#q", "drones")
    generation = page.generation()
    p.press("#q", "Enter")
    page.settle(generation)
    expected = get_json(f"{server}/api/events?q=drones&limit=1000")
    assert listed_ids(p) == [e["event_id"] for e in expected["data"]]
    generation = page.generation()
    p.click("#f-reset")
    page.settle(generation)
    box = p.locator("#timeline").bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    p.mouse.move(box["x"] + box["width"] * 0.55, y)
    generation = page.generation()
    p.mouse.down()
    p.mouse.move(box["x"] + box["width"] * 0.75, y, steps=5)
    p.mouse.move(box["x"] + box["width"] - 2, y, steps=5)
    p.mouse.up()
    page.settle(generation)
    state = p.evaluate("Object.fromEntries(new URLSearchParams(location.hash.slice(1)))")
    assert state.get("from") and state.get("to") and state["from"] <= state["to"]
    expected = get_json(f"{server}/api/events?{urlencode({'from': state['from'], 'to': state['to']})}")
    assert p.locator("#event-count").inner_text().startswith(f"{expected['count']} event")
    assert p.locator("#clear-dates").is_visible()
    page.shot("03-timeline-brushed")
    assert page.problems == []


def test_the_event_panel_highlights_each_sources_evidence(page: Page, server: str) -> None:
    p = page.open()
    first = p.locator(f"#event-list li:not([data-id='{XSS_EVENT_ID}'])").first  # an article's own event
    event_id = first.get_attribute("data-id")
    first.click()
    p.wait_for_selector(f"#panel[data-event-id='{event_id}'] mark.evidence")
    event = get_json(f"{server}/api/events/{quote(event_id or '')}")
    marks = p.locator("#panel mark.evidence")
    shown = " ".join(marks.all_inner_texts())
    for source in event["sources"]:
        for span in source["evidence"]:
            assert " ".join(span["text"].split()) in " ".join(shown.split())
        claim = source["claim"]
        assert p.locator(f"#panel mark.evidence.claim-{claim}").count() >= 1
        assert p.locator(f"#panel .source-head .claim-{claim}").count() >= 1
    assert f"event={event_id}" in p.evaluate("location.hash")
    if event["latitude"] is not None:
        p.wait_for_selector(".ev-marker.selected", timeout=10_000)  # the map shows which one
        assert p.locator(".ev-marker.selected").count() == 1
    page.shot("04-event-panel")
    p.click("#panel .close")
    p.wait_for_selector("#panel", state="hidden")
    assert p.locator("#event-list li").count() > 0 and p.locator("#panel").is_hidden()
    assert page.problems == []


def test_a_hostile_article_renders_as_inert_text(page: Page) -> None:
    p = page.open(f"#event={XSS_EVENT_ID}")
    p.wait_for_selector("#panel mark.evidence")
    p.wait_for_timeout(300)
    mark = p.locator("#panel mark.evidence").first
    assert mark.inner_text() == XSS_SENTENCE  # the markup is shown as the text it is
    assert p.evaluate("window.__xss") is None  # no script ran, no handler fired
    panel = p.locator("#panel")
    assert panel.locator("script, img, b, i").count() == 0  # no element came from the article
    assert '<b onmouseover="window.__xss' in panel.inner_text()  # the title, as text
    assert panel.locator("a[href^='javascript']").count() == 0  # a javascript: URL is not a link
    assert panel.locator("dd", has_text="<img src=x").count() == 1  # the actor name, as text
    page.shot("05-hostile-article-inert")
    assert page.problems == []


def test_the_hostile_event_is_inert_in_the_list_too(page: Page) -> None:
    p = page.open("#" + urlencode({"country": "ML", "type": "Battles"}))
    assert p.evaluate("window.__xss") is None
    assert p.locator("#event-list img, #event-list script").count() == 0
    text = p.locator("#event-list").inner_text()
    assert "<img src=x" in text
    assert json.loads(p.evaluate("JSON.stringify(document.body.dataset)"))["busy"] == "0"
    assert page.problems == []
