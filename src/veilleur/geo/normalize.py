"""Lookup keys for place names: one function per key, all pure.

Three keys are computed for every gazetteer name and for every query, from strict to loose:

``key_exact``
    case, accents, apostrophes, hyphens and spaces ignored: "Tin-Akoff" = "Tin Akoff" = "tinakoff".
``key_bare``
    also without Arabic articles and with word variants merged (names.toml): "al-Anbar" = "Anbar",
    "Aïn al-Asad" = "Ayn Asad", "Tell Abyad" = "Tal Abyad".
``key_skeleton``
    a transliteration-insensitive skeleton of ``key_bare``: French and English spellings of the same
    Arabic, Berber or Fulfulde name meet ("Baaqouba" = "Baqubah", "Diwaniyeh" = "Divaniyah",
    "Kirkouk" = "Kirkuk", "Tekrit" = "Tikrit"). Loose on purpose; matches on it rank lowest.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache, lru_cache
from importlib import resources

_APOSTROPHES = "'’‘ʼʻʿʾ`´′"
_SPECIAL = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
        "ŋ": "ng",
        "ɛ": "e",
        "ɔ": "o",
        "ɗ": "d",
        "ɓ": "b",
        "ƙ": "k",
        "ƴ": "y",
        "ə": "e",
    }
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SKELETON_STEPS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"(?<=[aeiou])h$", ""),  # Baqubah -> Baquba, Diwaniyeh -> Diwaniye
        (r"ou|oo", "u"),  # French ou
        (r"tch|tsh|sch|sh|ch", "x"),  # Tchad = Chad, Hachd = Hashd
        (r"gu(?=[ei])", "g"),
        (r"kh", "k"),
        (r"gh", "g"),
        (r"ck|q|c", "k"),
        (r"dh", "d"),
        (r"th", "t"),
        (r"ph", "f"),
        (r"dj|dz|zh", "j"),
        (r"[wv]", "u"),
        (r"y", "i"),
        (r"o", "u"),  # Arabic has no o/u contrast: Zor = Zur
        (r"au", "u"),  # Zawr = Zor, Hawija = Haouija
        (r"ai|ei", "i"),
        (r"(?<=.)[ae]+$", ""),  # final vowel a/e: Samarra = Samarah, Ninive = Nineveh
        (r"e", "i"),
        (r"(.)\1+", r"\1"),  # doubled letters: Assad = Asad, Raqqa = Raqa
    )
)


@cache
def _names_data() -> tuple[frozenset[str], dict[str, str]]:
    raw = resources.files("veilleur") / "data" / "geo" / "names.toml"
    data = tomllib.loads(raw.read_text(encoding="utf-8"))
    articles = frozenset(str(a) for a in data.get("articles", []))
    variants: dict[str, str] = {}
    for form, spellings in data.get("variants", {}).items():
        for s in spellings:
            variants[tokens(str(s))[0] if tokens(str(s)) else str(s)] = str(form)
    return articles, variants


def fold(text: str) -> str:
    """Lower case, no accents, special letters spelled out; punctuation kept."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text).casefold().translate(_SPECIAL)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text


def tokens(text: str) -> list[str]:
    """Folded word tokens; apostrophes inside words vanish ("Ba'quba" -> ["baquba"])."""
    folded = fold(text)
    for a in _APOSTROPHES:
        folded = folded.replace(a, "")
    return [t for t in _NON_ALNUM.split(folded) if t]


def key_exact(text: str) -> str:
    return "".join(tokens(text))


def bare_tokens(text: str) -> list[str]:
    """Tokens without Arabic articles (when another word follows) and with word variants merged."""
    return _bare(tokens(text))


def _bare(toks: list[str]) -> list[str]:
    if len(toks) < 2:
        return toks
    articles, variants = _names_data()
    out: list[str] = []
    for i, t in enumerate(toks):
        if t in articles and i < len(toks) - 1:
            continue
        out.append(variants.get(t, t))
    return out


def key_bare(text: str) -> str:
    return "".join(bare_tokens(text))


@lru_cache(maxsize=200_000)
def skeleton_token(token: str) -> str:
    s = token
    for pattern, repl in _SKELETON_STEPS:
        s = pattern.sub(repl, s)
    return s


def key_skeleton(text: str) -> str:
    """Transliteration skeleton; empty when the name is too short for a loose match to mean anything."""
    return _skeleton(bare_tokens(text))


def _skeleton(bare: list[str]) -> str:
    s = "".join(skeleton_token(t) for t in bare)
    return s if len(s) >= 4 else ""


def keys(text: str) -> tuple[str, str, str]:
    """(exact, bare, skeleton) keys of a name (tokenised once)."""
    toks = tokens(text)
    bare = _bare(toks)
    return "".join(toks), "".join(bare), _skeleton(bare)


_LATIN_OK = frozenset(" -'’.,()/&0123456789")


def is_latin(name: str) -> bool:
    """True when every letter of ``name`` is Latin script (drops Arabic, Cyrillic, CJK... alternate names)."""
    if name.isascii():
        return True
    for c in name:
        if c in _LATIN_OK or c.isspace():
            continue
        if c.isalpha():
            try:
                if not unicodedata.name(c).startswith("LATIN"):
                    return False
            except ValueError:
                return False
        elif not unicodedata.category(c).startswith(("P", "M", "Z")):
            return False
    return True


def is_code(name: str) -> bool:
    """IATA/ICAO-like codes ("BGW", "ORBI") that GeoNames lists among alternate names."""
    return 2 <= len(name) <= 4 and name.isupper() and name.isalpha()
