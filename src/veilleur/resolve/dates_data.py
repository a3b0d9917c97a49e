"""Helpers shared by the date and number grammars: language-data phrases to regular expressions, and
reading a language data file with errors that name the file and the key.

A phrase of language data is written as people write it ("quatre-vingts", "aujourd'hui", "la semaine
dernière"); :func:`phrase_pattern` makes it match the spellings met in text (a hyphen or a space, any
apostrophe, any run of whitespace) and :func:`normalize_phrase` gives the key a matched phrase is looked
up by.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NoReturn

from veilleur.errors import LanguageDataError

_DASHES = "-‐‑–—"
_APOSTROPHES = "'’ʼ"


def phrase_pattern(phrase: str) -> str:
    """Regex source for one phrase of language data: spaces match any whitespace run, a hyphen inside a
    word also matches a space, an apostrophe matches ' ’ ʼ. A single punctuation mark is literal."""
    phrase = phrase.strip()
    if len(phrase) == 1 and not phrase.isalnum():
        return re.escape(phrase)
    out: list[str] = []
    for ch in phrase:
        if ch.isspace():
            if not out or out[-1] != r"\s+":
                out.append(r"\s+")
        elif ch in _DASHES:
            out.append(r"(?:\s*[-‐‑–—]\s*|\s+)")
        elif ch in _APOSTROPHES:
            out.append(r"['’ʼ]\s*")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def alternation(phrases: Iterable[str]) -> str:
    """One non-capturing group matching any of the phrases as whole words, longest first."""
    uniq = sorted({p.strip() for p in phrases if p.strip()}, key=lambda p: (-len(p), p))
    if not uniq:
        return "(?!)"
    alts = []
    for p in uniq:
        tail = "" if p[-1] in _APOSTROPHES or not (p[-1].isalnum()) else r"(?!\w)"
        alts.append(phrase_pattern(p) + tail)
    return r"(?<!\w)(?:" + "|".join(alts) + ")"


def normalize_phrase(text: str) -> str:
    """The key a matched phrase is looked up by: lower case, one space, plain apostrophes and hyphens."""
    text = text.lower()
    for ch in _APOSTROPHES[1:]:
        text = text.replace(ch, "'")
    for ch in _DASHES[1:]:
        text = text.replace(ch, "-")
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r"'\s+", "'", text)
    return re.sub(r"\s+", " ", text).strip()


def phrase_variants(phrase: str) -> set[str]:
    """Normalized spellings a phrase may take in text (a hyphen may be written as a space)."""
    base = normalize_phrase(phrase)
    return {base, base.replace("-", " ")} if "-" in base and len(base) > 1 else {base}


def trie_pattern(words: list[str]) -> str:
    """One regex for many literal words, factored by common prefixes (Python's re does not do it)."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        ends = "" in node
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return "(?:" + build(trie) + ")"


def trigger_pattern(phrases: Iterable[str]) -> str:
    """A fast pre-filter: the longest word of each phrase as a whole word (a text without any of them cannot
    hold any of the phrases)."""
    tokens = {max(re.findall(r"\w+", normalize_phrase(p)) or [""], key=len) for p in phrases}
    return r"(?<!\w)" + trie_pattern(sorted(t for t in tokens if t)) + r"(?!\w)"


class DataReader:
    """Reads one language data file and fails with the file and key when it is not what the code expects."""

    def __init__(self, code: str, name: str, data: dict[str, Any]) -> None:
        self.where = f"lang/{code}/{name}.toml"
        self.data = data

    def fail(self, key: str, message: str) -> NoReturn:
        raise LanguageDataError(f"[{key}] {message}", where=self.where)

    def table(self, key: str, *, required: bool = True) -> dict[str, Any]:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                if required:
                    self.fail(key, "is missing")
                return {}
            node = node[part]
        if not isinstance(node, dict):
            self.fail(key, f"must be a table, not {type(node).__name__}")
        return node

    def words(self, value: Any, key: str, *, allow_empty: bool = False) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
            self.fail(key, "must be a list of non-empty strings")
        if not value and not allow_empty:
            self.fail(key, "must not be empty")
        return [w.strip() for w in value]

    def word_list(self, table_key: str, key: str, *, required: bool = True) -> list[str]:
        table = self.table(table_key, required=required)
        if key not in table:
            if required:
                self.fail(f"{table_key}.{key}", "is missing")
            return []
        return self.words(table[key], f"{table_key}.{key}")

    def integer(self, value: Any, key: str, *, minimum: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"must be an integer, not {value!r}")
        if minimum is not None and value < minimum:
            self.fail(key, f"must be at least {minimum}")
        return value

    def valued_words(self, table_key: str, *, required: bool = True) -> dict[str, int]:
        """A table ``<integer> = [words]`` read as {normalized word: integer}."""
        out: dict[str, int] = {}
        for k, v in self.table(table_key, required=required).items():
            try:
                value = int(k)
            except ValueError:
                self.fail(f"{table_key}.{k}", "key must be an integer value")
            for w in self.words(v, f"{table_key}.{k}"):
                for variant in phrase_variants(w):
                    out.setdefault(variant, value)
        return out
