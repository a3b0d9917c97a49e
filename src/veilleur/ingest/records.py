"""Fields -> :class:`~veilleur.model.Document` (identity, date, outlet, language); the records contract.

The documents JSON Lines contract (``../shared/eval/README.md``): one object per line with ``text``
(required, a non-empty string) and optional ``id``, ``published``, ``language``, ``title``, ``url`` and
``outlet`` (or ``site_name``); other keys are ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from veilleur.errors import (
    DateOutOfRangeError,
    EmptyDocumentError,
    InputError,
    InvalidDateError,
    MalformedRecordError,
    ReplacedBytesWarning,
)
from veilleur.ingest.langid import _normalise_code, detect_language
from veilleur.ingest.text import clean_field, content_hash, identity_text, normalise_text, text_id
from veilleur.model import Document

DEFAULT_LANGUAGES: tuple[str, ...] = ("fr", "en")


@dataclass(frozen=True)
class IngestProblem:
    """An input that could not be read as a document; reading goes on with the next one."""

    where: str  # "path/to/file.txt", "docs.jsonl:17", "feed.xml#entry 3"
    error: InputError

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def is_warning(self) -> bool:
        """True for a warning about an input that was read anyway (its document follows in the stream)."""
        return isinstance(self.error, ReplacedBytesWarning)

    def __str__(self) -> str:
        return f"{self.where}: {self.error.message} [{self.error.code}]"


@dataclass(frozen=True)
class IngestOptions:
    """What the caller knows about every input: a fallback publication date and language."""

    published: dt.date | None = None  # used when an input carries no date
    language: str | None = None  # used when an input does not state a supported language
    languages: tuple[str, ...] = DEFAULT_LANGUAGES  # the supported languages (Settings.languages)


MIN_YEAR = 1900  # the earliest publication year Veilleur accepts; the latest is next year


def date_range() -> tuple[dt.date, dt.date]:
    """The publication dates Veilleur accepts: 1900-01-01 to the last day of next year."""
    return dt.date(MIN_YEAR, 1, 1), dt.date(dt.date.today().year + 1, 12, 31)


def check_date_range(date: dt.date, field: str = "published") -> dt.date:
    """``date`` when it lies in :func:`date_range`, else :class:`DateOutOfRangeError` naming the field."""
    lo, hi = date_range()
    if not lo <= date <= hi:
        raise DateOutOfRangeError(
            f"'{field}' {date.isoformat()} is out of range (Veilleur reads dates from {lo.year} to {hi.year})"
        )
    return date


def parse_date(value: object, field: str = "published") -> dt.date | None:
    """``None``/``""`` -> None; ``YYYY-MM-DD`` or an ISO datetime -> its date as written (no UTC conversion).

    Anything else raises :class:`InvalidDateError` naming the field; a date before 1900 or after next year
    raises :class:`DateOutOfRangeError` (V110).
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return check_date_range(value.date(), field)
    if isinstance(value, dt.date):
        return check_date_range(value, field)
    if not isinstance(value, str):
        raise InvalidDateError(f"'{field}' must be a date string like 2023-03-14, got {type(value).__name__}")
    text = value.strip()
    if not text:
        return None
    try:
        if len(text) <= 10:
            date = dt.date.fromisoformat(text)
        else:
            date = dt.datetime.fromisoformat(text).date()
    except (ValueError, OverflowError):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise InvalidDateError(
            f"'{field}' is not a date ({shown!r}); use YYYY-MM-DD or an ISO datetime"
        ) from None
    return check_date_range(date, field)


def outlet_from_url(url: str | None) -> str | None:
    """The URL's host without a leading ``www.`` (``https://www.rfi.fr/fr/afrique`` -> ``rfi.fr``)."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def choose_language(stated: str | None, options: IngestOptions, text: str) -> str | None:
    """The stated language when supported, else the caller's ``language``, else detection."""
    supported = options.languages
    if stated:
        code = _normalise_code(stated)
        if code in supported:
            return code
    if options.language:
        return options.language
    return detect_language(text, supported)


def build_document(
    text: str,
    *,
    where: str,
    options: IngestOptions,
    doc_id: str | None = None,
    url: str | None = None,
    title: str | None = None,
    outlet: str | None = None,
    published: dt.date | None = None,
    language: str | None = None,
) -> Document:
    """A Document with its identity: id = ``doc_id``, else ``url``, else ``sha1:`` of the normalised text."""
    text = normalise_text(text)
    if not identity_text(text):
        raise EmptyDocumentError("no text (empty or only whitespace)", where=where)
    url = clean_field(url)
    return Document(
        id=clean_field(doc_id) or url or text_id(text),
        text=text,
        published=published or options.published,
        url=url,
        outlet=clean_field(outlet) or outlet_from_url(url),
        language=choose_language(language, options, text),
        title=clean_field(title),
        origin=where,
        content_hash=content_hash(text),
    )


def _optional_str(record: Mapping[str, Any], key: str, where: str) -> str | None:
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value
    raise MalformedRecordError(f"'{key}' must be a string or null, got {_json_type(value)}", where=where)


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)


def document_from_record(
    record: object,
    where: str,
    *,
    published: dt.date | None = None,
    language: str | None = None,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    options: IngestOptions | None = None,
) -> Document:
    """One record of the documents contract -> Document; raises an :class:`InputError` subclass.

    ``published``/``language`` are fallbacks for records that carry none (``options`` bundles them).
    An invalid ``published`` rejects the record (:class:`InvalidDateError`, V108) rather than dropping
    the date silently.
    """
    if options is None:
        options = IngestOptions(published=published, language=language, languages=tuple(languages))
    if not isinstance(record, Mapping):
        raise MalformedRecordError(f"expected a JSON object, got {_json_type(record)}", where=where)
    if "text" not in record or record["text"] is None:
        raise MalformedRecordError("record has no 'text'", where=where)
    text = record["text"]
    if not isinstance(text, str):
        raise MalformedRecordError(f"'text' must be a string, got {_json_type(text)}", where=where)
    raw_id = record.get("id")
    if isinstance(raw_id, float):
        shown = repr(raw_id) if len(repr(raw_id)) <= 40 else repr(raw_id)[:37] + "..."
        raise MalformedRecordError(
            f"'id' must be a string or a whole number, got the fraction {shown}; write it as a string",
            where=where,
        )
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, str | int)):
        raise MalformedRecordError(
            f"'id' must be a string or a whole number, got {_json_type(raw_id)}", where=where
        )
    try:
        date = parse_date(record.get("published"))
    except InvalidDateError as exc:
        exc.where = where
        raise
    outlet = _optional_str(record, "outlet", where) or _optional_str(record, "site_name", where)
    return build_document(
        text,
        where=where,
        options=options,
        doc_id=None if raw_id is None else str(raw_id),
        url=_optional_str(record, "url", where),
        title=_optional_str(record, "title", where),
        outlet=outlet,
        published=date,
        language=_optional_str(record, "language", where),
    )
