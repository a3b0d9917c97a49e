"""Paths -> a stream of Documents and IngestProblems: folders walked, each file read by its format."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from veilleur.errors import (
    EmptyDocumentError,
    InputError,
    MissingInputError,
    UnreadableInputError,
    UnsupportedInputError,
    UnsupportedLanguageError,
)
from veilleur.ingest.formats import (
    Item,
    decode_text_file,
    failed_item,
    feed_items,
    html_items,
    json_file_items,
    jsonl_file_items,
    jsonl_items,
    read_stream,
    text_items,
    warning_item,
)
from veilleur.ingest.langid import _normalise_code
from veilleur.ingest.records import DEFAULT_LANGUAGES, IngestOptions, IngestProblem
from veilleur.ingest.text import looks_like_feed, looks_like_html
from veilleur.model import Document

STDIN = "-"
# a .txt/.html file is one article; past this size it is surely something else (a dump, a log)
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024

KINDS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    "": "sniff",
}
SUPPORTED_TYPES = ".txt, .html/.htm, .jsonl/.ndjson, .json, .xml/.rss/.atom, or text files with no extension"
_MAGIC = {
    b"%PDF": "a PDF file",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"PK\x03\x04": "a ZIP archive (or DOCX/ODT)",
    b"\x1f\x8b": "a gzip archive",
    b"\xd0\xcf\x11\xe0": "an MS Office file",
}


def kind_of(path: Path) -> str:
    """``text``, ``html``, ``jsonl``, ``json``, ``feed``, ``sniff`` (no extension) or ``unsupported``."""
    return KINDS.get(path.suffix.lower(), "unsupported")


def _problem(where: str, error: InputError) -> IngestProblem:
    error.where = where
    return IngestProblem(where, error)


def _os_problem(where: str, exc: OSError) -> IngestProblem:
    if isinstance(exc, FileNotFoundError):
        return _problem(where, MissingInputError("no such file or directory"))
    reason = exc.strerror or type(exc).__name__
    return _problem(where, UnreadableInputError(f"cannot read ({reason.lower()})"))


# --- walking -------------------------------------------------------------------------------------------


def _walk(folder: Path, seen: set[tuple[int, int]]) -> Iterator[Path | IngestProblem]:
    """Files under a folder, sorted by name at each level; hidden names skipped; each real folder once."""
    try:
        info = folder.stat()
        if (info.st_dev, info.st_ino) in seen:
            return
        seen.add((info.st_dev, info.st_ino))
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as exc:
        yield _os_problem(str(folder), exc)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(path, seen)
        else:
            yield path


LEDGER_SUFFIXES = ("", "-wal", "-shm", "-journal")


def ledger_files(db_path: str | Path | None) -> frozenset[Path]:
    """The files of a SQLite ledger (the database and its WAL, shared-memory and journal files), resolved:
    a folder walk skips them, so ingesting the folder that holds the ledger does not read the ledger."""
    if db_path is None or ":memory:" in str(db_path) or "://" in str(db_path):
        return frozenset()
    base = Path(str(db_path)).expanduser()
    try:
        base = base.resolve()
    except OSError:
        return frozenset()
    return frozenset(base.with_name(base.name + suffix) for suffix in LEDGER_SUFFIXES)


def _skipped(path: Path, exclude: frozenset[Path]) -> bool:
    if not exclude:
        return False
    try:
        return path.resolve() in exclude
    except OSError:
        return False


def iter_files(
    paths: Sequence[str | Path], exclude: frozenset[Path] = frozenset()
) -> Iterator[Path | IngestProblem]:
    """Every file named or found under a named folder, in a deterministic order; ``-`` passes through.
    Files found in a folder that are in ``exclude`` (resolved paths: the ledger's own files) are skipped."""
    seen: set[tuple[int, int]] = set()
    for given in paths:
        if str(given) == STDIN:
            yield Path(STDIN)
            continue
        path = Path(given)
        if path.is_dir():
            for found in _walk(path, seen):
                if isinstance(found, Path) and _skipped(found, exclude):
                    continue
                yield found
        elif path.exists() or path.is_symlink():
            yield path
        else:
            yield _problem(str(path), MissingInputError("no such file or directory"))


# --- reading -------------------------------------------------------------------------------------------


def read_file(path: Path, options: IngestOptions, where: str | None = None) -> Iterator[Item]:
    """The documents (and problems) of one file, by its extension, sniffing files that have none."""
    where = where or str(path)
    kind = kind_of(path)
    if kind == "unsupported":
        yield _problem(
            where,
            UnsupportedInputError(
                f"unsupported file type '{path.suffix}' (Veilleur reads {SUPPORTED_TYPES})"
            ),
        )
        return
    if kind == "jsonl":
        try:
            yield from jsonl_file_items(path, where, options)
        except OSError as exc:
            yield _os_problem(where, exc)
        return
    try:
        size = path.stat().st_size
        if kind in ("text", "html", "sniff") and size > MAX_DOCUMENT_BYTES:
            yield _problem(
                where,
                UnsupportedInputError(
                    f"file is {size / 2**20:.0f} MB, too large for one article "
                    f"(limit {MAX_DOCUMENT_BYTES // 2**20} MB); split it, or write it as JSON Lines"
                ),
            )
            return
        data = path.read_bytes()
    except OSError as exc:
        yield _os_problem(where, exc)
        return
    if not data.strip():
        yield _problem(
            where, EmptyDocumentError("file is empty" if not data else "file holds only whitespace")
        )
        return
    if kind == "json":
        yield from json_file_items(data, where, options)
        return
    if kind == "feed":
        yield from feed_items(data, where, options)
        return
    if kind == "sniff":
        for magic, what in _MAGIC.items():
            if data.startswith(magic):
                yield _problem(
                    where,
                    UnsupportedInputError(
                        f"unsupported file type ({what}; Veilleur reads {SUPPORTED_TYPES})"
                    ),
                )
                return
    try:
        text, warning = decode_text_file(data, html=kind == "html" or (kind == "sniff" and b"<" in data[:1024]))
    except InputError as exc:
        yield _problem(where, exc)
        return
    if warning:
        yield warning_item(where, warning)
    if kind == "sniff":
        if looks_like_feed(text):
            yield from feed_items(data, where, options)
            return
        if _looks_like_jsonl(text):
            yield from jsonl_items(data.splitlines(), where, options)
            return
    if kind == "html" or looks_like_html(text):
        yield from html_items(text, where, options)
    else:
        yield from text_items(text, where, options)


def _looks_like_jsonl(text: str) -> bool:
    first = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    if not first.startswith("{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except json.JSONDecodeError:
        return False


def _options(published: dt.date | None, language: str | None, languages: Sequence[str]) -> IngestOptions:
    codes = tuple(dict.fromkeys(_normalise_code(code) for code in languages))
    code = _normalise_code(language) if language else None
    if code is not None and code not in codes:
        raise UnsupportedLanguageError(
            f"language '{language}' is not supported (supported: {', '.join(codes)})"
        )
    if published is not None and not isinstance(published, dt.date):
        raise TypeError("published must be a datetime.date")
    if isinstance(published, dt.datetime):
        published = published.date()
    return IngestOptions(published=published, language=code, languages=codes)


def read_paths(
    paths: Sequence[str | Path] | str | Path,
    *,
    published: dt.date | None = None,
    language: str | None = None,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    exclude: frozenset[Path] = frozenset(),
) -> Iterator[Document | IngestProblem]:
    """Documents read from files, folders (recursive, sorted, hidden entries skipped) and ``-`` (stdin).

    Lazy and streaming: JSON Lines are read one line at a time. Each input that cannot be read yields an
    :class:`IngestProblem` and reading goes on. ``published`` and ``language`` are fallbacks for inputs
    that carry no date / no supported language; ``languages`` are the supported ones (Settings.languages);
    ``exclude``: files a folder walk skips (:func:`ledger_files`). Raises :class:`UnsupportedLanguageError`
    at once when ``language`` is not among ``languages``.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    options = _options(published, language, languages)
    return _read_all(list(paths), options, exclude)


def _read_all(paths: list[str | Path], options: IngestOptions, exclude: frozenset[Path]) -> Iterator[Item]:
    for found in iter_files(paths, exclude):
        if isinstance(found, IngestProblem):
            yield found
        elif str(found) == STDIN:
            yield from _guarded(read_stream(sys.stdin.buffer, "<stdin>", options), "<stdin>")
        else:
            yield from _guarded(read_file(found, options), str(found))


def _guarded(items: Iterator[Item], where: str) -> Iterator[Item]:
    """The items of one input; an unexpected exception while reading it becomes that input's problem (named
    after the last item read, so a JSON Lines file says where it stopped) and reading goes on."""
    count = 0
    try:
        for item in items:
            count += 1
            yield item
    except (KeyboardInterrupt, MemoryError, GeneratorExit):
        raise
    except Exception as exc:
        problem = failed_item(where, exc, json_input=False)
        if count:
            problem.error.message += f" after {count} item{'s' if count != 1 else ''}"
        yield problem


# --- counting ------------------------------------------------------------------------------------------

_EXACT_COUNT_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024


def _count_bytes(path: Path, needles: Sequence[bytes], limit: int | None = None) -> tuple[int, int, bool]:
    """Occurrences of the needles in the file's first ``limit`` bytes: (count, bytes read, ended with \\n)."""
    count = read = 0
    previous = last = b""
    keep = max(len(n) for n in needles) - 1
    with path.open("rb") as handle:
        while limit is None or read < limit:
            chunk = handle.read(_CHUNK)
            if not chunk:
                break
            window = previous + chunk
            count += sum(window.count(n) - previous.count(n) for n in needles)
            previous = window[-keep:] if keep else b""
            read += len(chunk)
            last = chunk[-1:]
    return count, read, last == b"\n"


def _estimate_file(path: Path) -> int:
    kind = kind_of(path)
    try:
        size = path.stat().st_size
        if kind == "jsonl":
            if size <= _EXACT_COUNT_BYTES:
                lines, _, newline_end = _count_bytes(path, [b"\n"])
                return max(1, lines + (0 if newline_end or size == 0 else 1))
            lines, read, _ = _count_bytes(path, [b"\n"], limit=4 * _CHUNK)
            return max(1, round(lines * size / max(read, 1)))
        if kind == "json":
            return max(1, _count_bytes(path, [b'"text"'])[0])
        if kind == "feed":
            return max(1, _count_bytes(path, [b"<item", b"<entry"])[0])
    except OSError:
        return 1
    return 1


def count_inputs(paths: Sequence[str | Path] | str | Path, exclude: frozenset[Path] = frozenset()) -> int | None:
    """A cheap estimate of how many items :func:`read_paths` will yield (for a progress bar), None if unknown.

    JSON Lines files count their lines (estimated from the first 4 MB past 64 MB), feeds their
    ``<item``/``<entry`` tags, ``.json`` files their ``"text"`` keys, every other file 1. Stdin is unknown.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    total = 0
    for found in iter_files(list(paths), exclude):
        if isinstance(found, IngestProblem):
            total += 1
        elif str(found) == STDIN:
            return None
        else:
            total += _estimate_file(found)
    return total
