"""One place for Veilleur's errors, each with a stable code a user can search for.

An error message is one line a user can act on: it names the document (file, line or id) and the problem.
"""

from __future__ import annotations


class VeilleurError(Exception):
    """Base class. ``code`` is stable across versions (V1xx input, V2xx language data, V3xx store, V4xx geo,
    V5xx web and reports)."""

    code = "V000"

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.message} [{self.code}]"


class InputError(VeilleurError):
    """A file or record cannot be read as a document."""

    code = "V100"


class EmptyDocumentError(InputError):
    code = "V101"


class BinaryInputError(InputError):
    code = "V102"


class DecodeError(InputError):
    code = "V103"


class MalformedRecordError(InputError):
    code = "V104"


class UnsupportedInputError(InputError):
    code = "V105"


class LanguageDataError(VeilleurError):
    """A language data file is missing, malformed or inconsistent."""

    code = "V200"


class UnsupportedLanguageError(VeilleurError):
    code = "V201"


class ModelMissingError(VeilleurError):
    code = "V202"


class StoreError(VeilleurError):
    code = "V300"


class SchemaVersionError(StoreError):
    code = "V301"


class GazetteerError(VeilleurError):
    code = "V400"


# Input errors added by the ingest stage (codes are stable; append only).


class MissingInputError(InputError):
    """A path given on the command line or found in a folder does not exist (or is a broken link)."""

    code = "V106"


class FeedError(InputError):
    """An .xml/.rss/.atom file that feedparser cannot read as an RSS/Atom feed."""

    code = "V107"


class InvalidDateError(MalformedRecordError):
    """A record's date field is present but is not an ISO date (YYYY-MM-DD or an ISO datetime)."""

    code = "V108"


class UnreadableInputError(InputError):
    """The operating system refused to read a path (permissions, a device, an I/O error)."""

    code = "V109"


# The web desk and reports (V5xx).


class WebError(VeilleurError):
    code = "V500"


class ReportError(WebError):
    """A report cannot be written or printed (no headless Chromium, Chromium failed, unwritable file)."""

    code = "V501"


class DateOutOfRangeError(InvalidDateError):
    """A record's date is a real date but outside the range Veilleur accepts (1900 to next year)."""

    code = "V110"


class DocumentFailedError(InputError):
    """Reading or extracting one document failed in a way no other check caught (deep nesting, a bug): the
    document is left out, the run goes on."""

    code = "V111"


class ReplacedBytesWarning(DecodeError):
    """Not an error but a warning: a UTF-8 text with a few bytes that are not UTF-8 was read with those bytes
    replaced by U+FFFD; the document is stored and the run's exit code is not changed by it."""

    code = "V112"
