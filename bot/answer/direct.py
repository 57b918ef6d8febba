"""The direct answer: the figure, name, date, place or charge asked for, said first.

A quoted sentence answers in context ("Officers seized 338 cannabis plants valued at
$378,560.00 from a home in the 100 block of Driftwood Bay."); the reply opens with what
was asked ("338 cannabis plants; $378,560.00"), cut from that sentence, so the reader
sees the answer before the evidence: the people charged for "has anyone been charged?",
the kind of the thing asked about for "what kind of car?", the clause that tells it for
"was she found?", the town for "where was he from?", what was found, taken or worn for
"what did police find?" (`things`).
"""

from __future__ import annotations

import re

from bot.answer.counted import counted, figure_phrase, measured
from bot.answer.measures import MEASURED
from bot.answer.shapes import Shape
from bot.answer.things import asked, thing_said
from bot.answer.types import Question, Scored
from bot.answer.vocab import KIND_ASKED, KIND_CUES, KINDS, NO_OUTCOME_YET
from index.text import LIST_ITEM, list_line, terms_of

MAX_WORDS = 12
CHARGE_WORDS = 25  # "charged with Extortion, Voyeurism, Sexual Assault and Conspiracy to ..."
# A place or a name runs on through capitalised words and numbers ("block of Pier Street").
_RUN_ON = re.compile(r"(?:\s+(?:of\s+)?(?:[A-Z0-9][\w.'’-]*))+")
# A kind runs on through the words that name it ("pellet gun", "Chrysler 300").
_KIND_RUN = re.compile(
    r"(?:[ -](?!(?:and|or|was|were|is|are|had|has|in|at|on|of|from|with|to|for|by|the|a|an"
    r"|that|which|who|while|as|near|after|before|into|inside|he|she|they|it|his|her)\b)"
    r"[A-Za-z0-9][\w-]*){0,2}"
)
_LEAD_VERB = re.compile(
    r"^(?:arrested|charged|identified as|named|located|found|apprehended|taken)\s+", re.I
)
_CLAUSE_END = re.compile(r"[.;:\n]|,\s(?:and|but|who|which|after|before|when)\b")


def _clause(text: str, start: int, most: int = MAX_WORDS) -> str | None:
    """From `start` to the end of its clause; None when longer than `most` words (cut,
    it would stop mid-phrase: "in addition to possession of a scheduled")."""
    stop = _CLAUSE_END.search(text, start)
    words = text[start : stop.start() if stop else len(text)].split()
    return " ".join(words) if len(words) <= most else None


# The kinds of answer that make a short phrase of their own; a place or an arrest is
# better told by the sentence itself ("where" tried: the scene's street, not the spot asked).
_SAID_FIRST = (
    *("who", "anyone", "named", "money", "quantity", "age", "when", "charge", "kind", "outcome"),
    *("hometown", "survival"),
    *MEASURED,
)
_TOTAL = re.compile(
    r"\b(?:to date|so far|all[- ]time|cumulative|since (?:19|20)\d\d"
    r"|over the (?:past|last) \w+ years)\b",
    re.I,
)
_WORD = re.compile(r"[\w'’-]+")
_COMMA_AFTER = re.compile(r"\$?\s?[\d,.]*\d,\s")
_KIND_ASKED = re.compile(KIND_ASKED, re.I)
_KIND_CUES = [
    (re.compile(cue, re.I), re.compile(rf"(?:{KINDS[k]})s?", re.I)) for k, cue in KIND_CUES
]
_SUBORDINATE = re.compile(r"\s(?:after|when|while|before|as|because|following)\s")
_YEAR_LEFT = re.compile(r"^(?:19|20)\d\d\s+")
_LEADS_ON = re.compile(r"\b(?:with|for|of|following|to|the)$")  # "was arrested for", cut short
_TOWN = re.compile(
    r"\b(?:of|from)\s+(?:the\s+)?(.+)$|\bold ([A-Z][a-z]+) (?:male|female|man|woman)\b"
)
PEOPLE_SAID = 3  # "Has anyone been charged?": the people charged, up to this many
_AGED = re.compile(r",? an? (\d{1,3})$")  # "Nolan LAPORTE, a 26(-year-old)" -> "..., 26"


_MEASURE_ASKED = {"money", *MEASURED}  # a figure with its unit asked, not any figure
# "charged with:", "charged with the following (offences) due to ...", "charged with
# numerous offences": the charges are listed after it, or not said.
_LEAD_IN = re.compile(
    r"charged with(?:\s*(?:[:;]|\n|$)|\s+(?:the\s+)?following\b"
    r"|\s+(?:numerous|several|multiple|many|various|a number of)\b"
    r"|\s+(?:offences?|charges?|counts?)\b)",
    re.I,
)


def _charges(text: str, match: re.Match) -> str | None:
    """ "charged with Manslaughter", or the charges a lead-in lists ("charged with: - A - B")."""
    if not _LEAD_IN.match(text, match.start()):
        return _clause(text, match.start(), CHARGE_WORDS)
    lines = [line for line in text[match.end() :].split("\n") if line.strip()]
    listed = [LIST_ITEM.sub("", line).strip() for line in lines if list_line(line, of_charges=True)]
    listed = [item for item in listed if item]
    return f"charged with {'; '.join(listed[:4])}" if listed else None


def _phrase(shape: Shape, text: str, match: re.Match) -> str | None:
    """The words of `text` that answer, around a match of `shape`'s answer pattern."""
    if shape.name in ("quantity", "money"):
        phrase = figure_phrase(text, match)
        # "Robbery x 3, Wear Disguise", "GALIC, 40, of": a figure a comma ends counts nothing.
        return None if phrase and _COMMA_AFTER.match(phrase) else phrase
    if shape.name == "charge":
        return _charges(text, match) if match.group(0).lower().startswith("charged with") else None
    if shape.name == "hometown":  # "JONES, 31, of Selkirk": Selkirk
        town = _TOWN.search(match.group())
        if town is None:
            return None
        group = 1 if town.group(1) else 2
        end = match.start() + town.end(group)
        run = _RUN_ON.match(text, end)  # "St Theresa Point"
        return text[match.start() + town.start(group) : run.end() if run else end]
    if shape.name in ("outcome", "survival"):  # "Was she found?": the clause that tells it
        start = max(text.rfind(c, 0, match.start()) for c in ",;:") + 1
        # "... was located deceased | after police responded to a call in ...": its own part.
        stop = _SUBORDINATE.search(text, match.end())
        clause = _clause(text[: stop.start()] if stop else text, start)
        clause = clause and _YEAR_LEFT.sub("", clause).rstrip(" ,")  # "On May 3, | 2016 ..."
        return None if clause is None or _LEADS_ON.search(clause) else clause
    end = match.end()
    if shape.name in ("who", "kind"):
        run = (_RUN_ON if shape.name == "who" else _KIND_RUN).match(text, end)
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


def _people(question: Question, shape: Shape, best_first: list[Scored]) -> list[str]:
    """Everyone the quoted sentences say was arrested or charged ("Rick FLETT, 20"), or
    that no one was ("no charges"), best sentence first."""
    said: list[str] = []
    for s in best_first:
        for match in shape.find_all(s.text, question.known):
            phrase = _AGED.sub(r", \1", " ".join(_phrase(shape, s.text, match).split()))
            if age := re.match(r"\d+", phrase):  # "17-year-old male" -> "a 17-year-old male"
                sound = age.group()
                phrase = ("an " if sound[0] == "8" or sound in ("11", "18") else "a ") + phrase
            if not any(phrase.lower() in p.lower() for p in said):
                said.append(phrase)
    return said[:PEOPLE_SAID]


def _kind(question: Question, shape: Shape, best_first: list[Scored]) -> list[str]:
    """The kind of the thing asked about ("What kind of car?": "black Chrysler 300"), not
    of another thing the sentence names (a Taser is no car); none when the thing asked
    about is not one the kinds know."""
    asked = _KIND_ASKED.search(question.text)
    of_kind = next((kind for cue, kind in _KIND_CUES if asked and cue.search(asked.group())), None)
    if of_kind is None:
        return []
    for s in best_first:
        for match in shape.find_all(s.text, question.known):
            if of_kind.fullmatch(match.group()):
                return [" ".join(_phrase(shape, s.text, match).split())]
    return []


def _when_of(question: Question, shape: Shape, best_first: list[Scored]) -> str | None:
    """The date told with what the question asks the date of ("When had the gun been
    stolen?": "reported stolen in April 2008", not the day it was seized), the nearest to
    it in the first quoted sentence that tells it; None when no quoted sentence does."""
    asked = question.focus_terms or question.terms
    for s in best_first:
        said = [m.start() for m in _WORD.finditer(s.text) if terms_of(m.group()) & asked]
        dates = list(shape.find_all(s.text, question.known)) if said else []
        if dates:
            best = min(dates, key=lambda m: min(abs(m.start() - at) for at in said))
            return " ".join(best.group().split())
    return None


def _answering_first(question: Question, shape: Shape, best_first: list[Scored]) -> list[Scored]:
    """For an amount, a sentence telling a running total ("To date, the event has raised
    over $150,000") after one telling the occasion asked about ("over $13,000 was raised"),
    unless the question asks for the running total. ("In total" sums one occasion.) For
    an outcome, one told ("he was located deceased") before one not come yet."""
    if shape.name == "outcome":  # "located deceased" answers before "is continuing"
        return sorted(best_first, key=lambda s: bool(NO_OUTCOME_YET.search(s.text)))
    if shape.name not in ("money", "quantity") or _TOTAL.search(question.text):
        return best_first
    return sorted(best_first, key=lambda s: bool(_TOTAL.search(s.text)))


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
        if shape.name == "outcome" and names & {"anyone", "charge", "who"}:
            continue  # who was arrested or charged, with what, says it better
        if shape.name == "anyone":
            phrases.extend(_people(question, shape, best_first))
            continue
        if shape.name == "kind":
            phrases.extend(_kind(question, shape, best_first))
            continue
        if shape.name == "when" and (said := _when_of(question, shape, best_first)):
            phrases.append(said)
            continue
        for s in _answering_first(question, shape, best_first):
            match = shape.find(s.text, question.known)
            phrase = _phrase(shape, s.text, match) if match else None
            if not phrase:
                continue
            phrase = " ".join(phrase.split())
            if phrase.lower() not in (p.lower() for p in phrases):
                phrases.append(phrase)
            break
    if not phrases and (family := asked(question.text)):  # "What did police find?"
        said = next(filter(None, (thing_said(family, s.text) for s in best_first)), None)
        phrases += [said] if said else []
    return "; ".join(phrases) if phrases else None
