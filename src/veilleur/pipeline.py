"""The stages wired together: documents in, events out (no I/O here; the store is the caller's).

``Pipeline.process`` runs spaCy in batches (``nlp.pipe``) and applies the pure stage functions to each parsed
document: detect and arguments (:func:`veilleur.arguments.build_mentions`), then merge
(:func:`veilleur.merge.merge_mentions`). The same object serves a local run and, later, a Ray Data worker.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from veilleur.model import Document, Event
from veilleur.settings import Settings


class Pipeline:
    """Loads the language resources once (lazily), then turns documents into events."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._resources: dict[str, object] = {}
        self._gazetteer: object | None = None

    def supports(self, language: str | None) -> bool:
        from veilleur.nlp import supports

        return supports(language)

    def resources(self, language: str):  # type: ignore[no-untyped-def]
        """The language's Resources, built on first use."""
        if language not in self._resources:
            from veilleur.arguments import Resources
            from veilleur.detect import load_lexicon
            from veilleur.geo import Gazetteer
            from veilleur.resolve.actors import ActorDictionary
            from veilleur.resolve.dates import DateGrammar

            if self._gazetteer is None:
                self._gazetteer = Gazetteer.load(self.settings)
            self._resources[language] = Resources(
                lang=language,
                lexicon=load_lexicon(language),
                gazetteer=self._gazetteer,  # type: ignore[arg-type]
                dates=DateGrammar.for_language(language),
                actors=ActorDictionary.load(self.settings, language),
            )
        return self._resources[language]

    def warm_up(self, languages: Sequence[str] = ("fr",)) -> None:
        """Load models, gazetteer and dictionaries now rather than on the first document."""
        from veilleur.nlp import load_pipeline

        for code in languages:
            if self.supports(code):
                load_pipeline(code)
                self.resources(code)

    def extract(
        self, document: Document, parsed: object, context: Sequence[str] = (), own: Sequence[str] | None = None
    ) -> list[Event]:
        """The events of one parsed document (pure: same input, same output). ``context``: the countries of
        the documents it came with, read only when the document names none of its own; ``own``: its own
        countries when already known (:meth:`batch_countries`)."""
        from veilleur.arguments import build_mentions
        from veilleur.merge import MergeRules, merge_mentions

        res = self.resources(document.language or self.settings.default_language)
        mentions = build_mentions(document, parsed, res, context, own)  # type: ignore[arg-type]
        rules = MergeRules(km=self.settings.merge_km, days=self.settings.merge_days)
        return merge_mentions(document, mentions, rules)

    def batch_countries(
        self, language: str, documents: Sequence[Document], parsed: Sequence[object]
    ) -> tuple[tuple[str, ...], list[list[str]]]:
        """The country most documents of a batch are about (:func:`veilleur.arguments.corpus_countries`), the
        context of a document in the batch that names no country ("the village of Banikane" in a Malian feed;
        a mixed batch gives none), and each document's own countries."""
        from veilleur.arguments import corpus_countries, document_countries

        res = self.resources(language)
        own = [document_countries(d, p, res) for d, p in zip(documents, parsed, strict=True)]  # type: ignore[arg-type]
        return corpus_countries(own), own

    def process(self, documents: Iterable[Document]) -> Iterator[tuple[Document, list[Event]]]:
        """(document, its events) for each document, in order. A document in a language without a pipeline
        yields no events (it is still stored). The documents of one batch give each other their country
        context (:meth:`batch_countries`)."""
        from veilleur.nlp import load_pipeline

        it = iter(documents)
        while True:
            batch = list(islice(it, self.settings.batch_size))
            if not batch:
                return
            by_lang: dict[str, list[int]] = {}
            for i, doc in enumerate(batch):
                code = doc.language or self.settings.default_language
                if self.supports(code):
                    by_lang.setdefault(code, []).append(i)
            results: list[list[Event]] = [[] for _ in batch]
            for code, idx in by_lang.items():
                nlp = load_pipeline(code)
                parsed_docs = list(nlp.pipe((batch[i].text for i in idx), batch_size=len(idx)))
                context, own = self.batch_countries(code, [batch[i] for i in idx], parsed_docs)
                for i, parsed, countries in zip(idx, parsed_docs, own, strict=True):
                    results[i] = self.extract(batch[i], parsed, context, countries)
            yield from zip(batch, results, strict=True)
