"""How a :class:`~veilleur.resolve.dates.DateExpression` becomes a :class:`~veilleur.model.DateValue`.

ACLED time precision: 1 = the day; 2 = a range of a few days up to about ten (a week, "début mai");
3 = about a month. ``DateValue.date`` is the day to report: the day itself, or the middle of the range
(``date_min + (date_max - date_min) // 2``) for precision 2 and 3; ``date_min``/``date_max`` are always set
when ``date`` is. Anything vaguer than a month (a bare year, "depuis des mois", "il y a deux ans") has no
date, only a note saying why. Notes are English, for the analyst.

Rules, relative to the publication date P (when P is unknown, relative expressions have no date):

- day + month without year ("le 26 janvier", "lundi matin 13 décembre"): the most recent such day not after
  P + 3 days (articles are sometimes dated a little early). Without P but with a weekday, the weekday fixes
  the year: the most recent year, not after ``today``, in which that day falls on that weekday. With
  neither: no date, "year unknown".
- weekday + day without month ("samedi 12"): the most recent 12th not after P + 3 on which the weekday
  falls (this month or the two before); when none does, the weekday alone, with a note.
- a weekday that disagrees with its full date keeps the date and says so in the note
  ("weekday mercredi does not match 2020-11-05 (Thursday)").
- bare weekday ("mercredi") and "ce mardi": the most recent such day on or before P; "mardi dernier" /
  "last Tuesday": strictly before P; "mardi prochain": strictly after P (a future expression).
- nights: "dans la nuit de samedi à dimanche" / "du 3 au 4 janvier" = precision 1 on the first day, with
  date_max the morning after; the Sunday is the most recent Sunday on or before P. "cette nuit" /
  "last night" / "overnight" = the night that ended on P.
- hier = P - 1, avant-hier = P - 2, aujourd'hui / ce matin = P (precision 1).
- "il y a N jours" = P - N (precision 1); N semaines = P - 7N ± 3 days (2); N mois = P - N months ± 15
  days (3); years: no date. "il y a quelques jours" = P - few.max .. P - few.min (by width).
- periods of a month: début = 1-10, mi = 11-20, fin = 21-end (precision 2); the whole month ("en mai",
  "courant mai", "le mois dernier") = precision 3. A month without year is the most recent one starting
  not after P + 3, its end capped at P + 3.
- periods of a year ("fin 2020"): début = Jan-Mar, mi = May-Aug, fin = Oct-Dec, precision 3; the whole
  year: no date. Weeks: "cette semaine" = Monday of P's week to P; "la semaine dernière" = the previous
  Monday-Sunday (precision 2); début/mi/fin de semaine = Mon-Tue / Wed-Thu / Fri-Sun.
- weekends: "ce week-end" = the last Saturday-Sunday that has started by P; "le week-end dernier" = the
  weekend before P's week (precision 2).
- ranges ("du 3 au 5 mai", "between 3 and 5 May 2019") and durations ("depuis trois jours", "ces derniers
  jours"): precision by width (0 days: 1, up to 10: 2, up to 62: 3, more: no date).
- anchored expressions ("la veille", "two days later") need the date they count from (``anchor``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable

from veilleur.model import DateValue
from veilleur.resolve.dates import DateExpression

TOLERANCE = dt.timedelta(days=3)  # articles dated a little before the events they report
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY = dt.timedelta(days=1)
_QUALIFIER_NOTES = {
    "since": "since: the start of a continuing situation",
    "until": "until: the end of a period",
}

Few = tuple[int, int]


def resolve(
    expr: DateExpression, published: dt.date | None, *, today: dt.date, anchor: dt.date | None, few: Few
) -> DateValue:
    try:
        value = _HANDLERS[expr.kind](expr, published, today, anchor, few)
    except (OverflowError, ValueError):
        # a reference date at the edge of the calendar (0001-01-01, 9999-12-31) pushed past it
        return DateValue(expression=expr.span.text, note="date out of the calendar's range")
    if expr.qualifier in _QUALIFIER_NOTES:
        value = _with_note(value, _QUALIFIER_NOTES[expr.qualifier])
    return value


# ------------------------------------------------------------------------------------ building values


def _note(notes: list[str]) -> str | None:
    return "; ".join(n for n in notes if n) or None


def _with_note(value: DateValue, note: str) -> DateValue:
    return DateValue(
        value.date,
        value.precision,
        value.date_min,
        value.date_max,
        value.expression,
        _note([value.note or "", note]),
    )


def _none(e: DateExpression, note: str) -> DateValue:
    return DateValue(expression=e.span.text, note=note)


def _day(
    d: dt.date, e: DateExpression, notes: list[str] | None = None, *, until: dt.date | None = None
) -> DateValue:
    return DateValue(d, 1, d, until or d, e.span.text, _note(notes or []))


def _span(
    lo: dt.date, hi: dt.date, precision: int, e: DateValue | DateExpression, notes: list[str] | None = None
) -> DateValue:
    text = e.span.text if isinstance(e, DateExpression) else e.expression
    if lo == hi:
        precision = 1
    return DateValue(lo + (hi - lo) // 2, precision, lo, hi, text, _note(notes or []))


def _by_width(lo: dt.date, hi: dt.date, e: DateExpression, notes: list[str] | None = None) -> DateValue:
    width = (hi - lo).days
    if width > 62:
        return _none(e, _note([*(notes or []), f"too vague for an event date ({lo} to {hi})"]) or "")
    precision = 1 if width == 0 else 2 if width <= 10 else 3
    return _span(lo, hi, precision, e, notes)


# ----------------------------------------------------------------------------------- calendar helpers


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(d: dt.date, months: int) -> dt.date:
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))


def _most_recent_weekday(ref: dt.date, weekday: int, *, strict: bool = False) -> dt.date:
    delta = (ref.weekday() - weekday) % 7
    if strict and delta == 0:
        delta = 7
    return ref - dt.timedelta(days=delta)


def _next_weekday(ref: dt.date, weekday: int) -> dt.date:
    return ref + dt.timedelta(days=(weekday - ref.weekday()) % 7 or 7)


def recent_day_month(day: int, month: int, limit: dt.date) -> dt.date | None:
    """The most recent day-month not after ``limit`` (None for a day that never exists, like 31 April)."""
    for year in range(limit.year, limit.year - 9, -1):
        d = _safe_date(year, month, day)
        if d is not None and d <= limit:
            return d
    return None


def year_from_weekday(day: int, month: int, weekday: int, today: dt.date) -> dt.date | None:
    """The most recent day-month, not after ``today``, that falls on ``weekday``."""
    for year in range(today.year, today.year - 400, -1):
        d = _safe_date(year, month, day)
        if d is not None and d <= today and d.weekday() == weekday:
            return d
    return None


def _weekday_notes(weekday: int | None, text: str | None, d: dt.date) -> list[str]:
    if weekday is None or d.weekday() == weekday:
        return []
    return [
        f"weekday {text or WEEKDAY_NAMES[weekday]} does not match {d.isoformat()} "
        f"({WEEKDAY_NAMES[d.weekday()]})"
    ]


def _month_part(year: int, month: int, period: str) -> tuple[dt.date, dt.date]:
    end = _month_end(year, month)
    if period == "early":
        return dt.date(year, month, 1), dt.date(year, month, 10)
    if period == "mid":
        return dt.date(year, month, 11), dt.date(year, month, 20)
    if period == "late":
        return dt.date(year, month, 21), end
    return dt.date(year, month, 1), end


def _year_part(year: int, period: str) -> tuple[dt.date, dt.date]:
    if period == "early":
        return dt.date(year, 1, 1), dt.date(year, 3, 31)
    if period == "mid":
        return dt.date(year, 5, 1), dt.date(year, 8, 31)
    if period == "late":
        return dt.date(year, 10, 1), dt.date(year, 12, 31)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _calendar_unit(p: dt.date, unit: str, rel: str) -> tuple[dt.date, dt.date]:
    """The day, week, weekend, month or year that is this / last / next one as seen from P."""
    step = {"this": 0, "last": -1, "next": 1}[rel]
    if unit in ("day", "hour"):
        d = p + dt.timedelta(days=step)
        return d, d
    monday = p - dt.timedelta(days=p.weekday())
    if unit == "week":
        lo = monday + dt.timedelta(weeks=step)
        return lo, lo + dt.timedelta(days=6)
    if unit == "weekend":
        saturday = monday + dt.timedelta(days=5)
        started = saturday <= p
        sat = {
            "this": saturday if started else saturday - dt.timedelta(weeks=1),
            "last": saturday - dt.timedelta(weeks=1),
            "next": saturday + dt.timedelta(weeks=1) if started else saturday,
        }[rel]
        return sat, sat + _DAY
    if unit == "month":
        first = _add_months(p.replace(day=1), step)
        return first, _month_end(first.year, first.month)
    return dt.date(p.year + step, 1, 1), dt.date(p.year + step, 12, 31)


def _shift(ref: dt.date, count: int, unit: str, sign: int) -> tuple[dt.date, dt.date, int] | None:
    """Count units before (sign -1) or after (+1) ref: the range it stands for and its precision."""
    if unit == "hour":
        d = ref + dt.timedelta(days=sign * round(count / 24))
        return d, d, 1
    if unit == "day":
        d = ref + dt.timedelta(days=sign * count)
        return d, d, 1
    if unit in ("week", "weekend"):
        c = ref + dt.timedelta(weeks=sign * count)
        return c - 3 * _DAY, c + 3 * _DAY, 2
    if unit == "month":
        c = _add_months(ref, sign * count)
        return c - 15 * _DAY, c + 15 * _DAY, 3
    return None


# ------------------------------------------------------------------------------------------- handlers


def _no_publication(e: DateExpression) -> DateValue:
    return _none(e, "relative to the publication date, which is unknown")


def _absolute(
    e: DateExpression, published: dt.date | None, today: dt.date, anchor: dt.date | None, few: Few
) -> DateValue:
    assert e.day is not None
    if e.month is None:
        return _day_of_month(e, published)
    notes: list[str] = []
    if e.year is not None:
        d = _safe_date(e.year, e.month, e.day)
        if d is None:
            return _none(e, f"no such date: {e.year}-{e.month:02d}-{e.day:02d}")
        if published is not None and d > published + TOLERANCE:
            notes.append("after the publication date")
    elif published is not None:
        d = recent_day_month(e.day, e.month, published + TOLERANCE)
        if d is None:
            return _none(e, f"no such date: day {e.day} of month {e.month}")
    elif e.weekday is not None:
        d = year_from_weekday(e.day, e.month, e.weekday, today)
        if d is None:
            return _none(
                e, f"no year in which day {e.day} of month {e.month} is a {WEEKDAY_NAMES[e.weekday]}"
            )
        notes.append(f"year {d.year} inferred from the weekday (no publication date)")
    else:
        return _none(e, "year unknown: no year, no publication date and no weekday")
    notes += _weekday_notes(e.weekday, e.weekday_text, d)
    return _day(d, e, notes)


def _day_of_month(e: DateExpression, published: dt.date | None) -> DateValue:
    """ "samedi 12": the month comes from the publication date and the weekday."""
    if published is None:
        return _none(e, "month unknown: day of month without month and no publication date")
    assert e.day is not None
    limit = published + TOLERANCE
    candidates: list[dt.date] = []
    first = limit.replace(day=1)
    for back in range(3):
        month = _add_months(first, -back)
        d = _safe_date(month.year, month.month, e.day)
        if d is not None and d <= limit:
            candidates.append(d)
    if e.weekday is None:
        return _day(candidates[0], e) if candidates else _none(e, f"no day {e.day} near the publication date")
    for d in candidates:
        if d.weekday() == e.weekday:
            return _day(d, e)
    d = _most_recent_weekday(published, e.weekday)
    return _day(
        d,
        e,
        [f"day {e.day} does not fall on {e.weekday_text} near the publication date; used the weekday alone"],
    )


def _weekday(
    e: DateExpression, published: dt.date | None, today: dt.date, anchor: dt.date | None, few: Few
) -> DateValue:
    if published is None:
        return _no_publication(e)
    assert e.weekday is not None
    if e.weekday2 is not None:  # the night of Saturday to Sunday
        second = _most_recent_weekday(published, e.weekday2)
        gap = (e.weekday2 - e.weekday) % 7 or 7
        first = second - dt.timedelta(days=gap)
        if gap == 1:
            return _day(first, e, until=second)
        return _by_width(
            first, second, e, [f"{e.weekday_text} and {e.weekday2_text} are not consecutive days"]
        )
    if e.rel == "last":
        d = _most_recent_weekday(published, e.weekday, strict=True)
    elif e.rel == "next":
        d = _next_weekday(published, e.weekday)
    else:
        d = _most_recent_weekday(published, e.weekday)
    return _day(d, e)


def _relative(
    e: DateExpression, published: dt.date | None, today: dt.date, anchor: dt.date | None, few: Few
) -> DateValue:
    if published is None:
        return _no_publication(e)
    offset = e.offset or 0
    if (
        e.part == "night" and offset == 0
    ):  # cette nuit, la nuit dernière, overnight: the night that ended on P
        first = published - _DAY
        return _day(first, e, until=published)
    return _day(published + dt.timedelta(days=offset), e)


def _counted(e: DateExpression, ref: dt.date, sign: int, few: Few) -> DateValue:
    """N units before or after ref ("il y a trois jours", "two days later")."""
    unit = e.unit or "day"
    if unit == "year":
        return _none(e, "too vague for an event date (years)")
    if e.few:
        near = _shift(ref, few[0], unit, sign)
        far = _shift(ref, few[1], unit, sign)
        assert near is not None and far is not None
        lo, hi = (far[0], near[1]) if sign < 0 else (near[0], far[1])
        return _by_width(lo, hi, e)
    if e.count is None:
        return _none(e, "the count could not be read")
    shifted = _shift(ref, e.count, unit, sign)
    assert shifted is not None
    lo, hi, precision = shifted
    return _span(lo, hi, precision, e)


def _anchored(
    e: DateExpression, published: dt.date | None, today: dt.date, anchor: dt.date | None, few: Few
) -> DateValue:
    if anchor is None:
        return _none(e, "relative to another date of the text, which was not given")
    if e.offset is not None:
        return _day(anchor + dt.timedelta(days=e.offset), e)
    return _counted(e, anchor, e.sign, few)


def _ago(
    e: DateExpression, published: dt.date | None, today: dt.date, anchor: dt.date | None, few: Few
) -> DateValue:
    if published is None:
        return _no_publication(e)
    value = _counted(e, published, -1, few)
    if value.date is None or value.date_max is None or value.date_max <= published:
        return value
    assert value.date_min is not None
    return _span(value.date_min, published, value.precision or 1, value)


def _range(
    e: DateExpression, published: dt.date | None, today: dt.date, anchor: dt.date | None, few: Few
) -> DateValue:
    assert e.day is not None and e.day2 is not None
    m1 = e.month or e.month2
    m2 = e.month2 or e.month
    assert m1 is not None and m2 is not None
    notes: list[str] = []
    y2 = e.year2 or e.year
    if y2 is not None:
        end = _safe_date(y2, m2, e.day2)
    elif published is not None:
        end = recent_day_month(e.day2, m2, published + TOLERANCE)
    elif e.weekday2 is not None or e.weekday is not None:
        if e.weekday2 is not None:
            end = year_from_weekday(e.day2, m2, e.weekday2, today)
        else:
            assert e.weekday is not None
            start_guess = year_from_weekday(e.day, m1, e.weekday, today)
            end = (
                None
                if start_guess is None
                else _safe_date(start_guess.year + (1 if (m1, e.day) > (m2, e.day2) else 0), m2, e.day2)
            )
        if end is not None:
            notes.append(f"year {end.year} inferred from the weekday (no publication date)")
    else:
        return _none(e, "year unknown: no year, no publication date and no weekday")
    if end is None:
        return _none(e, f"no such date: day {e.day2} of month {m2}")
    y1 = (
        e.year
        if e.year is not None and e.year2 is not None
        else end.year - (1 if (m1, e.day) > (m2, e.day2) else 0)
    )
    start = _safe_date(y1, m1, e.day)
    if start is None:
        return _none(e, f"no such date: day {e.day} of month {m1}")
    if start > end:
        return _none(e, f"the range ends ({end}) before it starts ({start})")
    notes += _weekday_notes(e.weekday, e.weekday_text, start) + _weekday_notes(
        e.weekday2, e.weekday2_text, end
    )
    if e.night and (end - start).days <= 1:
        return _day(start, e, notes, until=end)
    return _by_width(start, end, e, notes)


def _period(
    e: DateExpression, published: dt.date | None, today: dt.date, anchor: dt.date | None, few: Few
) -> DateValue:
    period = e.period or "whole"
    if e.month is not None:
        if e.year is not None:
            lo, hi = _month_part(e.year, e.month, period)
        elif published is not None:
            limit = published + TOLERANCE
            lo, hi = _month_part(limit.year, e.month, period)
            if lo > limit:
                lo, hi = _month_part(limit.year - 1, e.month, period)
            hi = min(hi, limit)
        else:
            return _none(e, "year unknown: month without year and no publication date")
        return _span(lo, hi, 3 if period == "whole" else 2, e)
    if e.year is not None:
        if period == "whole":
            return _none(e, f"a year alone ({e.year}) is too vague for an event date")
        lo, hi = _year_part(e.year, period)
        return _span(lo, hi, 3, e)
    if e.unit is None:
        return _none(e, "no month, year or calendar unit")
    if published is None:
        return _no_publication(e)
    rel = e.rel or "this"
    unit = "day" if e.unit == "hour" else e.unit
    lo, hi = _calendar_unit(published, unit, rel)
    if unit == "year":
        if period == "whole":
            return _none(e, f"a year alone ({lo.year}) is too vague for an event date")
        lo, hi = _year_part(lo.year, period)
        precision = 3
    elif unit == "month":
        lo, hi = _month_part(lo.year, lo.month, period)
        precision = 3 if period == "whole" else 2
    elif unit == "week":
        if period != "whole":
            first = {"early": 0, "mid": 2, "late": 4}[period]
            last = {"early": 1, "mid": 3, "late": 6}[period]
            lo, hi = lo + dt.timedelta(days=first), lo + dt.timedelta(days=last)
        precision = 2
    else:  # day, weekend: no parts
        precision = 1 if unit == "day" else 2
    if rel == "this":
        if lo > published:
            return _none(e, "after the publication date")
        hi = min(hi, published)
    return _span(lo, hi, precision, e)


def _duration(
    e: DateExpression, published: dt.date | None, today: dt.date, anchor: dt.date | None, few: Few
) -> DateValue:
    """ "depuis trois jours", "ces derniers jours", "over the past week": from N units before P to P."""
    if published is None:
        return _no_publication(e)
    count = few[1] if e.few else (e.count if e.count is not None else 1)
    unit = e.unit or "day"
    if unit == "year":
        return _none(e, "too vague for an event date (years)")
    if unit == "hour":
        lo = published - dt.timedelta(days=-(-count // 24))
    elif unit == "day":
        lo = published - dt.timedelta(days=count)
    elif unit in ("week", "weekend"):
        lo = published - dt.timedelta(weeks=count)
    else:
        lo = _add_months(published, -count)
    return _by_width(lo, published, e)


def _year(
    e: DateExpression, published: dt.date | None, today: dt.date, anchor: dt.date | None, few: Few
) -> DateValue:
    return _none(e, f"a year alone ({e.year or 'unknown'}) is too vague for an event date")


_HANDLERS: dict[str, Callable[[DateExpression, dt.date | None, dt.date, dt.date | None, Few], DateValue]] = {
    "absolute": _absolute,
    "weekday": _weekday,
    "relative": _relative,
    "anchored": _anchored,
    "ago": _ago,
    "range": _range,
    "period": _period,
    "duration": _duration,
    "year": _year,
}
