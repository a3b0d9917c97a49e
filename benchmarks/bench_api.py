"""Latency of ``GET /api/events`` over a ledger of 100,000 synthetic events, on loopback.

    .venv/bin/python benchmarks/bench_api.py [--events 100000] [--rounds 40] [--concurrency N] [--json] [--rebuild]

Builds (once, cached in bench-results/) a SQLite ledger of synthetic events spread over two years, ten
countries, six event types, forty actors and thirty outlets, each reported by one or two of 25,000
articles; starts the real ``veilleur serve`` on a free loopback port; then ``--concurrency N`` clients
(default 1) each send, over a keep-alive connection of their own, rounds of the page's typical requests
(first page, each filter alone, a full-text search, a map box, a deep page), each a full page of 100
events with their sources and the total count. Prints p50/p95/max per query and over all, and the figure
the README quotes: p95 over all requests, which must stay under 100 ms. It measures; it does not pass or
fail (``--json`` for machines).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from veilleur.model import Actor, Claim, DateValue, Document, Event, Place, Source, Span  # noqa: E402
from veilleur.store import open_store  # noqa: E402

TYPES = {
    "Battles": ["Armed clash", "Attack"],
    "Explosions/Remote violence": [
        "Air/drone strike", "Remote explosive/landmine/IED", "Shelling/artillery/missile attack"
    ],
    "Violence against civilians": ["Attack", "Abduction/forced disappearance"],
    "Protests": ["Peaceful protest", "Protest with intervention"],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Strategic developments": ["Looting/property destruction", "Arrests"],
}  # fmt: skip
COUNTRIES = [
    ("ML", "Mali", 17.0, -3.0), ("BF", "Burkina Faso", 12.5, -1.5), ("NE", "Niger", 15.0, 8.0),
    ("NG", "Nigeria", 10.0, 8.0), ("TD", "Chad", 13.0, 18.0), ("CM", "Cameroon", 6.0, 12.0),
    ("CF", "Central African Republic", 6.5, 20.5), ("CD", "DR Congo", -2.0, 24.0), ("IQ", "Iraq", 33.0, 43.5),
    ("SY", "Syria", 35.0, 38.5),
]  # fmt: skip
COMMON = (
    "attaque frappe drone convoi armée village civils milices jihadistes embuscade route marché camp base "
    "explosion engin manifestation police arrestation enlèvement combats renforts hélicoptère mortier"
).split()
SYLLABLES = "ba bo da di ka ko la lo ma mo na ni ra ro sa si ta to ya zu".split()


def vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    """Pseudo-words (place and person names, rarer terms) drawn with a Zipf-like skew, so that a search
    for one of them matches a few per cent of the articles, as a place name does in real news."""
    words = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size * 2)}
    return sorted(words)[:size]


CLAIMS = [Claim.REPORTED] * 7 + [Claim.CLAIMED, Claim.DENIED, Claim.HEDGED]
OUTLETS = [f"Outlet {i:02d}" for i in range(30)]
ACTORS = [f"Actor {i:02d}" for i in range(40)]


def build(path: Path, n_events: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    n_docs = max(1, n_events // 4)
    start = dt.date(2023, 1, 1)
    docs: list[Document] = []
    names = vocabulary(rng)
    weights = [1 / (rank + 10) for rank in range(len(names))]
    for i in range(n_docs):
        words = rng.choices(COMMON, k=45) + rng.choices(names, weights=weights, k=15)
        rng.shuffle(words)
        text = " ".join(words) + "."
        docs.append(
            Document(
                id=f"doc-{i:06d}", text=text, published=start + dt.timedelta(days=rng.randrange(730)),
                outlet=rng.choice(OUTLETS), language="fr", title=f"Article {i}", content_hash=f"h{i}",
            )
        )  # fmt: skip
    per_doc: dict[str, list[Event]] = {d.id: [] for d in docs}
    for i in range(n_events):
        etype = rng.choice(list(TYPES))
        iso, name, lat, lon = rng.choice(COUNTRIES)
        doc = docs[i % n_docs]
        day = start + dt.timedelta(days=rng.randrange(730))
        sentence = doc.text[:80]
        sources = [
            Source(
                document_id=doc.id, outlet=doc.outlet, published=doc.published, claim=rng.choice(CLAIMS),
                evidence=[Span(0, 80, sentence)],
            )
        ]  # fmt: skip
        event = Event(
            id=f"ev-{i:07d}",
            event_type=etype,
            sub_event_type=rng.choice(TYPES[etype]),
            date=DateValue(date=day, precision=1),
            actor1=Actor(rng.choice(ACTORS)),
            actor2=Actor(rng.choice(ACTORS)) if rng.random() < 0.6 else None,
            place=Place(
                name=f"Place {rng.randrange(500)}",
                latitude=lat + rng.uniform(-3, 3),
                longitude=lon + rng.uniform(-3, 3),
                country=iso,
                country_name=name,
                admin1=f"{name} region {rng.randrange(8)}",
            ),  # fmt: skip
            fatalities=rng.choice([None, 0, 1, 2, 3, 5, 10]),
            sources=sources,
        )
        per_doc[doc.id].append(event)
    with open_store(path) as store:
        batch: list[tuple[Document, list[Event]]] = []
        for doc in docs:
            batch.append((doc, per_doc[doc.id]))
            if len(batch) >= 2000:
                store.save(batch)
                batch = []
        if batch:
            store.save(batch)


def queries(seed: int = 7) -> list[tuple[str, dict[str, str]]]:
    word = vocabulary(random.Random(seed))[50]  # in about 4% of the articles
    return [
        ("first page", {}),
        ("type", {"type": "Battles"}),
        ("two types", {"type": ["Protests", "Riots"]}),  # type: ignore[dict-item]
        ("country", {"country": "ML"}),
        ("admin1", {"admin1": "Mali region 3"}),
        ("actor", {"actor": "Actor 07"}),
        ("outlet", {"outlet": "Outlet 11"}),
        ("claim", {"claim": "denied"}),
        ("date range", {"from": "2024-03-01", "to": "2024-03-31"}),
        ("map box", {"bbox": "-4,14,-2,18"}),
        ("full text", {"q": word}),
        ("two words", {"q": f"embuscade {word}"}),
        ("combined", {"country": "BF", "type": "Battles", "from": "2023-06-01", "to": "2023-12-31"}),
        ("oldest first", {"sort": "date"}),
        ("deep page", {"offset": "50000"}),
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    veilleur = Path(sys.executable).parent / "veilleur"
    command = [str(veilleur)] if veilleur.exists() else [sys.executable, "-m", "veilleur.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLEUR_")}
    proc = subprocess.Popen([*command, "--db", str(db), "serve", "--port", str(port)], env=env)
    for _ in range(600):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/config")
            if conn.getresponse().status == 200:
                conn.close()
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the server did not start")


def run_client(port: int, rounds: int, limit: int, timings: dict[str, list[float]]) -> dict[str, int]:
    """One client: ``rounds`` rounds of every query over one keep-alive connection (``rounds=0``: one
    untimed warm-up round); the latencies go into ``timings``; returns the matches of each query."""
    counts: dict[str, int] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for _ in range(max(1, rounds)):
        for name, params in queries():
            path = "/api/events?" + urlencode({**params, "limit": str(limit)}, doseq=True)
            t0 = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - t0) * 1000
            if response.status != 200:
                raise SystemExit(f"{path}: HTTP {response.status}: {body[:200]!r}")
            if rounds == 0:
                counts[name] = json.loads(body)["count"]
            else:
                timings[name].append(elapsed)
    conn.close()
    return counts


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40, help="rounds of all queries (after one warm-up)")
    parser.add_argument("--limit", type=int, default=100, help="events per page")
    parser.add_argument("--db", type=Path, help="ledger to use (default: bench-results/api-N.db, built once)")
    parser.add_argument("--rebuild", action="store_true", help="build the synthetic ledger again")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--concurrency", type=int, default=1, metavar="N", help="N clients at once, each running every round"
    )
    args = parser.parse_args(argv)
    if args.concurrency < 1:
        parser.error("--concurrency must be at least 1")

    db = args.db or REPO / "bench-results" / f"api-{args.events}.db"
    if args.rebuild or not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        t0 = time.perf_counter()
        build(db, args.events)
        print(f"built {db} ({args.events} events) in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    proc, port = start_server(db)
    timings: dict[str, list[float]] = {name: [] for name, _ in queries()}
    counts: dict[str, int] = {}
    try:
        counts = run_client(port, 0, args.limit, {name: [] for name, _ in queries()})  # warm-up round
        per_client = [{name: [] for name, _ in queries()} for _ in range(args.concurrency)]
        threads = [
            threading.Thread(target=run_client, args=(port, args.rounds, args.limit, per_client[i]))
            for i in range(args.concurrency)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for client in per_client:
            for name, values in client.items():
                timings[name].extend(values)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    every = [t for values in timings.values() for t in values]
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "events": args.events,
        "requests": len(every),
        "concurrency": args.concurrency,
        "page": args.limit,
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(percentile(every, 0.95), 1),
        "max_ms": round(max(every), 1),
        "queries": {
            name: {
                "matches": counts[name],
                "p50_ms": round(statistics.median(values), 1),
                "p95_ms": round(percentile(values, 0.95), 1),
            }
            for name, values in timings.items()
        },
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{'query':<14} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for name, row in result["queries"].items():  # type: ignore[union-attr]
        print(f"{name:<14} {row['matches']:>8} {row['p50_ms']:>8} {row['p95_ms']:>8}")
    print(
        f"GET /api/events over {args.events} events, {len(every)} requests of {args.limit} events on "
        f"loopback by {args.concurrency} client{'s' if args.concurrency != 1 else ''}: "
        f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms "
        f"({result['machine']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
