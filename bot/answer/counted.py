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

from bot.answer.vocab import NUMBER_WORDS

COUNT_FLOOR = 0.5  # below this cosine, the words after a figure name another thing

_STOP = (
    r"were|was|did|do|does|have|has|had|are|is|will|would|could|can|went|got|took|in|of"
    r"|during|at|on|from|for|by|with|to|that|who|which|there|over|after|before|per"
)
_HOW_MANY = re.compile(rf"\bhow many\s+((?:(?!(?:{_STOP})\b)[A-Za-z][\w'’-]*\s+){{1,5}})", re.I)
# Said in too many ways to be held to the words: people, charges, times.
_LOOSE = re.compile(
    r"(?:people|persons?|individuals?|men|women|males?|females?|adults?|youths?|teens?"
    r"|suspects?|victims?|kids?|children|ones?|times?|counts?|charges?|offen[cs]es?|more)$",
    re.I,
)
_FIGURE = re.compile(
    rf"(?:\$\s?\d[\d,.]*|\b\d[\d,]*(?:\.\d+)?|\b(?i:{NUMBER_WORDS}))\s+"
    r"(?![-\s]*years?\b)((?:(?!(?:and|or|in|at|on|of|from|with|was|were|to|for|by|the|a|an"
    r"|have|has|had|are|is|made|who|which|that)\b)[A-Za-z][\w'’-]*\s?){1,3})"
)


_HOW_MUCH = re.compile(
    rf"\bhow much\s+((?:(?!(?:{_STOP}|money)\b)[A-Za-z][\w'’-]*\s+){{1,3}})", re.I
)


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
    """True when the question counts a thing and every figure the quoted `sentences` put
    before a word counts something else."""
    thing = counted(question)
    if thing is None:
        return False
    nouns = [m.group(1).strip() for s in sentences for m in _FIGURE.finditer(s)]
    if not nouns:
        return False
    vectors = np.asarray(embed([thing, *nouns]), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    return float((vectors[1:] @ vectors[0]).max()) < COUNT_FLOOR
