"""The stages wired together: documents in, events out (no I/O here; the store is the caller's).

``Pipeline.process`` runs spaCy in batches (``nlp.pipe``) and applies the pure stage functions to each parsed
document. The same object serves a local run and, later, a Ray Data ``map_batches`` worker.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from veilleur.model import Document, Event
from veilleur.settings import Settings


class Pipeline:
    """Loads the language resources once (lazily), then turns documents into events."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def warm_up(self, languages: Sequence[str] = ("fr",)) -> None:
        """Load models, gazetteer and dictionaries now rather than on the first document."""

    def process(self, documents: Iterable[Document]) -> Iterator[tuple[Document, list[Event]]]:
        """(document, its events) for each document, in order. A document in an unsupported language yields
        no events (and is still stored)."""
        for doc in documents:
            yield doc, []
