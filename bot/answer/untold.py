"""What a question may ask that a release has not told (yet): how a previewed event came
out, what an investigation concluded, whether someone survived or was arrested, what a
suspect looked like, what caused a death or a fire. `refusal.keeps_back` and
`refusal.untold_outcome` read them."""

from __future__ import annotations

import re

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
