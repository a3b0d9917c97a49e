"""Numbers in digits and words, and casualty tolls, by ACLED's fatality rules.

Language knowledge (number words, qualifiers, toll verbs) is data in ``lang/<code>/numbers.toml``; this module
only wires it together. Public API::

    parse_number("vingt-deux", "fr") -> 22
    parse_quantity("au moins 5", "fr") -> Quantity(value=5, qualifier="at_least")
    find_tolls("deux soldats ont été tués et trois blessés", "fr")
        -> [Toll(span=..., killed=2, wounded=3, qualifier=None)]

Rules (the figures ACLED would code):

- digits ("1 200", "1,200", "2,5 millions") and number words ("vingt-deux", "one hundred and five");
- the lowest figure the sentence allows: "au moins 5" = 5, "plus de 10" = 10, "5 à 7 morts" = 5;
- approximate nouns after a number: "une dizaine" = 10 ("about"), "two dozen" = 24;
- vague plurals: "des dizaines" / "tens" = 10, "dozens" = 12, "des centaines" / "hundreds" = 100 ("vague");
- a plural with no figure ("plusieurs morts", "several killed") = the ``[vague].value`` of the data
  (10, ACLED's code for unknown plural fatalities), qualifier "vague";
- "sans faire de victimes" / "no casualties" = killed 0 and wounded 0; "no fatalities" = killed 0;
- wounded ("blessés", "wounded", "injured") never count as fatalities: they go to ``Toll.wounded``.

Numbers inside date expressions ("le 3 janvier 2020, 40 soldats...") are never read as tolls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from veilleur.model import Span
from veilleur.resolve.dates_data import (
    DataReader,
    alternation,
    normalize_phrase,
    phrase_pattern,
    trigger_pattern,
)

QUALIFIERS = ("at_least", "more_than", "about", "up_to")


# ----------------------------------------------------------------------------------------------------
# Typed results


@dataclass(frozen=True)
class Quantity:
    """A figure as said: ``value`` is the one to code (the lowest the words allow)."""

    value: int
    qualifier: str | None = None  # None (exact), at_least, more_than, about, up_to, range, vague
    high: int | None = None  # top of a range ("5 à 7" -> 7)


@dataclass(frozen=True)
class Toll:
    """A casualty figure in text. ``killed``/``wounded`` are None when the text says nothing about them."""

    span: Span
    killed: int | None = None
    wounded: int | None = None
    # qualifier of the killed figure if any, else of the wounded one; "none" for "no casualties"
    qualifier: str | None = None


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    category: str  # killed, wounded, zero_casualties, zero_killed
    value: int
    qualifier: str | None


# ----------------------------------------------------------------------------------------------------
# The grammar


class NumberGrammar:
    """Number words, quantity patterns and toll cues of one language, compiled once."""

    def __init__(self, code: str, data: dict[str, Any]) -> None:
        r = DataReader(code, "numbers", data)
        self.code = code
        syntax = r.table("syntax")
        self._connectors = {
            normalize_phrase(w)
            for w in r.words(syntax.get("connectors", []), "syntax.connectors", allow_empty=True)
        }
        self._articles = {
            normalize_phrase(w)
            for w in r.words(syntax.get("articles", []), "syntax.articles", allow_empty=True)
        }
        seps = syntax.get("group_separators", [" "])
        if not isinstance(seps, list) or not all(isinstance(x, str) and len(x) == 1 for x in seps):
            r.fail("syntax.group_separators", "must be a list of single characters")
        dec = syntax.get("decimal_separator", ".")
        if not isinstance(dec, str) or len(dec) != 1:
            r.fail("syntax.decimal_separator", "must be one character")
        self._group_seps = seps
        self._decimal = dec

        self._cardinals = r.valued_words("cardinals")
        self._multipliers = r.valued_words("multipliers")
        # after a number, the plural nouns count too: "deux dizaines" = 20
        self._approximate = {
            **r.valued_words("vague_plurals", required=False),
            **r.valued_words("approximate", required=False),
        }
        self._vague_plurals = r.valued_words("vague_plurals", required=False)
        vague = r.table("vague", required=False)
        self._vague_value = r.integer(vague.get("value", 10), "vague.value", minimum=0)
        self._vague_dets = r.words(vague.get("determiners", []), "vague.determiners", allow_empty=True)
        self._vague_words = r.words(vague.get("words", []), "vague.words", allow_empty=True)
        for w, v in self._multipliers.items():
            if v < 10:
                r.fail("multipliers", f"'{w}' = {v}: a multiplier must be at least 10")

        qual = r.table("qualifiers")
        self._qualifiers: dict[str, str] = {}
        for name, words in qual.items():
            if name not in QUALIFIERS:
                r.fail(f"qualifiers.{name}", f"unknown qualifier (known: {', '.join(QUALIFIERS)})")
            for w in r.words(words, f"qualifiers.{name}"):
                self._qualifiers[normalize_phrase(w)] = name

        ranges = r.table("ranges")
        between = r.words(ranges.get("between", []), "ranges.between", allow_empty=True)
        between_and = r.words(ranges.get("between_and", []), "ranges.between_and", allow_empty=True)
        infix = r.words(ranges.get("infix", []), "ranges.infix")

        tolls = r.table("tolls")
        self._max_gap = r.integer(tolls.get("max_gap_words", 8), "tolls.max_gap_words", minimum=0)
        # words an item of a list of figures may have ("three soldiers, two civilians and ..."); more and the
        # next figure starts a toll of its own ("an IED between X and Y, three soldiers killed": 3, not 4)
        self._max_list_gap = r.integer(tolls.get("max_list_gap_words", self._max_gap), "tolls.max_list_gap_words",
                                       minimum=0)
        cue_lists: dict[str, list[str]] = {}
        for key in ("killed_after", "wounded_after", "killed_before", "wounded_before"):
            cue_lists[key] = r.word_list("tolls", key)
        for key in (
            "zero_casualties",
            "zero_killed",
            "active_auxiliaries",
            "passive_auxiliaries",
            "object_words",
            "subset_markers",
            "list_conjunctions",
        ):
            cue_lists[key] = r.word_list("tolls", key, required=False)
        self._active_aux = {normalize_phrase(w) for w in cue_lists["active_auxiliaries"]}
        self._passive_aux = {normalize_phrase(w) for w in cue_lists["passive_auxiliaries"]}

        # --- number patterns (no capturing groups: they are embedded in other patterns)
        grp = "|".join(re.escape(s) if s != " " else " " for s in seps)
        dec_re = re.escape(dec)
        digits = (
            rf"(?<![\w.,])(?:\d{{1,3}}(?:(?:{grp})\d{{3}})+(?![\d])|\d+(?:{dec_re}\d+)?)(?!\w|{dec_re}\d)"
        )
        mult = alternation(self._multipliers)
        word_tok = alternation(list(self._cardinals) + list(self._multipliers))
        sep = r"(?:\s*[-‐‑–]\s*|\s+)"
        conn = alternation(self._connectors) if self._connectors else "(?!)"
        words = rf"{word_tok}(?:{sep}(?:{conn}{sep})?{word_tok})*"
        self.cardinal_pattern = rf"(?:{digits}(?:\s+{mult})?|{words})"
        self.cardinal_words = sorted((set(self._cardinals) | set(self._multipliers)) - self._articles)
        approx = (
            rf"{self.cardinal_pattern}\s+{alternation(self._approximate)}" if self._approximate else "(?!)"
        )
        vague_pl = (
            rf"(?:{alternation(self._vague_dets)}\s+)?{alternation(self._vague_plurals)}"
            if self._vague_plurals
            else "(?!)"
        )
        vague_w = alternation(self._vague_words) if self._vague_words else "(?!)"
        self.quantity_pattern = rf"(?:{approx}|{vague_pl}|{vague_w}|{self.cardinal_pattern})"
        self._digits_re = re.compile(rf"{digits}(?:\s+(?P<mult>{mult}))?\Z", re.I)
        self._word_tok_re = re.compile(word_tok, re.I)
        self._approx_re = re.compile(
            rf"(?P<n>{self.cardinal_pattern})\s+(?P<noun>{alternation(self._approximate)})\Z"
            if self._approximate
            else "(?!)",
            re.I,
        )
        self._vague_pl_re = re.compile(rf"{vague_pl}\Z", re.I)
        self._vague_pl_noun_re = re.compile(alternation(self._vague_plurals) + r"\Z", re.I)
        self._vague_w_re = re.compile(rf"{vague_w}\Z", re.I)
        self._cardinal_re = re.compile(rf"{self.cardinal_pattern}\Z", re.I)

        q = self.quantity_pattern
        qual_alt = alternation(self._qualifiers)
        between_alt = alternation(between) if between else "(?!)"
        between_and_alt = alternation(between_and) if between_and else "(?!)"
        infix_alt = (
            "(?:"
            + "|".join(
                (re.escape(w) if len(w) == 1 and not w.isalnum() else rf"(?<!\w){phrase_pattern(w)}(?!\w)")
                for w in sorted(infix, key=len, reverse=True)
            )
            + ")"
        )
        self.full_pattern = (
            rf"(?:(?P<qual>{qual_alt})\s+)?"
            rf"(?:{between_alt}\s+(?P<b1>{q})\s+{between_and_alt}\s+(?P<b2>{q})"
            rf"|(?P<q1>{q})(?:\s*{infix_alt}\s*(?P<q2>{q}))?)"
        )
        self._full_re = re.compile(self.full_pattern, re.I)
        self._full_exact_re = re.compile(r"\s*" + self.full_pattern + r"\s*\Z", re.I)

        # --- toll cues
        self._killed_after_re = re.compile(r"\s+" + alternation(cue_lists["killed_after"]), re.I)
        self._wounded_after_re = re.compile(r"\s+" + alternation(cue_lists["wounded_after"]), re.I)
        self._cue_before_re = re.compile(
            rf"(?P<killed>{alternation(cue_lists['killed_before'])})|(?P<wounded>{alternation(cue_lists['wounded_before'])})",
            re.I,
        )
        self._zero_re = re.compile(
            rf"(?P<zero_casualties>{alternation(cue_lists['zero_casualties'])})"
            rf"|(?P<zero_killed>{alternation(cue_lists['zero_killed'])})",
            re.I,
        )
        any_cue = alternation(
            cue_lists["killed_after"]
            + cue_lists["wounded_after"]
            + cue_lists["killed_before"]
            + cue_lists["wounded_before"]
        )
        self._any_cue_re = re.compile(r"\s+" + any_cue, re.I)
        # a word between the figure and the toll word ("two suspected JNIM and/or ISGS militants were killed")
        self._gap_word_re = re.compile(r"\s+(?P<w>[^\W\d_][\w'’ʼ/-]*|\([^()\n]{0,60}\))", re.I)
        self._object_re = re.compile(
            r"\s+" + alternation(cue_lists["object_words"]) if cue_lists["object_words"] else "(?!)", re.I
        )
        self._after_number_re = re.compile(rf"\s+(?:(?:{qual_alt})\s+)?{q}", re.I)
        self._subset_re = (
            re.compile(rf"\s*,?\s*{alternation(cue_lists['subset_markers'])}[^,.;:!?\n]{{0,80}},", re.I)
            if cue_lists["subset_markers"]
            else re.compile("(?!)")
        )
        self._subset_start_re = (
            re.compile(rf"\s*,?\s*{alternation(cue_lists['subset_markers'])}\s+", re.I)
            if cue_lists["subset_markers"]
            else re.compile("(?!)")
        )
        conj = alternation(cue_lists["list_conjunctions"]) if cue_lists["list_conjunctions"] else "(?!)"
        self._list_sep_re = re.compile(rf"(?:\s*,\s*(?:{conj}\s+)?|\s+{conj}\s+)(?=\S)", re.I)
        self._start_re = re.compile(self.full_pattern, re.I)
        self._toll_trigger = re.compile(
            trigger_pattern(
                [
                    w
                    for key in (
                        "killed_after",
                        "wounded_after",
                        "killed_before",
                        "wounded_before",
                        "zero_casualties",
                        "zero_killed",
                    )
                    for w in cue_lists[key]
                ]
            ),
            re.I,
        )

    # ---------------------------------------------------------------------------------------------- factory

    @classmethod
    def for_language(cls, code: str) -> NumberGrammar:
        return _grammar(code)

    # ---------------------------------------------------------------------------------------------- parsing

    def _words_value(self, text: str) -> int | None:
        """Value of a run of number words, or None when the words do not make a well-formed number."""
        pos = 0
        total = 0
        current = 0
        last = 10**12  # the last additive value since the last multiplier (infinite at the start)
        seen = False
        pending_connector = False
        for m in self._word_tok_re.finditer(text):
            between = text[pos : m.start()]
            pos = m.end()
            gap = normalize_phrase(between.strip(" -‐‑–"))
            if gap:
                if gap not in self._connectors:
                    return None
                pending_connector = True
            word = normalize_phrase(m.group(0))
            if word in self._connectors and word not in self._cardinals:
                pending_connector = True
                continue
            if pending_connector and (not seen or last < 20):
                return None
            pending_connector = False
            if word in self._multipliers:
                v = self._multipliers[word]
                if v >= 1000:
                    total += (current or 1) * v
                    current = 0
                    last = 10**12
                else:
                    if current >= v:
                        return None
                    current = (current or 1) * v
                    last = 10**12
            elif word in self._cardinals:
                v = self._cardinals[word]
                if seen:
                    if last < 10 or last <= v or (v >= 20 and last < 100) or (v == 0):
                        return None
                current += v
                last = v
            else:
                return None
            seen = True
        if not seen or text[pos:].strip(" -‐‑–"):
            return None
        return total + current

    def _digits_value(self, text: str) -> int | None:
        m = self._digits_re.match(text.strip())
        if not m:
            return None
        raw = text.strip()[: m.start("mult")] if m.group("mult") else text.strip()
        raw = raw.strip()
        mult = self._multipliers.get(normalize_phrase(m.group("mult"))) if m.group("mult") else 1
        if self._decimal in raw and re.fullmatch(rf"\d+{re.escape(self._decimal)}\d+", raw):
            whole, frac = raw.split(self._decimal)
            value = float(f"{whole}.{frac}") * (mult or 1)
            return int(round(value)) if mult and mult > 1 else int(float(f"{whole}.{frac}"))
        digits = re.sub(r"\D", "", raw)
        return int(digits) * (mult or 1)

    def _cardinal_value(self, text: str) -> int | None:
        text = text.strip()
        if not text:
            return None
        if text[0].isdigit():
            return self._digits_value(text)
        return self._words_value(text)

    def _quantity(self, text: str) -> Quantity | None:
        """One quantity without qualifier or range: exact, approximate or vague."""
        text = text.strip()
        m = self._approx_re.match(text)
        if m:
            n = self._cardinal_value(m.group("n"))
            noun = self._approximate.get(normalize_phrase(m.group("noun")))
            if n is not None and noun is not None:
                return Quantity(n * noun, "about")
        if self._vague_pl_re.match(text):
            noun_m = self._vague_pl_noun_re.search(text)
            if noun_m:
                return Quantity(self._vague_plurals[normalize_phrase(noun_m.group(0))], "vague")
        if self._vague_w_re.match(text):
            return Quantity(self._vague_value, "vague")
        if self._cardinal_re.match(text):
            value = self._cardinal_value(text)
            return Quantity(value) if value is not None else None
        return None

    def _from_full_match(self, m: re.Match[str]) -> Quantity | None:
        if m.group("b1") is not None:
            first, second = self._quantity(m.group("b1")), self._quantity(m.group("b2"))
        else:
            first = self._quantity(m.group("q1"))
            second = self._quantity(m.group("q2")) if m.group("q2") is not None else None
        if first is None:
            return None
        qualifier = self._qualifiers.get(normalize_phrase(m.group("qual"))) if m.group("qual") else None
        if second is not None:
            low, high = sorted((first.value, second.value))
            return Quantity(low, qualifier or "range", high)
        return Quantity(first.value, qualifier or first.qualifier)

    def parse_quantity(self, text: str) -> Quantity | None:
        """The whole text as one quantity ("au moins 5", "5 à 7", "une dizaine", "1 200"), or None."""
        m = self._full_exact_re.match(text)
        return self._from_full_match(m) if m else None

    def parse(self, text: str) -> int | None:
        q = self.parse_quantity(text)
        return q.value if q else None

    # ---------------------------------------------------------------------------------------------- tolls

    def may_hold_toll(self, text: str) -> bool:
        """False when the text has no toll word at all (a cheap pre-filter)."""
        return self._toll_trigger.search(text) is not None

    def find_tolls(self, text: str, *, masked: Iterable[tuple[int, int]] = ()) -> list[Toll]:
        """Every casualty figure in text; ``masked`` spans (date expressions) are never read as figures."""
        if not self.may_hold_toll(text):
            return []
        work = text
        for start, end in masked:
            work = work[:start] + "\x00" * (end - start) + work[end:]
        hits: list[_Hit] = []
        taken: list[tuple[int, int]] = []

        def free(s: int, e: int) -> bool:
            return all(e <= ts or s >= te for ts, te in taken)

        for m in self._zero_re.finditer(work):
            cat = "zero_casualties" if m.group("zero_casualties") else "zero_killed"
            hits.append(_Hit(m.start(), m.end(), cat, 0, "none"))
            taken.append((m.start(), m.end()))
        for m in self._start_re.finditer(work):
            if not free(m.start(), m.end()):
                continue
            hit = self._figure_first(work, m)
            if hit and free(hit.start, hit.end):
                hits.append(hit)
                taken.append((hit.start, self._subset_end(work, hit.end, hit.value)))
        for m in self._cue_before_re.finditer(work):
            if not free(m.start(), m.end()):
                continue
            n = self._after_number_re.match(work, m.end())
            if not n:
                continue
            qm = self._full_re.match(work, n.start() + len(n.group(0)) - len(n.group(0).lstrip()))
            if not qm:
                continue
            q = self._from_full_match(qm)
            if q is None or not free(m.start(), qm.end()):
                continue
            cat = "killed" if m.group("killed") else "wounded"
            hits.append(_Hit(m.start(), qm.end(), cat, q.value, q.qualifier))
            taken.append((m.start(), qm.end()))
        hits.sort(key=lambda h: h.start)
        return self._merge(text, hits)

    def _figure_first(self, work: str, m: re.Match[str]) -> _Hit | None:
        """A figure followed (within a few words) by a toll word: "deux soldats US ont été tués"."""
        pos = m.end()
        q = self._from_full_match(m)
        if q is None:
            return None
        total, qualifier = q.value, q.qualifier
        gap = 0
        last_word = ""
        while True:
            for cue_re, cat in ((self._killed_after_re, "killed"), (self._wounded_after_re, "wounded")):
                c = cue_re.match(work, pos)
                if c:
                    last = normalize_phrase(last_word)
                    if last in self._active_aux:
                        return None
                    if self._after_number_re.match(work, c.end()):
                        return None
                    if last not in self._passive_aux and self._object_re.match(work, c.end()):
                        return None
                    return _Hit(m.start(), c.end(), cat, total, qualifier)
            s = self._subset_re.match(work, pos)
            if s:
                pos = s.end()
                continue
            if 1 <= gap <= self._max_list_gap:
                sep = self._list_sep_re.match(work, pos)
                if sep:
                    nxt = self._full_re.match(work, sep.end())
                    if nxt and nxt.start() == sep.end():
                        nq = self._from_full_match(nxt)
                        if nq is not None:
                            total += nq.value
                            qualifier = qualifier or nq.qualifier
                            pos = nxt.end()
                            gap = 0
                            continue
            if gap >= self._max_gap:
                return None
            w = self._gap_word_re.match(work, pos)
            if not w or self._any_cue_re.match(work, pos):
                return None
            word = w.group("w")
            if normalize_phrase(word) not in self._articles and self._starts_figure(work, w.start("w")):
                return None
            last_word = word
            pos = w.end()
            gap += 1

    def _starts_figure(self, work: str, pos: int) -> bool:
        m = self._full_re.match(work, pos)
        return m is not None and self._from_full_match(m) is not None

    def _subset_end(self, work: str, pos: int, limit: int) -> int:
        """End of a subset clause after a toll ("..., including two soldiers and a civilian"), whose figures
        add up to at most ``limit``; ``pos`` when there is none."""
        s = self._subset_start_re.match(work, pos)
        if not s:
            return pos
        end = pos
        cur = s.end()
        total = 0
        while True:
            q = self._full_re.match(work, cur)
            if not q or q.start() != cur:
                return end
            value = self._from_full_match(q)
            if value is None or total + value.value > limit:
                return end
            total += value.value
            cur = q.end()
            for _ in range(self._max_gap):
                if self._any_cue_re.match(work, cur):
                    break
                sep = self._list_sep_re.match(work, cur)
                if sep and self._starts_figure(work, sep.end()):
                    break
                w = self._gap_word_re.match(work, cur)
                if not w or self._starts_figure(work, w.start("w")):
                    break
                cur = w.end()
            end = cur
            sep = self._list_sep_re.match(work, cur)
            if not sep:
                return end
            cur = sep.end()

    def _merge(self, text: str, hits: list[_Hit]) -> list[Toll]:
        """One Toll per statement: "3 morts et 5 blessés" is one toll with both figures."""
        tolls: list[Toll] = []
        group: list[_Hit] = []

        def flush() -> None:
            if not group:
                return
            killed: int | None = None
            wounded: int | None = None
            k_qual: str | None = None
            w_qual: str | None = None
            for h in group:
                if h.category in ("killed", "zero_killed", "zero_casualties"):
                    killed = h.value if killed is None else killed + h.value
                    k_qual = k_qual or h.qualifier
                if h.category in ("wounded", "zero_casualties"):
                    wounded = h.value if wounded is None else wounded + h.value
                    w_qual = w_qual or h.qualifier
            start, end = group[0].start, group[-1].end
            tolls.append(
                Toll(
                    Span(start, end, text[start:end]),
                    killed,
                    wounded,
                    k_qual if killed is not None else w_qual,
                )
            )
            group.clear()

        for h in hits:
            if group:
                prev = group[-1]
                between = text[prev.end : h.start]
                cats = {g.category for g in group}
                joinable = (
                    len(between) <= 24
                    and not re.search(r"[.;:!?\n]", between)
                    and h.category not in cats
                    and not ({"zero_casualties"} & (cats | {h.category}))
                )
                if not joinable:
                    flush()
            group.append(h)
        flush()
        return tolls


@cache
def _grammar(code: str) -> NumberGrammar:
    from veilleur.lang import load

    return NumberGrammar(code, load(code).section("numbers"))


def parse_quantity(text: str, lang: str) -> Quantity | None:
    """ "au moins 5" -> Quantity(5, "at_least"); "5 à 7" -> Quantity(5, "range", 7); else None."""
    return _grammar(lang).parse_quantity(text)


def parse_number(text: str, lang: str) -> int | None:
    """The figure to code for a number in digits or words ("vingt-deux" = 22, "a dozen" = 12), or None."""
    return _grammar(lang).parse(text)


def find_tolls(text: str, lang: str) -> list[Toll]:
    """Casualty figures in text (killed and wounded apart), outside date expressions, sorted by offset."""
    from veilleur.resolve.dates import DateGrammar

    grammar = _grammar(lang)
    if not grammar.may_hold_toll(text):
        return []
    dates = DateGrammar.for_language(lang).find(text)
    return grammar.find_tolls(text, masked=[(d.span.start, d.span.end) for d in dates])
