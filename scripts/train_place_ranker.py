#!/usr/bin/env python3
"""Train the place ranker (``src/veilleur/data/models/place_ranker.json``) from ACLED notes.

    .venv/bin/python scripts/train_place_ranker.py [--notes ../shared/corpora/acled_notes/notes.csv.gz]
        [--holdout 4] [--per-fold 6000] [--seed 13] [--out src/veilleur/data/models]

Needs scikit-learn (``pip install scikit-learn``; only for training) and the ACLED notes corpus next to the
repository. What it does, reproducibly (fixed seed, sorted inputs, rounded weights: the same inputs give the
same file):

1. draws ``--per-fold`` notes with a point from each of the five folds (a fold is a set of countries);
2. runs Veilleur's English pipeline on each note, recording every gazetteer ranking it makes: the candidates
   of a place name and their context (``geo.rank.RECORDER``);
3. keeps the rankings of the very name ACLED coded as the note's location, in notes coded at geo-precision
   1 (the point is the place itself), and labels their candidates by ACLED's point: a candidate within 5 km
   of it is the place meant. Rankings with no candidate that close (the gazetteer lacks the place), with
   every candidate that close, or with a single candidate teach nothing about ranking and are left out;
4. trains a logistic model on the folds other than ``--holdout`` and measures on the held-out fold the share
   of rankings whose top candidate is right, against the hand-weighted score it replaces; the same is done
   with each fold held out in turn, for the model card;
5. writes the weights (``place_ranker.json``) and the card (``place_ranker.md``).

The notes are ACLED data (© ACLED, acleddata.com, research use): only weights are written, never a row.
The gazetteer used is the one of the current settings (``VEILLEUR_CACHE``), with the GeoNames dumps the
user imported; the card records which.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import math
import pickle
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_NOTES = REPO.parent / "shared" / "corpora" / "acled_notes" / "notes.csv.gz"
LABEL_KM = 5.0


def read_notes(path: Path, per_fold: int, seed: int) -> dict[int, list[dict[str, str]]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["latitude"] and r["longitude"] and r["notes"].strip()]
    rows.sort(key=lambda r: r["event_id_cnty"])
    by_fold: dict[int, list[dict[str, str]]] = {k: [] for k in range(5)}
    for r in rows:
        by_fold[int(r["fold"])].append(r)
    rng = random.Random(seed)
    for k, fold in by_fold.items():
        rng.shuffle(fold)
        by_fold[k] = fold[:per_fold]
    return by_fold


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


def collect(notes: list[dict[str, str]], pipeline: Any) -> list[dict[str, Any]]:
    """Labelled rankings of one fold: {"X": feature rows, "y": labels, "hand": hand scores}."""
    from veilleur.geo import rank as rank_mod
    from veilleur.geo.normalize import key_exact
    from veilleur.model import Document

    groups = []
    for n, r in enumerate(notes, start=1):
        day = dt.date.fromisoformat(r["event_date"][:10]) if r["event_date"] else None
        doc = Document(
            id=r["event_id_cnty"],
            text=r["notes"],
            language="en",
            published=(day + dt.timedelta(days=1)) if day else None,
        )
        rank_mod.RECORDER = []
        try:
            list(pipeline.process([doc]))
        except Exception as exc:  # a note the pipeline cannot read teaches nothing; say so and go on
            print(f"  {doc.id}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        finally:
            records, rank_mod.RECORDER = rank_mod.RECORDER, None
        lat, lon = float(r["latitude"]), float(r["longitude"])
        if r["geo_precision"] not in ("1", "1.0"):
            continue  # ACLED's point is an area's seat, not the place the note names
        location = key_exact(r["location"])
        seen = set()
        for cands, ctx in records:
            if len(cands) < 2 or ctx.query != location:
                continue  # only the rankings of the name ACLED coded: their right answer is known
            key = (tuple(c.id for c in cands), ctx)
            if key in seen:  # the same look-up again (cached paths): count it once
                continue
            seen.add(key)
            dists = [haversine(lat, lon, c.latitude, c.longitude) for c in cands]
            labels = [int(d <= LABEL_KM) for d in dists]
            if not any(labels):
                continue
            if all(labels):
                continue
            groups.append(
                {
                    "cands": cands,
                    "ctx": ctx,
                    "y": labels,
                    "hand": [rank_mod.score(c, ctx).score for c in cands],
                    "country": r["country"],
                }
            )
        if n % 1000 == 0:
            print(f"  {n}/{len(notes)} notes, {len(groups)} rankings", file=sys.stderr, flush=True)
    return groups


def top1(groups: list[dict[str, Any]], scores: list[list[float]]) -> float:
    ok = sum(g["y"][max(range(len(s)), key=lambda i: s[i])] for g, s in zip(groups, scores, strict=True))
    return ok / len(groups) if groups else 0.0


def add_features(groups: list[dict[str, Any]]) -> None:
    from veilleur.geo import rank as rank_mod

    for g in groups:
        g["X"] = rank_mod.candidate_features(g["cands"], g["ctx"])


def fit(groups: list[dict[str, Any]], seed: int) -> Any:
    """A pairwise logistic model (RankNet's linear case): for every right and wrong candidate of a ranking,
    the difference of their features should score above 0. Its weights score one candidate at a time."""
    from sklearn.linear_model import LogisticRegression

    X, y = [], []
    for g in groups:
        right = [x for x, label in zip(g["X"], g["y"], strict=True) if label]
        wrong = [x for x, label in zip(g["X"], g["y"], strict=True) if not label]
        for a in right:
            for b in wrong:
                d = [ai - bi for ai, bi in zip(a, b, strict=True)]
                X.append(d)
                y.append(1)
                X.append([-v for v in d])
                y.append(0)
    model = LogisticRegression(C=1.0, max_iter=5000, random_state=seed, fit_intercept=False)
    model.fit(X, y)
    return model


def model_scores(model: Any, groups: list[dict[str, Any]]) -> list[list[float]]:
    w, b = model.coef_[0], 0.0
    return [[b + sum(wi * xi for wi, xi in zip(w, x, strict=True)) for x in g["X"]] for g in groups]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=Path, default=DEFAULT_NOTES)
    parser.add_argument("--holdout", type=int, default=4)
    parser.add_argument("--per-fold", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--rankings-cache", type=Path, default=None, help="keep the collected rankings here (outside the repository)"
    )
    parser.add_argument("--out", type=Path, default=REPO / "src" / "veilleur" / "data" / "models")
    args = parser.parse_args(argv)
    if not args.notes.is_file():
        print(f"train_place_ranker: {args.notes} is missing", file=sys.stderr)
        return 1
    from veilleur.geo import ranker, sources
    from veilleur.pipeline import Pipeline
    from veilleur.settings import Settings

    ranker.bundled.cache_clear()
    settings = Settings.from_env()
    imported = sorted(p.name for _kind, p in sources.imported_files(Path(settings.cache_dir)))
    pipeline = Pipeline(settings)
    pipeline.warm_up(("en",))
    t0 = time.perf_counter()
    by_fold = read_notes(args.notes, args.per_fold, args.seed)
    # collect with the hand-weighted ranking, whatever model the package holds now
    saved = ranker.bundled
    ranker.bundled = lambda: None  # type: ignore[assignment]
    cached = args.rankings_cache
    try:
        if cached is not None and cached.is_file():
            groups = pickle.loads(cached.read_bytes())
            print(f"rankings read from {cached}", file=sys.stderr)
        else:
            groups = {}
            for k in range(5):
                print(f"fold {k}: {len(by_fold[k])} notes", file=sys.stderr, flush=True)
                groups[k] = collect(by_fold[k], pipeline)
            if cached is not None:
                cached.write_bytes(pickle.dumps(groups))
    finally:
        ranker.bundled = saved  # type: ignore[assignment]
    for k in range(5):
        add_features(groups[k])
    figures = {}
    for k in range(5):
        train = [g for j in range(5) if j != k for g in groups[j]]
        test = groups[k]
        model = fit(train, args.seed)
        figures[k] = {
            "rankings": len(test),
            "countries": len({g["country"] for g in test}),
            "model_top1": round(top1(test, model_scores(model, test)), 4),
            "hand_top1": round(top1(test, [g["hand"] for g in test]), 4),
        }
        print(f"fold {k} held out: {figures[k]}", file=sys.stderr, flush=True)
    train = [g for j in range(5) if j != args.holdout for g in groups[j]]
    model = fit(train, args.seed)
    # "none of these": the log-odds under which only 2% of the right top candidates of the training rankings fall
    right = sorted(max(s) for g, s in zip(train, model_scores(model, train), strict=True) if g["y"][s.index(max(s))])
    threshold = right[int(len(right) * 0.02)] if right else 0.0
    from veilleur.geo.ranker import FEATURES

    data = {
        "features": list(FEATURES),
        "weights": [round(float(w), 6) for w in model.coef_[0]],
        "bias": 0.0,
        "threshold": round(float(threshold), 6),
        "meta": {
            "trained_on_folds": [j for j in range(5) if j != args.holdout],
            "held_out_fold": args.holdout,
            "notes_per_fold": args.per_fold,
            "seed": args.seed,
            "training_rankings": len(train),
            "imported_geonames_files": imported,
        },
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "place_ranker.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    counts = Counter(g["country"] for g in train)
    rows = "\n".join(
        f"| {k} | {f['countries']} | {f['rankings']} | {f['model_top1']:.3f} | {f['hand_top1']:.3f} |"
        for k, f in figures.items()
    )
    weights = "\n".join(
        f"| `{name}` | {w:+.3f} |"
        for name, w in sorted(zip(FEATURES, data["weights"], strict=True), key=lambda t: -abs(t[1]))
    )
    card = CARD.format(
        folds=", ".join(map(str, data["meta"]["trained_on_folds"])),
        holdout=args.holdout,
        per_fold=args.per_fold,
        seed=args.seed,
        n_train=len(train),
        n_countries=len(counts),
        imported=", ".join(imported) or "none (the bundled gazetteer alone)",
        rows=rows,
        weights=weights,
        threshold=data["threshold"],
        minutes=round((time.perf_counter() - t0) / 60, 1),
        n_features=len(FEATURES),
    )
    (args.out / "place_ranker.md").write_text(card, encoding="utf-8")
    print(f"wrote {args.out / 'place_ranker.json'} and place_ranker.md", file=sys.stderr)
    return 0


CARD = """# Model card: the place ranker (`place_ranker.json`)

**What it does.** For a place name in an article, the gazetteer retrieves every entry the name can mean
(towns, villages, admin areas, facilities, countries: `Gazetteer.candidates`). This model ranks them: a
pairwise logistic model (trained on pairs of a right and a wrong candidate) over {n_features} features of
each candidate in its context (`veilleur.geo.ranker.FEATURES`: how the name matched, the entry's kind,
population, capital or admin seat, whether it lies in the article's first or another of its countries or a
neighbour, whether it fits the kind word of the phrase, its distance to the article's other places, a weak
alias, spelling distance, a common word). Rules then keep the explicit "none of these" (a common word, a
weak alias without a hint, a hamlet abroad, a loose spelling far from any context) and the model's score must
reach `threshold` = {threshold} (score units: the score orders candidates; the threshold is the score under
which 2% of the right answers of the training rankings fall). `veilleur places "TEXT"` prints the candidates
with their scores and the features that decided.

**Status.** Opt-in (`place_ranker = "learned"`, `VEILLEUR_PLACE_RANKER=learned`): it beats the hand-weighted
score on the held-out rankings below, but end to end (whole pipeline, `benchmarks/eval_sets.py`) it is not yet
better everywhere (2026-12-02: held-out fold 4 F1 0.744 against 0.736, French development set 0.591 against
0.582, ACLED development notes 0.849 against 0.860, seed articles 0.952 against 1.000). One feature,
`rule_score`, is the hand-weighted score itself: the model learns corrections to it.

**Data.** English ACLED event notes (`corpora/acled_notes`, 157 countries; "Armed Conflict Location & Event
Data (ACLED), acleddata.com", research use). {per_fold} notes with a point drawn from each fold (seed
{seed}). Each note went through Veilleur's English pipeline, every ranking it made was recorded, and the
rankings of the name ACLED coded as the note's location, in notes coded at geo-precision 1, were kept: a
candidate within 5 km of ACLED's point is the place meant. Rankings where no candidate (or every candidate)
is that close, or of a single candidate, are left out. Gazetteer at training time: bundled sources plus
{imported}.
Only the weights are in this repository; no note, no row.

**Split.** Folds are sets of countries (`fold` column): the shipped model is trained on folds {folds}
({n_train} rankings from {n_countries} countries) and fold {holdout} is held out. The figures below train
on four folds and measure on the fifth, for each fold in turn.

| held-out fold | countries | rankings | top-1 right, this model | top-1 right, the hand-weighted score it replaced |
|---|---|---|---|---|
{rows}

**Weights** (on the features' own scales; 0/1 features unless named log or distance):

| feature | weight |
|---|---|
{weights}

**Limits.** Trained on ACLED's English notes, whose places are often followed by "(Admin2, Admin1)": the
ranking features are the same in French, but the mix of contexts differs in news text. Labels come from
ACLED's point, which for geo-precision 2 and 3 is an area's seat: such notes teach "the area's seat", not a
village. Villages the gazetteer lacks cannot be learned; they fall back to the admin area the text names.
Countries with no imported GeoNames dump have towns of 500+ inhabitants only.

**Retrain.** `.venv/bin/pip install scikit-learn && .venv/bin/python scripts/train_place_ranker.py`
(about {minutes} minutes on 2 cores; same inputs, same file).
"""


if __name__ == "__main__":
    sys.exit(main())
