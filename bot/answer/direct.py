"""The direct answer: the figure, name, date, place or charge asked for, said first.

A quoted sentence answers in context ("Officers seized 338 cannabis plants valued at
$378,560.00 from a home in the 100 block of Driftwood Bay."); the reply opens with what
was asked ("338 cannabis plants; $378,560.00"), cut from that sentence, so the reader
sees the answer before the evidence.
"""

from __future__ import annotations

import re

from bot.answer.counted import counted, figure_phrase, measured
from bot.answer.measures import MEASURED
from bot.answer.shapes import Shape
from bot.answer.types import Question, Scored
from index.text import LIST_ITEM, list_line, terms_of

MAX_WORDS = 12
# A place or a name runs on through capitalised words and numbers ("block of Pier Street").
_RUN_ON = re.compile(r"(?:\s+(?:of\s+)?(?:[A-Z0-9][\w.'’-]*))+")
_LEAD_VERB = re.compile(
    r"^(?:arrested|charged|identified as|named|located|found|apprehended|taken)\s+", re.I
)
_CLAUSE_END = re.compile(r"[.;:\n]|,\s(?:and|but|who|which|after|before|when)\b")


def _clause(text: str, start: int) -> str:
    """From `start` to the end of its clause, at most MAX_WORDS words."""
    stop = _CLAUSE_END.search(text, start)
    words = text[start : stop.start() if stop else len(text)].split()
    return " ".join(words[:MAX_WORDS])


# The kinds of answer that make a short phrase of their own; a place, an arrest or an
# outcome is better told by the sentence itself.
_SAID_FIRST = ("who", "named", "money", "quantity", "age", "when", "charge", *MEASURED)


_MEASURE_ASKED = {"money", *MEASURED}  # a figure with its unit asked, not any figure
_LEAD_IN = re.compile(r"\s+(?:the )?(?:following )?(?:offences?|charges?|counts?)$")


def _charges(text: str, match: re.Match) -> str | None:
    """ "charged with Manslaughter", or the charges a lead-in lists ("charged with: - A - B")."""
    clause = _clause(text, match.start())
    if _LEAD_IN.sub("", clause.lower().rstrip(" :")) != "charged with":
        return clause
    lines = [line for line in text[match.end() :].split("\n") if line.strip()]
    listed = [LIST_ITEM.sub("", line).strip() for line in lines if list_line(line, of_charges=True)]
    listed = [item for item in listed if item]
    return f"charged with {'; '.join(listed[:4])}" if listed else None


def _phrase(shape: Shape, text: str, match: re.Match) -> str | None:
    """The words of `text` that answer, around a match of `shape`'s answer pattern."""
    if shape.name in ("quantity", "money"):
        return figure_phrase(text, match)
    if shape.name == "charge":
        return _charges(text, match) if match.group(0).lower().startswith("charged with") else None
    end = match.end()
    if shape.name == "who":
        run = _RUN_ON.match(text, end)
        end = run.end() if run else end
    phrase = text[match.start() : end].strip(" ,-•\n")
    return _LEAD_VERB.sub("", phrase)


def _counting(question: Question, shape: Shape, thing: set[str], best_first: list[Scored]):
    """The first figure of the quoted sentences that counts the thing asked ("how many
    firearms": "73 firearms", not "two Criminal Code search warrants")."""
    for s in best_first:
        for match in shape.find_all(s.text, question.known):
            phrase = figure_phrase(s.text, match)
            if phrase and terms_of(phrase) & thing:
                return " ".join(phrase.split())
    return None


def direct_answer(question: Question, chosen: list[Scored]) -> str | None:
    """What the question asks for, cut from the quoted sentences; None if not found."""
    phrases: list[str] = []
    names = {s.name for s in question.answer_shapes}
    best_first = sorted(chosen, key=lambda s: -s.score)
    thing = terms_of(counted(question.text) or measured(question.text) or "")
    for shape in question.answer_shapes:
        if shape.name not in _SAID_FIRST or shape.name == "quantity" and names & _MEASURE_ASKED:
            continue  # the amount of money (the duration, the distance) is the figure asked for
        if (
            shape.name in ("quantity", "money")
            and thing
            and (said := _counting(question, shape, thing, best_first))
        ):
            phrases.append(said)
            continue
        for s in best_first:
            match = shape.find(s.text, question.known)
            phrase = _phrase(shape, s.text, match) if match else None
            if not phrase:
                continue
            phrase = " ".join(phrase.split())
            if phrase.lower() not in (p.lower() for p in phrases):
                phrases.append(phrase)
            break
    return "; ".join(phrases) if phrases else None
