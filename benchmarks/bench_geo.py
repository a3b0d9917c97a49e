#!/usr/bin/env python3
"""How well Veilleur places events: ACLED notes of a fold the place ranker did not train on, and the French
development set.

    .venv/bin/python benchmarks/bench_geo.py [--fold 4] [--notes 2000] [--json OUT] [--no-fr]

For each note of the fold (drawn with a fixed seed among those with a point and a date), the note goes
through the whole pipeline; its event's point (the first event, when it gives several) is compared with
ACLED's coordinates. Printed per country and overall: acc@25km, acc@100km, median error, and where the
misses come from:

- **coverage**: the gazetteer has no entry of ACLED's location name within 5 km of ACLED's point (the place is
  absent, or spelled otherwise): no ranking could have found it;
- **ranking**: the place is there but the event was put elsewhere (another name of the note, a namesake);
- **no event / no point**: the note gave no event, or an event without a point.

"ranking accuracy" is acc@25km over the covered notes (issue 9's target: at least 92%). On the French
development set: for each required reference event, the distance to the nearest event the pipeline put in
its document. Needs ``../shared`` next to the repository; reads the gazetteer of the current settings
(``VEILLEUR_CACHE``: import the GeoNames dumps you want measured with ``veilleur gazetteer import``).
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_sets import SHARED, fold_set  # noqa: E402


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    from veilleur.geo.spherical import haversine_km

    return haversine_km(lat1, lon1, lat2, lon2)


def ingest(docs_path: Path, work: Path, name: str) -> dict[str, list[dict[str, Any]]]:
    """Events by document id, from a fresh ledger."""
    from veilleur import api
    from veilleur.settings import Settings

    settings = Settings.from_env(db_path=str(work / f"{name}.db"))
    api.ingest([str(docs_path)], settings=settings, progress=False, on_problem=lambda p: None)
    out = work / f"{name}.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        api.export(settings, "jsonl", fh)
    by_doc: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for line in out.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        for src in event.get("sources") or []:
            by_doc[src["document_id"]].append(event)
    return by_doc


def figures(errors: list[float | None]) -> dict[str, Any]:
    known = [e for e in errors if e is not None]
    n = len(errors)
    return {
        "n": n,
        "acc25": round(sum(e <= 25 for e in known) / n, 3) if n else None,
        "acc100": round(sum(e <= 100 for e in known) / n, 3) if n else None,
        "median_km": round(statistics.median(known), 1) if known else None,
    }


def acled_fold(fold: int, n: int, work: Path) -> dict[str, Any]:
    from veilleur.geo import Gazetteer
    from veilleur.settings import Settings

    docs, gold = fold_set(fold, n)
    path = work / "fold.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    events = ingest(path, work, "fold")
    gaz = Gazetteer.load(Settings.from_env())
    per_country: dict[str, list[float | None]] = collections.defaultdict(list)
    causes: collections.Counter[str] = collections.Counter()
    covered_errors: list[float | None] = []
    for g in gold["documents"]:
        ref = g["events"][0]
        evs = [e for e in events.get(g["id"], []) if e.get("latitude") is not None]
        err = km(evs[0]["latitude"], evs[0]["longitude"], ref["lat"], ref["lon"]) if evs else None
        per_country[ref["country"] or "?"].append(err)
        has = any(
            km(c.latitude, c.longitude, ref["lat"], ref["lon"]) <= 5 for c in gaz.candidates(ref["location"] or "")
        )
        if has:
            covered_errors.append(err)
        if err is not None and err <= 25:
            causes["right (25 km)"] += 1
        elif not events.get(g["id"]):
            causes["no event"] += 1
        elif err is None:
            causes["event without a point"] += 1
        elif not has:
            causes["coverage: place absent"] += 1
        else:
            causes["ranking: placed elsewhere"] += 1
    every = [e for errs in per_country.values() for e in errs]
    return {
        "fold": fold,
        "overall": figures(every),
        "covered": figures(covered_errors),
        "causes": dict(causes.most_common()),
        "countries": {c: figures(errs) for c, errs in sorted(per_country.items(), key=lambda kv: -len(kv[1]))},
    }


def french(work: Path) -> dict[str, Any]:
    gold = json.loads((SHARED / "eval" / "fr_dev_gold.json").read_text(encoding="utf-8"))
    events = ingest(SHARED / "eval" / "fr_dev_docs.jsonl", work, "fr_dev")
    errors: list[float | None] = []
    for doc in gold["documents"]:
        points = [(e["latitude"], e["longitude"]) for e in events.get(doc["id"], []) if e.get("latitude") is not None]
        for ref in doc["events"]:
            if ref.get("optional"):
                continue
            errors.append(min((km(la, lo, ref["lat"], ref["lon"]) for la, lo in points), default=None))
    return figures(errors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fold", type=int, default=4)
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--no-fr", action="store_true", help="skip the French development set")
    args = parser.parse_args(argv)
    if not (SHARED / "corpora" / "acled_notes" / "notes.csv.gz").is_file():
        print(f"bench_geo: {SHARED} is missing; nothing to measure", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        result: dict[str, Any] = {"acled": acled_fold(args.fold, args.notes, Path(tmp))}
        if not args.no_fr:
            result["fr_dev"] = french(Path(tmp))
    a = result["acled"]
    print(f"ACLED fold {a['fold']}: all notes {a['overall']}; covered notes (ranking) {a['covered']}")
    print("  where the notes went: " + ", ".join(f"{k} {v}" for k, v in a["causes"].items()))
    for country, f in list(a["countries"].items())[:15]:
        print(f"  {country:3s} n={f['n']:4d} acc25={f['acc25']} acc100={f['acc100']} median={f['median_km']} km")
    if "fr_dev" in result:
        print(f"French development set (required events): {result['fr_dev']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
