"""The ingest stage: files, folders and streams -> :class:`~veilleur.model.Document` objects.

Formats: plain text, HTML (trafilatura), the documents JSON Lines contract (and ``.json`` lists of
records), RSS/Atom feeds (feedparser). Inputs that cannot be read come out as :class:`IngestProblem`
items in the same stream, each with an :class:`~veilleur.errors.InputError` carrying a stable code.
Heavy libraries (trafilatura, feedparser, lingua) are imported on first use, not at import time.
"""

from veilleur.ingest.langid import detect_language
from veilleur.ingest.reader import count_inputs, iter_files, read_file, read_paths
from veilleur.ingest.records import IngestOptions, IngestProblem, document_from_record, parse_date
from veilleur.ingest.text import content_hash, identity_text, normalise_text, text_id

__all__ = [
    "IngestOptions",
    "IngestProblem",
    "content_hash",
    "count_inputs",
    "detect_language",
    "document_from_record",
    "identity_text",
    "iter_files",
    "normalise_text",
    "parse_date",
    "read_file",
    "read_paths",
    "text_id",
]
