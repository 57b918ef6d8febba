"""A figure told of another year or another place than the one asked is not its answer.

"How much did the 2016 convoy raise?" is not answered by "In 2015 the convoy raised
$60,000", nor "how much did the Winnipeg Polar Plunge raise?" by "Polar Plunges in
Dauphin, Morden and Portage la Prairie have raised over $40,000".
"""

from __future__ import annotations

from bot.answer.vocab import EARLIER_YEARS, IMPLIED, PLACES, YEAR

FIGURES = ("quantity", "money")  # the kinds of answer that are figures


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
