"""The thing a question asks was found, taken, worn, carried or thrown, said first.

"What did police find when they searched him?" is answered by "a pellet gun and a handful
of shotgun shells", cut from "police located a pellet gun and a handful of shotgun
shells": the object of the release's verb of the same kind (found: located, seized,
recovered; taken: stole, made off with; worn: wearing), or the list a lead-in opens ("the
search resulted in the seizure of: - a loaded .38 calibre revolver - ..."). A person found
("officers located the suspect") or a place ("located in the 500 block") is no thing.
"""

from __future__ import annotations

import re

from index.text import LIST_ITEM, list_line

THING_WORDS = 20  # a list of clothes runs long: "a red sweatshirt, black sweat pants, ..."
LISTED = 4  # items of a list said first

# What the question asks was done with the thing, and the release's verbs for it.
_FAMILIES = {
    "found": (
        r"find|found|seize|seized|recover|recovered|locate|located|discover|discovered"
        r"|turn up|turned up|uncover|uncovered",
        r"located|found|seized|recovered|discovered|uncovered|turned up|seizure of",
    ),
    "taken": (
        r"steal|stole|stolen|take|took|taken|grab|grabbed|demand|demanded|get away with"
        r"|got away with|make off with|made off with|rob|robbed",
        r"stole|stolen|took|taken|obtained|grabbed|demanded|made off with|fled with|stealing"
        r"|taking|theft of",
    ),
    "worn": (r"wear|wearing|wore|dressed in", r"wearing|wore|dressed in"),
    "carried": (
        r"carry|carrying|holding|armed with|brandish|brandished|pull out|pulled out|produce"
        r"|produced|have in (?:his|her|their)",
        r"armed with|in possession of|carrying|holding|brandish(?:ed|ing)|produced"
        r"|pulled out",
    ),
    "thrown": (
        r"throw|threw|thrown|toss|tossed|discard|discarded|dump|dumped|drop|dropped",
        r"threw|thrown|tossed|discarded|dumped|dropped",
    ),
}
_ASKED = {
    family: re.compile(
        rf"\bwhat(?: else| items?| property)? (?:did|do|does|was|were|had|has|have|is|are)\b"
        rf"[^?]{{0,80}}?\b(?:{asks})\b",
        re.I,
    )
    for family, (asks, _) in _FAMILIES.items()
}
# What someone had on him is told by what was found on him, and the other way round.
_ALSO = {"found": ("carried",), "carried": ("found",)}
_TOLD = {
    family: re.compile(
        rf"\b(?:{'|'.join(_FAMILIES[f][1] for f in (family, *_ALSO.get(family, ())))})\b\s*", re.I
    )
    for family in _FAMILIES
}
# Not a thing: a person, a place or time, a clause ("found that ..."), or nothing.
_NOT_A_THING = re.compile(
    r"^(?:(?:the|a|an|two|three|four|both|several|other|another|his|her|their)\s+)?"
    r"(?:(?:adult|young|older|elderly|teenage|injured|unknown|male|female|other|second|first"
    r"|\d{1,3}[- ]years?[- ]old|suspect(?:'s|’s)?)\s+)*"
    r"(?:males?|females?|m[ae]n|wom[ae]n|suspects?|victims?|persons?|people|youths?|boys?"
    r"|girls?|drivers?|occupants?|individuals?|accused|officers?|police|him|her|them|he|she"
    r"|it|they|himself|herself|themselves|child|children|kids?|infant|baby)\b"
    r"|^(?:in|at|on|near|inside|outside|behind|along|by|to|into|from|that|shortly|later|and|or"
    r"|what|which|who|where|how"
    r"|nothing|no|none|with|when|while|after|before|this|during|sometime"
    r"|the following)\b"
    r"|:$",
    re.I,
)
# "the wanted male and female suspects": whom the search found, not what.
PERSON_WORDS = 4
_PERSON = re.compile(
    r"\b(?:males?|females?|m[ae]n|wom[ae]n|suspects?|victims?|persons?|youths?|boys?|girls?)\b"
    r"(?!['’])",
    re.I,
)
_LEAD_IN = re.compile(
    r"^(?:the following(?: items?| property)?\s*)?(?:(?:items|property)\s*)?:?\s*$", re.I
)
_END = re.compile(
    r"\.(?!\d)|[;\n]|,\s(?:and|but|who|which|after|before|when|where|while)\b|\s\["
    r"|\s(?:before|after|while|when|then|as|but)\s"
    r"|\sand (?=(?:attempted|tried|fled|ran|left|drove|then|was|were|had|is|are)\b)"
)


def asked(question: str) -> str | None:
    """Which is asked of a thing: "found", "taken", "worn", "carried" or "thrown"."""
    return next((family for family, ask in _ASKED.items() if ask.search(question)), None)


def thing_said(family: str, text: str) -> str | None:
    """What `text` says was found (taken, ...): the object of its verb, or its list."""
    for told in _TOLD[family].finditer(text):
        rest = text[told.end() :]
        head, _, after = rest.partition("\n")
        if _LEAD_IN.match(head) and after:
            return _listed(after)
        end = _END.search(rest)
        phrase = " ".join(rest[: end.start() if end else len(rest)].split()).strip(" ,")
        if (
            not phrase
            or _NOT_A_THING.search(phrase)
            or _PERSON.search(" ".join(phrase.split()[:PERSON_WORDS]))
            or len(phrase.split()) > THING_WORDS
        ):
            continue
        return phrase
    return None


def _listed(lines: str) -> str | None:
    """The first items of a list ("- A loaded .38 calibre revolver"), joined."""
    items = []
    for line in lines.split("\n"):
        if not line.strip():
            continue
        if not list_line(line, of_charges=False):
            break
        items.append(LIST_ITEM.sub("", line).strip())
    return "; ".join(items[:LISTED]) or None
