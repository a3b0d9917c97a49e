"""The stages wired together: documents in, events out (no I/O here; the store is the caller's).

``Pipeline.process`` runs spaCy in batches (``nlp.pipe``) and applies the pure stage functions to each parsed
document: detect and arguments (:func:`veilleur.arguments.build_mentions`), then merge
(:func:`veilleur.merge.merge_mentions`). The same object serves a local run and, later, a Ray Data worker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from itertools import islice

from veilleur.model import Document, Event, Mention, Span
from veilleur.settings import Settings

# spaCy refuses texts over ``nlp.max_length`` (1,000,000 characters) and its parser needs about 1 GB per
# 100,000 characters; a longer document is read in pieces of at most this many characters, cut at paragraph
# breaks, else sentence ends, else spaces, and its mentions are put back at their offsets in the whole text.
MAX_PIECE_CHARS = 100_000
_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE = re.compile(r"[.!?…]['\"»”’)\]]*\s+")
_SPACE = re.compile(r"\s+")


def split_text(text: str, limit: int = MAX_PIECE_CHARS) -> list[tuple[int, str]]:
    """``text`` as (offset, piece) pairs, each piece at most ``limit`` characters, cut after a paragraph
    break when there is one in the second half of the window, else after a sentence end, else after a space,
    else anywhere. The pieces put end to end are the text: ``text[offset:offset + len(piece)] == piece``."""
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = 0
        for pattern in (_PARAGRAPH, _SENTENCE, _SPACE):
            ends = [m.end() for m in pattern.finditer(window, limit // 2)]
            if ends:
                cut = ends[-1]
                break
        if cut <= 0:
            cut = limit
        pieces.append((start, window[:cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


def _shift_span(span: Span, offset: int) -> Span:
    return Span(span.start + offset, span.end + offset, span.text)


def shift_mention(mention: Mention, offset: int, document_id: str) -> Mention:
    """A mention found in a piece of a document, with its spans as offsets into the whole document."""
    if not offset and mention.document_id == document_id:
        return mention
    return replace(
        mention,
        document_id=document_id,
        trigger=_shift_span(mention.trigger, offset),
        sentence=_shift_span(mention.sentence, offset),
        evidence=[_shift_span(s, offset) for s in mention.evidence],
    )


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
        context (:meth:`batch_countries`). A document longer than ``MAX_PIECE_CHARS`` is read in pieces
        (:func:`split_text`); its evidence offsets still point into its whole text."""
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
                if all(len(batch[i].text) <= MAX_PIECE_CHARS for i in idx):
                    parsed_docs = list(nlp.pipe((batch[i].text for i in idx), batch_size=len(idx)))
                    context, own = self.batch_countries(code, [batch[i] for i in idx], parsed_docs)
                    for i, parsed, countries in zip(idx, parsed_docs, own, strict=True):
                        results[i] = self.extract(batch[i], parsed, context, countries)
                    continue
                for i, events in self._process_pieces(code, nlp, [batch[i] for i in idx]):
                    results[idx[i]] = events
            yield from zip(batch, results, strict=True)

    def _process_pieces(self, code: str, nlp: object, docs: Sequence[Document]) -> Iterator[tuple[int, list[Event]]]:
        """The events of documents of one language some of which are too long to parse whole: each is read
        in pieces, the mentions of its pieces are shifted back to their offsets and merged as one article's."""
        from veilleur.arguments import build_mentions, corpus_countries
        from veilleur.merge import MergeRules, merge_mentions

        units: list[tuple[int, int, Document]] = []  # (document index, offset, the piece as a document)
        for i, doc in enumerate(docs):
            for offset, piece in split_text(doc.text):
                units.append((i, offset, doc if piece == doc.text else replace(doc, text=piece)))
        texts = [u[2].text for u in units]
        parsed_units = list(nlp.pipe(texts, batch_size=max(1, min(len(texts), 8))))  # type: ignore[attr-defined]
        _, unit_own = self.batch_countries(code, [u[2] for u in units], parsed_units)
        own: list[list[str]] = [[] for _ in docs]
        for unit, countries in zip(units, unit_own, strict=True):
            own[unit[0]].extend(c for c in countries if c not in own[unit[0]])
        context = corpus_countries(own)
        res = self.resources(code)
        mentions: list[list[Mention]] = [[] for _ in docs]
        for (i, offset, part), parsed in zip(units, parsed_units, strict=True):
            found = build_mentions(part, parsed, res, context, own[i])  # type: ignore[arg-type]
            mentions[i].extend(shift_mention(m, offset, docs[i].id) for m in found)
        rules = MergeRules(km=self.settings.merge_km, days=self.settings.merge_days)
        for i, doc in enumerate(docs):
            yield i, merge_mentions(doc, mentions[i], rules)
