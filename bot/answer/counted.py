"""What a "how many" question counts, and whether a quoted figure counts it.

"How many stop and searches did the Met carry out in 2022?" is not answered by "34,542
officers", nor "how many complaints did the agency receive?" by "320, Gainesville": a
figure answers a count when the words after it name the thing counted, or something
close in meaning ("73 firearms" for "how many guns"). Counts of people and of charges
are said in too many ways ("two youths", "x 3") to hold them to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from bot.answer.shapes import SHAPES

COUNT_FLOOR = 0.5  # below this cosine, the words after a figure name another thing

_STOP = (
    r"were|was|did|do|does|have|has|had|are|is|will|would|could|can|went|got|took|in|of"
    r"|during|at|on|from|for|by|with|to|that|who|which|there|over|after|before|per"
)
_HOW_MANY = re.compile(rf"\bhow many\s+((?:(?!(?:{_STOP})\b)[A-Za-z][\w'’-]*\s+){{1,5}})", re.I)
_HOW_MUCH = re.compile(
    rf"\bhow much\s+((?:(?!(?:{_STOP}|money)\b)[A-Za-z][\w'’-]*\s+){{1,3}})", re.I
)
# Said in too many ways to be held to the words: people, charges, times.
_LOOSE = re.compile(
    r"(?:people|persons?|individuals?|men|women|males?|females?|adults?|youths?|teens?"
    r"|suspects?|victims?|kids?|children|ones?|times?|counts?|charges?|offen[cs]es?|more)$",
    re.I,
)
# After a figure, the words that say what it counts ("338 cannabis plants").
_UNIT = re.compile(
    r"\s+(?!(?:and|or|in|at|on|of|from|with|was|were|to|for|by|the|a|an|area|have|has|had"
    r"|are|is|made|who|which|that)\b)[A-Za-z][A-Za-z-]*"
)
_NUMBER = re.compile(r"\$?\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|thousand))?")
_QUANTITY = next(shape for shape in SHAPES if shape.name == "quantity")


def _figure_end(text: str, match: re.Match) -> int:
    """Where the figure `match` starts ends ("$1.2 million", "338")."""
    number = _NUMBER.match(text, match.start())
    return number.end() if number else match.end()


def _unit_end(text: str, end: int) -> int:
    """Where the (up to three) words after a figure that say what it counts end."""
    for _ in range(3):
        unit = _UNIT.match(text, end)
        if unit is None:
            break
        end = unit.end()
    return end


def figure_phrase(text: str, match: re.Match) -> str | None:
    """The figure a `match` of the quantity or money shape starts and what it counts
    ("338 cannabis plants", "$41,140"); None for a bare number ("1", "271"), which is a
    footnote, a section or a list position, not an answer."""
    figure_end = _figure_end(text, match)
    end = _unit_end(text, figure_end)
    if end > figure_end:
        return text[match.start() : end]
    figure = text[match.start() : figure_end].rstrip(",")  # "GALIC, 40, of Regina": an age
    return figure if "$" in figure or len(figure) >= 3 else None


def measured(question: str) -> str | None:
    """What a "how much" question measures, when it names it ("how much cash")."""
    found = _HOW_MUCH.search(question)
    return found.group(1).strip() if found else None


def counted(question: str) -> str | None:
    """The thing a "how many" question counts ("stop and searches"); None when it asks
    no count, or counts people or charges."""
    found = _HOW_MANY.search(question)
    if found is None:
        return None
    thing = found.group(1).strip()
    return None if _LOOSE.search(thing) else thing


def miscounted(question: str, sentences: list[str], embed: Callable[[list[str]], list]) -> bool:
    """True when the question counts a thing and every figure of the quoted `sentences`
    that says what it counts ("34,542 officers") counts something else."""
    thing = counted(question)
    if thing is None:
        return False
    nouns = [
        text[figure_end:end].strip()
        for text in sentences
        for match in _QUANTITY.find_all(text)
        if (end := _unit_end(text, figure_end := _figure_end(text, match))) > figure_end
    ]
    if not nouns:
        return False
    vectors = np.asarray(embed([thing, *nouns]), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    return float((vectors[1:] @ vectors[0]).max()) < COUNT_FLOOR
