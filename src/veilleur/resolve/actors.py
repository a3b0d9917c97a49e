"""Actors: canonical ACLED-style names for the forces, groups and people an article names.

Knowledge is data, in three places:

* the actor dictionary, ``veilleur/data/actors/*.toml`` plus the files of ``Settings.user_actors``
  (format: the comment at the top of ``data/actors/global.toml``): named actors with their aliases;
* language patterns, ``lang/<code>/actors.toml``: nouns naming state forces, unidentified armed men,
  civilians, protesters, rioters and identity militias, and the country words that qualify them
  ("l'armée malienne", "Nigerien troops", "l'armée du Mali"), merged with ``lang/<code>/countries.toml``;
* ACLED's country names: GeoNames English names with ACLED's spellings from ``data/actors/_countries.toml``.

Text is folded (accents dropped, lower case) by one 1:1 translation table, so folded offsets are the
original's; its words are looked up in phrase tables (word tuples -> values, ``actors_data.Table``)
probed only at words that start some phrase: one dict lookup per word, leftmost-longest, no regex per
alias.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from veilleur import lang as langdata
from veilleur.errors import LanguageDataError
from veilleur.model import Actor
from veilleur.resolve.actors_data import (
    BRANCHES,
    KINDS,
    PEOPLE,
    ROLES,
    Checker,
    Doc,
    Entry,
    Noun,
    Patterns,
    Table,
    bundled_files,
    fold,
    geonames_countries,
    parse_patterns,
    phrase_key,
    read_actor_file,
    read_toml,
)
from veilleur.settings import Settings

__all__ = ["KINDS", "ROLES", "ActorDictionary", "ActorMatch", "fold", "inter_code"]

_YEARS = re.compile(r"\(\s*\d{4}\s*-\s*(?:\d{4})?\s*\)")


@dataclass(frozen=True)
class ActorMatch:
    start: int  # char offsets in the text given to find()
    end: int
    actor: Actor  # canonical, country-qualified where the entry needs a country
    generic: bool  # True for "Unidentified Armed Group" / "Civilians" / "Protesters" style matches
    associated: tuple[Actor, ...] = ()  # e.g. "Students (Mali)" beside "Protesters (Mali)"


def inter_code(actor: Actor, event_country: str | None = None) -> int | None:
    """ACLED's inter code for an actor; a state force outside its own country counts as external (8)."""
    code = KINDS.get(actor.kind or "")
    if code == 1 and event_country and actor.country and actor.country != event_country.upper():
        return 8
    return code


@dataclass(frozen=True)
class _Target:
    entry: int
    fixed: str | None = None  # a per-country name written as an alias ("Islamic State (West Africa)")


# ---------------------------------------------------------------------------------------- dictionary


class ActorDictionary:
    """Canonical actors of one language: named actors, state forces and generic actors, by country."""

    def __init__(
        self,
        lang: str,
        entries: list[Entry],
        patterns: Patterns,
        country_names: Mapping[str, str],
        the: frozenset[str],
    ) -> None:
        self.lang = lang
        self._entries = entries
        self._p = patterns
        self._country_names = dict(country_names)
        self._the = the
        self._aliases: Table[_Target] = Table()
        self._names: dict[tuple[str, ...], Actor] = {}  # folded words of a name -> the actor
        self._named: dict[str, Actor] = {}
        for i, e in enumerate(entries):
            for alias in e.aliases + ([e.name] if e.name else []):
                self._aliases.add(alias, _Target(i))
            if e.name:
                self._names.setdefault(phrase_key(e.name)[0], Actor(e.name, None, e.kind, e.country))
                self._named.setdefault(e.name, self._names[phrase_key(e.name)[0]])
        for i, e in enumerate(entries):  # per-country names that are no entry of their own
            for fixed in sorted(set(e.by_country.values()) - {n.name for n in self._names.values()}):
                self._aliases.add(fixed, _Target(i, fixed))
        self._by_country_name = {phrase_key(n)[0]: c for c, n in self._country_names.items()}
        self._starts = set(self._aliases.maxlen) | set(patterns.nouns.maxlen)
        if patterns.before:
            for table in (patterns.demonyms, patterns.names, patterns.groups):
                self._starts |= set(table.maxlen)

    @classmethod
    def load(cls, settings: Settings, lang: str) -> ActorDictionary:
        """Bundled data + ``settings.user_actors`` for one language; validated; cached per (lang, files)."""
        key = []
        for path in settings.user_actors:
            try:
                key.append((str(Path(path).resolve()), Path(path).stat().st_mtime_ns))
            except OSError as exc:
                raise LanguageDataError(
                    f"user actor file cannot be read: {exc.strerror}", where=str(path)
                ) from exc
        return _load_cached(lang, tuple(key))

    @classmethod
    def from_data(
        cls,
        lang: str,
        patterns: Mapping[str, Any],
        files: Sequence[tuple[str, Mapping[str, Any]]],
        countries: Mapping[str, Any] | None = None,
        *,
        user_from: int | None = None,
    ) -> ActorDictionary:
        """Build from parsed TOML: ``files`` are (label, content) of actor files, bundled first, the user's
        from index ``user_from`` (they win ties); ``countries`` is lang/<code>/countries.toml's content."""
        entries: list[Entry] = []
        names: dict[str, str] = dict(geonames_countries())
        the: set[str] = set()
        for index, (where, doc) in enumerate(files):
            if where.endswith("_countries.toml"):
                ck = Checker(where)
                names.update(ck.names(doc.get("names", {}), "names"))
                the.update(ck.iso(c, "the") for c in ck.strings(doc.get("the", []), "the"))
                continue
            user = user_from is not None and index >= user_from
            names.update(read_actor_file(entries, doc, where, 0 if user else 1))
        patterns_ = parse_patterns(patterns, countries or {}, names, f"lang/{lang}/actors.toml")
        return cls(lang, entries, patterns_, names, frozenset(the))

    # -- names

    def country_name(self, country: str) -> str:
        """ACLED's English name of a country (ISO2); the code itself when unknown."""
        return self._country_names.get(country.upper(), country.upper())

    def _generic(self, role: str, country: str | None) -> Actor:
        base, kind = ROLES[role]
        code = country.upper() if country else None
        return Actor(f"{base} ({self.country_name(code)})" if code else base, None, kind, code)

    def unidentified(self, country: str | None) -> Actor:
        return self._generic("armed", country)

    def civilians(self, country: str | None) -> Actor:
        return self._generic("civilians", country)

    def protesters(self, country: str | None) -> Actor:
        return self._generic("protesters", country)

    def rioters(self, country: str | None) -> Actor:
        return self._generic("rioters", country)

    def state_forces(self, country: str, branch: str = "military", unit: str | None = None) -> Actor:
        """ "Military Forces of Mali", "Police Forces of the Democratic Republic of Congo Gendarmerie"."""
        if branch not in BRANCHES:
            raise ValueError(f"branch must be one of {', '.join(BRANCHES)}, not {branch!r}")
        code = country.upper()
        the = "the " if code in self._the else ""
        return Actor(
            f"{BRANCHES[branch]} {the}{self.country_name(code)}" + (f" {unit}" if unit else ""),
            None,
            "state",
            code,
        )

    def _group(self, group: str, militia: str | None, country: str | None) -> Actor:
        label = f"{group} {militia} Militia" if militia else f"{group} Ethnic Group"
        name = f"{label} ({self.country_name(country)})" if country else label
        return Actor(name, None, "identity_militia" if militia else "civilians", country)

    def _entry_actor(self, target: _Target, country: str | None) -> Actor | None:
        e = self._entries[target.entry]
        if e.name is None:
            return self.state_forces(country, e.state or "military", e.unit) if country else None
        if target.fixed:
            back = [c for c, n in e.by_country.items() if n == target.fixed]
            return Actor(target.fixed, None, e.kind, back[0] if len(back) == 1 else e.country)
        name = e.by_country.get(country or "") or (
            e.qualify.format(country=self.country_name(country)) if country and e.qualify else None
        )
        if name is None:
            return Actor(e.name, None, e.kind, e.country)
        return self._named.get(name) or Actor(
            name, None, e.kind, country
        )  # another entry's: its kind, country

    def _resolve(self, targets: list[_Target], country: str | None) -> Actor | None:
        """Actors sharing an alias ("FDS", "SNA"): the one at home in the event's country, then one without
        a home, then a named one; the user's before bundled ones."""

        def score(t: _Target) -> tuple[int, int, int]:
            e = self._entries[t.entry]
            fit = 2 if country and country in e.home else (1 if not e.home else 0)
            return (-fit, int(e.name is None), e.rank)

        for t in sorted(targets, key=score):
            actor = self._entry_actor(t, country)
            if actor:
                return actor
        return None

    # -- matching

    def find(self, text: str, *, country: str | None = None) -> list[ActorMatch]:
        """Every actor the text names, in order, non-overlapping (leftmost-longest), with offsets."""
        ctx = country.upper() if country else None
        doc = Doc.of(text)
        out: list[ActorMatch] = []
        i, n, starts = 0, len(doc.toks), self._starts
        while i < n:
            if doc.toks[i] in starts:
                end, found = self._match_at(doc, i, ctx)
                if end > i:  # a phrase that names nobody ("bases militaires") is skipped whole
                    out.extend(found)
                    i = end
                    continue
            i += 1
        return out

    def _match(
        self,
        doc: Doc,
        i: int,
        end: int,
        actor: Actor,
        generic: bool = False,
        associated: tuple[Actor, ...] = (),
    ) -> ActorMatch:
        s, e = doc.starts[i], doc.ends[end - 1]
        return ActorMatch(s, e, replace(actor, surface=doc.text[s:e]), generic, associated)

    def _match_at(self, doc: Doc, i: int, ctx: str | None) -> tuple[int, list[ActorMatch]]:
        best: tuple[int, list[ActorMatch]] = (0, [])
        hit = self._aliases.longest(doc, i)
        actor = self._resolve(hit[1], ctx) if hit else None
        if hit and actor:
            end = hit[0]
            noun = self._p.nouns.longest(doc, end) if self._p.before else None
            if noun and noun[1][0].role in ("state", "armed", "militia"):
                end = noun[0]  # "JNIM militants", "Hezbollah fighters"
            best = (end, [self._match(doc, i, end, actor)])
        if self._p.before:
            composed = self._before(doc, i, ctx)
            if composed and composed[0] > best[0]:
                best = composed
        composed = self._noun_first(doc, i, ctx)
        return composed if composed and composed[0] > best[0] and (composed[1] or not best[1]) else best

    def _country_word(self, doc: Doc, i: int, ctx: str | None) -> tuple[int, str] | None:
        """A demonym (in "before" languages also a country name, "Iraq's") at word i: (end, ISO2)."""
        p = self._p
        hit = p.demonyms.longest(doc, i) or (p.names.longest(doc, i) if p.before else None)
        if hit is None:
            return None
        end, (codes, *_) = hit
        if p.before and doc.word(end) == "s" and doc.norm[doc.starts[end] - 1] == "'":
            end += 1  # "Iraq's army"
        return end, ctx if ctx in codes else codes[0]

    def _before(self, doc: Doc, i: int, ctx: str | None) -> tuple[int, list[ActorMatch]] | None:
        """Country or group words, then a noun: "Malian soldiers", "US and Iraqi forces", "Fulani militia"."""
        p = self._p
        cw = self._country_word(doc, i, ctx)
        if cw:
            hit = p.nouns.longest(doc, cw[0])
            if hit and (m := self._qualified(doc, i, hit[0], hit[1][0], cw[1])):
                return hit[0], [m]
            cw2 = self._country_word(doc, cw[0] + 1, ctx) if doc.word(cw[0]) in p.coordination else None
            hit = p.nouns.longest(doc, cw2[0]) if cw2 else None
            if cw2 and hit and hit[1][0].role == "state":
                pair = (
                    self._qualified(doc, i, cw[0], hit[1][0], cw[1]),
                    self._qualified(doc, cw[0] + 1, hit[0], hit[1][0], cw2[1]),
                )
                return hit[0], [m for m in pair if m]
        grp = p.groups.longest(doc, i)
        hit = p.nouns.longest(doc, grp[0]) if grp else None
        if grp and hit and (m := self._grouped(doc, i, hit[0], hit[1][0], grp[1][0], ctx)):
            return hit[0], [m]
        return None

    def _noun_first(self, doc: Doc, i: int, ctx: str | None) -> tuple[int, list[ActorMatch]] | None:
        """A noun, then a country word, group, "of" + actor or country, or nothing: "armée malienne"."""
        p = self._p
        hit = p.nouns.longest(doc, i)
        if hit is None:
            return None
        j, (noun, *_) = hit
        cw = None if p.before else self._country_word(doc, j, ctx)
        if cw and (m := self._qualified(doc, i, cw[0], noun, cw[1])):
            out, k = [m], cw[0]
            cw2 = self._country_word(doc, k + 1, ctx) if doc.word(k) in p.coordination else None
            if noun.role == "state" and cw2 and (m2 := self._qualified(doc, k + 1, cw2[0], noun, cw2[1])):
                out, k = [m, m2], cw2[0]  # "forces irakiennes et américaines"
            return k, out
        grp = None if p.before else p.groups.longest(doc, j)
        if grp and (m := self._grouped(doc, i, grp[0], noun, grp[1][0], ctx)):
            return grp[0], [m]
        of = p.of.longest(doc, j)
        if noun.role in ("state", "armed", "militia"):  # "combattants de l'EI", "rebelles ADF"
            alias = self._aliases.longest(doc, of[0] if of else j)
            actor = self._resolve(alias[1], ctx) if alias else None
            if alias and actor:
                return alias[0], [self._match(doc, i, alias[0], actor)]
        name = p.names.longest(doc, of[0]) if of else None
        if name:
            codes = name[1][0]
            if m := self._qualified(doc, i, name[0], noun, ctx if ctx in codes else codes[0]):
                return name[0], [m]  # "l'armée du Mali", "forces of Mali", "habitants de Gaza"
        m = self._bare(doc, i, j, next((n for n in hit[1] if n.role != "militia"), noun), ctx)
        return j, [m] if m else []

    def _qualified(self, doc: Doc, i: int, end: int, noun: Noun, code: str) -> ActorMatch | None:
        """A noun with a country word: state forces, or civilians/protesters of that country."""
        if noun.role == "state":
            return self._match(doc, i, end, self.state_forces(code, noun.branch, noun.unit))
        return self._people(doc, i, end, noun, code) if noun.role in PEOPLE else None

    def _grouped(
        self, doc: Doc, i: int, end: int, noun: Noun, group: tuple[str, str], ctx: str | None
    ) -> ActorMatch | None:
        """A noun with an ethnic or communal group: "milice peule", "Fulani herders"."""
        if noun.role in ("militia", "armed", "communal"):
            return self._match(doc, i, end, self._group(group[0], group[1], ctx))
        if noun.role in ("civilians", "population"):
            return self._people(doc, i, end, noun, ctx, (self._group(group[0], None, ctx),))
        return None

    def _bare(self, doc: Doc, i: int, j: int, noun: Noun, ctx: str | None) -> ActorMatch | None:
        if noun.role == "state":  # "l'armée a riposté": the article's forces, unless "l'armée de ..."
            if not (noun.bare and ctx) or doc.word(j) in self._p.blockers:
                return None
            return self._match(doc, i, j, self.state_forces(ctx, noun.branch, noun.unit))
        if noun.role in ("militia", "ignore"):
            return None
        if noun.role in PEOPLE:
            return self._people(doc, i, j, noun, ctx)
        return self._match(doc, i, j, self._generic(noun.role, ctx), True)

    def _people(
        self, doc: Doc, i: int, end: int, noun: Noun, country: str | None, associated: tuple[Actor, ...] = ()
    ) -> ActorMatch:
        """Civilians, or protesters/rioters when the sentence says they demonstrated or rioted."""
        role = noun.role
        if role in ("population", "protesters"):
            first, sentence = doc.sentence(i, end)
            if self._p.riot and self._p.riot.search(sentence):
                role = "rioters"
            elif role == "population":
                role = "protesters" if self._p.protest and self._p.protest.search(sentence) else "civilians"
            if noun.role == "population" and role != "civilians" and self._armed_before(doc, first, i):
                role = "civilians"  # "gunmen looted the shops of traders": the traders did not riot
        if noun.group:
            name = f"{noun.group} ({self.country_name(country)})" if country else noun.group
            associated += (Actor(name, None, ROLES[role][1], country),)
        return self._match(doc, i, end, self._generic(role, country), True, associated)

    def _armed_before(self, doc: Doc, first: int, i: int) -> bool:
        """Whether a non-state armed actor is named between word ``first`` and word i (state forces often
        precede protesters: "la police a dispersé les jeunes")."""
        for k in range(first, i):
            noun = self._p.nouns.longest(doc, k)
            if noun and noun[1][0].role not in PEOPLE + ("state", "ignore"):
                return True
            alias = self._aliases.longest(doc, k)
            if alias and self._entries[alias[1][0].entry].kind in (
                "rebel",
                "political_militia",
                "identity_militia",
            ):
                return True
        return False

    def canonical(self, surface: str, *, country: str | None = None) -> Actor | None:
        """The canonical actor a name or phrase stands for ("Hachd al-Chaabi", "Civilians (Mali)",
        "l'armée malienne"); None when it names none, or several different ones."""
        key = phrase_key(_YEARS.sub(" ", surface))[0]
        built = self._names.get(key) or self._parse_name(key)
        if built:
            return replace(built, surface=surface)
        doc = Doc.of(surface)
        matches = self.find(surface, country=country)
        covered = {k for m in matches for k, s in enumerate(doc.starts) if m.start <= s < m.end}
        if any(k not in covered and t not in self._p.fillers for k, t in enumerate(doc.toks)):
            return None
        return (
            replace(matches[0].actor, surface=surface) if len({m.actor.name for m in matches}) == 1 else None
        )

    def _parse_name(self, key: tuple[str, ...]) -> Actor | None:
        """Generated ACLED names: "Civilians (Mali)", "Military Forces of the United States"."""
        for role, (base, _) in ROLES.items():
            b = phrase_key(base)[0]
            if key[: len(b)] == b and (key == b or key[len(b) :] in self._by_country_name):
                return self._generic(role, self._by_country_name.get(key[len(b) :]))
        for branch, prefix in BRANCHES.items():
            b = phrase_key(prefix)[0]
            rest = key[len(b) :]
            rest = rest[1:] if rest[:1] == ("the",) else rest
            for size in range(len(rest), 0, -1) if key[: len(b)] == b else ():
                if rest[:size] in self._by_country_name:
                    unit = " ".join(w.capitalize() for w in rest[size:]) or None
                    return self.state_forces(self._by_country_name[rest[:size]], branch, unit)
        return None

    def stats(self) -> dict[str, int]:
        """Sizes for reports: named actors, state entries, alias phrases, pattern phrases."""
        p = self._p
        return {
            "actors": sum(1 for e in self._entries if e.name),
            "aliases": len(self._aliases),
            "state_entries": sum(1 for e in self._entries if e.name is None),
            "nouns": len(p.nouns),
            "country_words": len(p.demonyms) + len(p.names),
            "groups": len(p.groups),
        }


@lru_cache(maxsize=16)
def _load_cached(lang: str, user_files: tuple[tuple[str, int], ...]) -> ActorDictionary:
    data = langdata.load(lang)
    files: list[tuple[str, Mapping[str, Any]]] = list(bundled_files())
    user_from = len(files)
    files += [(path, read_toml(Path(path), path)) for path, _ in user_files]
    return ActorDictionary.from_data(
        lang, data.section("actors"), files, data.files.get("countries"), user_from=user_from
    )
