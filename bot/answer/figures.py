"""A figure told of another year or another place than the one asked is not its answer,
nor a person of another age than the one asked about.

"How much did the 2016 convoy raise?" is not answered by "In 2015 the convoy raised
$60,000", nor "how much did the Winnipeg Polar Plunge raise?" by "Polar Plunges in
Dauphin, Morden and Portage la Prairie have raised over $40,000".
"""

from __future__ import annotations

import re

from bot.answer.vocab import EARLIER_YEARS, IMPLIED, PLACES, YEAR

FIGURES = ("quantity", "money")  # the kinds of answer that are figures
PERSONS = ("who", "anyone")  # the kinds of answer that are people
# "a 46-year-old male", "46 years old", "aged 46", "JONES, 46,"
AGE = re.compile(r"\b(\d{1,3})[- ]years?[- ]old\b|\baged? (\d{1,3})\b|, (\d{1,2}),")


# "... the fraud for which she was charged in March 2021": the year of the charge, not of
# the figure asked ("more than $275,000" defrauded between 2017 and 2019).
_EVENT_CLAUSE = re.compile(
    r"\b(?:for which|in which|after which|who (?:was|were|had been)|when (?:he|she|they)"
    r" (?:was|were))\b[^?,;]*?\b(?:charged|arrested|sentenced|convicted|caught)\b[^?,;]*",
    re.I,
)


def figure_years(question: str) -> frozenset[str]:
    """The years a figure asked about is of: the question's, but not the year in a clause
    that tells when someone was charged or arrested."""
    return frozenset(YEAR.findall(_EVENT_CLAUSE.sub(" ", question)))


def of_another_year(sentence: str, years: frozenset[str]) -> bool:
    """True when `sentence` tells of other years than `years` and not of them: "In 2015
    the convoy raised $60,000", "over the past decade it has raised $400,000"."""
    said = set(YEAR.findall(sentence))
    if said & years:
        return False
    return bool(said) or bool(EARLIER_YEARS.search(sentence))


def of_another_place(sentence: str, places: frozenset[str]) -> bool:
    """True when `sentence` names places but not the most specific of `places` (Winnipeg,
    of "Winnipeg ... Special Olympics Manitoba"), nor only what that place implies
    (Manitoba, Canada)."""
    said = set(PLACES.findall(sentence))
    if not said:
        return False
    implied = set().union(*(IMPLIED.get(p, ()) for p in places))
    specific = set(places) - implied
    return not said & specific and bool(said - implied - specific)


# The age of the person a question asks about: "the name of the 46-year-old driver" (not
# the victim's: "who was charged in the killing of 77-year-old Hossein Lotfi").
ASKED_AGE = re.compile(
    r"\b(?:names? of|who (?:is|was|were)|identity of) (?:the|a|an) (\d{1,3})[- ]years?[- ]old\b",
    re.I,
)


def asked_ages(question: str) -> frozenset[str]:
    """The age of the person `question` asks about, if it gives one."""
    return frozenset(ASKED_AGE.findall(question))


def ages_of(text: str) -> frozenset[str]:
    """The ages `text` gives."""
    return frozenset(next(g for g in m.groups() if g) for m in AGE.finditer(text))


def of_another_age(sentence: str, ages: frozenset[str]) -> bool:
    """True when `sentence` gives ages and none of `ages`: "Halen James McLeod, a
    26-year-old male" is not "the 46-year-old driver"."""
    said = ages_of(sentence)
    return bool(said) and not said & ages
