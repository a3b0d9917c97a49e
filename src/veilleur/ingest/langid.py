"""Language identification, restricted to the languages Veilleur supports.

lingua (``lingua-language-detector``) is used when it is installed: one detector per set of languages,
built lazily on first use, in low accuracy mode (trigram models only, loaded on demand) which costs about
10 MB and well under a millisecond per article for French + English. Only the first
:data:`SAMPLE_CHARS` characters of a text are looked at.

Without lingua, a stop-word count decides: the lists are data (:data:`STOPWORDS`, one entry per language;
a language folder may also provide ``lang/<code>/stopwords.toml`` with ``words = [...]``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

SAMPLE_CHARS = 4000
# a heuristic decision needs at least this many stop words and this share more than the runner-up
_MIN_HITS = 2
_MIN_MARGIN = 1.5

STOPWORDS: dict[str, frozenset[str]] = {
    "fr": frozenset(
        "le la les un une des du de au aux et est sont été ont a ce cette ces qui que dans pour par sur avec "
        "pas ne se sa son ses leur leurs il elle ils elles nous vous selon lors après avant contre entre "
        "mais ou où donc aussi plus très depuis sans sous vers chez été être avoir fait deux trois l d qu "
        "c n s j lundi mardi mercredi jeudi vendredi samedi dimanche".split()
    ),
    "en": frozenset(
        "the a an of and to in is are was were has have had been be by on for with at from that this these "
        "those which who it its they their he she his her not but or as after before against between into "
        "than also more very since without under said says monday tuesday wednesday thursday friday "
        "saturday sunday".split()
    ),
}

_WORD = re.compile(r"[^\W\d_]+")


def _normalise_code(code: str) -> str:
    return code.strip().lower().replace("_", "-").split("-")[0]


@cache
def _lingua_detector(codes: tuple[str, ...]) -> Any | None:
    """A lingua detector for these ISO 639-1 codes, or None when lingua is missing or knows none of them."""
    try:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
    except ImportError:
        return None
    languages = []
    for code in codes:
        try:
            languages.append(Language.from_iso_code_639_1(IsoCode639_1.from_str(code)))
        except ValueError:
            return None  # a language lingua does not know: use the heuristic for the whole set
    if len(languages) < 2:
        return None
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


@cache
def _stopwords(code: str) -> frozenset[str]:
    from veilleur import lang
    from veilleur.errors import VeilleurError

    try:
        words = lang.load(code).files.get("stopwords", {}).get("words")
    except VeilleurError:
        words = None
    if isinstance(words, list) and words:
        return frozenset(str(w).lower() for w in words)
    return STOPWORDS.get(code, frozenset())


def detect_by_stopwords(text: str, supported: Sequence[str] = ("fr", "en")) -> str | None:
    """The supported language whose stop words are clearly the most frequent, else None."""
    counts = dict.fromkeys(supported, 0)
    lists = {code: _stopwords(code) for code in supported}
    for match in _WORD.finditer(text[:SAMPLE_CHARS]):
        word = match.group().lower()
        for code, words in lists.items():
            if word in words:
                counts[code] += 1
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] < _MIN_HITS:
        return None
    if len(ranked) > 1 and ranked[0][1] < _MIN_MARGIN * ranked[1][1]:
        return None
    return ranked[0][0]


def detect_language(text: str, supported: Sequence[str] = ("fr", "en")) -> str | None:
    """The ISO 639-1 code of the text's language among ``supported``, or None when it cannot tell.

    With a single supported language, that language is returned for any text that has letters.
    """
    codes = tuple(sorted({_normalise_code(c) for c in supported}))
    sample = text[:SAMPLE_CHARS]
    if not codes or not _WORD.search(sample):
        return None
    if len(codes) == 1:
        return codes[0]
    detector = _lingua_detector(codes)
    if detector is None:
        return detect_by_stopwords(sample, codes)
    found = detector.detect_language_of(sample)
    if found is None:
        return None
    code = str(found.iso_code_639_1.name).lower()
    return code if code in codes else None


def lingua_available() -> bool:
    try:
        import lingua  # noqa: F401
    except ImportError:
        return False
    return True
