"""Veilleur's Python API; the command line (``veilleur.cli``) is a thin layer over it.

    from veilleur.api import ingest, list_events, export, evaluate
    from veilleur.settings import Settings

    settings = Settings.from_env(db_path="ledger.db")
    report = ingest(["articles.jsonl", "pages/"], settings=settings)
    for event in list_events(settings, country="ML", limit=20):
        ...

Every function opens the store named by ``settings.db_path`` and closes it before returning. Nothing heavy
happens at import time: spaCy and the language data load on the first document that needs them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from veilleur.errors import StoreError
from veilleur.model import Document, Event
from veilleur.printing import printable
from veilleur.settings import Settings
from veilleur.store.base import SaveReport

if TYPE_CHECKING:
    from veilleur.export import Format
    from veilleur.store import Outlet, Store

__all__ = [
    "IngestReport",
    "ProgressCallback",
    "evaluate",
    "export",
    "get_event",
    "ingest",
    "iter_events",
    "label_outlet",
    "list_events",
    "open_ledger",
    "outlets",
]

logger = logging.getLogger("veilleur")

ProgressCallback = Callable[[int, "int | None"], None]
"""Called as ``callback(done, total)`` after each input item (document or problem); total may be None."""

EVENT_FILTERS = (
    "date_from", "date_to", "event_type", "sub_event_type", "country", "document_id", "bbox", "source_label",
)  # fmt: skip
_PAGE = 1000  # events read from the store at a time when streaming an export


class EventSource(Protocol):
    """What ``ingest`` needs of a pipeline: :class:`veilleur.pipeline.Pipeline` or a stand-in."""

    def process(self, documents: Iterable[Document]) -> Iterator[tuple[Document, list[Event]]]: ...


@dataclass
class IngestReport:
    """What one ``ingest`` call read, stored and could not read."""

    documents_read: int = 0  # documents read from the inputs (problems not included)
    documents_added: int = 0  # new documents stored (with their events)
    documents_skipped: int = 0  # already stored (same id or same text), or repeated within this run
    events_added: int = 0  # new events in the ledger (an event already stored may only gain sources)
    sources_added: int = 0  # new (event, document) links
    events_joined: int = 0  # events of new documents that joined an event of the ledger (cross-article merge)
    documents_failed: int = 0  # read, but the pipeline failed on them: each is also a line in ``problems``
    problems: list[str] = field(default_factory=list)  # one line per input that could not be read or processed
    warnings: list[str] = field(default_factory=list)  # inputs read anyway (e.g. bad bytes replaced)
    # what became of each document read, by its origin ("file.jsonl:3"): "added", "already stored", "failed"
    outcomes: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        line = (
            f"{self.documents_read} documents read: {self.documents_added} added, "
            f"{self.documents_skipped} already stored; {self.events_added} new events"
        )
        if self.events_joined:
            line += f", {self.events_joined} joined events already in the ledger"
        if self.problems:
            n = len(self.problems)
            line += f"; {n} input{'s' if n != 1 else ''} could not be read"
            if self.documents_failed:
                line += f" ({self.documents_failed} of them could not be processed)"
        if self.warnings:
            n = len(self.warnings)
            line += f"; {n} warning{'s' if n != 1 else ''}"
        return line


# ---------------------------------------------------------------- store


def open_ledger(settings: Settings, *, create: bool = True) -> Store:
    """Open the store at ``settings.db_path``. With ``create=False`` a missing SQLite file is a
    :class:`StoreError` (reading commands must not leave an empty database behind a typo)."""
    from veilleur.store import open_store

    target = settings.db_path
    text = str(target)
    if not create and "://" not in text and text != ":memory:":
        path = Path(text.removeprefix("sqlite:///")).expanduser()
        if not path.exists():
            raise StoreError("no such database (run 'veilleur ingest' first, or check --db)", where=text)
    return open_store(target)


# ---------------------------------------------------------------- ingest


def _stderr_line(line: str) -> None:
    """Write one line to stderr without breaking a running tqdm bar."""
    try:
        from tqdm import tqdm

        tqdm.write(line, file=sys.stderr)
    except ImportError:  # pragma: no cover - tqdm is a dependency
        print(line, file=sys.stderr)


class _Progress:
    """A tqdm bar on stderr (``progress=True``: only when stderr is a terminal), a callback, or nothing."""

    def __init__(self, progress: bool | ProgressCallback, total: int | None) -> None:
        self.done = 0
        self.total = total
        self._callback: ProgressCallback | None = None
        self._bar: Any = None
        if callable(progress):
            self._callback = progress
        elif progress:
            from tqdm import tqdm

            # disable=None: tqdm turns itself off when stderr is not a TTY (pipes, CI logs)
            self._bar = tqdm(total=total, unit="doc", file=sys.stderr, disable=None, dynamic_ncols=True)

    def advance(self, n: int = 1) -> None:
        if n <= 0:
            return
        self.done += n
        if self.total is not None and self.done > self.total:
            self.total = self.done  # count_inputs is an estimate for very large files
            if self._bar is not None:
                self._bar.total = self.done
        if self._bar is not None:
            self._bar.update(n)
        if self._callback is not None:
            self._callback(self.done, self.total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def ingest(
    paths: Sequence[str | Path] | str | Path,
    *,
    settings: Settings,
    published: dt.date | None = None,
    language: str | None = None,
    progress: bool | ProgressCallback = False,
    on_problem: Callable[[str], None] | None = None,
    pipeline: EventSource | None = None,
) -> IngestReport:
    """Read files, folders (recursive) or ``-`` (stdin), extract events, store both.

    - ``published`` / ``language``: fallbacks for inputs that carry no date / no supported language.
    - Each input that cannot be read becomes one line in ``report.problems`` and is passed to
      ``on_problem`` (default: written to stderr); reading goes on with the next input.
    - Documents already stored (same id, or same text from the same outlet) are skipped before any NLP
      work, so re-ingesting the same input changes nothing. The same text from another outlet is that
      outlet's report: it is read, and its events join the ledger's.
    - The rest go through the pipeline in batches of ``settings.batch_size``; the ledger stage
      (``veilleur.merge.ledger``, rules in ``settings.ledger``) joins their events to the stored events
      they report again; each batch is stored in one transaction (all of it or none of it).
    - ``progress``: True for a tqdm bar on stderr (shown only when stderr is a terminal), or a callable
      ``(done, total)``.
    - ``pipeline``: an already warmed :class:`~veilleur.pipeline.Pipeline` (or a stand-in); by default
      one is made from ``settings``.

    Raises :class:`~veilleur.errors.UnsupportedLanguageError` at once for an unsupported ``language``,
    :class:`~veilleur.errors.StoreError` when the store cannot be opened or written.
    """
    from veilleur.ingest import IngestProblem, count_inputs, read_paths
    from veilleur.ingest.reader import ledger_files

    if isinstance(paths, str | Path):
        paths = [paths]
    paths = list(paths)
    report_problem = on_problem or _stderr_line
    own = ledger_files(settings.db_path)
    items = read_paths(paths, published=published, language=language, languages=settings.languages, exclude=own)
    report = IngestReport()
    total = count_inputs(paths, own) if progress else None
    bar = _Progress(progress, total)
    batch_size = max(1, settings.batch_size)
    try:
        with open_ledger(settings) as store:
            if pipeline is None:
                from veilleur.pipeline import Pipeline

                pipeline = Pipeline(settings)
            seen: set[str] = set()  # ids and (content hash, outlet) pairs met in this run
            ledger = _Ledger(store, settings)
            batch: list[Document] = []
            for item in items:
                if isinstance(item, IngestProblem):
                    line = printable(str(item))
                    if item.is_warning:
                        report.warnings.append(line)
                        report_problem(f"warning: {line}")
                        continue
                    report.problems.append(line)
                    report_problem(line)
                    bar.advance()
                    continue
                report.documents_read += 1
                batch.append(item)
                if len(batch) >= batch_size:
                    _ingest_batch(batch, store, pipeline, seen, report, bar, ledger, report_problem)
                    batch = []
            if batch:
                _ingest_batch(batch, store, pipeline, seen, report, bar, ledger, report_problem)
    finally:
        bar.close()
    logger.info("%s", report.summary())
    return report


class _Ledger:
    """The ledger stage of one ingest run (``veilleur.merge.ledger``), loaded on the first batch."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.rules = settings.ledger
        self.joined = 0

    def place(self, results: list[tuple[Document, list[Event]]]) -> tuple[list[tuple[Document, list[Event]]], int]:
        """The batch placed in the ledger, and how many of its events joined a ledger event."""
        from veilleur.merge.ledger import Ledger

        ledger = Ledger(self.store, self.rules)
        placed = ledger.place(results)
        self.joined += ledger.joined
        return placed, ledger.joined


def _outcome(report: IngestReport, doc: Document, outcome: str) -> None:
    if doc.origin:
        report.outcomes[doc.origin] = outcome


def _extract(
    fresh: list[Document],
    pipeline: EventSource,
    report: IngestReport,
    bar: _Progress,
    report_problem: Callable[[str], None],
) -> list[tuple[Document, list[Event]]]:
    """The pipeline's results for a batch. When the batch fails, each document is run alone, so the one that
    fails is that document's problem (``V111``, named by its origin) and its neighbours are stored."""
    try:
        results = list(pipeline.process(fresh))
    except (KeyboardInterrupt, MemoryError):
        raise
    except Exception:
        results = []
        for doc in fresh:
            try:
                results.extend(pipeline.process([doc]))
            except (KeyboardInterrupt, MemoryError):
                raise
            except Exception as exc:
                from veilleur.errors import DocumentFailedError

                reason = " ".join(str(exc).split())[:200]
                error = DocumentFailedError(
                    f"could not be processed ({type(exc).__name__}{': ' + reason if reason else ''}); "
                    "the other documents are stored",
                    where=doc.origin or f"document {doc.id!r}",
                )
                report.documents_failed += 1
                _outcome(report, doc, "failed")
                line = printable(str(error))
                report.problems.append(line)
                report_problem(line)
                logger.debug("extraction failed for %r", doc.id, exc_info=True)
    bar.advance(len(fresh))
    return results


def _ingest_batch(
    batch: list[Document],
    store: Store,
    pipeline: EventSource,
    seen: set[str],
    report: IngestReport,
    bar: _Progress,
    ledger: _Ledger | None = None,
    report_problem: Callable[[str], None] = _stderr_line,
) -> None:
    """Skip the known documents, run the pipeline over the rest, then in ONE write transaction check again
    which are known (another process may have stored them meanwhile), place their events in the ledger
    (join the stored events they report again) and store them, so that two ingests running at once never
    create the same incident twice and the counts are exact."""
    known = store.known(batch)
    fresh: list[Document] = []
    for doc in batch:
        # the same id, or the same text from the same outlet (another outlet's copy is its own report)
        keys = {f"id:{doc.id}"}
        if doc.content_hash:
            keys.add(f"text:{doc.content_hash}|{doc.outlet or ''}")
        if doc.id in known or keys & seen:
            report.documents_skipped += 1
            _outcome(report, doc, "already stored")
            continue
        seen.update(keys)
        fresh.append(doc)
    bar.advance(len(batch) - len(fresh))
    if not fresh:
        return
    results = _extract(fresh, pipeline, report, bar, report_problem)
    if not results:
        return
    writing = getattr(store, "writing", None)
    with writing() if writing is not None else contextlib.nullcontext():
        stored_now = store.known([doc for doc, _ in results])
        if stored_now:  # stored by another process while this one read them
            report.documents_skipped += len(stored_now)
            for doc, _ in results:
                if doc.id in stored_now:
                    _outcome(report, doc, "already stored")
            results = [(doc, events) for doc, events in results if doc.id not in stored_now]
        joined = 0
        if ledger is not None and results:
            results, joined = ledger.place(results)
        saved = store.save(results) if results else SaveReport()
    for doc, _ in results:  # known ones were taken out above, in the same transaction: the rest is stored
        _outcome(report, doc, "added")
    report.events_joined += joined
    report.documents_added += saved.documents_added
    report.documents_skipped += saved.documents_skipped
    report.events_added += saved.events_added
    report.sources_added += saved.sources_added


# ---------------------------------------------------------------- reading the ledger


def _filters(filters: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(filters) - set(EVENT_FILTERS) - {"limit", "offset"})
    if unknown:
        raise TypeError(f"unknown event filter(s): {', '.join(unknown)} (known: {', '.join(EVENT_FILTERS)})")
    return {k: v for k, v in filters.items() if v is not None}


def list_events(settings: Settings, **filters: Any) -> list[Event]:
    """Stored events, ordered by date (undated last) then id. Filters: ``date_from``, ``date_to``,
    ``event_type``, ``sub_event_type``, ``country`` (ISO code or name), ``document_id``, ``bbox``,
    ``source_label`` (an outlet with this label reports the event), ``limit``, ``offset``."""
    with open_ledger(settings, create=False) as store:
        return store.events(**_filters(filters))


def iter_events(store: Store, **filters: Any) -> Iterator[Event]:
    """Stream the events of an open store page by page (same filters as :func:`list_events`)."""
    chosen = _filters(filters)
    limit: int | None = chosen.pop("limit", None)
    offset: int = chosen.pop("offset", 0)
    remaining = limit
    while remaining is None or remaining > 0:
        page = _PAGE if remaining is None else min(_PAGE, remaining)
        events = store.events(limit=page, offset=offset, **chosen)
        yield from events
        if len(events) < page:
            return
        offset += len(events)
        if remaining is not None:
            remaining -= len(events)


def get_event(settings: Settings, event_id: str) -> Event | None:
    """One stored event with its sources, or None."""
    with open_ledger(settings, create=False) as store:
        return store.get_event(event_id)


def get_documents(settings: Settings, ids: Iterable[str]) -> dict[str, Document]:
    """The stored documents with these ids (missing ones left out)."""
    found: dict[str, Document] = {}
    with open_ledger(settings, create=False) as store:
        for doc_id in dict.fromkeys(ids):
            doc = store.get_document(doc_id)
            if doc is not None:
                found[doc_id] = doc
    return found


def outlets(settings: Settings, *, label: str | None = None) -> list[Outlet]:
    """The source registry: each outlet of the stored articles (and each labelled one) with its languages,
    counts of documents and events, first and last publication dates and labels; only those labelled
    ``label`` when given."""
    with open_ledger(settings, create=False) as store:
        return store.outlets(label=label)


def label_outlet(settings: Settings, outlet: str, label: str, *, remove: bool = False) -> tuple[bool, bool]:
    """Label an outlet (``remove``: unlabel it): (whether anything changed, whether any stored article comes
    from that outlet). Event filters take the label as ``source_label``. ValueError for an empty name."""
    with open_ledger(settings, create=False) as store:
        changed = store.label_outlet(outlet, label, remove=remove)
        known = any(o.name == outlet.strip() and o.documents for o in store.outlets())
    return changed, known


def export(settings: Settings, fmt: Format, out: TextIO, *, raw: bool = False, **filters: Any) -> int:
    """Write the stored events (optionally filtered as in :func:`list_events`) to ``out`` as ``jsonl``,
    ``csv`` or ``geojson``; returns how many were written (GeoJSON leaves out events without a point).
    For CSV open ``out`` with ``newline=""``. The export reads one snapshot of the ledger (one read
    transaction). CSV cells that a spreadsheet would run as a formula are neutralised unless ``raw``."""
    from veilleur.export import FORMATS, write_events

    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    with open_ledger(settings, create=False) as store:
        snapshot = getattr(store, "snapshot", None)
        # one read transaction: an export taken during an ingest is one consistent state of the ledger
        with snapshot() if snapshot is not None else contextlib.nullcontext():
            return write_events(iter_events(store, **filters), fmt, out, raw=raw)


def evaluate(settings: Settings, gold_path: str | Path) -> dict[str, Any]:
    """Score the stored events of the gold file's documents against it (``veilleur.evaluate.score``):
    the scorer's result dict (``events``: tp, fp, fn, precision, recall, f1; ``strict_f1``; per-document
    matches, misses and false positives)."""
    from veilleur.evaluate import load_gold, score
    from veilleur.export import event_to_record

    gold = load_gold(gold_path)
    predictions: dict[str, dict[str, Any]] = {}
    with open_ledger(settings, create=False) as store:
        for doc in gold["documents"]:
            for event in iter_events(store, document_id=str(doc["id"])):
                predictions.setdefault(event.id, event_to_record(event))
    return score(gold, list(predictions.values()))


# ---------------------------------------------------------------- gazetteer imports


def gazetteer_import(
    settings: Settings, paths: Sequence[str | Path] = (), *, download: Sequence[str] = ()
) -> list[tuple[str, str, bool]]:
    """Import GeoNames files (country dumps ``CC.txt``/``CC.zip``, ``admin1CodesASCII.txt``,
    ``admin2Codes.txt``) into the cache folder, fetch ``download`` countries' dumps from GeoNames, then build
    the gazetteer index that includes them. Returns (file name, kind, changed) per file."""
    from veilleur.geo import sources
    from veilleur.geo.gazetteer import Gazetteer

    cache = Path(settings.cache_dir)
    done = sources.import_files(cache, [Path(p) for p in paths]) if paths else []
    if download:
        done += sources.download(cache, download)
    Gazetteer.load(settings).close()  # build the new index now, not at the next ingest
    return done


def gazetteer_files(settings: Settings) -> list[tuple[str, str]]:
    """(file name, kind) of the GeoNames files imported into this cache folder."""
    from veilleur.geo import sources

    return [(path.name, kind) for kind, path in sources.imported_files(Path(settings.cache_dir))]


def gazetteer_remove(settings: Settings, names: Sequence[str]) -> list[str]:
    """Forget imported GeoNames files by name; the next run builds an index without them."""
    from veilleur.geo import sources

    return sources.remove_files(Path(settings.cache_dir), names)


# ---------------------------------------------------------------- explaining places


@dataclass(frozen=True)
class CandidateExplanation:
    """One gazetteer candidate of a place name: its score and what decided it."""

    entry: Any  # veilleur.geo.GeoEntry
    score: float
    contributions: list[Any]  # veilleur.geo.ranker.Contribution, strongest first (empty: hand-weighted score)


@dataclass(frozen=True)
class RankingExplanation:
    """One ranking the pipeline made: the name looked up, its context and its candidates, best first."""

    name: str
    countries: tuple[str, ...]
    kind_hint: str | None
    near: tuple[float, float] | None
    candidates: list[CandidateExplanation]
    accepted: bool  # the best candidate passed the "none of these" rules


def explain_places(
    settings: Settings,
    text: str,
    *,
    language: str | None = None,
    published: dt.date | None = None,
    top: int = 3,
) -> tuple[list[RankingExplanation], list[Event]]:
    """Run the pipeline on ``text`` and return every place ranking it made (candidates, scores and the
    features that decided) with the events it extracted: why an event sits where it does."""
    from veilleur.geo import rank as rank_mod
    from veilleur.ingest.langid import detect_language
    from veilleur.pipeline import Pipeline

    lang = language or detect_language(text) or settings.default_language
    doc = Document(id="explain", text=text, language=lang, published=published)
    pipeline = Pipeline(settings)
    pipeline.warm_up((lang,))
    rank_mod.RECORDER = []
    try:
        events = [e for _doc, evs in pipeline.process([doc]) for e in evs]
    finally:
        records, rank_mod.RECORDER = rank_mod.RECORDER, None
    model = pipeline.resources(lang).gazetteer.ranker
    out: list[RankingExplanation] = []
    seen: set[tuple[str, tuple[str, ...], str | None]] = set()
    for cands, ctx in records:
        key = (ctx.query, ctx.countries, ctx.kind)
        if key in seen or not cands:
            continue
        seen.add(key)
        ranked = rank_mod.rank(cands, ctx, model)
        vectors = {c.id: v for c, v in zip(cands, rank_mod.candidate_features(cands, ctx), strict=True)}
        shown = [
            CandidateExplanation(r.entry, r.score, model.explain(vectors[r.entry.id]) if model else [])
            for r in ranked[:top]
        ]
        accepted = bool(ranked) and rank_mod.plausible(ranked[0], ranked, ctx)
        out.append(RankingExplanation(ctx.query, ctx.countries, ctx.kind, ctx.near, shown, accepted))
    return out, events
