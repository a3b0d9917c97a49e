"""Inline SVG for the situation report: a map of the events on the bundled country outlines, events per
day stacked by type, fatalities per day, and a top-actors bar chart.

Every text that reaches the SVG goes through ``esc`` (``html.escape`` with quotes), so names from the
ledger, which come from untrusted articles, stay text.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from veilleur.model import Event

WORLD = Path(__file__).parent / "static" / "world.geojson"

TYPE_COLOURS = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Protests": "#1f77b4",
    "Riots": "#e377c2",
    "Strategic developments": "#2ca02c",
}
OTHER_COLOUR = "#7f7f7f"
FONT = 'font-family="DejaVu Sans, sans-serif"'


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def colour(event_type: str) -> str:
    return TYPE_COLOURS.get(event_type, OTHER_COLOUR)


def type_order(types: Iterable[str]) -> list[str]:
    known = list(TYPE_COLOURS)
    return sorted(set(types), key=lambda t: (known.index(t) if t in known else len(known), t))


@cache
def _world() -> list[tuple[str, list[list[tuple[float, float]]]]]:
    """(name, rings) of every country outline; empty when the file is missing."""
    try:
        data = json.loads(WORLD.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for feature in data.get("features", []):
        geometry = feature.get("geometry") or {}
        polygons = geometry.get("coordinates", [])
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        rings = [[(float(x), float(y)) for x, y in ring] for polygon in polygons for ring in polygon]
        out.append((str(feature.get("properties", {}).get("name", "")), rings))
    return out


def _legend(types: Sequence[str], x: float, y: float) -> list[str]:
    parts = []
    for i, name in enumerate(types):
        yy = y + i * 16
        parts.append(f'<rect x="{x}" y="{yy - 9}" width="10" height="10" fill="{colour(name)}"/>')
        parts.append(f'<text x="{x + 14}" y="{yy}" font-size="10" {FONT}>{esc(name)}</text>')
    return parts


def map_svg(events: Sequence[Event], width: int = 680, height: int = 420) -> str:
    """The events with a point, on country outlines, framed on their extent (at least 4° wide)."""
    points = [e for e in events if e.place is not None]
    if not points:
        return '<p class="muted">No event in this period has a point.</p>'
    lons = [e.place.longitude for e in points if e.place]
    lats = [e.place.latitude for e in points if e.place]
    lon0, lon1 = min(lons), max(lons)
    lat0, lat1 = min(lats), max(lats)
    pad_lon = max(2.0, (lon1 - lon0) * 0.15)
    pad_lat = max(2.0, (lat1 - lat0) * 0.15)
    lon0, lon1, lat0, lat1 = lon0 - pad_lon, lon1 + pad_lon, lat0 - pad_lat, lat1 + pad_lat
    k = math.cos(math.radians((lat0 + lat1) / 2))  # equirectangular, true to scale at the middle latitude
    span_x, span_y = (lon1 - lon0) * k, lat1 - lat0
    scale = min(width / span_x, height / span_y)
    off_x = (width - span_x * scale) / 2
    off_y = (height - span_y * scale) / 2

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return off_x + (lon - lon0) * k * scale, off_y + (lat1 - lat) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="Map of the events">',
        f'<rect width="{width}" height="{height}" fill="#cfe0ee"/>',
    ]
    for name, rings in _world():
        paths = []
        for ring in rings:
            xs = [p[0] for p in ring]
            ys = [p[1] for p in ring]
            if max(xs) < lon0 - 1 or min(xs) > lon1 + 1 or max(ys) < lat0 - 1 or min(ys) > lat1 + 1:
                continue
            paths.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in (xy(*p) for p in ring)) + "Z")
        if paths:
            parts.append(
                f'<path d="{"".join(paths)}" fill="#f4f1ea" stroke="#7d8fa3" stroke-width="0.7">'
                f"<title>{esc(name)}</title></path>"
            )
    for event in sorted(points, key=lambda e: -(e.fatalities or 0)):
        assert event.place is not None
        x, y = xy(event.place.longitude, event.place.latitude)
        r = 4 + min(10.0, math.sqrt(event.fatalities or 0) * 1.5)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour(event.event_type)}" '
            f'fill-opacity="0.8" stroke="#fff" stroke-width="1"><title>{esc(event.place.name)}: '
            f"{esc(event.sub_event_type)}</title></circle>"
        )
    # the places with the most events, named
    places = Counter((e.place.name, e.place.longitude, e.place.latitude) for e in points if e.place)
    for (name, lon, lat), _n in places.most_common(8):
        x, y = xy(lon, lat)
        parts.append(
            f'<text x="{x + 7:.1f}" y="{y - 6:.1f}" font-size="10" {FONT} fill="#1d2935" '
            f'stroke="#fff" stroke-width="2.5" paint-order="stroke">{esc(name)}</text>'
        )
    parts += _legend(
        type_order(e.event_type for e in points),
        8,
        height - 8 - 16 * (len(set(e.event_type for e in points)) - 1),
    )
    parts.append(
        f'<text x="{width - 4}" y="{height - 4}" font-size="8" text-anchor="end" {FONT} fill="#5d6b79">'
        "Base map: Natural Earth</text></svg>"
    )
    return "".join(parts)


def _days(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    return [date_from + dt.timedelta(days=i) for i in range((date_to - date_from).days + 1)]


def _bins(date_from: dt.date, date_to: dt.date) -> tuple[list[dt.date], int]:
    """The bins' first days and their length in days: days up to 62 days, else ISO weeks."""
    days = _days(date_from, date_to)
    if len(days) <= 62:
        return days, 1
    monday = date_from - dt.timedelta(days=date_from.weekday())
    return [monday + dt.timedelta(weeks=i) for i in range((date_to - monday).days // 7 + 1)], 7


def _bin_label(day: dt.date, size: int) -> str:
    if size == 7:
        year, week, _ = day.isocalendar()
        return f"W{week:02d}"
    return day.strftime("%d %b")


def bar_chart(
    date_from: dt.date,
    date_to: dt.date,
    values: dict[dt.date, dict[str, int]],
    *,
    label: str,
    width: int = 680,
    height: int = 200,
) -> str:
    """Stacked bars per day (per ISO week beyond 62 days); ``values``: day -> {series: number}."""
    bins, size = _bins(date_from, date_to)
    totals: dict[dt.date, dict[str, int]] = {b: {} for b in bins}
    for day, series in values.items():
        start = bins[0] + dt.timedelta(days=((day - bins[0]).days // size) * size)
        if start not in totals:
            continue
        for name, n in series.items():
            totals[start][name] = totals[start].get(name, 0) + n
    top = max([sum(s.values()) for s in totals.values()] + [1])
    series_names = type_order(name for s in totals.values() for name in s)
    left, bottom, right, top_pad = 34, 30, 10, 10
    plot_w, plot_h = width - left - right, height - bottom - top_pad
    bar_w = plot_w / len(bins)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{esc(label)}">',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" y2="{top_pad + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top_pad + 8}" font-size="9" text-anchor="end" {FONT}>{top}</text>',
        f'<text x="{left - 4}" y="{top_pad + plot_h}" font-size="9" text-anchor="end" {FONT}>0</text>',
    ]
    every = max(1, math.ceil(len(bins) / 16))
    for i, start in enumerate(bins):
        x = left + i * bar_w
        y: float = top_pad + plot_h
        for name in series_names:
            n = totals[start].get(name, 0)
            if not n:
                continue
            h = n / top * plot_h
            y -= h
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(1.0, bar_w - 2):.1f}" height="{h:.1f}" '
                f'fill="{colour(name)}"><title>{esc(_bin_label(start, size))}: {n} {esc(name)}</title></rect>'
            )
        total = sum(totals[start].values())
        if total and bar_w >= 14:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 2:.1f}" font-size="9" text-anchor="middle" {FONT}>'
                f"{total}</text>"
            )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 14}" font-size="9" '
                f'text-anchor="middle" {FONT}>{esc(_bin_label(start, size))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(rows: Sequence[tuple[str, int]], *, label: str, width: int = 680) -> str:
    """Horizontal bars, one per (name, number), biggest first as given."""
    if not rows:
        return '<p class="muted">None known.</p>'
    bar_h, gap, name_w = 16, 5, 260
    height = len(rows) * (bar_h + gap) + gap
    top = max(n for _, n in rows) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{esc(label)}">'
    ]
    for i, (name, n) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = (width - name_w - 40) * n / top
        shown = name if len(name) <= 42 else name[:41] + "…"
        parts.append(
            f'<text x="{name_w - 6}" y="{y + 12}" font-size="10" text-anchor="end" {FONT}>{esc(shown)}'
            f"<title>{esc(name)}</title></text>"
            f'<rect x="{name_w}" y="{y}" width="{max(w, 1):.1f}" height="{bar_h}" fill="#1f3b57"/>'
            f'<text x="{name_w + w + 4:.1f}" y="{y + 12}" font-size="10" {FONT}>{n}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def per_day(events: Iterable[Event], value: Any = None) -> dict[dt.date, dict[str, int]]:
    """day -> {event type: events} (or the sum of known fatalities with ``value="fatalities"``)."""
    out: dict[dt.date, dict[str, int]] = {}
    for event in events:
        day = event.date.date
        if day is None:
            continue
        n = 1 if value is None else (event.fatalities or 0)
        if n:
            slot = out.setdefault(day, {})
            slot[event.event_type] = slot.get(event.event_type, 0) + n
    return out
