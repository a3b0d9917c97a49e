"""Date expressions in text, and their resolution to ACLED dates with a time precision.

The grammar is language data (``lang/<code>/dates.toml``: months, weekdays, parts of day, relative words and
patterns over placeholders); this module compiles it into **one** regular expression per language and finds
every expression in one pass, longest match first. :mod:`veilleur.resolve.dates_resolve` turns an expression
into a :class:`~veilleur.model.DateValue` relative to the publication date. Public API::

    grammar = DateGrammar.for_language("fr")
    for expr in grammar.find("Des sources ont fait état mardi 4 janvier de la frappe"):
        value = grammar.resolve(expr, published=date(2022, 1, 5))   # 2022-01-04, precision 1

The rules (documented in :mod:`veilleur.resolve.dates_resolve`) are the ACLED ones: precision 1 = the day,
2 = a few days up to about ten (a week, "début mai"), 3 = about a month; anything vaguer has no date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields
from functools import cache
from typing import Any

from veilleur.model import DateValue, Span
from veilleur.resolve.dates_data import (
    DataReader,
    alternation,
    normalize_phrase,
    phrase_variants,
    trigger_pattern,
)
from veilleur.resolve.numbers import NumberGrammar

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PARTS = ("morning", "afternoon", "evening", "night")
PERIODS = ("early", "mid", "late", "whole")
UNITS = ("hour", "day", "week", "weekend", "month", "year")
RELS = ("this", "last", "next")
QUALIFIERS = ("since", "until")
KINDS = ("absolute", "weekday", "relative", "anchored", "ago", "range", "period", "duration", "year")

# Fields a pattern may fix with `set = {...}`, and the values they take.
_SETTABLE: dict[str, tuple[Any, ...]] = {
    "part": PARTS,
    "period": PERIODS,
    "unit": UNITS,
    "rel": RELS,
    "night": (True, False),
    "few": (True, False),
    "sign": (-1, 1),
    "offset": (),  # offset: any integer
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_DAY_DIGITS = r"(?:3[01]|[12]\d|0?[1-9])(?!\d)"
_YEAR_DIGITS = r"(?:1[89]|20)\d\d(?!\d)"
_NMONTH_DIGITS = r"(?:1[0-2]|0?[1-9])(?!\d)"
TRIGGER_REACH = 40  # characters a pattern may hold before its first vocabulary word or digit


@dataclass(frozen=True)
class DateExpression:
    """One date expression found in text; offsets are into the text given to :meth:`DateGrammar.find`.

    kind: absolute (a day and month, maybe a year or weekday), weekday, relative (hier, ce matin),
    anchored (la veille: relative to another date of the text), ago (il y a trois jours), range (du 3 au
    5 mai, nights), period (début mai, la semaine dernière, fin 2020), duration (depuis trois jours, ces
    derniers jours), year (en 2021).
    """

    span: Span
    kind: str
    pattern: str = ""  # the name of the data pattern that matched
    day: int | None = None
    month: int | None = None
    year: int | None = None
    weekday: int | None = None  # 0 = Monday
    weekday_text: str | None = None  # the weekday as written, for notes
    day2: int | None = None  # second date of a range or night
    month2: int | None = None
    year2: int | None = None
    weekday2: int | None = None
    weekday2_text: str | None = None
    part: str | None = None  # morning, afternoon, evening, night
    rel: str | None = None  # this, last, next
    period: str | None = None  # early, mid, late, whole
    unit: str | None = None  # hour, day, week, weekend, month, year
    offset: int | None = None  # days from the publication date (relative) or from the anchor (anchored)
    count: int | None = None  # "il y a trois jours" -> 3
    few: bool = False  # "quelques jours": a count between the language's few.min and few.max
    sign: int = -1  # anchored counts: -1 before the anchor, +1 after
    night: bool = False  # "dans la nuit de samedi à dimanche": the event is on the first day
    qualifier: str | None = None  # since, until (the words just before the expression)

    @property
    def future(self) -> bool:
        """True for expressions about what is still to come ("mardi prochain", "la semaine prochaine")."""
        return self.rel == "next"


@dataclass(frozen=True)
class _Pattern:
    name: str
    kind: str
    source: str  # expanded regex source with named groups g<i>_<placeholder>_<k>
    body: str  # the same without the word-boundary checks around it, for the master alternation
    groups: dict[str, str]  # group name -> placeholder
    fixed: dict[str, Any]


class DateGrammar:
    """The date grammar of one language, compiled from its data. Build it with :meth:`for_language`."""

    def __init__(self, code: str, data: dict[str, Any], numbers: NumberGrammar | None = None) -> None:
        self.code = code
        r = DataReader(code, "dates", data)
        self._reader = r
        self._case_sensitive: set[str] = set()
        self._surface: dict[
            str, list[str]
        ] = {}  # table -> words as written (case-sensitive tables need them)

        def keyed(
            table_key: str,
            keys: tuple[str, ...],
            values: tuple[Any, ...] | None,
            *,
            required: bool = True,
            complete: bool = False,
        ) -> dict[str, Any]:
            table = r.table(table_key, required=required)
            out: dict[str, Any] = {}
            for k, words in table.items():
                if k == "case_sensitive":
                    if not isinstance(words, bool):
                        r.fail(f"{table_key}.{k}", "must be true or false")
                    if words:
                        self._case_sensitive.add(table_key)
                    continue
                if k not in keys:
                    r.fail(f"{table_key}.{k}", f"unknown key (known: {', '.join(keys)})")
                value = values[keys.index(k)] if values is not None else k
                for w in r.words(words, f"{table_key}.{k}"):
                    self._surface.setdefault(table_key, []).append(w)
                    for variant in phrase_variants(w):
                        out.setdefault(variant, value)
            if complete:
                missing = [k for k in keys if k not in table]
                if missing:
                    r.fail(table_key, f"missing {', '.join(missing)}")
            return out

        self._months = keyed("months", MONTHS, tuple(range(1, 13)), complete=True)
        self._weekdays = keyed("weekdays", WEEKDAYS, tuple(range(7)), complete=True)
        self._parts = keyed("parts_of_day", PARTS, None, required=False)
        self._rel = keyed("modifiers", RELS, None, required=False)
        self._periods = keyed("periods", PERIODS, None, required=False)
        self._units = keyed("units", UNITS, None, required=False)
        self._qualifiers = keyed("qualifiers", QUALIFIERS, None, required=False)
        self._reldays, self._relday_parts = self._offset_words(r, "relative_days")
        self._anchordays, _ = self._offset_words(r, "anchor_days")

        days = r.table("days", required=False)
        self._day_suffixes = r.words(days.get("suffixes", []), "days.suffixes", allow_empty=True)
        self._day_words: dict[str, int] = {}
        day_words = days.get("words", {})
        if not isinstance(day_words, dict):
            r.fail("days.words", "must be a table of <day> = [words]")
        for k, words in day_words.items():
            if not (isinstance(k, str) and k.isdigit() and 1 <= int(k) <= 31):
                r.fail(f"days.words.{k}", "key must be a day of the month (1-31)")
            for w in r.words(words, f"days.words.{k}"):
                self._day_words[normalize_phrase(w)] = int(k)

        few = r.table("few", required=False)
        self._few_words = r.words(few.get("words", []), "few.words", allow_empty=True)
        self.few_min = r.integer(few.get("min", 2), "few.min", minimum=1)
        self.few_max = r.integer(few.get("max", 6), "few.max", minimum=self.few_min)

        self._numbers = numbers if numbers is not None else NumberGrammar.for_language(code)

        raw_patterns = data.get("patterns")
        if not isinstance(raw_patterns, list) or not raw_patterns:
            r.fail("patterns", "must be a non-empty array of [[patterns]] tables")
        self._patterns = [self._pattern(i, p) for i, p in enumerate(raw_patterns)]
        self._compiled = [re.compile(p.source, re.IGNORECASE) for p in self._patterns]
        # One pass over the text: a word start, then any pattern (each pattern also checks its own start,
        # so that it can be tried alone at a position the master found).
        self._master = re.compile(
            r"(?<!\w)(?:" + "|".join(p.body for p in self._patterns) + ")", re.IGNORECASE
        )
        # Every pattern holds a vocabulary word or a digit within its first TRIGGER_REACH characters: the
        # patterns are only tried at word starts just before such a trigger.
        vocabulary = (
            [w for key, words in self._surface.items() if key != "qualifiers" for w in words]
            + list(self._reldays)
            + list(self._anchordays)
            + list(self._day_words)
            + self._few_words
            + self._numbers.cardinal_words
        )
        self._word_start = re.compile(r"(?<!\w)\w")
        self._trigger = re.compile(r"\d+|" + trigger_pattern(vocabulary), re.IGNORECASE)
        qual_words = list(self._qualifiers)
        self._qualifier_re = (
            re.compile(rf"(?P<q>{alternation(qual_words)})\s*\Z", re.IGNORECASE) if qual_words else None
        )

    # ------------------------------------------------------------------------------------------ construction

    @classmethod
    def for_language(cls, code: str) -> DateGrammar:
        """The grammar of a language, built once per process from ``lang/<code>/dates.toml``.

        Raises LanguageDataError naming the file and key when the data is malformed."""
        return _grammar(code)

    @staticmethod
    def _offset_words(r: DataReader, key: str) -> tuple[dict[str, int], dict[str, str]]:
        offsets: dict[str, int] = {}
        parts: dict[str, str] = {}
        for name, entry in r.table(key, required=False).items():
            if not isinstance(entry, dict):
                r.fail(f"{key}.{name}", "must be a table with offset and words")
            offset = r.integer(entry.get("offset"), f"{key}.{name}.offset")
            part = entry.get("part")
            if part is not None and part not in PARTS:
                r.fail(f"{key}.{name}.part", f"unknown part of day (known: {', '.join(PARTS)})")
            for w in r.words(entry.get("words"), f"{key}.{name}.words"):
                for variant in phrase_variants(w):
                    offsets[variant] = offset
                    if part is not None:
                        parts[variant] = part
        return offsets, parts

    def _placeholder_source(self, name: str, key: str) -> str:
        base = name[:-1] if name.endswith("2") and name not in ("2",) else name
        words: dict[str, Any] | list[str]  # the phrases of the placeholder
        if base == "day":
            suffix = (
                f"(?:{'|'.join(re.escape(s) for s in self._day_suffixes)})?" if self._day_suffixes else ""
            )
            alts = [_DAY_DIGITS + suffix]
            if self._day_words:
                alts.append(alternation(self._day_words))
            return "(?:" + "|".join(alts) + r")(?!\w)"
        if base == "year":
            return _YEAR_DIGITS
        if base == "nmonth":
            return _NMONTH_DIGITS
        if base == "number":
            return self._numbers.cardinal_pattern
        table_for = {
            "month": ("months", self._months),
            "weekday": ("weekdays", self._weekdays),
            "part": ("parts_of_day", self._parts),
            "period": ("periods", self._periods),
            "unit": ("units", self._units),
            "relday": ("relative_days", self._reldays),
            "anchorday": ("anchor_days", self._anchordays),
        }
        if base in table_for:
            table_key, words = table_for[base]
        elif base in RELS:
            table_key, words = "modifiers", [w for w, v in self._rel.items() if v == base]
        elif base == "few":
            table_key, words = "few", self._few_words
        else:
            self._reader.fail(key, f"unknown placeholder {{{name}}}")
        if not words:
            self._reader.fail(key, f"uses {{{name}}} but [{table_key}] has no words for it")
        if table_key in self._case_sensitive:
            return f"(?-i:{alternation(self._surface[table_key])})"
        return alternation(words)

    def _pattern(self, i: int, raw: Any) -> _Pattern:
        r = self._reader
        key = f"patterns[{i}]"
        if not isinstance(raw, dict):
            r.fail(key, "must be a table")
        name = raw.get("name", f"pattern{i}")
        kind = raw.get("kind")
        regex = raw.get("regex")
        if kind not in KINDS:
            r.fail(f"{key}.kind", f"must be one of {', '.join(KINDS)}, not {kind!r}")
        if not isinstance(regex, str) or not regex.strip():
            r.fail(f"{key}.regex", "must be a non-empty string")
        fixed = raw.get("set", {})
        if not isinstance(fixed, dict):
            r.fail(f"{key}.set", "must be a table")
        for field, value in fixed.items():
            if field not in _SETTABLE:
                r.fail(f"{key}.set.{field}", f"cannot be set (settable: {', '.join(_SETTABLE)})")
            allowed = _SETTABLE[field]
            if (
                allowed
                and value not in allowed
                or not allowed
                and (isinstance(value, bool) or not isinstance(value, int))
            ):
                r.fail(f"{key}.set.{field}", f"bad value {value!r}")
        unknown = set(raw) - {"name", "kind", "regex", "set"}
        if unknown:
            r.fail(key, f"unknown keys {', '.join(sorted(unknown))}")

        groups: dict[str, str] = {}
        counter = 0

        def expand(m: re.Match[str]) -> str:
            nonlocal counter
            counter += 1
            ph = m.group(1)
            gname = f"g{i}_{ph}_{counter}"
            groups[gname] = ph
            return f"(?P<{gname}>{self._placeholder_source(ph, f'{key}.regex')})"

        body = _PLACEHOLDER.sub(expand, _literal_spacing(regex))
        source = rf"(?<!\w)(?:{body})(?!\w)"
        try:
            compiled = re.compile(source, re.IGNORECASE)
        except re.error as exc:
            r.fail(f"{key}.regex", f"is not a valid pattern: {exc}")
        if compiled.match("") is not None:
            r.fail(f"{key}.regex", "matches the empty string")
        return _Pattern(str(name), kind, source, rf"(?:{body})(?!\w)", groups, dict(fixed))

    # ------------------------------------------------------------------------------------------ finding

    def find(self, text: str) -> list[DateExpression]:
        """Every date expression in text, non-overlapping, leftmost then longest, sorted by offset."""
        out: list[DateExpression] = []
        pos = 0
        master = self._master.match
        for trigger in self._trigger.finditer(text):
            if trigger.start() < pos:
                continue
            m = None
            for w in self._word_start.finditer(
                text, max(pos, trigger.start() - TRIGGER_REACH), trigger.start() + 1
            ):
                m = master(text, w.start())
                if m is not None:
                    break
            if m is None:
                continue
            start = m.start()
            best: tuple[int, re.Match[str]] | None = None
            for i, rx in enumerate(self._compiled):
                mm = rx.match(text, start)
                if mm is not None and mm.end() > start and (best is None or mm.end() > best[1].end()):
                    best = (i, mm)
            if best is None:  # cannot happen: the master matched here
                continue
            out.append(self._expression(text, *best))
            pos = best[1].end()
        return out

    def _expression(self, text: str, i: int, m: re.Match[str]) -> DateExpression:
        pattern = self._patterns[i]
        values: dict[str, Any] = {}
        rels: set[str] = set()
        for gname, ph in pattern.groups.items():
            raw = m.group(gname)
            if raw is None:
                continue
            second = ph.endswith("2")
            base = ph[:-1] if second else ph
            key = normalize_phrase(raw)
            suffix = "2" if second else ""
            if base == "day":
                values["day" + suffix] = self._day_words.get(key) or int(re.match(r"\d+", raw).group(0))  # type: ignore[union-attr]
            elif base == "year":
                values["year" + suffix] = int(raw)
            elif base == "nmonth":
                values["month" + suffix] = int(raw)
            elif base == "month":
                values["month" + suffix] = self._lookup(self._months, key)
            elif base == "weekday":
                values["weekday" + suffix] = self._lookup(self._weekdays, key)
                values["weekday" + suffix + "_text"] = raw
            elif base == "part":
                values["part"] = self._lookup(self._parts, key)
            elif base == "period":
                values["period"] = self._lookup(self._periods, key)
            elif base == "unit":
                values["unit"] = self._lookup(self._units, key)
            elif base == "relday":
                values["offset"] = self._lookup(self._reldays, key)
                if key in self._relday_parts:
                    values.setdefault("part", self._relday_parts[key])
            elif base == "anchorday":
                values["offset"] = self._lookup(self._anchordays, key)
            elif base in RELS:
                rels.add(base)
            elif base == "number":
                values["count"] = self._numbers.parse(raw)
            elif base == "few":
                values["few"] = True
        if rels:
            values["rel"] = next(r for r in ("last", "next", "this") if r in rels)
        for k, v in pattern.fixed.items():
            values.setdefault(k, v)
        qualifier = None
        if self._qualifier_re is not None:
            q = self._qualifier_re.search(text, max(0, m.start() - 40), m.start())
            if q is not None and (q.start() == 0 or not text[q.start() - 1].isalnum()):
                qualifier = self._qualifiers.get(normalize_phrase(q.group("q")))
        known = {f.name for f in fields(DateExpression)}
        return DateExpression(
            span=Span(m.start(), m.end(), m.group(0)),
            kind=pattern.kind,
            pattern=pattern.name,
            qualifier=qualifier,
            **{k: v for k, v in values.items() if k in known},
        )

    @staticmethod
    def _lookup(table: dict[str, Any], key: str) -> Any:
        if key in table:
            return table[key]
        return table.get(key.replace("-", " "), table.get(key.rstrip(".")))

    # ------------------------------------------------------------------------------------------ resolving

    def resolve(
        self,
        expr: DateExpression,
        published: dt.date | None,
        *,
        today: dt.date | None = None,
        anchor: dt.date | None = None,
    ) -> DateValue:
        """The date an expression stands for, relative to the publication date (see dates_resolve)."""
        from veilleur.resolve.dates_resolve import resolve

        return resolve(
            expr, published, today=today or dt.date.today(), anchor=anchor, few=(self.few_min, self.few_max)
        )

    def find_and_resolve(
        self, text: str, published: dt.date | None, *, today: dt.date | None = None
    ) -> list[tuple[DateExpression, DateValue]]:
        """Convenience: every expression in text with its resolved value."""
        return [(e, self.resolve(e, published, today=today)) for e in self.find(text)]


def _literal_spacing(regex: str) -> str:
    """A plain space in a data pattern means any whitespace run, an apostrophe any apostrophe; not inside
    a character class."""
    out: list[str] = []
    in_class = False
    escaped = False
    for ch in regex:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            out.append(ch)
            escaped = True
            continue
        if in_class:
            if ch == "]":
                in_class = False
            out.append(ch)
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
        elif ch == " ":
            out.append(r"\s+")
        elif ch in "'’ʼ":
            out.append(r"['’ʼ]\s*")
        else:
            out.append(ch)
    return "".join(out)


@cache
def _grammar(code: str) -> DateGrammar:
    from veilleur.lang import load

    return DateGrammar(code, load(code).section("dates"))
