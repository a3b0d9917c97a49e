"""Language knowledge as data: one folder per language (``lang/<code>/*.toml``), one file per concept.

A stage that needs language knowledge reads its own file (``dates.toml``, ``triggers.toml``...) through
:func:`load` and validates it when it builds its own typed view; adding a language means adding a folder.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from veilleur.errors import LanguageDataError, UnsupportedLanguageError


@dataclass(frozen=True)
class LanguageData:
    code: str
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        """The parsed content of ``lang/<code>/<name>.toml``; a clear error when it is missing."""
        try:
            return self.files[name]
        except KeyError:
            raise LanguageDataError(f"language '{self.code}' has no {name}.toml", where=f"lang/{self.code}") from None


def available() -> list[str]:
    root = resources.files("veilleur.lang")
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))


@cache
def load(code: str) -> LanguageData:
    """Parse every TOML file of a language folder (cached per process)."""
    if code not in available():
        raise UnsupportedLanguageError(f"no language folder for '{code}' (have: {', '.join(available())})")
    folder = resources.files("veilleur.lang") / code
    files: dict[str, dict[str, Any]] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".toml"):
            try:
                files[entry.name[:-5]] = tomllib.loads(entry.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise LanguageDataError(f"{entry.name} is not valid TOML: {exc}", where=f"lang/{code}") from exc
    return LanguageData(code, files)
