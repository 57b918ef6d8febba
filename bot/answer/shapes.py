"""What kind of phrase answers a question: a name for "who", a figure for "how much".

A sentence that holds the kind of phrase asked for is a likelier answer than one that
only repeats the question's context (the date, the street, the unit), and a release in
which no sentence holds it probably does not answer the question at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.answer.measures import CAUSE_ASKED, CONTEXT_FIGURES, MEASURED, MEASURES
from bot.answer.untold import ASKS_REVEALED, ASKS_SURVIVAL, REVEALED_TOLD, SURVIVAL_TOLD
from bot.answer.vocab import (
    AGENCY,
    APPEAL,
    CHARGE_AMOUNT,
    CHARGE_RUN,
    CIVILIAN,
    KIND_ASKED,
    KIND_NAMED,
    MONTH,
    MONTH_NAMES,
    NO_OUTCOME_YET_WORDS,
    NUMBER_WORDS,
    OFFENCE,
    PEOPLE,
    PERSON,
    PLACE,
    PLACE_NAMES,
    SPELLED_AGE,
    STREET,
    WEEKDAYS,
)

_CLAUSE = r"(?:^|\band\s+|,\s*|;\s*)"


@dataclass(frozen=True)
class Shape:
    """A kind of answer: the question words that ask for it and the text that gives it."""

    name: str
    asks: re.Pattern
    answer: re.Pattern
    figures_only: bool = False  # blank out dates, times and blocks first (context, not answer)
    novel_only: str = ""  # "words"/"names": blank out the question's own words or full names
    essential: bool = True  # without it the question is not answered at all
    not_an_answer: re.Pattern | None = None  # a match like this is not the answer; look on
    not_within: re.Pattern | None = None  # nor is a match inside one of this (a person's name)
    anywhere: bool = False  # asked in a context clause too ("did the man who was shot survive?")

    def met_by(self, sentence: str, known: dict[str, re.Pattern | None] | None = None) -> bool:
        """True when `sentence` holds this kind of answer (not one the question gave)."""
        return self.find(sentence, known) is not None

    def find(
        self, sentence: str, known: dict[str, re.Pattern | None] | None = None
    ) -> re.Match | None:
        """Where `sentence` gives this kind of answer, in its own offsets, if it does."""
        return next(self.find_all(sentence, known), None)

    def find_all(
        self, sentence: str, known: dict[str, re.Pattern | None] | None = None
    ) -> Iterator[re.Match]:
        """Every place `sentence` gives this kind of answer, first to last."""
        if self.figures_only:
            sentence = blank(CHARGE_AMOUNT, blank(CONTEXT_FIGURES, sentence))
        pattern = known.get(self.novel_only) if known and self.novel_only else None
        if pattern is not None:
            sentence = blank(pattern, sentence)
        inside = [m.span() for m in self.not_within.finditer(sentence)] if self.not_within else []
        return (
            m
            for m in self.answer.finditer(sentence)
            if not (self.not_an_answer and self.not_an_answer.search(m.group()))
            and not any(a <= m.start() and m.end() <= b for a, b in inside)
        )


def blank(pattern: re.Pattern, text: str) -> str:
    """`text` with `pattern`'s matches blanked by as many spaces, so offsets stay."""
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def _re(pattern: str, flags: int = 0) -> re.Pattern:
    return re.compile(pattern, flags)


_NOT_SECTION = r"(?<!\bCC )(?<!c\.c\. )(?<![Ss]ection )(?<!\bs\. )(?<!\d\()"
# "The name of the lounge where two men were stabbed" asks for the lounge's name.
_NOT_CLAUSE = r"(?!(?:where|who|whose|which|that|when|in|at|on|near)\b)"


SHAPES = [
    Shape(
        "who",
        _re(
            rf"{_CLAUSE}who\b"
            rf"|\bnames? of (?:the |a |an |his |her )?(?:{_NOT_CLAUSE}[\w-]+ ){{0,3}}?{PEOPLE}\b"
            r"|\bwhat (?:is|was) (?:his|her|their) names?\b|\bwhat (?:is|was) the name\b(?! of)"
            r"|\bwhich\b[^?]{0,30}?\b(?:officer|man|woman|person|suspect|driver)\b",
            re.I,
        ),
        PERSON,
        figures_only=True,
        novel_only="names",
    ),
    Shape(
        # "The name of the nightclub": a proper name the question does not give.
        "named",
        _re(
            r"\bname of\b|\bwhat (?:is|was) (?:it|its) (?:called|named)\b"
            r"|\bwhich (?:[\w-]+ ){0,2}?(?:school|business|company|store|shop|bar|restaurant"
            r"|hotel|club|nightclub|church|hospital|mall|organi[sz]ation)\b",
            re.I,
        ),
        # A proper name: not a date, a street or an offence ("First Degree Murder").
        _re(
            rf"(?<![.!?]\s)(?<!^)\b(?!(?:On|In|At|The|A|An|{MONTH_NAMES}|{STREET})\b)"
            rf"(?![A-Z][\w’']*(?: [A-Z][\w’']*)* (?:{STREET})\b)"
            rf"(?![A-Z][\w’']*(?: [A-Z][\w’']*)*? {OFFENCE}\b)(?!{OFFENCE}\b)"
            r"[A-Z][a-z’']+(?: (?:of |the )?[A-Z][a-z’']+)*\b"
        ),
        novel_only="words",
        # What "who" does not ask: a business, a school, a club; a person is not its name.
        not_within=re.compile(f"{PERSON.pattern}|{CHARGE_RUN.pattern}", re.MULTILINE),
        not_an_answer=_re(
            rf"\b(?:{AGENCY}|{PLACE_NAMES})\b|^(?:{WEEKDAYS}|{MONTH_NAMES}|Sept?|Using|Under|As"
            r"|More Than)$"
        ),
    ),
    Shape(
        # "How much money?" is answered by an amount of money, not by any figure.
        "money",
        _re(
            r"\bhow much (?:money|cash|damage)\b|\bworth\b|\bvalued?\b|\bcost\b"
            r"|\bhow much\b[^?]{0,60}\b(?:raise|raised|donate|donated|stole|stolen|took|take|pay"
            r"|paid|spend|spent|owe|owed|fined)\b|\b(?:budget|salary|salaries|wages?|price|rent)\b",
            re.I,
        ),
        _re(r"\$\s?\d|\b\d[\d,.]*\s?(?:dollars|million|thousand)\b"),
        figures_only=True,
    ),
    Shape(
        # "Was she ever found?", "Has anyone been arrested?": the outcome must be told.
        "outcome",
        _re(
            r"(?:^|[.?!]\s+)(?:was|were|has|have|had|did|is|are)\b[^?.]*\b(?:found|located"
            r"|caught|catch|arrested|charged|apprehended|identified|recovered)\b"
            r"|(?:^|[.?!]\s+)did\b[^?.]*\b(?:find|locate) (?:him|her|them\b|(?-i:[A-Z]))",
            re.I,
        ),
        _re(
            r"\b(?:located|found|arrested|charged|apprehended|in custody|identified as|recovered"
            rf"|surrendered|turned (?:him|her)self in|returned home|no (?:charges|arrests))\b"
            rf"|{NO_OUTCOME_YET_WORDS}",
            re.I,
        ),
        # Not the appeal: "Anyone who has information that could help police locate ...".
        not_within=APPEAL,
    ),
    Shape(
        # "Has anyone been charged?" is answered by a name, or by "no charges have been laid";
        # a release that only appeals for information does not answer it.
        "anyone",
        _re(r"\b(?:anyone|anybody|someone|a (?:driver|suspect))\b", re.I),
        _re(
            # An officer named in the release is not the one charged; an unnamed adult or
            # youth arrested ("A 34-year-old male ... has been arrested") is.
            rf"{CIVILIAN}|\b\d{{1,3}}[- ]years?[- ]old (?:male|female|man|woman|youth|boy|girl)"
            r"\b[^.]{0,80}?\b(?:arrested|charged)\b"
            r"|\bno (?:charges|arrests?|suspects?)\b|\bnot (?:yet )?been "
            r"(?:charged|arrested|located|identified)\b|\bremains? (?:at large|outstanding)\b"
            rf"|(?i:{NO_OUTCOME_YET_WORDS})",
            re.MULTILINE,
        ),
        figures_only=True,
        novel_only="names",
    ),
    Shape(
        "age",
        _re(r"\bhow old\b|\bwhat age\b|\bages?\b", re.I),
        _re(
            rf"(?:\d{{1,3}}|(?i:{SPELLED_AGE}))[- ]years?[- ]old|\b[A-Z][A-Za-z'’-]+, \d{{1,3}}\b"
            r"|\baged? \d{1,3}\b"
        ),
    ),
    Shape(
        "quantity",
        _re(
            r"\bhow (?:much|many)\b|\bwhat (?:amount|number|value|quantity)\b|\bworth\b"
            r"|\bvalued?\b|\bhow (?:long|far|fast)\b"
            r"|\bwhat(?:['’]s| was| is| were| are) the (?:[\w-]+ ){0,2}?"
            r"(?:score|total|number|count|rate|percentage|amount|speed|budget|average|median)s?\b",
            re.I,
        ),
        # Not a section of an act: "Purchasing Sexual Services CC 286.1(1)".
        _re(
            rf"\$\s?\d|{_NOT_SECTION}\b\d[\d,]*(?:\.\d+)?\b(?![-\s]year)(?!\(\d)"
            rf"|\b(?i:{NUMBER_WORDS})\b(?![-\s]years?)"
        ),
        figures_only=True,
    ),
    Shape(
        "when",
        _re(rf"{_CLAUSE}when\b|\bwhat (?:date|time|day)\b|\bwhich (?:date|day)\b", re.I),
        _re(
            # "December 18, 2018", "April 2008" (when a gun was stolen), "8:40 a.m."
            rf"\b{MONTH} \d{{1,2}}\b(?:,? (?:19|20)\d\d\b)?|\b{MONTH},? (?:19|20)\d\d\b"
            rf"|\b\d{{1,2}}:\d{{2}}|\b(?:yesterday|today|on (?:Mon|Tues|"
            r"Wednes|Thurs|Fri|Satur|Sun)day)\b"
        ),
    ),
    Shape(
        "where",
        _re(rf"{_CLAUSE}where\b|\bwhich (?:street|address|neighbourhood|city|hotel)\b", re.I),
        _re(
            rf"{PLACE}|\b(?:located|found|hiding|arrested|taken) (?:in|at|on|under|inside|near|"
            r"behind)\b|\b(?:of|from) [A-Z][a-z]+(?=,|\.| (?:has|was|is|and)\b)"
        ),
        novel_only="words",
        essential=False,
    ),
    Shape(
        # "Was he caught?": where and when the arrest was, not where the crime was.
        "arrest",
        _re(r"\b(?:caught|arrested|apprehended|located|found|in custody|charged)\b", re.I),
        _re(
            r"\b(?:located|found|arrested|apprehended|custody|surrendered|turned (?:him|her)self"
            r"|executed (?:a|an) (?:search |arrest )?warrant)"
            rf"\b[^.\n]{{0,100}}?(?:{PLACE}|\b(?:in|at|near) [A-Z][a-z]+|\b{MONTH} \d{{1,2}}\b)"
            rf"|\b{MONTH} \d{{1,2}}\b[^.\n]{{0,80}}?\b(?:located|found|arrested|apprehended)\b"
        ),
        novel_only="words",
        essential=False,
    ),
    Shape(
        "charge",
        _re(r"\bcharged?\b|\bcharges\b|\baccused of\b|\b(?:caught|arrested|apprehended)\b", re.I),
        _re(
            r"charged with|charges? (?:of|include|for)|\n\s*[-•]|\bfor (?:Second|First|2nd|1st)"
            r"[- ]Degree|\bwarrant (?:of arrest )?for [A-Z]|\bwith (?:Manslaughter|Murder)"
            # "Were charges laid?" is answered by their absence too.
            r"|(?i:\bno charges\b|\bcharges (?:have|had) (?:not|yet to) be(?:en)? laid"
            r"|\bnot (?:yet )?been charged|\bcharges (?:are|remain) (?:pending|anticipated))"
        ),
        essential=False,
    ),
    Shape(
        # "What kind of gun was used?" is not answered by "a gunshot wound to his hand".
        "kind",
        _re(KIND_ASKED, re.I),
        _re(rf"\b(?:{KIND_NAMED})s?\b", re.I),
        novel_only="words",
    ),
    # "Did she survive?": a death or a recovery told, not an appeal for witnesses.
    Shape(
        "survival", ASKS_SURVIVAL, SURVIVAL_TOLD, essential=False, not_within=APPEAL, anywhere=True
    ),
    # "What did the package turn out to be?": what it was found to be, not the scene.
    Shape("revealed", ASKS_REVEALED, REVEALED_TOLD, essential=False),
    Shape(
        "sentence",
        _re(r"\bsentenc(?:e|ed|ing)\b", re.I),
        _re(
            r"\bsentenced\b|\b(?:years?|months?) (?:in|of) (?:prison|jail|custody)\b"
            r"|\bpenitentiary\b|\blife sentence\b"
        ),
    ),
]
SHAPES += [
    Shape(name, _re(asks, re.I), _re(answer), figures_only=name in MEASURED, essential=essential)
    for name, (asks, answer, essential) in MEASURES.items()
]
BONUS = 0.12


def shapes_of(question: str, whole: str = "") -> list[Shape]:
    """The kinds of answer a question asks for (several for "how much ... and where ..."),
    in its asking clause or, for a few, anywhere in the `whole` question."""
    asked = [s for s in SHAPES if s.asks.search(question) or s.anywhere and s.asks.search(whole)]
    if any(s.name == "who" for s in asked):  # "the name of the driver" asks "who"
        asked = [s for s in asked if s.name != "named"]
    if CAUSE_ASKED.search(question):  # "what made the price go up?" asks why, not how much
        asked = [s for s in asked if s.name not in ("money", "quantity")]
    return asked
