"""Score extracted events against hand-coded reference events (the evaluation contract's scorer).

A faithful re-implementation of the standard-library scorer the project is measured with
(``../shared/eval/score.py``), which the project cannot import at run time. Same inputs, same numbers,
same report lines; ``tests/test_eval_gate.py`` checks that both agree on the same prediction files.

Matching, per document: a predicted event is compatible with a reference event when its point lies
within the reference ``radius_km`` and its date lies within ``[date_min - 1 day, date_max + 1 day]`` (a
missing date on either side does not block the match). Compatible pairs are assigned greedily: required
reference events before optional ones (an optional background event must not take the only prediction a
required one needed), then cheapest first (distance / radius + date gap / 2 + type disagreement). Optional
reference events absorb matches without counting; unmatched predictions are false positives. Strict true
positives also have the right sub-event type (or one the reference ``also_accept``\\ s) and a date inside
the reference range.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from veilleur.errors import InputError, MalformedRecordError, MissingInputError

Record = Mapping[str, Any]

ATTRIBUTES = ("event_type", "sub_event_type", "date", "actor1", "actor2", "fatalities")
# what the report shows of a false positive
FALSE_POSITIVE_FIELDS = (
    "event_date",
    "sub_event_type",
    "location",
    "latitude",
    "longitude",
    "actor1",
    "actor2",
)
_EARTH_RADIUS_KM = 6371.0
_ONE_DAY = dt.timedelta(days=1)


# ---------------------------------------------------------------- helpers


def _date(value: object) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km on a sphere of radius 6371 km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi = p2 - p1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlambda / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


_YEARS = re.compile(r"\(\s*\d{4}\s*-\s*(\d{4})?\s*\)")  # ACLED's "(2019-)" / "(2016-2021)" suffixes
_WORD = re.compile(r"[a-z0-9]+")


def normalise_name(text: object) -> str:
    """Lower-case ASCII words, accents and ACLED year ranges removed: ``"Forces armées (2021-)"`` ->
    ``"forces armees"``."""
    ascii_text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return " ".join(_WORD.findall(_YEARS.sub(" ", ascii_text.lower())))


def actor_matches(pred: object, accepted: Iterable[object]) -> bool:
    """True when the predicted actor names one of the accepted actors: equal, one containing the other
    (when the contained name is longer than 3 characters), or sharing >= 60% of their words."""
    p = normalise_name(pred)
    if not p:
        return False
    ptoks = set(p.split())
    for name in accepted:
        g = normalise_name(name)
        if not g:
            continue
        if p == g or (len(g) > 3 and g in p) or (len(p) > 3 and p in g):
            return True
        gtoks = set(g.split())
        if len(ptoks & gtoks) / len(ptoks | gtoks) >= 0.6:
            return True
    return False


def document_ids(event: Record) -> set[str]:
    """The documents a predicted event cites: its ``document_ids`` and its ``sources[].document_id``."""
    ids = list(event.get("document_ids") or [])
    for src in event.get("sources") or []:
        if isinstance(src, Mapping) and src.get("document_id"):
            ids.append(src["document_id"])
    return {str(i) for i in ids}


def type_ok(gold: Record, pred: Record, key: str) -> bool:
    """The predicted coding (``event_type``, or the pair event/sub-event type for ``sub_event_type``)
    agrees with the reference or with one of the codings it also accepts."""
    accepted: list[Record] = [gold, *(gold.get("also_accept") or [])]
    if key == "sub_event_type":
        return any(
            pred.get("event_type") == a.get("event_type") and pred.get(key) == a.get(key) for a in accepted
        )
    return any(pred.get(key) == a.get(key) for a in accepted)


def pair_cost(gold: Record, pred: Record) -> float | None:
    """Cost of pairing a reference and a predicted event, or None when they cannot be the same event."""
    lat, lon = pred.get("latitude"), pred.get("longitude")
    if lat is None or lon is None:
        return None
    radius = gold["radius_km"]
    dist = haversine_km(float(lat), float(lon), gold["lat"], gold["lon"])
    if dist > radius:
        return None
    gap = 0
    pdate, lo, hi = _date(pred.get("event_date")), _date(gold.get("date_min")), _date(gold.get("date_max"))
    if pdate and lo and hi:
        if pdate < lo - _ONE_DAY or pdate > hi + _ONE_DAY:
            return None
        gap = max((lo - pdate).days, (pdate - hi).days, 0)
    if type_ok(gold, pred, "sub_event_type"):
        type_cost = 0.0
    elif type_ok(gold, pred, "event_type"):
        type_cost = 0.25
    else:
        type_cost = 0.5
    return float(dist / radius + gap / 2 + type_cost)


# ---------------------------------------------------------------- scoring


def _match(
    golds: Sequence[Record], preds: Sequence[Record]
) -> tuple[list[tuple[int, int]], set[int], set[int]]:
    """Greedy assignment: required reference events before optional ones, then cheapest pair first (ties:
    lower reference index, then lower prediction index)."""
    pairs: list[tuple[bool, float, int, int]] = []
    for gi, g in enumerate(golds):
        for pi, p in enumerate(preds):
            cost = pair_cost(g, p)
            if cost is not None:
                pairs.append((bool(g.get("optional")), cost, gi, pi))
    pairs.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    matches: list[tuple[int, int]] = []
    for _optional, _cost, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        matches.append((gi, pi))
    return matches, used_g, used_p


def _checks(g: Record, p: Record) -> dict[str, bool]:
    checks = {"event_type": type_ok(g, p, "event_type"), "sub_event_type": type_ok(g, p, "sub_event_type")}
    lo, hi, pdate = _date(g.get("date_min")), _date(g.get("date_max")), _date(p.get("event_date"))
    if lo and hi:
        checks["date"] = bool(pdate and lo <= pdate <= hi)
    if g.get("actor1"):
        checks["actor1"] = actor_matches(p.get("actor1"), g["actor1"])
    if g.get("actor2"):
        checks["actor2"] = actor_matches(p.get("actor2"), g["actor2"])
    if g.get("fatalities") is not None:
        checks["fatalities"] = p.get("fatalities") == g["fatalities"]
    return checks


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(gold: Record, predictions: Sequence[Record]) -> dict[str, Any]:
    """Score predictions (export records) against a gold file's content; the scorer's result dict:
    ``events`` (tp, fp, fn, precision, recall, f1), ``strict_f1``, ``attribute_accuracy``,
    ``attribute_counts``, ``median_geo_error_km`` and ``documents`` (per document: matched, missed,
    false_positives)."""
    per_doc: list[dict[str, Any]] = []
    tp = fp = fn = strict_tp = 0
    attrs = {k: [0, 0] for k in ATTRIBUTES}
    errors_km: list[float] = []
    for doc in gold["documents"]:
        preds = [p for p in predictions if doc["id"] in document_ids(p)]
        golds: list[Record] = doc["events"]
        matches, used_g, used_p = _match(golds, preds)
        report: dict[str, Any] = {"id": doc["id"], "matched": [], "missed": [], "false_positives": []}
        for gi, pi in matches:
            g, p = golds[gi], preds[pi]
            if g.get("optional"):
                continue
            tp += 1
            checks = _checks(g, p)
            for key, ok in checks.items():
                attrs[key][0] += int(ok)
                attrs[key][1] += 1
            if checks["sub_event_type"] and checks.get("date", True):
                strict_tp += 1
            errors_km.append(haversine_km(float(p["latitude"]), float(p["longitude"]), g["lat"], g["lon"]))
            report["matched"].append(
                {"gold": g["id"], "wrong": sorted(k for k, ok in checks.items() if not ok)}
            )
        for gi, g in enumerate(golds):
            if gi not in used_g and not g.get("optional"):
                fn += 1
                report["missed"].append(g["id"] + ": " + g["summary"])
        for pi, p in enumerate(preds):
            if pi not in used_p:
                fp += 1
                report["false_positives"].append({k: p.get(k) for k in FALSE_POSITIVE_FIELDS})
        per_doc.append(report)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    strict_p = strict_tp / (tp + fp) if tp + fp else 0.0
    strict_r = strict_tp / (tp + fn) if tp + fn else 0.0
    errors_km.sort()
    return {
        "events": {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(_f1(precision, recall), 3),
        },
        "strict_f1": round(_f1(strict_p, strict_r), 3),
        "attribute_accuracy": {k: (round(v[0] / v[1], 3) if v[1] else None) for k, v in attrs.items()},
        "attribute_counts": {k: f"{v[0]}/{v[1]}" for k, v in attrs.items()},
        "median_geo_error_km": round(errors_km[len(errors_km) // 2], 1) if errors_km else None,
        "documents": per_doc,
    }


def report_lines(result: Mapping[str, Any]) -> list[str]:
    """The scorer's text report: per document its matches, misses and false positives, then the
    attribute counts, the median geo error and ``events: tp= fp= fn= P= R= F1= strict_F1=``."""
    lines: list[str] = []
    for doc in result["documents"]:
        lines.append(f"== {doc['id']}")
        for m in doc["matched"]:
            lines.append(
                f"   match {m['gold']}" + (f"  wrong: {', '.join(m['wrong'])}" if m["wrong"] else "")
            )
        for miss in doc["missed"]:
            lines.append(f"   MISSED {miss}")
        for fp in doc["false_positives"]:
            lines.append(f"   FALSE+ {json.dumps(fp, ensure_ascii=False)}")
    lines.append("attributes on matched events: " + json.dumps(result["attribute_counts"]))
    lines.append(f"median geo error km: {result['median_geo_error_km']}")
    e = result["events"]
    lines.append(
        f"events: tp={e['tp']} fp={e['fp']} fn={e['fn']} P={e['precision']} R={e['recall']} "
        f"F1={e['f1']} strict_F1={result['strict_f1']}"
    )
    return lines


# ---------------------------------------------------------------- files


def _read(path: str | Path) -> str:
    where = str(path)
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MissingInputError("no such file", where=where) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", where=where) from None
    except OSError as exc:
        raise InputError(
            f"cannot read ({(exc.strerror or type(exc).__name__).lower()})", where=where
        ) from None


def load_gold(path: str | Path) -> dict[str, Any]:
    """A gold file: ``{"documents": [{"id", "events": [{"id", "summary", "event_type", "sub_event_type",
    "lat", "lon", "radius_km", "date_min", "date_max", ...}]}]}``. Raises MalformedRecordError (naming the
    file and the document) when a field the scorer needs is missing."""
    where = str(path)
    try:
        gold = json.loads(_read(path))
    except json.JSONDecodeError as exc:
        raise MalformedRecordError(f"not JSON ({exc.msg} at line {exc.lineno})", where=where) from None
    if not isinstance(gold, dict) or not isinstance(gold.get("documents"), list):
        raise MalformedRecordError("a gold file is a JSON object with a 'documents' list", where=where)
    for n, doc in enumerate(gold["documents"], start=1):
        if not isinstance(doc, dict) or "id" not in doc or not isinstance(doc.get("events"), list):
            raise MalformedRecordError(f"document {n} needs an 'id' and an 'events' list", where=where)
        for event in doc["events"]:
            missing = [k for k in ("id", "summary", "lat", "lon", "radius_km", "event_type", "sub_event_type")
                       if not isinstance(event, dict) or k not in event]  # fmt: skip
            if missing:
                raise MalformedRecordError(
                    f"document {doc['id']!r}: an event lacks {', '.join(missing)}", where=where
                )
    return gold


def load_predictions(path: str | Path) -> list[dict[str, Any]]:
    """Predicted events from JSON Lines (one event per line) or a JSON array."""
    where = str(path)
    text = _read(path).strip()
    if not text:
        return []
    try:
        if text.startswith("["):
            records = json.loads(text)
        else:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise MalformedRecordError(f"not JSON Lines or a JSON array ({exc.msg})", where=where) from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise MalformedRecordError("every prediction must be a JSON object", where=where)
    return records


def score_files(gold_path: str | Path, pred_path: str | Path) -> dict[str, Any]:
    """``score(load_gold(gold_path), load_predictions(pred_path))``."""
    return score(load_gold(gold_path), load_predictions(pred_path))
