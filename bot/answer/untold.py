"""What a question may ask that a release has not told (yet): how a previewed event came
out, what an investigation concluded, whether someone survived or was arrested, what a
suspect looked like, what caused a death or a fire, what a thing turned out to be; and
whether a release says it does not know or tell what is asked (`keeps_back`).
`refusal.untold_outcome` reads them too."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.answer.phrases import asking_clause
from bot.answer.vocab import (
    APPEAL_TO_FIND,
    ASKS_FOUND,
    ASKS_THING,
    FOUND,
    NO_OUTCOME_YET,
    THING_NAMED_AFTER,
    THING_NAMED_BEFORE,
    WITHHELD,
)

if TYPE_CHECKING:
    from bot.answer.types import Question

# "What did he look like?" of a release that says it gives no description.
ASKS_LOOKS = re.compile(r"\blook(?:ed|s)? like\b|\bdescri(?:be|ption)\b", re.I)
NO_DESCRIPTION = re.compile(
    r"\bdescription (?:is|was|will) not (?:be(?:ing)? )?(?:provided|released|available)"
    r"|\bno (?:suspect )?description\b",
    re.I,
)
ASKS_CAUSE = re.compile(r"\bcause[ds]?\b|\bwhat (?:started|sparked)\b", re.I)
CAUSE_UNKNOWN = re.compile(
    r"\bcause\b[^.]{0,60}?\b(?:(?:has|have|is|was) not (?:yet )?been (?:determined|established"
    r"|released)|(?:is|remains|was) (?:undetermined|unknown|unconfirmed|under investigation)"
    r"|yet to be determined)|\bautopsy (?:is|was|remains) (?:pending|scheduled)",
    re.I,
)
# An arrest told: "was arrested", "has been charged", "taken into custody".
ARRESTED = re.compile(
    r"\b(?:arrested|charged|apprehended|surrendered|turned (?:him|her)self in)\b"
    r"|\bin(?:to)? (?:police )?custody\b",
    re.I,
)
# "Did she survive?" is answered by a death or by a recovery, not by "critical condition".
ASKS_SURVIVAL = re.compile(r"\bsurviv|\bpull(?:ed)? through\b|\bstill alive\b", re.I)
SURVIVAL_TOLD = re.compile(
    r"\b(?:died|succumbed|deceased|pronounced dead|killed|fatal(?:ly)?|survived|recovering"
    r"|released from hospital|(?:upgraded to )?stable condition|non-life[- ]threatening)\b",
    re.I,
)
# "What did the package turn out to be?" is answered by what it was found to be.
ASKS_REVEALED = re.compile(
    r"\bwhat\b[^?]*\bturn(?:s|ed)? out\b|\bwhat (?:was|were) (?:it|the [\w-]+) really\b", re.I
)
REVEALED_TOLD = re.compile(
    r"\b(?:determined|discovered|confirmed|found|learned|deemed|revealed)\b[^.]{0,60}?"
    r"\b(?:to (?:be|have)|that|as)\b|\bturned out\b|\bin fact\b",
    re.I,
)

# An event told before it happens ("will take place on Saturday", "kickoff is at 7:45")
# cannot say how it came out ("who won", "what was the final score", "how much did it
# raise", "how many were charged during it").
PREVIEW = re.compile(
    r"\b(?:will (?:take place|be held|run|be taking place|begin|start|kick off)|is scheduled"
    r"|are scheduled|invites? (?:you|the public|everyone)|kick-?off (?:is|will be)"
    r"|will take effect|is set to (?:take place|begin))\b",
    re.I,
)
ASKS_RESULT = re.compile(
    r"\b(?:who|which [\w ]{0,30}?) won\b|\bwinners?\b|\bfinal score\b|\bscore (?:was|of)\b"
    r"|\bhow (?:much|many)\b[^?]{0,80}\b(?:did|were|was)\b[^?]{0,80}\b(?:raise|raised|collect"
    r"|collected|charged|arrested|stopped|caught|seized|ticketed)\b"
    r"|\bresults? of\b|\bhow did [^?]{0,40}\b(?:go|turn out)\b",
    re.I,
)

# A release that tells how an event came out, besides announcing the next one.
RESULTS_TOLD = re.compile(
    r"\b(?:the results|results (?:of|are|were|show)|final score|won|winners? (?:is|was|were)"
    r"|were (?:charged|arrested|stopped|ticketed|issued)"
    r"|(?:cars|vehicles|drivers) (?:were )?stopped|has raised|have raised)\b",
    re.I,
)

# "What did the IIU conclude?" asked of a release that only says an investigation began.
# ("Asked for help finding him" asks no findings.)
ASKS_CONCLUSION = re.compile(
    r"\bconclu(?:de|ded|sion|ding)\b|\bfindings\b|\bthe finding\b|\bruled?\b"
    r"|\bclear(?:ed)? (?:the|him|her|them|of)\b|\bexonerat|\bdisciplin",
    re.I,
)
INVESTIGATION_BEGUN = re.compile(
    r"\b(?:initiated|opened|launched|commenced|began|begun) (?:an|its|their) investigation\b"
    r"|\bhas been notified\b|\bwas notified\b",
    re.I,
)
CONCLUDED = re.compile(
    r"\b(?:concluded|determined|found that|ruled|confirmed|revealed|believed to have)\b", re.I
)

# "What charges did he end up facing?" of a release that says only "Charges are pending."
ASKS_CHARGES = re.compile(
    r"\bwhat (?:charges?|offences?)\b|\bcharged with what\b"
    r"|\bwhat (?:was|were|is|are) (?:he|she|they|the [\w -]{1,40}?) charged with\b",
    re.I,
)
CHARGES_PENDING = re.compile(
    r"\bcharges (?:are|remain|were) (?:still )?(?:pending|anticipated|expected|being considered)\b",
    re.I,
)
CHARGED_WITH = re.compile(r"\bcharged with\b|\bcharges? (?:of|include)\b", re.I)
ASKS_WHERE = re.compile(r"\bwhere\b", re.I)


def keeps_back(question: Question, release: str, titled: str | None = None) -> bool:
    """The release (its text as written, its title first) says it does not know or tell
    what is asked: a name or identity it withholds, an undisclosed amount, a cause not yet
    determined, where someone was found when all it does is ask the public to help find
    them, the name of a business it only ever calls "a gas station" or an item it only
    calls "an electronic item". `titled`: the outcome its title ends with ("Located"),
    which tells whether, not where."""
    text = release.lower()
    shapes = {s.name for s in question.answer_shapes}
    if shapes & {"who", "named"} and WITHHELD.search(text):
        return True
    if shapes & {"money", "quantity"} and "undisclosed" in text:
        return True
    if ASKS_CAUSE.search(question.text) and CAUSE_UNKNOWN.search(text):
        return True
    if ASKS_LOOKS.search(question.text) and NO_DESCRIPTION.search(text):
        return True
    pending = CHARGES_PENDING.search(text) and not CHARGED_WITH.search(text)
    if ASKS_CHARGES.search(question.text) and pending:
        return True  # no charge laid yet
    if unnamed_thing(question, release):
        return True
    if ASKS_RESULT.search(question.text) and PREVIEW.search(text) and not RESULTS_TOLD.search(text):
        return True  # the release announces the event; it cannot say how it came out
    if (
        ASKS_CONCLUSION.search(question.text)
        and INVESTIGATION_BEGUN.search(text)
        and not CONCLUDED.search(text)
    ):
        return True  # an investigation begun has concluded nothing yet
    # (A release that says she is still missing, a year on, has answered.)
    body = text.replace(titled.lower(), " ", 1) if titled else text
    return bool(
        ASKS_FOUND.search(question.text)
        and APPEAL_TO_FIND.search(body)
        and not FOUND.search(body)
        and not NO_OUTCOME_YET.search(body)
        and not (titled and not ASKS_WHERE.search(question.text))
    )


def unnamed_thing(question: Question, text: str) -> bool:
    """The question asks the name of a place of business (a gas station, a school) or what
    an item was that the release (`text`, as written) introduces as "a gas station" or "an
    electronic item" and never names: no name before it ("the Petro-Canada gas station")
    or after it ("a company called ...")."""
    asked = ASKS_THING.search(asking_clause(question.text))
    if asked is None:
        return False
    head = re.escape(next(filter(None, asked.groups())))
    head = re.sub(r"cent(?:re|er)", "cent(?:re|er)", re.sub(r"web(?:\\ )?site", "web ?site", head))
    mentions = list(re.finditer(rf"\b{head}s?\b", text, re.I))
    first = mentions[0].start() if mentions else 0
    if not mentions or not _INDEFINITE.search(text[max(0, first - 60) : first]):
        return False
    return not any(
        THING_NAMED_BEFORE.search(text[max(0, m.start() - 60) : m.start()])
        or THING_NAMED_AFTER.match(text, m.end())
        for m in mentions
    )


_INDEFINITE = re.compile(r"\b(?:a|an)\s+(?:[\w-]+\s+){0,4}$", re.I)
