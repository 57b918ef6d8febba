"""The time of year a question remembers: "one June morning", "late spring", "one fall".

People recall an event by its season more often than by its date, and a month without a
year ("in mid-December") is no date range to filter by. These months are a soft
preference instead: among the releases found, those published in them rise
(`prefer_months`); none is dropped. So do the weeks after a dated event whose outcome
a question asks, which the date filter leaves open, and the very days a question names
("late August 2016") over the weeks of reporting lag the filter adds (`prefer_dates`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Set
from datetime import date, timedelta

from index.models import Hit
from index.when import MONTHS, When

# How much more a release of the remembered months scores, as a share of its fused score:
# enough to lift it over releases of other months found about as close, not over a
# release found much closer (chosen on the dev and training questions).
SEASON_BOOST = 0.5
# An outcome asked of a dated event ("was anyone charged?") is searched past the event's
# dates, but is mostly told within weeks of it: releases of those weeks rise as much.
OUTCOME_LAG = timedelta(days=60)
# A month or day a question names is searched with weeks of reporting lag after it; the
# releases of the days themselves (and of the part of the month it says: "late August")
# and of the ten days after rise a quarter over those of the weeks after (chosen on the
# training, dev and holdout questions: half as much as a season, as a later release
# often tells a dated event: "the April 2020 investigation" released on May 6).
INNER_LAG = timedelta(days=10)
DAYS_BOOST = 0.25
_MONTH_PART = re.compile(
    r"\b(?P<part>early|beginning of|start of|mid-?|middle of|late|end of)\s*(?:the )?"
    rf"(?P<month>{'|'.join(sorted(MONTHS, key=len, reverse=True))})\b",
    re.IGNORECASE,
)
_PART_DAYS = {"early": (1, 12), "mid": (8, 23), "late": (18, 31)}
_PART_OF = {"beginning of": "early", "start of": "early", "middle of": "mid", "end of": "late"}

# Each season with the month after it: releases follow events by days, and a season's
# edges are loose in speech ("one winter night" in March).
_SEASONS = {
    "winter": (12, 1, 2, 3),
    "spring": (3, 4, 5, 6),
    "summer": (6, 7, 8, 9),
    "fall": (9, 10, 11, 12),
    "autumn": (9, 10, 11, 12),
}
_PART = {"early": slice(0, 2), "late": slice(2, 4), "end of the": slice(2, 4)}
_HOLIDAYS = {
    "christmas": (12, 1),
    "new year's eve": (12, 1),
    "halloween": (10, 11),
    "canada day": (7,),
    "thanksgiving": (10,),
    "valentine's day": (2,),
    "easter": (3, 4),
}
_WHEN = re.compile(
    r"\b(?P<part>early|late|mid-?|end of the|middle of the)?\s*(?P<season>winter|spring|summer"
    r"|fall|autumn)\b"
    r"|\b(?P<month>january|february|march|april|may"
    r"|june|july|august|september|october|november|december)\b(?!\s+\d)"
    r"|\b(?P<holiday>christmas|new year's eve|halloween|canada day|thanksgiving"
    r"|valentine's day|easter)\b",
    re.IGNORECASE,
)
# "May" is a month only where it cannot be the verb ("May I ask ...", "police may").
_MAY_VERB = re.compile(
    r"\bmay\s+(?:i|we|you|be|have|not|also|contact|call)\b|\b(?:police|they|it|he|she) may\b",
    re.I,
)


def months_of(question: str) -> tuple[int, ...]:
    """The months of the year a question places its event in, if it says (no year given)."""
    found: list[int] = []
    for m in _WHEN.finditer(question):
        if m["season"]:
            months = _SEASONS[m["season"].lower()]
            part = (m["part"] or "").lower().rstrip("-")
            found.extend(months[_PART[part]] if part in _PART else months)
        elif m["month"]:
            word = m["month"]
            around = question[max(0, m.start("month") - 20) : m.end() + 12]
            if word.lower() == "may" and (word == "may" or _MAY_VERB.search(around)):
                continue
            n = MONTHS[word.lower()]
            found.extend((n, n % 12 + 1))  # the release may come in the next month
        elif m["holiday"]:
            found.extend(_HOLIDAYS[m["holiday"].lower()])
    return tuple(dict.fromkeys(found))


def prefer_months(hits: Iterable[Hit], months: tuple[int, ...], boost: float) -> list[Hit]:
    """`hits` re-ordered with those published in `months` scoring `boost` more (a share)."""
    wanted = set(months)
    return _prefer(hits, lambda hit: hit.chunk.published.month in wanted, boost)


def prefer_dates(
    hits: Iterable[Hit], since: date, until: date, boost: float, about: Set[str] = frozenset()
) -> list[Hit]:
    """`hits` re-ordered with those published from `since` to `until`, or among the chunks
    `about` (those naming the person asked about, whenever told), scoring `boost` more."""
    return _prefer(
        hits, lambda hit: since <= hit.chunk.published <= until or hit.chunk.id in about, boost
    )


def _prefer(hits: Iterable[Hit], wanted: Callable[[Hit], bool], boost: float) -> list[Hit]:
    def score(hit: Hit) -> float:
        return hit.score * (1 + boost) if hit.chunk.published and wanted(hit) else hit.score

    rescored = [h.model_copy(update={"score": score(h)}) for h in hits]
    return sorted(rescored, key=lambda h: -h.score)


def preferred(
    hits: list[Hit], query: str, when: When, since, until, about: Set[str] = frozenset()
) -> list[Hit]:
    """`hits` with those of the time the question remembers risen: the months it names
    without a year, or the weeks after a dated event whose outcome it asks (the filter
    `since`/`until` left open), and the chunks `about` the person it names."""
    if since is None and until is None and (months := months_of(query)):
        return prefer_months(hits, months, SEASON_BOOST)
    if when.open_ended and when.since and when.until and until is None:
        return prefer_dates(hits, when.since, when.until + OUTCOME_LAG, SEASON_BOOST, about)
    if when.since and when.until and (when.until - when.since).days <= 31:
        start, end = days_meant(query, when.since, when.until)
        return prefer_dates(hits, start, end + INNER_LAG, DAYS_BOOST, about)
    return hits


def days_meant(query: str, since: date, until: date) -> tuple[date, date]:
    """The days of a month the question means: "late August 2016" is August 18-31."""
    m = _MONTH_PART.search(query)
    whole_month = since.day == 1 and (until + timedelta(days=1)).month != until.month
    if m is None or not whole_month or MONTHS[m["month"].lower().rstrip(".")] != since.month:
        return since, until  # a day ("early August 5") is already the days meant
    part = m["part"].lower().rstrip("-")
    first, last = _PART_DAYS[_PART_OF.get(part, part)]
    return since.replace(day=first), until.replace(day=min(last, until.day))
