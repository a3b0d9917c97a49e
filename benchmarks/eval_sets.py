#!/usr/bin/env python3
"""Score the pipeline on every evaluation set in one run: the seed articles, the French development set,
the ACLED development notes and a held-out fold of the ACLED corpus.

    .venv/bin/python benchmarks/eval_sets.py [--sets seeds,fr_dev,acled_dev,acled_fold] [--fold 4]
        [--fold-notes 400] [--json OUT] [--keep DIR]

Each set is ingested into a fresh temporary ledger (``veilleur.api.ingest``), exported as JSON Lines and
scored by ``veilleur.evaluate`` (the same numbers as ``../shared/eval/score.py``). The held-out fold is
built in memory from ``../shared/corpora/acled_notes/notes.csv.gz``: ``--fold-notes`` notes of fold
``--fold`` that have a date and coordinates, drawn with a fixed seed, each a document published the day after
its event, with ACLED's own coding as its reference event (radius 25 km at geo-precision 1, 50 km at 2, 120
km at 3). Needs the shared folder next to the repository; nothing from it is written into the project.
``--keep DIR`` leaves each set's documents, gold and predictions there for reading the errors.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
RADIUS = {1: 25, 2: 50, 3: 120}


def read_notes(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def fold_set(fold: int, n: int, seed: int = 13) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Documents and a gold file from ``n`` notes of one fold (date and coordinates required)."""
    from veilleur.geo.countries import Countries

    countries = Countries(("en",))
    rows = [
        r
        for r in read_notes(SHARED / "corpora" / "acled_notes" / "notes.csv.gz")
        if r["fold"] == str(fold) and r["event_date"] and r["latitude"] and r["notes"].strip()
    ]
    rows.sort(key=lambda r: r["event_id_cnty"])
    random.Random(seed).shuffle(rows)
    docs, gold_docs = [], []
    for r in rows[:n]:
        day = dt.date.fromisoformat(r["event_date"][:10])
        iso = countries.lookup(r["country"]) or ""
        precision = int(float(r["geo_precision"] or 1))
        doc_id = r["event_id_cnty"]
        docs.append({"id": doc_id, "text": r["notes"], "language": "en", "published": str(day + dt.timedelta(days=1))})
        event = {
            "id": f"{doc_id}-1",
            "summary": r["notes"][:200],
            "event_type": r["event_type"],
            "sub_event_type": r["sub_event_type"],
            "date_min": str(day),
            "date_max": str(day),
            "country": iso,
            "admin1": r["admin1"],
            "location": r["location"],
            "lat": float(r["latitude"]),
            "lon": float(r["longitude"]),
            "radius_km": RADIUS.get(precision, 25),
            "actor1": [a for a in (r["actor1"], r["assoc_actor_1"]) if a],
            "actor2": [a for a in (r["actor2"], r["assoc_actor_2"]) if a],
            "fatalities": int(float(r["fatalities"])) if r["fatalities"] else None,
            "optional": False,
        }
        gold_docs.append({"id": doc_id, "language": "en", "published": docs[-1]["published"], "events": [event]})
    return docs, {"about": f"ACLED notes, fold {fold}, {len(docs)} notes", "documents": gold_docs}


def run_set(name: str, docs_path: Path, gold_path: Path, work: Path) -> dict[str, Any]:
    from veilleur import api, evaluate
    from veilleur.settings import Settings

    db = work / f"{name}.db"
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)  # a kept folder from an earlier run: start from an empty ledger
    settings = Settings.from_env(db_path=str(db))
    start = time.perf_counter()
    report = api.ingest([str(docs_path)], settings=settings, progress=False, on_problem=lambda p: None)
    seconds = time.perf_counter() - start
    pred = work / f"{name}.pred.jsonl"
    with pred.open("w", encoding="utf-8") as out:
        api.export(settings, "jsonl", out)
    result = evaluate.score_files(gold_path, pred)
    result["seconds"] = round(seconds, 1)
    result["documents_read"] = report.documents_read
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="seeds,fr_dev,acled_dev,acled_fold")
    parser.add_argument("--fold", type=int, default=4)
    parser.add_argument("--fold-notes", type=int, default=400)
    parser.add_argument("--json", type=Path, default=None, help="write every result here")
    parser.add_argument("--keep", type=Path, default=None, help="keep inputs and predictions in this folder")
    args = parser.parse_args(argv)
    if not (SHARED / "eval").is_dir():
        print(f"eval_sets: {SHARED / 'eval'} is missing; nothing to measure", file=sys.stderr)
        return 1
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for name in [s.strip() for s in args.sets.split(",") if s.strip()]:
            if name == "acled_fold":
                docs, gold = fold_set(args.fold, args.fold_notes)
                docs_path, gold_path = work / "acled_fold.docs.jsonl", work / "acled_fold.gold.json"
                docs_path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
                gold_path.write_text(json.dumps(gold), encoding="utf-8")
                label = f"acled_fold{args.fold}"
            else:
                docs_path, gold_path = SHARED / "eval" / f"{name}_docs.jsonl", SHARED / "eval" / f"{name}_gold.json"
                label = name
            result = run_set(label, docs_path, gold_path, work)
            results[label] = result
            e = result["events"]
            print(
                f"{label:12s} tp={e['tp']:4d} fp={e['fp']:4d} fn={e['fn']:4d} P={e['precision']:.3f} "
                f"R={e['recall']:.3f} F1={e['f1']:.3f} strict={result['strict_f1']:.3f} "
                f"geo_med={result['median_geo_error_km']} attrs={json.dumps(result['attribute_counts'])} "
                f"({result['seconds']} s)",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
