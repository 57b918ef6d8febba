"""The time of year a question remembers: "one June morning", "late spring", "one fall".

People recall an event by its season more often than by its date, and a month without a
year ("in mid-December") is no date range to filter by. These months are a soft
preference instead: among the releases found, those published in them rise
(`prefer_months`); none is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from index.models import Hit
from index.when import MONTHS

# How much more a release of the remembered months scores, as a share of its fused score:
# enough to lift it over releases of other months found about as close, not over a
# release found much closer (chosen on the dev and training questions).
SEASON_BOOST = 0.5

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

    def score(hit: Hit) -> float:
        published = hit.chunk.published
        return hit.score * (1 + boost) if published and published.month in wanted else hit.score

    rescored = [h.model_copy(update={"score": score(h)}) for h in hits]
    return sorted(rescored, key=lambda h: -h.score)
