"""One reader per input format. Each yields Documents and IngestProblems and never raises an InputError.

* text: one file, one document.
* HTML: one page, one document, through trafilatura (main text, title, date, site name, canonical URL).
* records: JSON Lines streamed line by line (``file:LINE``), or a ``.json`` list (``file#record N``).
* feed: RSS/Atom through feedparser, one document per entry (``file#entry N``).
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from veilleur.errors import (
    BinaryInputError,
    DateOutOfRangeError,
    DecodeError,
    DocumentFailedError,
    EmptyDocumentError,
    FeedError,
    InputError,
    MalformedRecordError,
    ReplacedBytesWarning,
)
from veilleur.ingest.records import (
    IngestOptions,
    IngestProblem,
    build_document,
    check_date_range,
    document_from_record,
    parse_date,
)
from veilleur.ingest.text import (
    _utf8_shape,
    clean_field,
    declared_html_charset,
    decode_bytes_noting,
    has_nul,
    html_fragment_to_text,
    identity_text,
    utf16_by_pattern,
)
from veilleur.model import Document

Item = Document | IngestProblem


def _problem(where: str, error: InputError) -> IngestProblem:
    error.where = where
    return IngestProblem(where, error)


# --- text and HTML -------------------------------------------------------------------------------------


def text_items(text: str, where: str, options: IngestOptions) -> Iterator[Item]:
    try:
        yield build_document(text, where=where, options=options)
    except InputError as exc:
        yield _problem(where, exc)


def decode_text_file(data: bytes, *, html: bool = False) -> tuple[str, str | None]:
    """Bytes of a .txt/.html file -> (text, a warning or None: bytes replaced); raises EmptyDocumentError,
    BinaryInputError or DecodeError."""
    if not data.strip():
        raise EmptyDocumentError("file is empty" if not data else "file holds only whitespace")
    text, warning = decode_bytes_noting(data, declared=declared_html_charset(data) if html else None)
    if not identity_text(text):
        raise EmptyDocumentError("file holds only whitespace")
    return text, warning


def warning_item(where: str, message: str) -> IngestProblem:
    """A warning about an input that was read anyway (the document follows it in the stream)."""
    return _problem(where, ReplacedBytesWarning(message))


def failed_item(where: str, exc: BaseException, *, json_input: bool = True) -> IngestProblem:
    """An unexpected failure while reading one input, as its problem (the run goes on). A RecursionError
    while decoding JSON is JSON nested too deeply (V104)."""
    if isinstance(exc, RecursionError) and json_input:
        return _problem(where, MalformedRecordError("malformed JSON (nested too deeply to read)"))
    reason = " ".join(str(exc).split())[:200]
    return _problem(
        where, DocumentFailedError(f"could not be read ({type(exc).__name__}{': ' + reason if reason else ''})")
    )


def html_items(html: str, where: str, options: IngestOptions) -> Iterator[Item]:
    """The article of one HTML page (trafilatura: text without boilerplate or comments, and metadata)."""
    import trafilatura

    extracted = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        # metadata and URL only: a date guessed from the body text would be worse than none
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = getattr(extracted, "text", None) if extracted is not None else None
    if not text or not identity_text(text):
        yield _problem(where, EmptyDocumentError("no article text found in the HTML page"))
        return
    try:
        published = parse_date(getattr(extracted, "date", None))
    except InputError:
        published = None  # a page's own metadata we could not read: fall back, do not reject the article
    try:
        yield build_document(
            text,
            where=where,
            options=options,
            url=getattr(extracted, "url", None),
            title=getattr(extracted, "title", None),
            outlet=getattr(extracted, "sitename", None),
            published=published,
        )
    except InputError as exc:
        yield _problem(where, exc)


# --- records -------------------------------------------------------------------------------------------


def jsonl_items(lines: Iterable[bytes], name: str, options: IngestOptions) -> Iterator[Item]:
    """Stream JSON Lines: one record per line, blank lines skipped, each bad line one problem."""
    seen = False
    for number, raw in enumerate(lines, start=1):
        where = f"{name}:{number}"
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        seen = True
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            valid, bad, _ = _utf8_shape(raw)
            if not valid or valid < bad:
                yield _problem(
                    where,
                    DecodeError(f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"),
                )
                continue
            line = raw.decode("utf-8", errors="replace")
            yield warning_item(
                where,
                f"not valid UTF-8 at column {exc.start + 1} (byte 0x{raw[exc.start]:02x}); "
                f"read with {bad} byte{'s' if bad != 1 else ''} replaced by U+FFFD",
            )
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield _problem(where, MalformedRecordError(f"malformed JSON ({exc.msg} at column {exc.colno})"))
            continue
        except RecursionError as exc:
            yield failed_item(where, exc)
            continue
        try:
            yield document_from_record(record, where, options=options)
        except InputError as exc:
            yield _problem(where, exc)
        except Exception as exc:  # one record's failure is that record's, never the file's
            yield failed_item(where, exc, json_input=False)
    if not seen:
        yield _problem(name, EmptyDocumentError("no records (empty file)"))


def jsonl_file_items(path: Path, where: str, options: IngestOptions) -> Iterator[Item]:
    with path.open("rb") as handle:
        head = handle.peek(8192)
        wide = _wide_encoding(head)
        if wide is not None:
            # UTF-16/32 JSON Lines: decoded whole (these files are small), then read as UTF-8 lines
            try:
                text = handle.read().decode(wide)
            except UnicodeDecodeError as exc:
                yield _problem(where, DecodeError(f"not valid {wide.upper()} ({exc.reason} at byte {exc.start})"))
                return
            lines = text.lstrip("\ufeff").encode("utf-8").split(b"\n")
            yield from jsonl_items(lines, where, options)
            return
        if has_nul(head):
            yield _problem(where, BinaryInputError("binary content (NUL bytes), not JSON Lines"))
            return
        yield from jsonl_items(handle, where, options)


def _wide_encoding(head: bytes) -> str | None:
    """``utf-32``/``utf-16`` by byte-order mark, ``utf-16-le``/``-be`` by NUL pattern, else None."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return utf16_by_pattern(head) if has_nul(head) else None


def json_file_items(data: bytes, where: str, options: IngestOptions) -> Iterator[Item]:
    """A ``.json`` file: a list of records, or one record object (read whole: use JSON Lines for big sets)."""
    if not data.strip():
        yield _problem(where, EmptyDocumentError("file is empty"))
        return
    wide = _wide_encoding(data[:8192])
    try:
        value = json.loads(data.decode(wide) if wide else data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield _problem(
            where, DecodeError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})")
        )
        return
    except json.JSONDecodeError as exc:
        yield _problem(
            where, MalformedRecordError(f"malformed JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
        )
        return
    except RecursionError as exc:
        yield failed_item(where, exc)
        return
    if isinstance(value, dict):
        records: list[Any] = [value]
        names = [where]
    elif isinstance(value, list):
        records = value
        names = [f"{where}#record {i}" for i in range(1, len(value) + 1)]
        if not records:
            yield _problem(where, EmptyDocumentError("no records (empty list)"))
            return
    else:
        yield _problem(where, MalformedRecordError("expected a list of records or one record object"))
        return
    for record, name in zip(records, names, strict=True):
        try:
            yield document_from_record(record, name, options=options)
        except InputError as exc:
            yield _problem(name, exc)
        except Exception as exc:  # one record's failure is that record's, never the file's
            yield failed_item(name, exc, json_input=False)


# --- feeds ---------------------------------------------------------------------------------------------


def _entry_date(entry: Any) -> dt.date | None:
    """The entry's publication date as the feed writes it (its own time zone), not converted to UTC. A date
    out of range (before 1900, after next year) is a feed's bad metadata: left out, like an unreadable one."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if not raw:
            continue
        try:
            return parse_date(raw)
        except DateOutOfRangeError:
            continue
        except InputError:
            pass
        try:
            return check_date_range(email.utils.parsedate_to_datetime(raw).date())
        except (TypeError, ValueError, IndexError, OverflowError, InputError):
            pass
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            try:
                return check_date_range(dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday))
            except (TypeError, ValueError, InputError):
                pass
    return None


def _entry_body(entry: Any) -> str:
    """The longest of the entry's content and summary, as text (HTML stripped when it is HTML)."""
    candidates: list[tuple[str, str]] = [
        (c.get("value") or "", c.get("type") or "") for c in entry.get("content") or []
    ]
    detail = entry.get("summary_detail") or {}
    candidates.append((entry.get("summary") or "", detail.get("type") or "text/html"))
    texts = [value if kind == "text/plain" else html_fragment_to_text(value) for value, kind in candidates]
    return max(texts, key=len, default="").strip()


def feed_items(data: bytes, where: str, options: IngestOptions) -> Iterator[Item]:
    """One document per entry: title, blank line, body text; link as URL and id; feed title as outlet."""
    import feedparser

    parsed = feedparser.parse(data)
    # a malformed feed may give empty entries (everything after the error): keep those with content
    entries = [e for e in parsed.get("entries") or [] if any(e.get(k) for k in _ENTRY_KEYS)]
    malformed = _malformed_reason(parsed, data)
    if not entries:
        if malformed or parsed.get("bozo"):
            reason = malformed or str(parsed.get("bozo_exception") or "not well-formed").splitlines()[0]
            yield _problem(where, FeedError(f"not a readable RSS/Atom feed ({reason})"))
        elif not parsed.get("version"):
            yield _problem(where, FeedError("not an RSS/Atom feed (no channel or feed element)"))
        else:
            yield _problem(where, EmptyDocumentError("feed has no entries"))
        return
    feed = parsed.get("feed") or {}
    outlet = clean_field(feed.get("title"))
    feed_language = feed.get("language")
    for number, entry in enumerate(entries, start=1):
        name = f"{where}#entry {number}"
        title = clean_field(entry.get("title"))
        body = _entry_body(entry)
        text = body if not title or body.startswith(title) else f"{title}\n\n{body}" if body else title
        link = clean_field(entry.get("link"))
        try:
            yield build_document(
                text,
                where=name,
                options=options,
                doc_id=link or clean_field(entry.get("id")),
                url=link,
                title=title,
                outlet=outlet,
                published=_entry_date(entry),
                language=None if options.language else _detected_or(feed_language, text, options),
            )
        except InputError as exc:
            yield _problem(name, exc)
    if malformed:
        yield _problem(
            where,
            FeedError(f"feed is not well-formed ({malformed}); read the {len(entries)} entries before it"),
        )


_ENTRY_KEYS = ("title", "summary", "content", "link")


def _malformed_reason(parsed: Any, data: bytes) -> str | None:
    """The XML error of a feed that is not well-formed (not feedparser's benign encoding notices)."""
    from xml.sax import SAXParseException

    exc = parsed.get("bozo_exception")
    if not isinstance(exc, SAXParseException):
        return None
    line = exc.getLineNumber() or 0
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml"):
        line -= 1  # feedparser parses the file with an XML declaration line put in front
    return f"{exc.getMessage()} at line {line}" if line > 0 else exc.getMessage()


def _detected_or(declared: str | None, text: str, options: IngestOptions) -> str | None:
    """Feed and page metadata often carry the CMS's default language: trust the text, then the metadata."""
    from veilleur.ingest.langid import detect_language

    return detect_language(text, options.languages) or declared


def read_stream(handle: IO[bytes], where: str, options: IngestOptions) -> Iterator[Item]:
    """Standard input: JSON Lines when it starts with ``{``, else one plain-text document."""
    first = handle.readline()
    if first.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        yield from jsonl_items(_chain(first, handle), where, options)
        return
    data = first + handle.read()
    try:
        text, warning = decode_text_file(data)
    except InputError as exc:
        yield _problem(where, exc)
        return
    if warning:
        yield warning_item(where, warning)
    yield from text_items(text, where, options)


def _chain(first: bytes, rest: IO[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest
