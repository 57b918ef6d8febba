"""Time in a question: absolute ranges become filters, "latest" words (`index.recency`) a
recency preference.

Pure functions of the question and a reference date (`today`), against which "last
March" resolves; the retriever sets it to the newest publication's date, so the bot
answers as of its data and "last year" means the same thing for a frozen corpus.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from index.recency import read_recency

# Month names and abbreviations, lower case -> 1-12 (also read by `index.seasons`).
MONTHS = {
    name: i
    for i in range(1, 13)
    for name in {calendar.month_name[i].lower(), calendar.month_abbr[i].lower()}
} | {"sept": 9}
_MONTH = r"(?P<{g}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<{g}>(?:19|20)\d\d)"
_DAY = r"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?"


def _point(n: str) -> str:
    """A day, a month or a year; group names carry the point number and the alternative."""

    def g(kind: str, tag: str) -> str:
        return {"m": _MONTH, "y": _YEAR, "d": _DAY}[kind].format(g=f"{kind}{n}{tag}")

    return (
        f"(?:{g('m', 'a')} {g('d', 'a')},? {g('y', 'a')}|{g('d', 'b')} {g('m', 'b')},? "
        f"{g('y', 'b')}|{g('m', 'c')},? {g('y', 'c')}|{g('y', 'd')})"
    )


def _compile(template: str) -> re.Pattern[str]:
    body = template.replace("P1", _point("1")).replace("P2", _point("2"))
    return re.compile(r"\b" + body + r"\b", re.IGNORECASE)


_ISO = re.compile(r"\b(?:on )?(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")
_BETWEEN = _compile(r"(?:between|from) P1 (?:and|to|through|until|-) P2")
_SINCE = _compile(r"(?:since|after|from|starting(?: in)?) P1")
_BEFORE = _compile(r"(?:before|prior to|until|up to|through) P1")
_AT = _compile(r"(?:(?:in|on|during|of|for|from) (?:the year )?)?P1")
_LAST_MONTH_NAME = re.compile(r"\b(?:last|this past) " + _MONTH.format(g="m") + r"\b", re.I)
_RELATIVE = re.compile(
    r"\b(?:(?P<which>last|this|past|previous) (?P<unit>year|month|week)"
    r"|(?:in )?the (?:last|past) (?P<n>\d+|two|three|four|five|six)"
    r" (?P<units>years|months|weeks|days))\b",
    re.I,
)
_WORD_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


@dataclass(frozen=True)
class When:
    """What the question says about time."""

    since: date | None = None
    until: date | None = None
    wants_latest: bool = False
    # A question about the outcome of an event: its dates place the event, and the
    # releases that tell the outcome may come later, so `until` must not cut them off.
    open_ended: bool = False
    text: str = ""
    phrases: tuple[str, ...] = field(default_factory=tuple)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _span(match: re.Match, n: str) -> tuple[date, date] | None:
    """The first and last day of the point numbered `n` in a match."""
    for tag in "abcd":
        year = match.groupdict().get(f"y{n}{tag}")
        if year is None:
            continue
        y = int(year)
        month = match.groupdict().get(f"m{n}{tag}")
        day = match.groupdict().get(f"d{n}{tag}")
        if month is None:
            return date(y, 1, 1), date(y, 12, 31)
        m = MONTHS[month.lower().rstrip(".")]
        if day is None:
            return date(y, m, 1), _month_end(y, m)
        try:
            exact = date(y, m, int(day))
        except ValueError:
            return None
        return exact, exact
    return None


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    y, m = divmod(index, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def _relative(match: re.Match, today: date) -> tuple[date | None, date | None]:
    which, unit = (match["which"] or "").lower(), (match["unit"] or "").lower()
    if match["units"]:
        n = match["n"].lower()
        count = int(n) if n.isdigit() else _WORD_NUMBERS[n]
        units = match["units"].lower()
        if units == "days":
            return today - timedelta(days=count), today
        if units == "weeks":
            return today - timedelta(weeks=count), today
        months = count * (12 if units == "years" else 1)
        return _shift_months(today, -months), today
    if unit == "year":
        if which == "this":
            return date(today.year, 1, 1), today
        if which == "past":
            return _shift_months(today, -12), today
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if unit == "month":
        if which == "this":
            return today.replace(day=1), today
        if which == "past":
            return _shift_months(today, -1), today
        first = _shift_months(today.replace(day=1), -1)
        return first, _month_end(first.year, first.month)
    # week: the seven days before today is what people mean in a news context.
    return today - timedelta(days=7), today


def _named_month(month: str, today: date) -> tuple[date, date]:
    """The most recent such month before this one: 'last March' in March means a year ago.

    A month named without "last" ("a stabbing in June") says nothing of the year, so it
    filters nothing: its name stays in the search text for BM25 to match.
    """
    m = MONTHS[month.lower().rstrip(".")]
    year = today.year if m < today.month else today.year - 1
    return date(year, m, 1), _month_end(year, m)


def _intersect(a: tuple, b: tuple) -> tuple:
    since = max((d for d in (a[0], b[0]) if d), default=None)
    until = min((d for d in (a[1], b[1]) if d), default=None)
    return since, until


# Fixed-date holidays, as releases give them: "Christmas Eve 2020" is "December 24, 2020".
_HOLIDAYS = {
    "new year's eve": "December 31",
    "new year's day": "January 1",
    "valentine's day": "February 14",
    "st. patrick's day": "March 17",
    "canada day": "July 1",
    "halloween": "October 31",
    "remembrance day": "November 11",
    "christmas eve": "December 24",
    "christmas day": "December 25",
    "christmas": "December 25",
    "boxing day": "December 26",
}
_HOLIDAY = re.compile(
    r"\b(?P<name>new year['’]s (?:eve|day)|valentine['’]s day|st\.? patrick['’]s day|canada day"
    r"|hallowe[']?en|remembrance day|christmas (?:eve|day)|boxing day"
    r"|christmas(?=,? (?:19|20)\d\d))"  # "Halloween night 2019"
    r"(?P<when>\s+(?:night|evening|morning|afternoon|weekend))?"
    r"(?:,? (?P<year>(?:19|20)\d\d)\b)?",
    re.IGNORECASE,
)


def plain_dates(text: str) -> str:
    """Holidays named in `text` written as the dates releases use."""

    def say(m: re.Match) -> str:
        name = re.sub(r"['’]", "'", m["name"].lower()).replace("st patrick", "st. patrick")
        day = _HOLIDAYS["halloween" if name.startswith("hallow") else name]
        said = f"{day}, {m['year']}" if m["year"] else day
        return f"{said}{m['when'] or ''}"

    return _HOLIDAY.sub(say, text)


class _Reading:
    """Time phrases found in a question: where they are, what range they make."""

    def __init__(self, text: str):
        self.text = text
        self.spans: list[tuple[int, int]] = []
        self.phrases: list[str] = []
        self.range: tuple[date | None, date | None] = (None, None)

    def take(self, match: re.Match, value: tuple[date | None, date | None]) -> None:
        """Narrow the range by a phrase, unless an earlier phrase covered its words."""
        if any(s < match.end() and match.start() < e for s, e in self.spans):
            return
        self.spans.append((match.start(), match.end()))
        self.phrases.append(match.group(0))
        self.range = _intersect(self.range, value)

    def stripped(self) -> str:
        """The question without its time phrases."""
        text = self.text
        for start, end in sorted(self.spans, reverse=True):
            text = text[:start] + " " + text[end:]
        return re.sub(r"\s+([?.!,])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()


def _read_ranges(reading: _Reading, today: date) -> None:
    """Absolute and relative dates: between, since, before, on, last March, last year."""
    text = reading.text
    for m in _BETWEEN.finditer(text):
        a, b = _span(m, "1"), _span(m, "2")
        if a and b:
            reading.take(m, (min(a[0], b[0]), max(a[1], b[1])))
    for m in _SINCE.finditer(text):
        if (s := _span(m, "1")) is not None:
            after = m.group(0).lower().startswith("after")
            reading.take(m, (s[1] + timedelta(days=1) if after else s[0], None))
    for m in _BEFORE.finditer(text):
        if (s := _span(m, "1")) is not None:
            inclusive = m.group(0).lower().startswith(("until", "up to", "through"))
            reading.take(m, (None, s[1] if inclusive else s[0] - timedelta(days=1)))
    for m in _ISO.finditer(text):
        try:
            day = date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            continue
        reading.take(m, (day, day))
    for m in _AT.finditer(text):
        # A bare number is a year only after a preposition: "2019 Portage Ave" is an address.
        if m.group(0)[0].isdigit() and m["y1d"]:
            continue
        if (s := _span(m, "1")) is not None:
            reading.take(m, s)
    for m in _LAST_MONTH_NAME.finditer(text):
        reading.take(m, _named_month(m["m"], today))
    for m in _RELATIVE.finditer(text):
        reading.take(m, _relative(m, today))


def _read_recency(reading: _Reading) -> tuple[bool, bool]:
    """(wants the latest, asks about an outcome), its words noted and, unless they are also
    search terms, stripped from the text searched."""
    recency = read_recency(reading.text)
    reading.phrases.extend(recency.phrases)
    reading.spans.extend(recency.stripped)
    return recency.latest, recency.status


def parse_when(question: str, today: date) -> When:
    """Read the date range and recency preference of a question; strip its time words."""
    question = plain_dates(question)
    reading = _Reading(question)
    _read_ranges(reading, today)
    latest, status = _read_recency(reading)
    return When(
        since=reading.range[0],
        until=reading.range[1],
        wants_latest=latest,
        open_ended=status,
        text=reading.stripped() or question,
        phrases=tuple(reading.phrases),
    )
