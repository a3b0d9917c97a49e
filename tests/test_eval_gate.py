"""The quality gate and the scorer's twin.

1. ``veilleur.evaluate`` gives exactly the numbers and the report of ``../shared/eval/score.py`` (the
   yardstick the project is measured with) on the same prediction files.
2. The pinned quality floor: the seed articles, ingested and exported by Veilleur, score at least
   FLOOR_F1 (event F1) and FLOOR_STRICT (strict F1, right sub-event type and date) by both scorers.

Everything here needs ``../shared/eval`` and is skipped, saying so, in a clone that does not have it.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import json
import math
import random
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from veilleur import api, evaluate
from veilleur.settings import Settings

# Pinned quality floors (measured 2026-11-23: seeds F1 1.0, strict 1.0; samples F1 0.83 with English not yet
# supported). A change that drops below them fails CI.
FLOOR_F1 = 0.90
FLOOR_STRICT = 0.85
FLOOR_ATTRIBUTES = {"sub_event_type": 0.75, "date": 0.75, "actor1": 0.75}
FLOOR_SAMPLES_FR_F1 = 0.80

SEEDS_DOCS = "seeds_docs.jsonl"
SEEDS_GOLD = "seeds_gold.json"
ACLED_GOLD = "acled_dev_gold.json"
TYPES = [
    ("Battles", "Armed clash"),
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Violence against civilians", "Attack"),
    ("Protests", "Peaceful protest"),
    ("Strategic developments", "Disrupted weapons use"),
]


def python3() -> str:
    return shutil.which("python3") or sys.executable


def run_scorer(shared: Path, gold: Path, pred: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python3(), str(shared / "score.py"), "--gold", str(gold), "--pred", str(pred), *extra],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=True,
    )


def reference_scorer(shared: Path) -> ModuleType:
    """score.py loaded in this process, for the many-case comparison (the files are checked by subprocess)."""
    spec = importlib.util.spec_from_file_location("shared_eval_score", shared / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- predictions made from a gold file


def _shift(lat: float, lon: float, km: float, rng: random.Random) -> tuple[float, float]:
    """A point about ``km`` away (north/south/east/west mixed), rounded as an export would."""
    angle = rng.uniform(0, 6.283)
    dlat = km / 111.0 * math.cos(angle)
    dlon = km / 111.0 * math.sin(angle)
    return round(lat + dlat, 5), round(lon + dlon, 5)


def _date_near(gold_event: dict[str, Any], rng: random.Random) -> str | None:
    lo = gold_event.get("date_min")
    if not lo or rng.random() < 0.1:
        return None
    day = dt.date.fromisoformat(lo) + dt.timedelta(days=rng.choice([-3, -2, -1, 0, 0, 0, 1, 2]))
    return day.isoformat()


def predictions_from(gold: dict[str, Any], seed: int) -> list[dict[str, Any]]:
    """Plausible predictions for every gold document: near misses, far misses, wrong types, wrong actors,
    missing fields, duplicates, events citing two documents, false positives."""
    rng = random.Random(seed)
    docs = gold["documents"]
    preds: list[dict[str, Any]] = []
    for doc in docs:
        for g in doc["events"]:
            if rng.random() < 0.15:
                continue  # a miss
            for _ in range(rng.choice([1, 1, 1, 2])):
                lat, lon = _shift(
                    g["lat"], g["lon"], g["radius_km"] * rng.choice([0, 0.2, 0.7, 0.99, 1.3]), rng
                )
                etype, sub = rng.choice(
                    [(g["event_type"], g["sub_event_type"])] * 3
                    + [(a["event_type"], a["sub_event_type"]) for a in g.get("also_accept") or []]
                    + [rng.choice(TYPES)]
                )
                actors1 = list(g.get("actor1") or []) + ["Unidentified Armed Group", "Civilians", ""]
                actors2 = list(g.get("actor2") or []) + ["Military Forces of Mali (2021-)", None]
                pred: dict[str, Any] = {
                    "event_date": _date_near(g, rng),
                    "event_type": etype,
                    "sub_event_type": sub,
                    "actor1": rng.choice(actors1),
                    "actor2": rng.choice(actors2),
                    "latitude": lat if rng.random() > 0.05 else None,
                    "longitude": lon,
                    "location": g.get("location"),
                    "fatalities": rng.choice([g.get("fatalities"), None, 0, 3]),
                }
                cited = [doc["id"]] + ([rng.choice(docs)["id"]] if rng.random() < 0.1 else [])
                if rng.random() < 0.5:
                    pred["sources"] = [{"document_id": d, "claim": "reported", "evidence": []} for d in cited]
                else:
                    pred["document_ids"] = cited
                preds.append(pred)
        for _ in range(rng.choice([0, 0, 1, 2])):  # false positives somewhere in the document's country
            etype, sub = rng.choice(TYPES)
            anchor = doc["events"][0] if doc["events"] else {"lat": 33.3, "lon": 44.4, "radius_km": 50}
            lat, lon = _shift(anchor["lat"], anchor["lon"], rng.uniform(0, 300), rng)
            preds.append({"event_date": "2021-05-03", "event_type": etype, "sub_event_type": sub,
                          "latitude": lat, "longitude": lon, "actor1": "Unidentified Armed Group (Iraq)",
                          "actor2": None, "fatalities": None, "document_ids": [doc["id"]]})  # fmt: skip
    rng.shuffle(preds)
    return preds


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


# ---------------------------------------------------------------- 1. the scorer's twin


@pytest.mark.parametrize("gold_name", [SEEDS_GOLD, ACLED_GOLD])
@pytest.mark.parametrize("as_array", [False, True])
def test_evaluate_gives_the_same_result_and_report_as_score_py(
    shared_eval: Path, tmp_path: Path, gold_name: str, as_array: bool
) -> None:
    gold_path = shared_eval / gold_name
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    preds = predictions_from(gold, seed=7)
    pred_path = tmp_path / ("preds.json" if as_array else "preds.jsonl")
    if as_array:
        pred_path.write_text(json.dumps(preds, ensure_ascii=False), encoding="utf-8")
    else:
        write_jsonl(pred_path, preds)

    theirs = json.loads(run_scorer(shared_eval, gold_path, pred_path, "--json").stdout)
    ours = evaluate.score_files(gold_path, pred_path)
    assert json.loads(json.dumps(ours, ensure_ascii=False)) == theirs
    assert ours["events"]["tp"] > 0 and ours["events"]["fp"] > 0 and ours["events"]["fn"] > 0  # a real test

    text = run_scorer(shared_eval, gold_path, pred_path).stdout
    assert "\n".join(evaluate.report_lines(ours)) + "\n" == text


def test_evaluate_agrees_with_score_py_on_many_random_prediction_sets(shared_eval: Path) -> None:
    reference = reference_scorer(shared_eval)
    for gold_name in (SEEDS_GOLD, ACLED_GOLD):
        gold = json.loads((shared_eval / gold_name).read_text(encoding="utf-8"))
        for seed in range(40 if gold_name == SEEDS_GOLD else 8):
            preds = predictions_from(gold, seed)
            expected = reference.score(copy.deepcopy(gold), copy.deepcopy(preds))
            assert evaluate.score(gold, preds) == expected, (gold_name, seed)


def test_actor_matching_agrees_with_score_py(shared_eval: Path) -> None:
    reference = reference_scorer(shared_eval)
    names = ["JNIM", "JNIM: Group for Support of Islam and Muslims", "Military Forces of Mali (2021-)",
             "Forces armées maliennes", "FAMa", "Islamic Resistance in Iraq", "Résistance islamique en Irak",
             "Civilians (Mali)", "Unidentified Armed Group (Iraq)", "US forces", "", "ISIS", "Al Shabaab",
             "al-Shabaab", "Military Forces of the United States", None]  # fmt: skip
    for pred in names:
        for accepted in ([n for n in names if n], ["JNIM"], ["Forces armées"], []):
            assert evaluate.actor_matches(pred, accepted) == reference.actor_matches(pred, accepted), (
                pred,
                accepted,
            )


def test_empty_prediction_file_scores_zero(shared_eval: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    gold_path = shared_eval / SEEDS_GOLD
    theirs = json.loads(run_scorer(shared_eval, gold_path, empty, "--json").stdout)
    assert evaluate.score_files(gold_path, empty) == theirs
    assert theirs["events"]["tp"] == 0


# ---------------------------------------------------------------- 2. the quality floor


def _ingest_and_export(docs: Path | list[Path], tmp_path: Path) -> tuple[Settings, Path]:
    settings = Settings(db_path=tmp_path / "gate.db")
    report = api.ingest(docs, settings=settings)
    assert report.ok, report.problems
    exported = tmp_path / "events.jsonl"
    with exported.open("w", encoding="utf-8") as out:
        api.export(settings, "jsonl", out)
    return settings, exported


def test_seed_articles_meet_the_quality_floor(shared_eval: Path, tmp_path: Path) -> None:
    gold_path = shared_eval / SEEDS_GOLD
    settings, exported = _ingest_and_export(shared_eval / SEEDS_DOCS, tmp_path)

    ours = evaluate.score_files(gold_path, exported)
    theirs = json.loads(run_scorer(shared_eval, gold_path, exported, "--json").stdout)
    assert json.loads(json.dumps(ours, ensure_ascii=False)) == theirs
    assert api.evaluate(settings, gold_path) == ours  # ``veilleur eval`` scores the same events

    report = "\n".join(evaluate.report_lines(ours))
    assert ours["events"]["f1"] >= FLOOR_F1, report
    assert ours["strict_f1"] >= FLOOR_STRICT, report
    for key, floor in FLOOR_ATTRIBUTES.items():
        assert ours["attribute_accuracy"][key] >= floor, (key, report)


SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _samples_in(language: str, tmp_path: Path) -> tuple[Path, Path, dict]:
    """The project's own sample articles of one language (JSON Lines) and their reference events, as files."""
    docs = tmp_path / f"{language}.jsonl"
    records = [json.loads(line) for line in (SAMPLES / "articles.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    write_jsonl(docs, [r for r in records if r.get("language") == language])
    gold = json.loads((SAMPLES / "gold.json").read_text(encoding="utf-8"))
    gold["documents"] = [d for d in gold["documents"] if d.get("language") == language]
    gold_path = tmp_path / f"gold_{language}.json"
    gold_path.write_text(json.dumps(gold), encoding="utf-8")
    return docs, gold_path, gold


def test_french_samples_meet_the_quality_floor(tmp_path: Path) -> None:
    """The project's own fictional French reports (no ../shared needed): a floor that also runs in a clone."""
    docs, gold_path, _gold = _samples_in("fr", tmp_path)
    _settings, exported = _ingest_and_export(docs, tmp_path)
    ours = evaluate.score_files(gold_path, exported)
    assert ours["events"]["f1"] >= FLOOR_SAMPLES_FR_F1, "\n".join(evaluate.report_lines(ours))


def test_event_date_without_a_publication_date(shared_eval: Path, tmp_path: Path) -> None:
    """'mardi 4 janvier' and the Soleimani anniversary date the strike even when the feed gives no date."""
    undated = tmp_path / "seeds_undated.jsonl"
    records = [
        json.loads(line) for line in (shared_eval / SEEDS_DOCS).read_text(encoding="utf-8").splitlines()
    ]
    write_jsonl(undated, [{k: v for k, v in r.items() if k != "published"} for r in records])
    settings, _ = _ingest_and_export(undated, tmp_path)

    events = api.list_events(settings, document_id="003_3577dc7a526ca083")
    found = [(e.sub_event_type, e.date.date.isoformat() if e.date.date else None) for e in events]
    assert ("Air/drone strike", "2022-01-04") in found, found


FR_DEV_DOCS = "fr_dev_docs.jsonl"
FR_DEV_GOLD = "fr_dev_gold.json"
# Issue 10: 154 real French articles nobody tuned for (AFP copy, BBC Afrique). Measured 2026-12-02: event F1 0.552
# (P 0.497, R 0.622), strict 0.378; matched date 0.94, actor2 0.49, fatalities 0.43. The floors sit just under;
# raise them as the French route improves (issue 10's targets: F1 0.80, strict 0.60).
FLOOR_FR_DEV_F1 = 0.53
FLOOR_FR_DEV_STRICT = 0.36
FLOOR_FR_DEV_ATTRIBUTES = {"date": 0.90, "actor2": 0.45, "fatalities": 0.40}


def test_french_development_set_meets_the_quality_floor(shared_eval: Path, tmp_path: Path) -> None:
    gold_path = shared_eval / FR_DEV_GOLD
    if not gold_path.is_file():
        pytest.skip(f"{gold_path} is absent: this copy of the shared folder predates the French development set")
    _settings, exported = _ingest_and_export(shared_eval / FR_DEV_DOCS, tmp_path)
    ours = evaluate.score_files(gold_path, exported)
    report = "\n".join(evaluate.report_lines(ours))
    assert ours["events"]["f1"] >= FLOOR_FR_DEV_F1, report
    assert ours["strict_f1"] >= FLOOR_FR_DEV_STRICT, report
    for key, floor in FLOOR_FR_DEV_ATTRIBUTES.items():
        assert ours["attribute_accuracy"][key] >= floor, (key, report)


# ---------------------------------------------------------------- 3. English (read without a statistical model)

ACLED_DOCS = "acled_dev_docs.jsonl"
# Issue 3's targets on the 199 ACLED dev notes (Mali 2019): event F1 0.85, sub_event_type 0.80, actor1 0.70,
# fatalities 0.85, median geo error <= 10 km. The English route measures F1 0.860 (P 0.906, R 0.819); the
# attribute floors sit just under what it measures (0.93, 0.92, 0.97, 1.00). Raise these as it improves.
FLOOR_ACLED_F1 = 0.85
FLOOR_ACLED_ATTRIBUTES = {"sub_event_type": 0.90, "actor1": 0.88, "fatalities": 0.93, "date": 0.97}
CEILING_ACLED_GEO_KM = 10.0
FLOOR_SAMPLES_EN_F1 = 0.90


def test_acled_notes_meet_the_english_quality_floor(shared_eval: Path, tmp_path: Path) -> None:
    gold_path = shared_eval / ACLED_GOLD
    settings, exported = _ingest_and_export(shared_eval / ACLED_DOCS, tmp_path)
    ours = evaluate.score_files(gold_path, exported)
    report = "\n".join(evaluate.report_lines(ours))
    assert ours["events"]["f1"] >= FLOOR_ACLED_F1, report
    for key, floor in FLOOR_ACLED_ATTRIBUTES.items():
        assert ours["attribute_accuracy"][key] >= floor, (key, report)
    assert ours["median_geo_error_km"] is not None and ours["median_geo_error_km"] <= CEILING_ACLED_GEO_KM, report


def test_english_samples_meet_the_quality_floor(tmp_path: Path) -> None:
    """The project's own fictional English reports (JSON Lines and an HTML page; no ../shared needed)."""
    docs, gold_path, gold = _samples_in("en", tmp_path)
    _settings, exported = _ingest_and_export([docs, SAMPLES / "pages"], tmp_path)
    ours = evaluate.score_files(gold_path, exported)
    assert ours["events"]["f1"] >= FLOOR_SAMPLES_EN_F1, "\n".join(evaluate.report_lines(ours))
    assert ours["events"]["tp"] == len([e for d in gold["documents"] for e in d["events"]])
